"""The live collector's plumbing: lazily created SDK clients, SDK model → ARM dict, tolerant reads.

Nothing is imported from the Azure SDKs until a client is first used, so importing regwarden stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from regwarden.model.errors import UnreachableError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

T = TypeVar("T")
ARM_SCOPE = "https://management.azure.com/.default"

Resource = dict[str, Any]


class LiveClients:
    """The SDK clients, each created on first use (importing the SDKs is slow; nothing happens at import)."""

    def __init__(
        self, credential: TokenCredential, subscription_id: str, base_url: str | None, verify: str | bool
    ) -> None:
        self.subscription_id = subscription_id
        self._args: tuple[Any, ...] = (credential, subscription_id)
        self._kwargs: dict[str, Any] = {"credential_scopes": [ARM_SCOPE], "connection_verify": verify}
        if base_url:
            self._kwargs["base_url"] = base_url
        self._made: dict[str, Any] = {}

    def _make(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self._made:
            self._made[key] = factory()
        return self._made[key]

    @property
    def acr(self) -> Any:
        from azure.mgmt.containerregistry import ContainerRegistryManagementClient

        return self._make("acr", lambda: ContainerRegistryManagementClient(*self._args, **self._kwargs))

    @property
    def authorization(self) -> Any:
        from azure.mgmt.authorization import AuthorizationManagementClient

        return self._make("auth", lambda: AuthorizationManagementClient(*self._args, **self._kwargs))

    @property
    def monitor(self) -> Any:
        from azure.mgmt.monitor import MonitorManagementClient

        return self._make("monitor", lambda: MonitorManagementClient(*self._args, **self._kwargs))

    @property
    def security(self) -> Any:
        from azure.mgmt.security import SecurityCenter

        return self._make("security", lambda: SecurityCenter(*self._args, **self._kwargs))

    @property
    def network(self) -> Any:
        from azure.mgmt.network import NetworkManagementClient

        return self._make("network", lambda: NetworkManagementClient(*self._args, **self._kwargs))


def to_arm(model: Any) -> Resource:
    """An SDK model as the ARM JSON the REST API returned."""
    if hasattr(model, "serialize"):
        return dict(model.serialize(keep_readonly=True))
    return dict(model.as_dict())


def as_arm_list(lister: Callable[[], Iterable[Any]]) -> list[Resource]:
    return [to_arm(model) for model in lister()]


def attempt(unavailable: dict[str, str], arm_type: str, call: Callable[[], T]) -> T | None:
    """Run one read; a refusal (401/403) or absence (404) marks `arm_type` unavailable instead of failing."""
    from azure.core.exceptions import HttpResponseError

    try:
        return call()
    except HttpResponseError as exc:
        if exc.status_code in (401, 403, 404):
            unavailable[arm_type] = reason(exc)
            return None
        raise UnreachableError(f"Azure Resource Manager failed reading {arm_type}: {reason(exc)}") from None
    except Exception as exc:
        raise transport_error(exc) from None


def transport_error(exc: Exception) -> Exception:
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return UnreachableError(f"cannot reach Azure Resource Manager: {exc}")
    return exc


def reason(exc: Any) -> str:
    """`403 Forbidden: AuthorizationFailed` from an SDK error; the message when there was no response."""
    if getattr(exc, "status_code", None) is None:
        # e.g. a credential that could not get a token: there is no HTTP status to show.
        return str(getattr(exc, "message", None) or exc).splitlines()[0]
    code = getattr(getattr(exc, "error", None), "code", None)
    if code is None and getattr(exc, "response", None) is not None:
        code = _error_code(exc.response)
    status = f"{exc.status_code} {exc.reason or ''}".strip()
    from azure.core.exceptions import DecodeError

    if isinstance(exc, DecodeError):  # the body was labelled JSON but is not
        return f"{status} with a body that is not JSON"
    return f"{status}: {code}" if code else status


def _error_code(response: Any) -> str | None:
    try:
        body = response.json()
    except Exception:  # an error body that is not JSON carries no code
        return None
    error = body.get("error") if isinstance(body, Mapping) else None
    return error.get("code") if isinstance(error, Mapping) else None


def get_all(clients: LiveClients, path: str, api_version: str) -> list[Resource]:
    """GET an ARM list through the container registry client's pipeline, following nextLink.

    A body that is not ARM JSON (an HTML page from a proxy, a truncated answer) is an UnreachableError naming the
    request, never a traceback: the endpoint answered, but not as Azure Resource Manager.
    """
    url: str | None = path
    params: dict[str, str] | None = {"api-version": api_version}
    found: list[Resource] = []
    while url:
        body = _arm_object(_get(clients, url, params), url)
        found.extend(_listed(body, url))
        url, params = _next_link(body, url), None  # nextLink already carries the api-version
    return found


def _get(clients: LiveClients, url: str, params: dict[str, str] | None) -> Any:
    from azure.core.exceptions import DecodeError
    from azure.core.rest import HttpRequest

    try:
        response = clients.acr.send_request(HttpRequest("GET", url, params=params))
    except DecodeError:  # the pipeline decodes a body labelled JSON itself
        raise UnreachableError(f"Azure Resource Manager answered GET {url} with a body that is not JSON") from None
    response.raise_for_status()
    return response


def _arm_object(response: Any, url: str) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:  # not JSON at all, or not UTF-8
        kind = response.headers.get("Content-Type") or "no Content-Type"
        start = bytes(response.content[:60]).decode("utf-8", "replace")
        raise UnreachableError(
            f"Azure Resource Manager answered GET {url} with a body that is not JSON ({kind}): {start!r}"
        ) from None
    if not isinstance(body, Mapping):
        raise UnreachableError(f"Azure Resource Manager answered GET {url} with JSON that is not an object")
    return body


def _listed(body: Mapping[str, Any], url: str) -> list[Resource]:
    if "value" not in body:
        return [dict(body)]  # a single resource (a GET by id)
    listed = body["value"]
    if not isinstance(listed, list) or not all(isinstance(item, Mapping) for item in listed):
        raise UnreachableError(
            f"Azure Resource Manager answered GET {url} with a 'value' that is not a list of objects"
        )
    return [dict(item) for item in listed]


def _next_link(body: Mapping[str, Any], url: str) -> str | None:
    link = body.get("nextLink")
    if link is None or isinstance(link, str):
        return link or None
    raise UnreachableError(f"Azure Resource Manager answered GET {url} with a nextLink that is not a URL: {link!r}")
