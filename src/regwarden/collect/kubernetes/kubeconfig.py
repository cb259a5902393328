"""The user's kubeconfig: its contexts, and an API client for one of them (the official client loads it, so
certificates, bearer tokens, client certificates and exec plugins such as kubelogin behave as they do in kubectl)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from regwarden.model.errors import AuthError, BadInputError, NotFoundError

_T = TypeVar("_T")
_DEFAULT_KUBECONFIG = "~/.kube/config"


@dataclass(frozen=True)
class KubeSession:
    """An API client for one context, with what the context says about where it points."""

    client: Any
    """A `kubernetes.client.ApiClient`."""
    context: str
    cluster: str
    """The context's cluster name in the kubeconfig."""
    namespace: str | None
    """The context's default namespace, if it sets one."""


def list_contexts(kubeconfig: Path | None = None) -> list[str]:
    """Names of every context in `kubeconfig` (default `$KUBECONFIG` or `~/.kube/config`), in file order."""
    contexts, _current = _contexts(kubeconfig)
    return [str(context["name"]) for context in contexts]


def open_session(context: str | None, kubeconfig: Path | None) -> KubeSession:
    """A client for `context` (None: the current context). Unknown context → NotFoundError."""
    from kubernetes.config import new_client_from_config

    contexts, current = _contexts(kubeconfig)
    chosen = _choose(contexts, current, context, kubeconfig)
    name = str(chosen["name"])
    details = chosen.get("context") or {}
    client = _config_call(
        lambda: new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=_path(kubeconfig), context=name, persist_config=False
        ),
        f"cannot load the credentials of kubeconfig context {name!r}",
        AuthError,
    )
    return KubeSession(client, name, str(details.get("cluster") or name), details.get("namespace") or None)


def _choose(
    contexts: list[Mapping[str, Any]], current: Mapping[str, Any] | None, wanted: str | None, kubeconfig: Path | None
) -> Mapping[str, Any]:
    if wanted is None:
        if current is None:
            raise BadInputError(f"{_where(kubeconfig)} has no current-context: name one with --context")
        return current
    for context in contexts:
        if context.get("name") == wanted:
            return context
    known = ", ".join(str(context.get("name")) for context in contexts) or "none"
    raise NotFoundError(f"no context {wanted!r} in {_where(kubeconfig)} (contexts: {known})")


def _contexts(kubeconfig: Path | None) -> tuple[list[Mapping[str, Any]], Mapping[str, Any] | None]:
    from kubernetes.config import list_kube_config_contexts

    contexts, current = _config_call(
        lambda: list_kube_config_contexts(config_file=_path(kubeconfig)),  # type: ignore[no-untyped-call]
        f"cannot read {_where(kubeconfig)}",
    )
    return list(contexts or []), current or None


def _config_call(call: Callable[[], _T], failure: str, error: type[Exception] = BadInputError) -> _T:
    import yaml
    from kubernetes.config.config_exception import ConfigException

    try:
        return call()
    except (ConfigException, yaml.YAMLError, OSError, ValueError, KeyError, TypeError) as exc:
        raise error(f"{failure}: {exc}") from None


def _path(kubeconfig: Path | None) -> str:
    """The file(s) to read, resolved on each call (the client reads $KUBECONFIG once, when first imported)."""
    if kubeconfig is not None:
        return str(kubeconfig)
    return os.environ.get("KUBECONFIG") or _DEFAULT_KUBECONFIG  # may list several files, as kubectl allows


def _where(kubeconfig: Path | None) -> str:
    return f"kubeconfig {kubeconfig}" if kubeconfig is not None else "the kubeconfig ($KUBECONFIG or ~/.kube/config)"
