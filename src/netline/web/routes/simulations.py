"""Simulated sequences from the patient page: start a background simulation and show its progress.

The page that starts it stays usable: the patient page polls the status fragment
(``/patients/{id}/simulations/{job}``) from ``netline.js`` and swaps it in when it changes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from netline.errors import UnknownKeyError
from netline.web.auth import check_csrf, context, page_user
from netline.web.jobs import Job
from netline.web.security.accounts import Role, Session
from netline.web.simulate import run_simulation

router = APIRouter()


def visible(job: Job | None, session: Session, label: str) -> Job:
    """Return the job if it is this patient's and the user may see it; else 404."""
    if (
        job is None
        or job.label != label
        or (job.owner != session.username and not session.role.allows(Role.ADMIN))
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such job")
    return job


@router.post("/patients/{patient_id}/simulations", include_in_schema=False)
def start_simulation(
    request: Request, patient_id: str, csrf_token: Annotated[str, Form(max_length=128)]
) -> Response:
    """Start simulating the model's sequences from the patient's current state."""
    from netline.web.routes.pages import patient_view_of

    session = page_user(request)
    check_csrf(session, csrf_token)
    ctx = context(request)
    view = patient_view_of(request, patient_id)
    running = ctx.jobs.unfinished("simulation", patient_id, session.username)
    if running is not None:  # one simulation per user and patient at a time
        return RedirectResponse(
            f"/patients/{patient_id}?simulation={running.id}#simulation", status.HTTP_303_SEE_OTHER
        )
    job = ctx.jobs.new("simulation", patient_id, session.username)
    ctx.accounts.audit(session.username, "simulate_patient", patient_id)
    settings = ctx.settings
    ctx.jobs.start(
        job,
        lambda job: run_simulation(
            job,
            view.record,
            view.line_agents,
            settings.simulation_model,
            patients=settings.simulation_patients,
            draws=settings.simulation_draws,
        ),
        refused="nothing was simulated",
    )
    return RedirectResponse(
        f"/patients/{patient_id}?simulation={job.id}#simulation", status.HTTP_303_SEE_OTHER
    )


@router.get(
    "/patients/{patient_id}/simulations/{job_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def simulation_status(request: Request, patient_id: str, job_id: str) -> HTMLResponse:
    """Return the simulation's progress or result as an HTML fragment of the patient page."""
    session = page_user(request)
    ctx = context(request)
    try:
        ctx.patients.get(patient_id)
    except UnknownKeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patient") from None
    job = visible(ctx.jobs.get(job_id, "simulation"), session, patient_id)
    if job.state == "done":
        ctx.accounts.audit(session.username, "read_simulation", patient_id)
    return ctx.templates.TemplateResponse(
        request, "_simulation.html", {"session": session, "job": job, "patient_id": patient_id}
    )
