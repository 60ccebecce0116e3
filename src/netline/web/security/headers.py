"""Security headers on every response (OWASP Secure Headers Project).

The content security policy allows scripts from the app's own origin only (no inline script, no
CDN) and no framing by other sites (``frame-ancestors 'none'``). Inline styles are allowed because
plotly.js sets element styles when it draws a chart; styles cannot run code. HSTS is sent only when
the app is served over TLS, as RFC 6797 requires.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """Add the security headers; ``https`` switches HSTS on."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        super().__init__(app)
        self.https = https

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Pass the request on and decorate the response."""
        response = await call_next(request)
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.url.path.startswith(("/patients", "/api", "/audit", "/cohort")):
            headers["Cache-Control"] = "no-store"
        if self.https:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return response
