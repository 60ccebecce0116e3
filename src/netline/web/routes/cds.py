"""HTTP routes of the CDS Hooks service (discovery and ``patient-view``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException, Request, status

from netline.errors import NetlineError
from netline.web.cds.app import cds_context
from netline.web.cds.auth import ClientAuthError
from netline.web.cds.service import (
    SERVICE_ID,
    CardCache,
    cards_for,
    discovery,
    missing_prefetch,
)

router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])


@router.get("", summary="CDS Hooks discovery")
def cds_discovery() -> dict[str, Any]:
    """Return the services this CDS server offers."""
    return discovery()


@router.post(f"/{SERVICE_ID}", summary="patient-view hook")
def patient_view_hook(
    request: Request,
    body: Annotated[dict[str, Any], Body()],
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Verify the client's JWT, read the prefetch, answer with cards."""
    ctx = cds_context(request)
    audience = f"{ctx.settings.public_url.rstrip('/')}/cds-services/{SERVICE_ID}"
    try:
        claims = ctx.verifier.verify(authorization, audience)
    except ClientAuthError as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from None
    if body.get("hook") != "patient-view":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "this service answers patient-view")
    missing = missing_prefetch(body)
    if missing and not ctx.settings.fhir_server:
        raise HTTPException(
            status.HTTP_412_PRECONDITION_FAILED,
            f"required prefetch missing: {', '.join(missing)}",
        )
    converter = ctx.prefetch_converter
    if converter is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no FHIR mapping configured")
    prefetch = body.get("prefetch") or {}

    convert = converter  # narrowed: not None from here on

    def build() -> tuple[str, dict[str, Any]]:
        # Cards for new data are built a few at a time (settings.cds_concurrent_builds): the
        # work is mostly Python, so more at once only share one core and all finish later.
        with ctx.builds:
            try:
                record = convert(prefetch)
            except NetlineError as error:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from None
            return record.patient.id, cards_for(record, ctx.settings.public_url)

    patient_id, answer = ctx.cards.get(CardCache.key(prefetch), build)
    ctx.state.audit(f"cds:{claims['iss']}", "cds_patient_view", patient_id)
    return answer
