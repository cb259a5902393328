"""Signing in and out: the local sign-in form (argon2, rate limited per address and per name), OIDC sign-in
(oidc.py), and sign-out. Each success and failure is in the audit trail; a password never is."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from regwarden.model.access import Principal, Role
from regwarden.model.errors import AuthError
from regwarden.web.auth import cookie_name, page_access
from regwarden.web.context import AppContext, client_address, context
from regwarden.web.templates import render

router = APIRouter(include_in_schema=False)
BINDING_COOKIE = "rw_oidc"
LOGIN_COOKIE = "rw_login"
"""Before a session exists, the sign-in form's CSRF token is a double-submit cookie: a cross-site page can make
a browser post the form, but cannot read the cookie to put the same value in it (no signing anyone in as the
attacker's account)."""


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return _login_form(request, _local(next), None, 200)


def _login_form(request: Request, next_url: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    ctx = context(request)
    response = render(
        request, "login.html", status=status, next=next_url, oidc=ctx.oidc is not None, error=error, login_token=token
    )
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=3600, httponly=True, secure=ctx.settings.https, samesite="strict", path="/login"
    )
    return response


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=255)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    from regwarden.service.accounts import authenticate
    from regwarden.service.sessions import start_session

    ctx = context(request)
    client = client_address(request)
    wait = ctx.login_limiter.hit(f"ip:{client}") or ctx.login_limiter.hit(f"user:{username.strip().lower()}")
    if wait is not None:
        raise HTTPException(
            429, "too many sign-in attempts: wait a minute", headers={"Retry-After": str(int(wait) + 1)}
        )
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the sign-in page and try again")
    try:
        user = await run_in_threadpool(authenticate, ctx.store, username, password)
    except AuthError as error:
        ctx.store.audit_log.append(
            username.strip()[:255] or "-", "login.failed", username.strip()[:255], {"method": "password"}, client=client
        )
        return _login_form(request, _local(next), str(error), 401)
    cookie = start_session(ctx.store, user, "password", client=client, ttl=ctx.settings.session_ttl)
    return _signed_in(request, ctx, cookie, _local(next))


@router.post("/logout")
def logout(request: Request, principal: Annotated[Principal, Depends(page_access(Role.VIEWER))]) -> Response:
    from regwarden.service.sessions import end_session

    ctx = context(request)
    end_session(ctx.store, request.cookies.get(cookie_name(request), ""), principal.actor, client_address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(cookie_name(request), path="/")
    return response


@router.get("/login/oidc")
def oidc_start(request: Request, next: str = "/") -> Response:
    ctx = context(request)
    if ctx.oidc is None:
        raise HTTPException(404, "OIDC sign-in is not configured on this server")
    wait = ctx.login_limiter.hit(f"ip:{client_address(request)}")
    if wait is not None:
        raise HTTPException(
            429, "too many sign-in attempts: wait a minute", headers={"Retry-After": str(int(wait) + 1)}
        )
    url, binding = ctx.oidc.begin(_redirect_uri(ctx), _local(next))
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        BINDING_COOKIE,
        binding,
        max_age=600,
        httponly=True,
        secure=ctx.settings.https,
        samesite="lax",
        path="/auth/callback",
    )
    return response


@router.get("/auth/callback")
async def oidc_callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    from regwarden.service.accounts import oidc_user
    from regwarden.service.sessions import start_session

    ctx = context(request)
    if ctx.oidc is None:
        raise HTTPException(404, "OIDC sign-in is not configured on this server")
    client = client_address(request)
    if error or not state or not code:
        raise HTTPException(401, f"the provider did not sign you in{': ' + error[:200] if error else ''}")
    oidc = ctx.oidc
    binding = request.cookies.get(BINDING_COOKIE, "")
    try:
        identity, next_url = await run_in_threadpool(oidc.finish, state, code, binding, _redirect_uri(ctx))
        user = oidc_user(
            ctx.store,
            identity.issuer,
            identity.subject,
            identity.name,
            identity.display_name,
            oidc.settings.default_role,
        )
    except AuthError as failure:
        ctx.store.audit_log.append(
            "-", "login.failed", "oidc", {"method": "oidc", "reason": str(failure)}, client=client
        )
        raise HTTPException(401, str(failure)) from None
    cookie = start_session(ctx.store, user, "oidc", client=client, ttl=ctx.settings.session_ttl)
    response = _signed_in(request, ctx, cookie, next_url)
    response.delete_cookie(BINDING_COOKIE, path="/auth/callback")
    return response


def _signed_in(request: Request, ctx: AppContext, cookie: str, next_url: str) -> Response:
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        cookie_name(request), cookie, max_age=int(ctx.settings.session_ttl.total_seconds()), httponly=True,
        secure=ctx.settings.https, samesite="lax", path="/",
    )  # fmt: skip
    return response


def _redirect_uri(ctx: AppContext) -> str:
    return ctx.settings.public_url.rstrip("/") + "/auth/callback"


def _local(target: str) -> str:
    """Only a path on this server: an open redirect would let a link send a signed-in user anywhere."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
