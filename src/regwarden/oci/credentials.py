"""Where registry credentials come from: explicit flags, then environment, then docker's `config.json`.

The first source that yields anything wins, so a flag always beats a stale `docker login`. Within docker's config,
as docker itself decides: a credential helper named for the registry in `credHelpers`, else the default
`credsStore`, is the authority (entries in `auths` are then not read); without either, the `auths` entry is used.
A helper that holds nothing for the registry means anonymous access (oci/credential_helper.py runs it).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from regwarden.model.errors import BadInputError
from regwarden.oci.credential_helper import DEFAULT_TIMEOUT, run_credential_helper

ENV_USERNAME = "REGWARDEN_USERNAME"
ENV_PASSWORD = "REGWARDEN_PASSWORD"
IDENTITY_TOKEN_USERNAME = "<token>"
"""A credential helper's Username meaning "the Secret is an identity (OAuth2 refresh) token"."""


@dataclass(frozen=True)
class Credentials:
    """A username/password pair, or an OAuth2 refresh token (`identitytoken` in docker's config)."""

    username: str | None = None
    password: str | None = None
    identity_token: str | None = None
    source: str = "explicit"
    """Where these came from (`explicit`, `env`, or the config file path), for error messages."""

    @property
    def has_basic(self) -> bool:
        return bool(self.username) and self.password is not None

    def __repr__(self) -> str:
        # Secrets must never reach a log line or a traceback.
        return f"Credentials(username={self.username!r}, source={self.source!r})"


def docker_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`."""
    env = os.environ if environ is None else environ
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    return Path.home() / ".docker" / "config.json"


def resolve_credentials(
    registry: str,
    *,
    username: str | None = None,
    password: str | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    helper_timeout: float = DEFAULT_TIMEOUT,
) -> Credentials | None:
    """The credentials to use for `registry` (a host[:port]), or None for anonymous access.

    `environ` (default: the process environment) is where REGWARDEN_*, DOCKER_CONFIG and a credential helper's
    PATH are read; a helper runs with it as its environment.
    """
    if username is not None or password is not None:
        if not username or password is None:
            raise BadInputError("both a username and a password are needed for basic authentication")
        return Credentials(username, password, source="explicit")
    env = os.environ if environ is None else environ
    if env.get(ENV_USERNAME) and env.get(ENV_PASSWORD) is not None:
        return Credentials(env[ENV_USERNAME], env[ENV_PASSWORD], source="env")
    path = config_path if config_path is not None else docker_config_path(env)
    return credentials_from_docker_config(path, registry, environ=env, helper_timeout=helper_timeout)


def credentials_from_docker_config(
    path: Path,
    registry: str,
    *,
    environ: Mapping[str, str] | None = None,
    helper_timeout: float = DEFAULT_TIMEOUT,
) -> Credentials | None:
    """The credentials docker's config file at `path` gives `registry`: through its credential helper when one
    applies, else from the `auths` entry; None if there are none."""
    document = _read_config(path)
    helper = _helper_for(document, registry, path)
    if helper is not None:
        name, source = helper
        answer = run_credential_helper(name, registry, source=source, environ=environ, timeout=helper_timeout)
        return None if answer is None else _helper_credentials(*answer, f"docker-credential-{name} ({source})")
    auths = document.get("auths")
    entry = _find_entry(auths, registry) if isinstance(auths, dict) else None
    return None if entry is None else _entry_credentials(entry, str(path))


def _read_config(path: Path) -> dict[str, object]:
    """The config document; a missing file is an empty config, an unreadable one is bad input."""
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"cannot read docker config {path}: {exc}") from exc
    return document if isinstance(document, dict) else {}


def _helper_for(document: Mapping[str, object], registry: str, path: Path) -> tuple[str, str] | None:
    """(helper name, the config entry naming it): `credHelpers` for this registry, else `credsStore`."""
    per_registry = document.get("credHelpers")
    if isinstance(per_registry, dict):
        name = _find_entry(per_registry, registry)
        if name is not None:
            return _helper_name(name, f"credHelpers in {path}"), f"credHelpers in {path}"
    default = document.get("credsStore")
    if default is None or default == "":
        return None
    return _helper_name(default, f"credsStore in {path}"), f"credsStore in {path}"


def _helper_name(value: object, where: str) -> str:
    # The name becomes part of a program name: a path separator would let a config file run any program.
    if not isinstance(value, str) or not value or "/" in value or "\\" in value:
        raise BadInputError(f"{where}: {value!r} is not a credential helper name (e.g. `desktop`, `ecr-login`)")
    return value


def _helper_credentials(username: str, secret: str, source: str) -> Credentials:
    if username == IDENTITY_TOKEN_USERNAME:
        return Credentials(identity_token=secret, source=source)
    return Credentials(username, secret, source=source)


def _find_entry(entries: Mapping[str, object], registry: str) -> object | None:
    # Keys are written as `host`, `https://host`, `http://host/v1/` etc. depending on the tool that logged in.
    wanted = _registry_keys(registry)
    for key, entry in entries.items():
        if _normalise_key(key) in wanted:
            return entry
    return None


def _registry_keys(registry: str) -> set[str]:
    keys = {registry}
    if registry in ("registry-1.docker.io", "docker.io", "index.docker.io"):
        keys |= {"registry-1.docker.io", "docker.io", "index.docker.io"}
    return keys


def _normalise_key(key: str) -> str:
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            key = key[len(scheme) :]
    return key.split("/", 1)[0]


def _entry_credentials(entry: object, source: str) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    identity_token = _str_or_none(entry.get("identitytoken"))
    username = _str_or_none(entry.get("username"))
    password = _str_or_none(entry.get("password"))
    encoded = _str_or_none(entry.get("auth"))
    if encoded:
        username, password = _decode_auth(encoded, source)
    if not (username or identity_token):
        return None
    return Credentials(username, password, identity_token, source=source)


def _decode_auth(encoded: str, source: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise BadInputError(f"invalid base64 `auth` in docker config {source}") from exc
    username, colon, password = decoded.partition(":")
    if not colon:
        raise BadInputError(f"`auth` in docker config {source} is not base64 of user:password")
    return username, password


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
