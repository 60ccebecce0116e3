"""The REST API (``/api/v1``): the same services as the command line, as JSON.

Authentication is the session cookie of the web app; state-changing calls also need the
session's CSRF token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException, Query, Request, status
from fastapi.responses import Response

from netline.errors import InvalidRecordError, UnknownKeyError
from netline.records import CaseRecord, record_from_data
from netline.web.auth import api_user, check_csrf, context
from netline.web.security.accounts import Role
from netline.web.views import json_dumps

router = APIRouter(prefix="/api/v1", tags=["api"])


def _json(value: Any, code: int = 200) -> Response:
    return Response(json_dumps(value), status_code=code, media_type="application/json")


def _record(request: Request, patient_id: str) -> CaseRecord:
    try:
        return context(request).patients.get(patient_id)
    except UnknownKeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patient") from None


@router.get("/patients", summary="List patients")
def list_patients(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    """Patient ids with site and grade, filtered by free text."""
    session = api_user(request)
    ctx = context(request)
    rows = [row for row in ctx.patients.rows() if not q or row.matches(q)]
    ctx.accounts.audit(session.username, "api_list_patients", None, f"query={q!r}")
    return _json([row.__dict__ for row in rows])


@router.get("/patients/{patient_id}", summary="One patient's record")
def get_patient(request: Request, patient_id: str) -> Response:
    """Return the validated record, with absolute dates."""
    session = api_user(request)
    record = _record(request, patient_id)
    context(request).accounts.audit(session.username, "api_read_patient", patient_id)
    return _json(record.model_dump(mode="json", exclude_none=True))


@router.get("/patients/{patient_id}/assessment", summary="The course at a glance")
def get_assessment(request: Request, patient_id: str) -> Response:
    """``netline assess`` as JSON."""
    import netline

    session = api_user(request)
    record = _record(request, patient_id)
    context(request).accounts.audit(session.username, "api_read_assessment", patient_id)
    return _json(netline.assess(record).to_dict())


@router.get("/patients/{patient_id}/advice", summary="Options for the next step")
def get_advice(
    request: Request, patient_id: str, at: Annotated[dt.date | None, Query()] = None
) -> Response:
    """``netline advise`` as JSON, optionally as of a decision date."""
    import netline

    session = api_user(request)
    record = _record(request, patient_id)
    context(request).accounts.audit(session.username, "api_read_advice", patient_id, f"at={at}")
    return _json(netline.advise(record, at=at).to_dict())


@router.post("/patients", summary="Create or replace a patient", status_code=201)
def put_patient(
    request: Request,
    case: Annotated[dict[str, Any], Body()],
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Response:
    """Validate a case (the case-file format as JSON) and store it; 422 lists every problem."""
    session = api_user(request, Role.CLINICIAN)
    check_csrf(session, x_csrf_token)
    try:
        record = record_from_data(case, source="api")
    except InvalidRecordError as error:
        problems = [
            {"field": p.location, "value": repr(p.value), "expected": p.expected}
            for p in error.problems
        ]
        return _json({"problems": problems}, code=422)
    ctx = context(request)
    ctx.patients.save(record, session.username)
    ctx.accounts.audit(session.username, "api_write_patient", record.patient.id)
    return _json({"id": record.patient.id}, code=201)
