"""Where registry credentials come from: explicit flags, then environment, then docker's `config.json`.

The first source that yields anything wins, so a flag always beats a stale `docker login`. Credential helpers
(`credsStore`/`credHelpers`) run external programs and are deliberately not executed here.
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

ENV_USERNAME = "REGWARDEN_USERNAME"
ENV_PASSWORD = "REGWARDEN_PASSWORD"


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
) -> Credentials | None:
    """The credentials to use for `registry` (a host[:port]), or None for anonymous access."""
    if username is not None or password is not None:
        if not username or password is None:
            raise BadInputError("both a username and a password are needed for basic authentication")
        return Credentials(username, password, source="explicit")
    env = os.environ if environ is None else environ
    if env.get(ENV_USERNAME) and env.get(ENV_PASSWORD) is not None:
        return Credentials(env[ENV_USERNAME], env[ENV_PASSWORD], source="env")
    path = config_path if config_path is not None else docker_config_path(env)
    return credentials_from_docker_config(path, registry)


def credentials_from_docker_config(path: Path, registry: str) -> Credentials | None:
    """Read the `auths` entry for `registry` from a docker config file; None if absent."""
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"cannot read docker config {path}: {exc}") from exc
    auths = document.get("auths") if isinstance(document, dict) else None
    if not isinstance(auths, dict):
        return None
    entry = _find_entry(auths, registry)
    if entry is None:
        return None
    return _entry_credentials(entry, str(path))


def _find_entry(auths: Mapping[str, object], registry: str) -> Mapping[str, object] | None:
    # Keys are written as `host`, `https://host`, `http://host/v1/` etc. depending on the tool that logged in.
    wanted = _registry_keys(registry)
    for key, entry in auths.items():
        if _normalise_key(key) in wanted and isinstance(entry, dict):
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


def _entry_credentials(entry: Mapping[str, object], source: str) -> Credentials | None:
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
