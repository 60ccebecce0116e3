"""De-identified export (:mod:`netline.web.deid`): one patient, or the whole registry.

Roles: a clinician may export one patient (a case for teaching or a case report); the whole
registry is a bulk release of data and needs an administrator. Every export is in the audit log
(who, which patient or ``registry``, how many records).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from netline.errors import UnknownKeyError
from netline.web.auth import context, page_user
from netline.web.deid import export_document, load_secret
from netline.web.security.accounts import Role
from netline.web.views import json_dumps

router = APIRouter()


@router.get("/export/deidentified", include_in_schema=False)
def deidentified_export(
    request: Request,
    patient_id: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """Download one patient (clinician) or every patient (administrator), de-identified."""
    session = page_user(request, Role.CLINICIAN if patient_id else Role.ADMIN)
    ctx = context(request)
    try:
        if patient_id:
            records = [ctx.patients.get(patient_id)]
        else:
            records = [ctx.patients.get(row.id) for row in ctx.patients.rows()]
    except UnknownKeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patient") from None
    try:
        secret = load_secret(ctx.settings.deid_secret_file)
    except ValueError:
        # a damaged secret is the server's problem; the file name stays out of the answer
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the de-identification secret of this server is damaged; ask its administrator",
        ) from None
    document = export_document(records, secret)
    ctx.accounts.audit(
        session.username,
        "export_deidentified",
        patient_id or None,
        f"{len(records)} record(s)" + ("" if patient_id else " (whole registry)"),
    )
    stamp = dt.date.today().isoformat()
    name = f"netline-deidentified-{'patient' if patient_id else 'registry'}-{stamp}.json"
    return Response(
        json_dumps(document),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
