"""The cohort dashboard, over the registry the app runs on.

It calls :mod:`netline.registry` as the command line does (``netline cohort``).
"""

from __future__ import annotations

import base64
import io
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse

from netline.errors import NetlineError
from netline.web.auth import context, page_user
from netline.web.patients import RegistryRepository

router = APIRouter()


def _repository(request: Request) -> RegistryRepository:
    patients = context(request).patients
    if not isinstance(patients, RegistryRepository):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this app has no registry")
    return patients


def _png(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


@router.get("/cohort", response_class=HTMLResponse, include_in_schema=False)
def cohort_page(
    request: Request,
    agent_class: Annotated[str, Query(max_length=40)] = "",
    grade: Annotated[str, Query(max_length=20)] = "",
    endpoint: Annotated[str, Query(pattern="^(pfs|os|ttnt)$")] = "pfs",
) -> HTMLResponse:
    """Return Table 1, Kaplan-Meier by first-line class and the treatment pathways."""
    from netline.registry import kaplan_meier, pathways, select_cohort, table1

    session = page_user(request)
    repository = _repository(request)
    values: dict[str, Any] = {"agent_class": agent_class, "grade": grade, "endpoint": endpoint}
    try:
        with repository.lock:
            cohort = select_cohort(
                repository.registry,
                agent_class=agent_class or None,
                grade=grade or None,
            )
        km = kaplan_meier(cohort, endpoint, 1, by="class")  # type: ignore[arg-type]
        values.update(
            table1=table1(cohort).render("html"),
            km_table=km.render("html"),
            km_png=_png(km.plot()),
            pathways=pathways(cohort).render("html"),
            error="",
        )
    except NetlineError as error:
        values.update(table1="", km_table="", km_png="", pathways="", error=str(error))
    context(request).accounts.audit(session.username, "read_cohort", None, str(values["grade"]))
    return context(request).templates.TemplateResponse(
        request, "cohort.html", {"session": session, **values}
    )
