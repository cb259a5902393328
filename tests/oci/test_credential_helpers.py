"""Docker credential helpers (`credsStore`, `credHelpers`): real helper programs on PATH, real registries.

Each test writes a small `docker-credential-NAME` shell script into a temp directory and puts that directory first
on the PATH regwarden sees. The script records the server URL it was asked for, then answers as the test says.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from regwarden.model.errors import AuthError, BadInputError, ExitCode
from regwarden.model.image import Platform
from regwarden.oci.auth import UnauthorizedError
from regwarden.oci.credential_helper import CredentialHelperTimeoutError
from regwarden.oci.credentials import Credentials, resolve_credentials
from regwarden.oci.registry_source import RegistrySource, connect
from tests.cli.cli_support import assert_clean_failure, run_process
from tests.support.registry import RunningRegistry, build_layout_image, push

REPO = "helper/app"
FILES = {"etc/motd": b"pulled with a credential helper\n"}


@dataclass(frozen=True)
class Helpers:
    """A PATH directory for helper scripts and a docker config directory, both private to one test."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def config(self) -> Path:
        return self.root / "docker" / "config.json"

    @property
    def environ(self) -> dict[str, str]:
        return {"PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}", "DOCKER_CONFIG": str(self.config.parent)}

    def write_config(self, document: dict[str, object]) -> None:
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text(json.dumps(document), encoding="utf-8")

    def add(self, name: str, answer: str) -> None:
        """`docker-credential-NAME`: logs its argument and stdin to `NAME.log`, then runs the `answer` lines."""
        self.bin.mkdir(exist_ok=True)
        script = self.bin / f"docker-credential-{name}"
        log = self.root / f"{name}.log"
        script.write_text(f'#!/bin/sh\nserver=$(cat)\necho "$1 $server" >> "{log}"\n{answer}\n', encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)

    def asked(self, name: str) -> list[str]:
        log = self.root / f"{name}.log"
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []

    def resolve(self, registry: str, timeout: float = 10.0) -> Credentials | None:
        return resolve_credentials(registry, environ=self.environ, helper_timeout=timeout)


def answer_json(username: str, secret: str) -> str:
    body = json.dumps({"ServerURL": "ignored", "Username": username, "Secret": secret})
    return f"cat <<'EOF'\n{body}\nEOF"


NOT_FOUND = 'echo "credentials not found in native keychain"; exit 1'


@pytest.fixture
def helpers(tmp_path: Path) -> Helpers:
    return Helpers(tmp_path)


@pytest.fixture(scope="module")
def image_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_layout_image(tmp_path_factory.mktemp("helper-image"), FILES, "v1")


@pytest.fixture(scope="module")
def basic(basic_auth_registry: RunningRegistry, image_source: str) -> RunningRegistry:
    push(image_source, f"{basic_auth_registry.host}/{REPO}:v1", creds=basic_auth_registry.creds)
    return basic_auth_registry


@pytest.fixture(scope="module")
def token(token_auth_registry: RunningRegistry, image_source: str) -> RunningRegistry:
    push(image_source, f"{token_auth_registry.host}/{REPO}:v1", creds=token_auth_registry.creds)
    return token_auth_registry


def pull(running: RunningRegistry, helpers: Helpers) -> bytes:
    """Resolve `REPO:v1` and read its one layer through a client whose credentials came from the helpers."""
    with (
        connect(running.host, insecure=True, environ=helpers.environ, docker_config=helpers.config) as client,
        RegistrySource(client, f"{running.host}/{REPO}:v1", Platform("linux", "amd64")) as source,
    ):
        (layer,) = source.resolve().layers
        with source.open_layer(layer) as blob:
            return gzip.decompress(blob.read())


def test_cred_helpers_entry_authenticates_a_pull(basic: RunningRegistry, helpers: Helpers) -> None:
    helpers.add("regwarden-test", answer_json(basic.username or "", basic.password or ""))
    helpers.write_config({"credHelpers": {basic.host: "regwarden-test"}})
    assert b"pulled with a credential helper" in pull(basic, helpers)
    assert set(helpers.asked("regwarden-test")) == {f"get {basic.host}"}


def test_creds_store_is_the_default_for_every_registry(basic: RunningRegistry, helpers: Helpers) -> None:
    helpers.add("store", answer_json(basic.username or "", basic.password or ""))
    helpers.write_config({"credsStore": "store", "auths": {basic.host: {}}})
    assert b"pulled with a credential helper" in pull(basic, helpers)
    assert set(helpers.asked("store")) == {f"get {basic.host}"}


def test_cred_helpers_entry_beats_creds_store(basic: RunningRegistry, helpers: Helpers) -> None:
    helpers.add("per-registry", answer_json(basic.username or "", basic.password or ""))
    helpers.add("default", answer_json("someone-else", "wrong"))
    helpers.write_config({"credsStore": "default", "credHelpers": {f"https://{basic.host}": "per-registry"}})
    assert b"pulled with a credential helper" in pull(basic, helpers)
    assert helpers.asked("default") == []
    found = helpers.resolve("other.example.com")
    assert found is not None and (found.username, found.password) == ("someone-else", "wrong")
    assert helpers.asked("default") == ["get other.example.com"]


def test_helper_wins_over_an_auths_entry_as_in_docker(basic: RunningRegistry, helpers: Helpers) -> None:
    helpers.add("store", answer_json(basic.username or "", basic.password or ""))
    helpers.write_config({"credsStore": "store", "auths": {basic.host: {"username": "stale", "password": "old"}}})
    found = helpers.resolve(basic.host)
    assert found is not None and (found.username, found.password) == (basic.username, basic.password)
    assert found.source == f"docker-credential-store (credsStore in {helpers.config})"


def test_not_found_in_keychain_falls_through_to_anonymous(
    basic: RunningRegistry, registry: RunningRegistry, image_source: str, helpers: Helpers
) -> None:
    helpers.add("empty", NOT_FOUND)
    helpers.write_config({"credsStore": "empty"})
    assert helpers.resolve(basic.host) is None
    # The basic-auth registry then refuses the anonymous pull; an anonymous registry serves it.
    with pytest.raises(UnauthorizedError):
        pull(basic, helpers)
    push(image_source, f"{registry.host}/{REPO}:v1")
    assert b"pulled with a credential helper" in pull(registry, helpers)
    assert f"get {registry.host}" in helpers.asked("empty")


def test_identity_token_username_uses_the_refresh_grant(token: RunningRegistry, helpers: Helpers) -> None:
    server = token.token_server
    assert server is not None
    server.reset()
    helpers.add("idtoken", answer_json("<token>", server.refresh_token))
    helpers.write_config({"credHelpers": {token.host: "idtoken"}})
    found = helpers.resolve(token.host)
    assert found is not None and (found.username, found.password, found.identity_token) == (
        None,
        None,
        server.refresh_token,
    )
    assert b"pulled with a credential helper" in pull(token, helpers)
    assert server.issued == [f"repository:{REPO}:pull"]


def test_docker_hub_is_asked_under_its_index_url(helpers: Helpers) -> None:
    helpers.add("hub", answer_json("dave", "hub-secret"))
    helpers.write_config({"credsStore": "hub"})
    found = helpers.resolve("registry-1.docker.io")
    assert found is not None and (found.username, found.password) == ("dave", "hub-secret")
    assert helpers.asked("hub") == ["get https://index.docker.io/v1/"]


def test_helper_missing_from_path_is_an_auth_error_naming_it(helpers: Helpers) -> None:
    helpers.write_config({"credHelpers": {"r.example.com": "nosuch"}})
    with pytest.raises(AuthError, match=r"docker-credential-nosuch \(from credHelpers in .*\) is not on PATH"):
        helpers.resolve("r.example.com")


def test_missing_helper_through_the_cli_exits_with_the_auth_code(helpers: Helpers, tmp_path: Path) -> None:
    helpers.write_config({"credsStore": "desktop"})
    outcome = run_process(["inspect", "--insecure", "127.0.0.1:9/app:1"], tmp_path, env=helpers.environ)
    assert_clean_failure(outcome, ExitCode.AUTH, "docker-credential-desktop", "not on PATH")


def test_helper_failure_is_an_auth_error_with_its_message(helpers: Helpers) -> None:
    helpers.add("locked", 'echo "keychain cannot be accessed: the session does not allow user interaction"; exit 1')
    helpers.write_config({"credsStore": "locked"})
    with pytest.raises(AuthError, match=r"docker-credential-locked failed for r\.io \(exit 1\): keychain cannot"):
        helpers.resolve("r.io")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("echo 'Username: alice'", "did not print JSON credentials"),
        ('echo \'["alice", "secret"]\'', "printed list, not a JSON object"),
        (answer_json("alice", "s").replace('"Secret"', '"Password"'), "without string Username and Secret"),
        ('echo \'{"Username": 7, "Secret": "s"}\'', "without string Username and Secret"),
        ("true", "did not print JSON credentials"),
    ],
)
def test_malformed_helper_output_is_bad_input(helpers: Helpers, answer: str, message: str) -> None:
    helpers.add("odd", answer)
    helpers.write_config({"credsStore": "odd"})
    with pytest.raises(BadInputError, match=message) as caught:
        helpers.resolve("r.io")
    assert "alice" not in str(caught.value)


def test_empty_answer_means_no_credentials(helpers: Helpers) -> None:
    helpers.add("blank", answer_json("", ""))
    helpers.write_config({"credsStore": "blank"})
    assert helpers.resolve("r.io") is None


def test_slow_helper_is_killed_at_the_timeout(helpers: Helpers) -> None:
    # `sleep` is a child of the script: it holds the pipes open unless the whole process group is killed.
    helpers.add("slow", "sleep 30\n" + answer_json("late", "late"))
    helpers.write_config({"credsStore": "slow"})
    started = time.monotonic()
    with pytest.raises(CredentialHelperTimeoutError, match=r"docker-credential-slow did not answer .* 0.5 s"):
        helpers.resolve("r.io", timeout=0.5)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("name", ["../../bin/sh", "a\\b", 42, ["desktop"]])
def test_helper_names_that_are_not_names_are_refused(helpers: Helpers, name: object) -> None:
    helpers.write_config({"credsStore": name})
    with pytest.raises(BadInputError, match="is not a credential helper name"):
        helpers.resolve("r.io")
    helpers.write_config({"credHelpers": {"r.io": name}})
    with pytest.raises(BadInputError, match=r"credHelpers in .*is not a credential helper name"):
        helpers.resolve("r.io")


def test_empty_creds_store_means_none_and_auths_are_read(helpers: Helpers) -> None:
    helpers.write_config({"credsStore": "", "auths": {"r.io": {"username": "u", "password": "p"}}})
    found = helpers.resolve("r.io")
    assert found is not None and (found.username, found.password, found.source) == ("u", "p", str(helpers.config))
