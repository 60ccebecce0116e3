"""Security headers on every response (OWASP Secure Headers Project).

The content security policy allows scripts from the app's own origin only (no inline script, no
CDN) and no framing by other sites (``frame-ancestors 'none'``). Inline styles are allowed because
plotly.js sets element styles when it draws a chart; styles cannot run code. HSTS is sent only when
the app is served over TLS, as RFC 6797 requires.

The middleware is plain ASGI: it adds the headers to the ``http.response.start`` message and
passes the body through untouched (Starlette's ``BaseHTTPMiddleware`` runs every response through
an extra task and memory stream, which costs latency under load).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_COMMON: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
#: Paths whose answers carry patient data and must not be cached (CDS Hooks service calls
#: return cards built from the patient's prefetch; discovery at /cds-services does not).
PRIVATE_PREFIXES = (
    "/patients",
    "/api",
    "/audit",
    "/cohort",
    "/import",
    "/export",
    "/cds-services/",
)


class SecurityHeaders:
    """Add the security headers; ``https`` switches HSTS on."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and decorate the response's headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = str(scope.get("path", "")).startswith(PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {b"cache-control"} if private else set()
                names.update(name for name, _ in _COMMON)
                if self.https:
                    names.add(_HSTS[0])
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                added = list(_COMMON)
                if private:
                    added.append(_NO_STORE)
                if self.https:
                    added.append(_HSTS)
                message = {**message, "headers": kept + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)
