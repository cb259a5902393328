"""Real registry processes for tests: the CNCF distribution registry (`docker-registry`) on 127.0.0.1.

Three session fixtures: `registry` (anonymous, deletes enabled), `basic_auth_registry` (htpasswd) and
`token_auth_registry` (distribution's `auth.token`, with a token server of our own that signs RS256 JWTs).
`push()` loads images into any of them with skopeo. Each pytest-xdist worker starts its own processes.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import secrets
import shutil
import socket
import ssl
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

TOKEN_SERVICE = "regwarden-test-registry"
TOKEN_ISSUER = "regwarden-test-issuer"
STARTUP_TIMEOUT = 20.0


@dataclass
class RunningRegistry:
    """A registry process listening on `host` (127.0.0.1:port), speaking plain HTTP."""

    host: str
    process: subprocess.Popen[bytes]
    root: Path
    username: str | None = None
    password: str | None = None
    token_server: TokenServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def creds(self) -> tuple[str, str] | None:
        if self.username is None or self.password is None:
            return None
        return self.username, self.password


@dataclass
class SelfSignedCert:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    cert_path: Path
    key_path: Path


def make_self_signed(directory: Path, common_name: str = "127.0.0.1") -> SelfSignedCert:
    """An RSA key and a self-signed certificate valid for 127.0.0.1/localhost, written as PEM files."""
    import ipaddress

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return SelfSignedCert(key, cert, cert_path, key_path)


def libtrust_key_id(key: rsa.RSAPublicKey) -> str:
    """The `kid` distribution 2.x looks its trusted keys up by: base32 of the first 240 bits of
    sha256(DER SubjectPublicKeyInfo), in 12 colon-separated groups of 4."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode("ascii").rstrip("=")
    return ":".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def sign_jwt(claims: dict[str, object], key: rsa.RSAPrivateKey) -> str:
    header = {"typ": "JWT", "alg": "RS256", "kid": libtrust_key_id(key.public_key())}
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


@dataclass
class TokenServer:
    """The docker token flow's token endpoint: GET with basic auth, or POST an OAuth2 refresh token.

    Tests may change `ttl`, `token_field` and `bad_next` (tokens granting nothing) and must call `reset()`.
    """

    cert: SelfSignedCert
    username: str
    password: str
    refresh_token: str
    ttl: int = 300
    token_field: str = "token"
    bad_next: int = 0
    issued: list[str] = field(default_factory=list)
    """The scope of every token issued, in order."""
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def reset(self) -> None:
        self.ttl, self.token_field, self.bad_next = 300, "token", 0
        self.issued.clear()

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _token_handler(self))
        server.daemon_threads = True
        self._server, self.port = server, server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def issue(self, subject: str, scopes: list[str]) -> dict[str, object]:
        now = int(time.time())
        access = [] if self.bad_next > 0 else [_access_entry(scope) for scope in scopes]
        self.bad_next = max(0, self.bad_next - 1)
        claims: dict[str, object] = {
            "iss": TOKEN_ISSUER,
            "sub": subject,
            "aud": TOKEN_SERVICE,
            "exp": now + self.ttl,
            "nbf": now - 1,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        self.issued.append(" ".join(scopes))
        return {self.token_field: sign_jwt(claims, self.cert.key), "expires_in": self.ttl}


def _access_entry(scope: str) -> dict[str, object]:
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    return {"type": kind, "name": name, "actions": actions.split(",")}


def _token_handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            expected = base64.b64encode(f"{server.username}:{server.password}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                self._answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
                return
            self._answer(200, server.issue(server.username, query.get("scope", [])))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [server.refresh_token]:
                self._answer(401, {"error": "invalid_grant"})
                return
            body = server.issue("refresh-user", form.get("scope", []))
            body["access_token"] = body.pop(server.token_field)
            self._answer(200, body)

        def _answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest output clean

    return Handler


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_registry(
    root: Path, auth: Mapping[str, object] | None = None, extra_config: Mapping[str, object] | None = None
) -> RunningRegistry:
    """Start `docker-registry serve` with filesystem storage under `root`; wait until /v2/ answers.

    `extra_config` adds top-level sections to config.yml (e.g. `notifications`)."""
    if shutil.which("docker-registry") is None:
        pytest.fail("docker-registry is not installed: run `make system-deps`")
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config: dict[str, object] = {
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(root / "data")},
            "delete": {"enabled": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {"addr": f"127.0.0.1:{port}", "secret": secrets.token_hex(16)},
    }
    if auth is not None:
        config["auth"] = dict(auth)
    config.update(extra_config or {})
    config_path = root / "config.yml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    log = (root / "registry.log").open("wb")
    process = subprocess.Popen(["docker-registry", "serve", str(config_path)], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    running = RunningRegistry(f"127.0.0.1:{port}", process, root)
    _wait_until_up(running)
    return running


def _wait_until_up(running: RunningRegistry) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            log = (running.root / "registry.log").read_text(errors="replace")
            pytest.fail(f"docker-registry exited with {running.process.returncode}:\n{log}")
        try:
            if httpx.get(f"{running.url}/v2/", timeout=1.0).status_code in (200, 401):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    stop_registry(running)
    pytest.fail(f"docker-registry on {running.host} did not answer within {STARTUP_TIMEOUT}s")


def stop_registry(running: RunningRegistry) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRegistry]:
    """An anonymous registry with deletes enabled."""
    running = start_registry(tmp_path_factory.mktemp("registry"))
    yield running
    stop_registry(running)


@pytest.fixture(scope="session")
def basic_auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRegistry]:
    """A registry behind htpasswd (bcrypt) basic auth; `.username`/`.password` are valid."""
    root = tmp_path_factory.mktemp("basic-registry")
    username, password = "tester", secrets.token_urlsafe(12)
    htpasswd = subprocess.run(
        ["htpasswd", "-Bbn", username, password], check=True, capture_output=True, text=True
    ).stdout
    (root / "htpasswd").write_text(htpasswd, encoding="utf-8")
    running = start_registry(root, {"htpasswd": {"realm": "regwarden-test", "path": str(root / "htpasswd")}})
    running.username, running.password = username, password
    yield running
    stop_registry(running)


@pytest.fixture(scope="session")
def token_auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRegistry]:
    """A registry using bearer tokens from `.token_server` (basic creds `.username`/`.password`, or the
    OAuth2 refresh token `.token_server.refresh_token`)."""
    root = tmp_path_factory.mktemp("token-registry")
    token_server = TokenServer(
        make_self_signed(root / "signing", "regwarden-test-token-signer"),
        username="tokenuser",
        password=secrets.token_urlsafe(12),
        refresh_token=secrets.token_urlsafe(24),
    )
    token_server.start()
    auth = {
        "token": {
            "realm": token_server.realm,
            "service": TOKEN_SERVICE,
            "issuer": TOKEN_ISSUER,
            "rootcertbundle": str(token_server.cert.cert_path),
        }
    }
    running = start_registry(root, auth)
    running.username, running.password = token_server.username, token_server.password
    running.token_server = token_server
    yield running
    stop_registry(running)
    token_server.stop()


def push(src: str, dest: str, fmt: str | None = None, creds: tuple[str, str] | None = None) -> None:
    """`skopeo copy --all` from `src` (any skopeo transport, e.g. `oci:DIR:tag`) to the registry image `dest`
    (`127.0.0.1:PORT/repo:tag`, `docker://` optional). `fmt` is "oci" or "v2s2" to convert manifests."""
    if fmt not in (None, "oci", "v2s2"):
        raise ValueError(f"fmt must be 'oci' or 'v2s2', got {fmt!r}")
    target = dest if dest.startswith("docker://") else f"docker://{dest}"
    command = ["skopeo", "--insecure-policy", "copy", "--all", "--dest-tls-verify=false"]
    if src.startswith("docker://"):
        command.append("--src-tls-verify=false")
    if fmt is not None:
        command += ["--format", fmt]
    if creds is not None:
        command += ["--dest-creds", f"{creds[0]}:{creds[1]}"]
    result = subprocess.run([*command, src, target], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"skopeo copy {src} {target} failed:\n{result.stderr}")


def build_layout_image(
    directory: Path,
    files: dict[str, bytes],
    tag: str = "latest",
    *,
    more_layers: tuple[dict[str, bytes], ...] = (),
    architecture: str | None = None,
) -> str:
    """An OCI image made with umoci from tars of `files` (path -> content), one layer per mapping, bottom
    first; returns the skopeo source `oci:DIR:tag`. Several tags may be built into the same `directory`."""
    layout = directory / "layout"
    if not layout.exists():
        _umoci("init", "--layout", str(layout))
    image = f"{layout}:{tag}"
    _umoci("new", "--image", image)
    if architecture is not None:
        _umoci("config", "--image", image, "--architecture", architecture)
    for position, layer_files in enumerate((files, *more_layers)):
        tar_path = directory / f"layer-{tag}-{position}.tar"
        _write_tar(tar_path, layer_files)
        _umoci("raw", "add-layer", "--image", image, str(tar_path))
    return f"oci:{image}"


def _write_tar(path: Path, files: Mapping[str, bytes]) -> None:
    with tarfile.open(path, "w") as archive:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), 1_700_000_000, 0o644
            archive.addfile(info, io.BytesIO(content))


def _umoci(*args: str) -> None:
    result = subprocess.run(["umoci", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"umoci {' '.join(args)} failed:\n{result.stderr}")


@dataclass(frozen=True)
class Request:
    """What a `LocalServer` handler sees of one request."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Reply]


class LocalServer:
    """A tiny HTTP(S) server on 127.0.0.1 whose answers a test scripts with `handler`; records every request.

    Used where a real registry cannot show the behaviour under test (failures, tampering, wire formats it
    does not implement). Use as a context manager; `.host` is `127.0.0.1:PORT`.
    """

    def __init__(self, handler: Handler, tls: SelfSignedCert | None = None) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _scripted_handler(self))
        self._server.daemon_threads = True
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls.cert_path, tls.key_path)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.host = f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> LocalServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _scripted_handler(owner: LocalServer) -> type[BaseHTTPRequestHandler]:
    class ScriptedHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length", "0") or 0)
            request = Request(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
            owner.requests.append(request)
            reply = owner.handler(request)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    return ScriptedHandler


def json_reply(status: int, body: object, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})})


def proxy_to(target: RunningRegistry, request: Request) -> Reply:
    """Forward `request` to a real registry and hand back its answer (for servers that misbehave first)."""
    response = httpx.request(
        request.method,
        f"{target.url}{request.path}",
        headers={k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")},
        content=request.body,
    )
    keep = ("content-type", "docker-content-digest", "link", "www-authenticate", "location")
    headers = {k: v for k, v in response.headers.items() if k.lower() in keep}
    return Reply(response.status_code, response.content, headers)
