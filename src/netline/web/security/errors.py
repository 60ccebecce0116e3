"""The answer to an unexpected error, shared by the app and the CDS-only service."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse, Response

__all__ = ["internal_error"]

log = logging.getLogger("netline.web")


def internal_error(request: Request, exc: Exception) -> Response:
    """Answer 500 with no detail; the log names the route and the error type, never patient data."""
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc))
    return JSONResponse({"detail": "internal error"}, status_code=500)
