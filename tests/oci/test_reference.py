"""Image references: Docker Hub defaults, domains, ports, tags and digests, and rejection of junk."""

from __future__ import annotations

import pytest

from regwarden.model.errors import BadInputError
from regwarden.oci.reference import Reference, is_loopback_host, parse_reference

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alpine", Reference("registry-1.docker.io", "library/alpine", "latest")),
        ("alpine:3.19", Reference("registry-1.docker.io", "library/alpine", "3.19")),
        ("bitnami/redis:7", Reference("registry-1.docker.io", "bitnami/redis", "7")),
        ("docker.io/alpine", Reference("registry-1.docker.io", "library/alpine", "latest")),
        ("index.docker.io/org/app:1", Reference("registry-1.docker.io", "org/app", "1")),
        ("localhost/app", Reference("localhost", "app", "latest")),
        ("localhost:5000/x:y", Reference("localhost:5000", "x", "y")),
        ("127.0.0.1:5000/team/app:v1.2_rc-3", Reference("127.0.0.1:5000", "team/app", "v1.2_rc-3")),
        ("myreg.azurecr.io/x:y", Reference("myreg.azurecr.io", "x", "y")),
        ("ghcr.io/org/sub/app", Reference("ghcr.io", "org/sub/app", "latest")),
        (f"ghcr.io/org/app@{DIGEST}", Reference("ghcr.io", "org/app", None, DIGEST)),
        (f"repo:tag@{DIGEST}", Reference("registry-1.docker.io", "library/repo", "tag", DIGEST)),
        (f"localhost:5000/a__b.c-d@{DIGEST}", Reference("localhost:5000", "a__b.c-d", None, DIGEST)),
        ("  alpine  ", Reference("registry-1.docker.io", "library/alpine", "latest")),
    ],
)
def test_parses_valid_references(text: str, expected: Reference) -> None:
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Alpine",  # uppercase repository
        "alpine:",  # empty tag
        "alpine:-bad",  # tag must start with a word character
        "alpine:" + "t" * 129,  # tag too long
        "alpine@sha256:abc",  # digest too short
        "alpine@sha256:" + "AB" * 32,  # uppercase sha256 hex
        "alpine@md5",  # no hex part
        "a//b",  # empty path component
        "bad_host!.io/app",
        "-leading.io/app",
        "app/",
        "localhost:5000/x:y:z",
        "reg.io/" + "a" * 260,  # name longer than 255
    ],
)
def test_rejects_invalid_references(text: str) -> None:
    with pytest.raises(BadInputError):
        parse_reference(text)


def test_identifier_prefers_digest_and_str_round_trips() -> None:
    ref = parse_reference(f"reg.io:443/app:1@{DIGEST}")
    assert ref.identifier == DIGEST
    assert str(ref) == f"reg.io:443/app:1@{DIGEST}"
    assert ref.name == "reg.io:443/app"
    tagged = parse_reference("reg.io/app:1")
    assert tagged.identifier == "1"
    assert tagged.with_digest(DIGEST) == Reference("reg.io", "app", "1", DIGEST)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("localhost:5000", True),
        ("127.0.0.1:8080", True),
        ("[::1]:5000", True),
        ("myreg.azurecr.io", False),
        ("10.0.0.1:5000", False),
        ("localhost.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback
