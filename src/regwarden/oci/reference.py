"""Image references (`registry/repo:tag@digest`) parsed and validated per the distribution reference grammar.

A reference without a registry domain means Docker Hub, exactly as docker, skopeo and Trivy read it: `alpine`
is `registry-1.docker.io/library/alpine:latest`. The first path component is a domain only when it contains
`.` or `:` or is `localhost`; otherwise `myorg/app` would be ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regwarden.model.errors import BadInputError

DOCKER_HUB = "registry-1.docker.io"
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", DOCKER_HUB})
DEFAULT_TAG = "latest"
MAX_NAME_LENGTH = 255

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?")
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class InvalidReferenceError(BadInputError):
    """The text is not a valid image reference."""


@dataclass(frozen=True)
class Reference:
    """A fully qualified image reference: always a registry, a repository and a tag or a digest (or both)."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def identifier(self) -> str:
        """What to ask the registry for: the digest when known (it pins the content), else the tag."""
        if self.digest:
            return self.digest
        return self.tag or DEFAULT_TAG

    @property
    def name(self) -> str:
        """`registry/repository`, without tag or digest."""
        return f"{self.registry}/{self.repository}"

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.registry, self.repository, self.tag, validate_digest(digest))

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def validate_digest(digest: str) -> str:
    """Return `digest` if it is well formed (sha256 must be 64 lowercase hex chars); raise otherwise."""
    if not _DIGEST.fullmatch(digest):
        raise InvalidReferenceError(f"invalid digest {digest!r}: expected algorithm:hex, e.g. sha256:<64 hex>")
    algorithm, _, hex_part = digest.partition(":")
    if algorithm == "sha256" and not _SHA256_HEX.fullmatch(hex_part):
        raise InvalidReferenceError(f"invalid sha256 digest {digest!r}: expected 64 lowercase hex characters")
    return digest


def parse_reference(text: str) -> Reference:
    """Parse `[registry/]repo[:tag][@digest]`; Docker Hub defaults apply when the registry is omitted."""
    original = text
    text = text.strip()
    if not text:
        raise InvalidReferenceError("empty image reference")
    name, digest = _split_digest(text)
    name, tag = _split_tag(name)
    registry, repository = _split_registry(name)
    _validate_repository(repository, original)
    if tag is not None and not _TAG.fullmatch(tag):
        raise InvalidReferenceError(f"invalid tag {tag!r} in {original!r}")
    if len(f"{registry}/{repository}") > MAX_NAME_LENGTH:
        raise InvalidReferenceError(f"repository name longer than {MAX_NAME_LENGTH} characters: {original!r}")
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(registry, repository, tag, digest)


def _split_digest(text: str) -> tuple[str, str | None]:
    name, at, digest = text.partition("@")
    if not at:
        return text, None
    return name, validate_digest(digest)


def _split_tag(name: str) -> tuple[str, str | None]:
    # A colon after the last slash is a tag; one before it belongs to a registry port (localhost:5000/x).
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        return name[:colon], name[colon + 1 :]
    return name, None


def _split_registry(name: str) -> tuple[str, str]:
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        if not _DOMAIN.fullmatch(first):
            raise InvalidReferenceError(f"invalid registry host {first!r}")
        registry = DOCKER_HUB if first in DOCKER_HUB_ALIASES else first
        if registry == DOCKER_HUB and "/" not in rest:
            rest = f"library/{rest}"
        return registry, rest
    # No domain: Docker Hub, with official images under library/.
    return DOCKER_HUB, name if slash else f"library/{name}"


def _validate_repository(repository: str, original: str) -> None:
    for component in repository.split("/"):
        if not _PATH_COMPONENT.fullmatch(component):
            raise InvalidReferenceError(
                f"invalid repository {repository!r} in {original!r}: components must be lowercase "
                "letters, digits and separators (., _, __, -)"
            )


def validate_repository(repository: str) -> str:
    """Return `repository` if it is a valid repository path (e.g. `library/alpine`); raise otherwise."""
    _validate_repository(repository, repository)
    return repository


def validate_tag_or_digest(identifier: str) -> str:
    """Return `identifier` if it is a valid tag or digest; raise otherwise."""
    if ":" in identifier:
        return validate_digest(identifier)
    if not _TAG.fullmatch(identifier):
        raise InvalidReferenceError(f"invalid tag {identifier!r}")
    return identifier


def is_loopback_host(registry: str) -> bool:
    """True for localhost / 127.x / ::1 registries, which may be reached over plain HTTP when insecure."""
    host = registry.rsplit(":", 1)[0] if not registry.startswith("[") else registry.split("]")[0] + "]"
    return host in ("localhost", "[::1]") or host.startswith("127.")
