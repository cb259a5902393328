"""Triage from the vulnerability page: a form (scope, target, package, state, reason, expiry) recorded with the
signed-in user as author, through the same use case as `regwarden triage` and `POST /api/v1/triage`."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from regwarden.model.access import Principal, Role
from regwarden.model.errors import BadInputError
from regwarden.web.api_models import TriageIn
from regwarden.web.api_triage import record_decision
from regwarden.web.auth import page_access
from regwarden.web.context import client_address, context

router = APIRouter(include_in_schema=False)
Triager = Annotated[Principal, Depends(page_access(Role.TRIAGER))]


@router.post("/vulnerabilities/{vuln_id}/triage")
def triage_form(
    request: Request,
    vuln_id: Annotated[str, Path(min_length=1, max_length=255)],
    principal: Triager,
    scope: Annotated[str, Form()],
    state: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    target: Annotated[str, Form()] = "",
    package: Annotated[str, Form()] = "",
    expires: Annotated[str, Form()] = "",
) -> Response:
    try:
        body = TriageIn(
            vulnerability=vuln_id, scope=scope, target=target.strip(), state=state, reason=reason,
            package=package.strip(), expires=date.fromisoformat(expires) if expires else None,
        )  # fmt: skip
    except (ValidationError, ValueError) as error:
        raise BadInputError(f"the triage form is not valid: {_first(error)}") from None
    outcome = record_decision(context(request), principal, body, client_address(request))
    # Numbers only in the URL: a page never shows text a link could inject.
    target = f"/vulnerabilities/{quote(vuln_id, safe='')}?recorded={len(outcome.decisions)}&covered={outcome.covered}"
    return RedirectResponse(target, status_code=303)


def _first(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)
