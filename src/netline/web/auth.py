"""Who is asking: the session behind the cookie, role checks and CSRF checks for every route."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, status

from netline.web.context import AppContext
from netline.web.security.accounts import Role, Session

SESSION_COOKIE = "netline_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequiredError(Exception):
    """Raised by page routes when nobody is signed in (answered with a redirect to /login)."""


def context(request: Request) -> AppContext:
    """Return the app's shared context."""
    ctx: AppContext = request.app.state.netline
    return ctx


def current_session(request: Request) -> Session | None:
    """Return the live session of this request, if any."""
    return context(request).accounts.session(request.cookies.get(SESSION_COOKIE))


def page_user(request: Request, needed: Role = Role.VIEWER) -> Session:
    """Return the signed-in user of a page with at least role ``needed``."""
    session = current_session(request)
    if session is None:
        raise LoginRequiredError
    if not session.role.allows(needed):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {needed.value} role")
    return session


def api_user(request: Request, needed: Role = Role.VIEWER) -> Session:
    """Return the signed-in user of an API call with role ``needed`` (else 401 or 403)."""
    session = current_session(request)
    if session is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first")
    if not session.role.allows(needed):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {needed.value} role")
    return session


def check_csrf(session: Session, submitted: str | None) -> None:
    """Refuse a state-changing request whose CSRF token does not match the session's."""
    if not submitted or not hmac.compare_digest(submitted, session.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
