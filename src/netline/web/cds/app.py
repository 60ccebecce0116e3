"""The CDS Hooks service's shared objects, and the service as an app of its own (``serve-cds``).

``netline serve`` mounts the CDS routes in the tumour-board app; ``netline serve-cds`` runs
them alone (discovery, ``patient-view``, ``/healthz``: no registry, no pages, no accounts), in
as many processes as ``--workers`` asks. Either way the state the service writes (token ids
seen, audit rows) is in the SQLite file :class:`~netline.web.cds.state.CdsState`, which every
process shares, and each process keeps its own card cache (content-keyed, so processes
agree).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from netline.web.cds.auth import ClientVerifier, TrustedClient
from netline.web.cds.service import CardCache, PrefetchConverter
from netline.web.cds.state import CdsState
from netline.web.settings import WebSettings

#: The environment variable that hands ``serve-cds``'s settings to each worker process.
SETTINGS_ENV = "NETLINE_CDS_SETTINGS"


@dataclass
class CdsContext:
    """What the CDS routes need: settings, token checks, shared state, the FHIR mapping."""

    settings: WebSettings
    verifier: ClientVerifier
    state: CdsState
    prefetch_converter: PrefetchConverter | None = None
    cards: CardCache = field(default_factory=CardCache)
    #: Bounds the CDS card builds running at once (``settings.cds_concurrent_builds``).
    builds: threading.BoundedSemaphore = field(default_factory=threading.BoundedSemaphore)


def build_cds_context(
    settings: WebSettings, prefetch_converter: PrefetchConverter | None
) -> CdsContext:
    """Open the shared state named by ``settings`` and the verifier of its trusted clients."""
    settings.cds_state_file.parent.mkdir(parents=True, exist_ok=True)
    state = CdsState(settings.cds_state_file)
    clients = {
        issuer: TrustedClient(issuer, jwks) for issuer, jwks in settings.trusted_cds_clients.items()
    }
    return CdsContext(
        settings=settings,
        verifier=ClientVerifier(clients, replay=state),
        state=state,
        prefetch_converter=prefetch_converter,
        builds=threading.BoundedSemaphore(settings.cds_concurrent_builds),
    )


def cds_context(request: Request) -> CdsContext:
    """Return the CDS context of the app serving ``request``."""
    ctx: CdsContext = request.app.state.cds
    return ctx


def create_cds_app(settings: WebSettings, prefetch_converter: PrefetchConverter) -> FastAPI:
    """Build the CDS-only app: discovery, ``patient-view`` and ``/healthz``, same headers."""
    from netline._version import __version__
    from netline.web.routes import cds
    from netline.web.security.errors import internal_error
    from netline.web.security.headers import SecurityHeaders

    app = FastAPI(
        title="netline CDS Hooks service",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.cds = build_cds_context(settings, prefetch_converter)
    app.add_middleware(SecurityHeaders, https=settings.https)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_exception_handler(Exception, internal_error)

    app.include_router(cds.router)
    return app


def app_from_environment() -> FastAPI:
    """Build the CDS-only app in a worker process from :data:`SETTINGS_ENV` (uvicorn factory).

    The registry's FHIR mapping reads the prefetch; the knowledge base is loaded and the
    start-up objects frozen before the first request (:func:`netline.web.serve.settle`).
    """
    from netline.registry.fhir import prefetch_record
    from netline.web.serve import settle

    settings = WebSettings.model_validate(json.loads(os.environ[SETTINGS_ENV]))
    app = create_cds_app(settings, prefetch_record)
    settle()
    return app
