"""A fake Azure Resource Manager: a local HTTPS server answering documented ARM JSON from a route file.

Azure cannot be reached from here, so the real SDK clients are pointed at this server (`base_url=`,
`connection_verify=` the server's self-signed certificate). Routes are `"METHOD /path"` keys (matched
case-insensitively, as ARM does); a `$skiptoken` query parameter is part of the key so `nextLink` pages can
be served; a value `{"$status": 403, "$body": {...}}` answers with that status, and `{"$status": 200, "$text":
"...", "$content_type": "text/html"}` with that text as it is (what a proxy in the way answers). `{base}` in a
response is replaced by the server's URL (for `nextLink`). Every request is recorded with its api-version and
Authorization header.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    api_version: str | None
    authorization: str | None


@dataclass
class FakeArm:
    base_url: str
    certificate: Path
    requests: list[Request] = field(default_factory=list)

    def seen(self) -> set[tuple[str, str, str | None]]:
        """(method, lower-cased path, api-version) of every request so far."""
        return {(r.method, r.path.casefold(), r.api_version) for r in self.requests}


def write_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for IP 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-arm")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fake-arm.pem", folder / "fake-arm.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def load_routes(*files: Path) -> dict[str, Any]:
    routes: dict[str, Any] = {}
    for file in files:
        routes.update({key.casefold(): value for key, value in json.loads(file.read_text()).items()})
    return routes


_JSON = "application/json; charset=utf-8"


def _response(found: Any, key: str) -> tuple[int, str, str]:
    """(status, Content-Type, body text) that answer a route's value."""
    if found is None:
        return 404, _JSON, json.dumps({"error": {"code": "ResourceNotFound", "message": f"no route {key}"}})
    if isinstance(found, Mapping) and "$text" in found:
        return found.get("$status", 200), found.get("$content_type", "text/plain"), found["$text"]
    if isinstance(found, Mapping) and "$status" in found:
        return found["$status"], _JSON, json.dumps(found["$body"])
    return 200, _JSON, json.dumps(found)


def _handler(routes: Mapping[str, Any], server: FakeArm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            server.requests.append(
                Request(
                    self.command,
                    url.path,
                    query["api-version"][0] if "api-version" in query else None,
                    self.headers.get("Authorization"),
                )
            )
            key = f"{self.command} {url.path}"
            if "$skiptoken" in query:
                key += f"?$skiptoken={query['$skiptoken'][0]}"
            status, content_type, text = _response(routes.get(key.casefold()), key)
            payload = text.replace("{base}", server.base_url).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-ms-request-id", "00000000-0000-0000-0000-000000000000")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serve(routes: Mapping[str, Any], folder: Path) -> Iterator[FakeArm]:
    cert, key = write_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake = FakeArm("", cert)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes, fake))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    fake.base_url = f"https://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
