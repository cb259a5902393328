"""Who is asking, and may they: every route but sign-in, health and static assets needs a principal.

A request authenticates with `Authorization: Bearer rwt_…` (an API token) or the session cookie. A page without
either is sent to the sign-in page; an API call gets 401. A principal below the route's role, or a token without
the route's scope, gets 403. A state change made with a session cookie must carry the session's CSRF token (the
form's `csrf_token` field, or the `X-CSRF-Token` header) and, when the browser sends one, a same-origin `Origin`:
a cross-site form cannot forge either. Token requests need no CSRF token: browsers never attach them.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import HTTPException
from starlette.requests import Request

from regwarden.model.access import Principal, Role, Scope
from regwarden.model.errors import AuthError
from regwarden.service.api_tokens import token_principal
from regwarden.service.sessions import session_principal
from regwarden.web.context import context

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequired(Exception):
    """A page was asked for without a session: the handler sends the browser to the sign-in page."""


def cookie_name(request: Request) -> str:
    # `__Host-` cookies are refused by browsers unless Secure, path=/ and host-only: use it whenever we can.
    return "__Host-rw_session" if context(request).settings.https else "rw_session"


def find_principal(request: Request) -> Principal | None:
    """The request's principal, once per request; AuthError for a bad token (never silently anonymous)."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    store = context(request).store
    header = request.headers.get("authorization", "")
    principal: Principal | None
    if header.lower().startswith("bearer "):
        principal = token_principal(store, header[7:].strip())
    else:
        principal = session_principal(store, request.cookies.get(cookie_name(request), ""))
    request.state.principal = principal
    return principal


def api_access(role: Role, scope: Scope) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency for API routes: 401 without credentials, 403 below `role` or without `scope`."""

    async def check(request: Request) -> Principal:
        try:
            principal = find_principal(request)
        except AuthError as error:
            raise HTTPException(401, str(error), headers={"WWW-Authenticate": "Bearer"}) from None
        if principal is None:
            raise HTTPException(401, "sign in, or send Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
        _authorize(principal, role, scope)
        if principal.via == "session" and request.method not in SAFE_METHODS:
            _check_csrf(request, principal, request.headers.get(CSRF_HEADER, ""))
        return principal

    return check


def page_access(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency for dashboard pages: no session → the sign-in page; a form post must carry the CSRF field."""

    async def check(request: Request) -> Principal:
        try:
            principal = find_principal(request)
        except AuthError:
            principal = None
        if principal is None or principal.via != "session":
            raise SignInRequired
        _authorize(principal, role, None)
        if request.method not in SAFE_METHODS:
            form = await request.form()
            _check_csrf(request, principal, str(form.get(CSRF_FIELD, "")))
        return principal

    return check


def _authorize(principal: Principal, role: Role, scope: Scope | None) -> None:
    if not principal.user.role.allows(role):
        raise HTTPException(403, f"needs the {role.value} role; {principal.user.name} is {principal.user.role.value}")
    if scope is not None and scope not in principal.scopes:
        raise HTTPException(403, f"this token lacks the {scope.value} scope")


def _check_csrf(request: Request, principal: Principal, sent: str) -> None:
    expected = principal.csrf_token or ""
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise HTTPException(403, f"cross-origin request from {origin} refused")


def _own_origin(request: Request) -> str:
    public = context(request).settings.public_url.rstrip("/")
    scheme_host = public.split("/", 3)
    configured = "/".join(scheme_host[:3])
    actual = f"{request.url.scheme}://{request.url.netloc}"
    origin = request.headers.get("origin", "")
    return origin if origin in (configured, actual) else configured
