"""Docker credential helpers: `docker-credential-NAME get`, as docker's `credsStore` and `credHelpers` name them.

The protocol (docker-credential-helpers): the server URL is written to the helper's stdin, and the helper prints
`{"ServerURL": …, "Username": …, "Secret": …}` on stdout (oci/credentials.py reads a `<token>` Username as "the
Secret is an identity token"). A helper that holds nothing for the server exits non-zero and prints
`credentials not found in native keychain`: that is "no credentials" (anonymous access), not a failure.

The helper is an external program the user configured; it may prompt a keychain or call a cloud API, so it runs
under a timeout, in its own process group so that a helper script's children are killed with it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping

from regwarden.model.errors import AuthError, BadInputError, UnreachableError

HELPER_PREFIX = "docker-credential-"
NOT_FOUND_MESSAGE = "credentials not found in native keychain"
DOCKER_HUB_SERVER = "https://index.docker.io/v1/"
"""The server URL `docker login` files Docker Hub credentials under, in helpers as in `auths`."""
DOCKER_HUB_HOSTS = frozenset({"registry-1.docker.io", "docker.io", "index.docker.io"})
DEFAULT_TIMEOUT = 30.0
_MAX_MESSAGE = 300


class CredentialHelperTimeoutError(UnreachableError):
    """A credential helper did not answer in time (a locked keychain waiting for a person, a cloud API down)."""


def helper_server_url(registry: str) -> str:
    """What the helper is asked for: Docker Hub's legacy index URL, else the registry host[:port] itself."""
    return DOCKER_HUB_SERVER if registry in DOCKER_HUB_HOSTS else registry


def run_credential_helper(
    name: str,
    registry: str,
    *,
    source: str,
    environ: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[str, str] | None:
    """The (Username, Secret) helper `name` holds for `registry`; None when it holds none.

    `source` names the config entry that chose the helper (for messages); `environ` is the environment the
    helper is found on (PATH) and runs with.
    """
    env = dict(os.environ if environ is None else environ)
    program = f"{HELPER_PREFIX}{name}"
    executable = shutil.which(program, path=env.get("PATH", os.defpath))
    if executable is None:
        raise AuthError(f"credential helper {program} (from {source}) is not on PATH; install it or remove it")
    server = helper_server_url(registry)
    returncode, stdout, stderr = _run(executable, server, env, timeout, program)
    if returncode != 0:
        message = (stdout.strip() or stderr.strip())[:_MAX_MESSAGE]
        if NOT_FOUND_MESSAGE in message:
            return None
        raise AuthError(f"credential helper {program} failed for {server} (exit {returncode}): {message}")
    return _parse_answer(stdout, program)


def _run(executable: str, server: str, env: dict[str, str], timeout: float, program: str) -> tuple[int, str, str]:
    try:
        process = subprocess.Popen(
            [executable, "get"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise AuthError(f"cannot run credential helper {program}: {exc.strerror or exc}") from None
    try:
        stdout, stderr = process.communicate(server.encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        # Kill the whole group: a helper script's child (sleep, a cloud CLI) would keep the pipes open.
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise CredentialHelperTimeoutError(
            f"credential helper {program} did not answer for {server} within {timeout:g} s"
        ) from None
    return process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


def _parse_answer(stdout: str, program: str) -> tuple[str, str] | None:
    try:
        answer = json.loads(stdout)
    except ValueError:
        raise BadInputError(f"credential helper {program} did not print JSON credentials") from None
    if not isinstance(answer, dict):
        raise BadInputError(f"credential helper {program} printed {type(answer).__name__}, not a JSON object")
    username, secret = answer.get("Username"), answer.get("Secret")
    if not isinstance(username, str) or not isinstance(secret, str):
        raise BadInputError(f"credential helper {program} answered without string Username and Secret fields")
    if not username and not secret:
        return None
    return username, secret
