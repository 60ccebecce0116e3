"""The objects every request handler needs, built once per app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi.templating import Jinja2Templates

from netline.web.cds.app import CdsContext, build_cds_context
from netline.web.cds.service import PrefetchConverter
from netline.web.jobs import JobStore
from netline.web.patients import PatientRepository
from netline.web.security.accounts import AccountStore
from netline.web.security.ratelimit import SlidingWindowLimiter
from netline.web.settings import WebSettings
from netline.web.views import ViewCache

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass
class AppContext:
    """Settings, stores and policies shared by the routes."""

    settings: WebSettings
    patients: PatientRepository
    accounts: AccountStore
    login_limiter: SlidingWindowLimiter
    cds: CdsContext
    templates: Jinja2Templates
    views: ViewCache = field(default_factory=ViewCache)
    jobs: JobStore = field(default_factory=JobStore)


def build_context(
    settings: WebSettings,
    patients: PatientRepository,
    prefetch_converter: PrefetchConverter | None = None,
) -> AppContext:
    """Open the stores named by ``settings``."""
    settings.accounts.parent.mkdir(parents=True, exist_ok=True)
    return AppContext(
        settings=settings,
        patients=patients,
        accounts=AccountStore(settings.accounts, session_minutes=settings.session_minutes),
        login_limiter=SlidingWindowLimiter(settings.login_attempts, settings.login_window_s),
        cds=build_cds_context(settings, prefetch_converter),
        templates=Jinja2Templates(directory=str(TEMPLATES)),
    )
