"""The objects every request handler needs, built once per app."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.templating import Jinja2Templates

from netline.web.cds.auth import ClientVerifier, TrustedClient
from netline.web.cds.service import CardCache, PrefetchConverter
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
    cds_verifier: ClientVerifier
    templates: Jinja2Templates
    prefetch_converter: PrefetchConverter | None = None
    views: ViewCache = field(default_factory=ViewCache)
    cds_cards: CardCache = field(default_factory=CardCache)
    jobs: JobStore = field(default_factory=JobStore)
    #: Bounds the CDS card builds running at once (``settings.cds_concurrent_builds``).
    cds_builds: threading.BoundedSemaphore = field(default_factory=threading.BoundedSemaphore)


def build_context(
    settings: WebSettings,
    patients: PatientRepository,
    prefetch_converter: PrefetchConverter | None = None,
) -> AppContext:
    """Open the stores named by ``settings``."""
    settings.accounts.parent.mkdir(parents=True, exist_ok=True)
    clients = {
        issuer: TrustedClient(issuer, jwks) for issuer, jwks in settings.trusted_cds_clients.items()
    }
    return AppContext(
        settings=settings,
        patients=patients,
        accounts=AccountStore(settings.accounts, session_minutes=settings.session_minutes),
        login_limiter=SlidingWindowLimiter(settings.login_attempts, settings.login_window_s),
        cds_verifier=ClientVerifier(clients),
        templates=Jinja2Templates(directory=str(TEMPLATES)),
        prefetch_converter=prefetch_converter,
        cds_builds=threading.BoundedSemaphore(settings.cds_concurrent_builds),
    )
