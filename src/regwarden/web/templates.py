"""The Jinja2 environment of the dashboard: templates inside the package, autoescaped, with a few filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse
from starlette.requests import Request

if TYPE_CHECKING:
    from jinja2 import Environment


def template_environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("regwarden.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        short=short_digest, when=when, ago=ago, url=lambda text: quote(str(text), safe=""), size=human_size
    )
    return environment


def render(
    request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **values: Any
) -> HTMLResponse:
    from regwarden.web.auth import CSRF_FIELD
    from regwarden.web.context import context

    principal = getattr(request.state, "principal", None)
    page = context(request).templates.get_template(template).render(
        request=request, principal=principal, csrf_field=CSRF_FIELD,
        csrf_token=principal.csrf_token if principal else "", path=request.url.path, **values,
    )  # fmt: skip
    return HTMLResponse(page, status_code=status, headers=headers)


def short_digest(digest: object) -> str:
    text = str(digest or "")
    return text.removeprefix("sha256:")[:12] if text.startswith("sha256:") else text


def when(moment: object) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(moment or "")


def ago(moment: object) -> str:
    if not isinstance(moment, datetime):
        return ""
    seconds = (datetime.now(UTC) - moment).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return "just now"


def human_size(value: object) -> str:
    if not isinstance(value, int):
        return ""
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
