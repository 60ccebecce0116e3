"""The FastAPI application: pages, REST API, CDS Hooks, with security on every route."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request, status
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from netline._version import __version__
from netline.web.auth import LoginRequiredError
from netline.web.cds.service import PrefetchConverter
from netline.web.context import STATIC, build_context
from netline.web.patients import PatientRepository
from netline.web.routes import api, cds, cohort, evidence, export, imports, pages, simulations
from netline.web.security.errors import internal_error
from netline.web.security.headers import SecurityHeaders
from netline.web.settings import WebSettings


def _plotly_js() -> str:
    """Path of plotly.js as shipped inside the plotly package (served locally, never a CDN)."""
    return str(resources.files("plotly") / "package_data" / "plotly.min.js")


def create_app(
    settings: WebSettings,
    patients: PatientRepository,
    *,
    prefetch_converter: PrefetchConverter | None = None,
) -> FastAPI:
    """Build the app over a patient repository.

    Parameters
    ----------
    settings : WebSettings
        Where accounts and the audit log live, TLS, session lifetime, trusted CDS clients.
    patients : PatientRepository
        The patient store.
    prefetch_converter : callable, optional
        FHIR prefetch → :class:`~netline.records.CaseRecord` for the CDS service.
    """
    app = FastAPI(
        title="netline",
        version=__version__,
        description=(
            "Treatment sequencing for neuroendocrine tumours: the course, options for the next "
            "step with their evidence, and a CDS Hooks service. netline supports the tumour "
            "board; it does not make the decision."
        ),
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.netline = build_context(settings, patients, prefetch_converter)
    app.state.cds = app.state.netline.cds  # the CDS routes read only this (as in serve-cds)
    app.add_middleware(SecurityHeaders, https=settings.https)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js(), media_type="text/javascript")

    @app.exception_handler(LoginRequiredError)
    def to_login(request: Request, exc: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)

    app.add_exception_handler(Exception, internal_error)

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(cds.router)
    app.include_router(evidence.router)
    app.include_router(cohort.router)
    app.include_router(imports.router)
    app.include_router(simulations.router)
    app.include_router(export.router)
    return app
