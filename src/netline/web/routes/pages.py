"""Server-rendered pages: login, patient list, patient page, new patient, summary, audit."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from netline.errors import InvalidRecordError, UnknownKeyError
from netline.records import CaseRecord
from netline.web.auth import (
    SESSION_COOKIE,
    check_csrf,
    context,
    current_session,
    page_user,
)
from netline.web.cds.state import merged_audit_log
from netline.web.forms import CHOICES, NewPatientForm, record_from_form
from netline.web.security.accounts import Role, Session
from netline.web.views import PatientView

router = APIRouter()
LOGIN_CSRF_COOKIE = "netline_login_csrf"


def _page(
    request: Request, template: str, session: Session | None, code: int = 200, **values: Any
) -> HTMLResponse:
    return context(request).templates.TemplateResponse(
        request, template, {"session": session, **values}, status_code=code
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """Send visitors to the patient list."""
    return RedirectResponse("/patients", status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, error: str = "") -> HTMLResponse:
    """Return the login form, with a double-submit CSRF token."""
    token = secrets.token_urlsafe(32)
    response = _page(request, "login.html", None, csrf_token=token, error=error)
    https = context(request).settings.https
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=https)
    return response


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)],
) -> Response:
    """Check the password (rate-limited per address and per name) and open a session."""
    ctx = context(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
    keys = (f"ip:{_client(request)}", f"user:{username}")
    if any(ctx.login_limiter.blocked(key) for key in keys):
        return _page(
            request,
            "login.html",
            None,
            code=status.HTTP_429_TOO_MANY_REQUESTS,
            csrf_token=csrf_token,
            error="Too many failed logins; wait a few minutes and try again.",
        )
    if ctx.accounts.authenticate(username, password) is None:
        for key in keys:
            ctx.login_limiter.hit(key)
        return _page(
            request,
            "login.html",
            None,
            code=status.HTTP_401_UNAUTHORIZED,
            csrf_token=csrf_token,
            error="Unknown user name or wrong password.",
        )
    for key in keys:
        ctx.login_limiter.reset(key)
    token, _session = ctx.accounts.open_session(username)
    ctx.accounts.audit(username, "login", None)
    response = RedirectResponse("/patients", status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.https,
        max_age=ctx.settings.session_minutes * 60,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=128)]) -> Response:
    """End the session."""
    session = current_session(request)
    if session is not None:
        check_csrf(session, csrf_token)
        context(request).accounts.close_session(request.cookies.get(SESSION_COOKIE, ""))
        context(request).accounts.audit(session.username, "logout", None)
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/patients", response_class=HTMLResponse, include_in_schema=False)
def patient_list(request: Request, q: str = "") -> HTMLResponse:
    """All patients, filtered by a free-text search."""
    session = page_user(request)
    ctx = context(request)
    rows = [row for row in ctx.patients.rows() if row.matches(q)] if q else ctx.patients.rows()
    ctx.accounts.audit(session.username, "list_patients", None, f"query={q!r}")
    return _page(request, "patients.html", session, rows=rows, q=q)


@router.get("/patients/new", response_class=HTMLResponse, include_in_schema=False)
def new_patient_form(request: Request) -> HTMLResponse:
    """Return the form for a new patient (no YAML needed)."""
    session = page_user(request, Role.CLINICIAN)
    return _page(
        request, "new_patient.html", session, form=NewPatientForm(), errors={}, choices=CHOICES
    )


@router.post("/patients/new", response_class=HTMLResponse, include_in_schema=False)
async def create_patient(request: Request) -> Response:
    """Validate the form through the record model; show every problem next to its field."""
    session = page_user(request, Role.CLINICIAN)
    data = await request.form()
    check_csrf(session, str(data.get("csrf_token") or ""))
    form = NewPatientForm.from_form({k: str(v) for k, v in data.items()})
    try:
        record = record_from_form(form)
    except InvalidRecordError as error:
        errors = form.errors_by_field(error.problems)
        return _page(
            request,
            "new_patient.html",
            session,
            code=422,
            form=form,
            errors=errors,
            choices=CHOICES,
        )
    ctx = context(request)
    ctx.patients.save(record, session.username)
    ctx.accounts.audit(session.username, "create_patient", record.patient.id)
    return RedirectResponse(f"/patients/{record.patient.id}", status.HTTP_303_SEE_OTHER)


def patient_view_of(request: Request, patient_id: str) -> PatientView:
    """Return the patient's page view (cached per record version); 404 for an unknown patient."""
    patients = context(request).patients

    def load() -> CaseRecord:
        try:
            return patients.get(patient_id)
        except UnknownKeyError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patient") from None

    # The version is read before the record: a save landing between the two reads then leaves
    # the view under the older version (rebuilt on the next request), never an old view under
    # the newer version. The record is read only when the view is not cached.
    return context(request).views.get((patient_id, patients.version(patient_id)), load)


@router.get("/patients/{patient_id}", response_class=HTMLResponse, include_in_schema=False)
def patient_page(
    request: Request,
    patient_id: str,
    simulation: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """Return the patient's course, lines, labs, toxicity, advice summary and timeline.

    ``simulation`` names a simulation job started from this page; its progress (then its
    result) is shown in the simulated-sequences section.
    """
    from netline.web.routes.simulations import visible

    session = page_user(request)
    view = patient_view_of(request, patient_id)
    ctx = context(request)
    job = None
    if simulation:
        try:
            job = visible(ctx.jobs.get(simulation, "simulation"), session, patient_id)
        except HTTPException:
            job = None
    ctx.accounts.audit(session.username, "read_patient", patient_id)
    return _page(
        request,
        "patient.html",
        session,
        view=view,
        job=job,
        patient_id=patient_id,
        simulation_ready=ctx.settings.simulation_model is not None,
    )


@router.get("/patients/{patient_id}/summary", response_class=HTMLResponse, include_in_schema=False)
def board_summary(request: Request, patient_id: str) -> HTMLResponse:
    """Return the one-page tumour-board summary (printable HTML)."""
    session = page_user(request)
    view = patient_view_of(request, patient_id)
    context(request).accounts.audit(session.username, "read_summary", patient_id)
    return _page(request, "summary.html", session, view=view)


@router.get("/patients/{patient_id}/summary.pdf", include_in_schema=False)
def board_summary_pdf(request: Request, patient_id: str) -> Response:
    """Return the tumour-board summary as PDF (WeasyPrint)."""
    from netline.web.pdf import html_to_pdf, stylesheet

    session = page_user(request)
    view = patient_view_of(request, patient_id)
    context(request).accounts.audit(session.username, "export_summary_pdf", patient_id)
    html = (
        context(request)
        .templates.get_template("summary.html")
        .render(
            {
                "request": request,
                "session": None,
                "view": view,
                "pdf": True,
                "inline_css": stylesheet(),
            }
        )
    )
    return Response(
        html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{patient_id}-summary.pdf"'},
    )


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request) -> HTMLResponse:
    """Return the audit log (administrators only)."""
    session = page_user(request, Role.ADMIN)
    ctx = context(request)
    # The CDS service's rows live in its own store, shared by its processes (cds/state.py).
    entries = merged_audit_log([ctx.accounts.audit_log(), ctx.cds.state.audit_log()])
    ctx.accounts.audit(session.username, "read_audit", None)
    return _page(request, "audit.html", session, entries=entries)
