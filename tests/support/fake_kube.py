"""A fake Kubernetes API server: a local HTTPS server answering the documented list endpoints' JSON.

No API server binary runs here, so the real `kubernetes` client is pointed at this one through a real kubeconfig
file (`write_kubeconfig`: the server's self-signed CA as certificate-authority-data, a bearer-token user).

Served: `/api/v1/pods`, `/api/v1/namespaces`, `/api/v1/namespaces/{ns}/pods`, `/apis/apps/v1/replicasets`,
`/apis/apps/v1/namespaces/{ns}/replicasets`, `/apis/batch/v1/jobs`, `/apis/batch/v1/namespaces/{ns}/jobs`, as typed
lists (`PodList`, …) whose items carry no `kind`, in key order, paginated by `limit` with an opaque `continue`
token. A wrong or missing bearer token is a 401 Status; a forbidden namespace or cluster-wide list is a 403
Status, worded as the API server words it; `expire_continue` makes the next N continued requests answer 410.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.support.registry import SelfSignedCert, make_self_signed

KubeObject = Mapping[str, Any]
TOKEN = "fake-kube-token"
_KINDS = {"pods": "Pod", "namespaces": "Namespace", "replicasets": "ReplicaSet", "jobs": "Job"}
_GROUPS = {"pods": "", "namespaces": "", "replicasets": "apps", "jobs": "batch"}
_ROUTES = (
    re.compile(r"/api/v1/(?P<plural>pods|namespaces)"),
    re.compile(r"/api/v1/namespaces/(?P<ns>[a-z0-9-]+)/(?P<plural>pods)"),
    re.compile(r"/apis/(?P<group>apps|batch)/v1/(?P<plural>replicasets|jobs)"),
    re.compile(r"/apis/(?P<group>apps|batch)/v1/namespaces/(?P<ns>[a-z0-9-]+)/(?P<plural>replicasets|jobs)"),
)


@dataclass(frozen=True)
class Request:
    path: str
    limit: int | None
    continued: bool


@dataclass
class FakeKube:
    """What the server holds and how it answers; tests change the fields between calls."""

    objects: list[KubeObject]
    """Pods, ReplicaSets and Jobs, each with its `kind`; namespaces are those of the pods plus `extra_namespaces`."""
    extra_namespaces: set[str] = field(default_factory=set)
    forbidden_namespaces: set[str] = field(default_factory=set)
    forbidden_cluster_wide: set[str] = field(default_factory=set)
    """Plurals (`pods`, `namespaces`, `replicasets`, `jobs`) whose cluster-wide list answers 403."""
    expire_continue: int = 0
    token: str = TOKEN
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def answer(self, path: str, query: Mapping[str, list[str]], authorization: str | None) -> tuple[int, Any]:
        limit = int(query["limit"][0]) if "limit" in query else None
        token = query.get("continue", [""])[0]
        self.requests.append(Request(path, limit, bool(token)))
        if authorization != f"Bearer {self.token}":
            return 401, _status(401, "Unauthorized", "Unauthorized")
        route = next((m for pattern in _ROUTES if (m := pattern.fullmatch(path))), None)
        if route is None or (
            route["plural"] in _GROUPS and (route.groupdict().get("group") or "") != _GROUPS[route["plural"]]
        ):
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        plural, namespace = route["plural"], route.groupdict().get("ns")
        if (namespace in self.forbidden_namespaces) or (namespace is None and plural in self.forbidden_cluster_wide):
            return 403, _forbidden(plural, namespace)
        if token and self.expire_continue > 0:
            self.expire_continue -= 1
            return 410, _status(410, "Expired", "the continue token is too old; start the list again")
        return 200, self._page(plural, namespace, limit, token)

    def _page(self, plural: str, namespace: str | None, limit: int | None, token: str) -> dict[str, Any]:
        items = sorted(
            self._items(plural, namespace), key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"])
        )
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        end = len(items) if limit is None else start + limit
        metadata: dict[str, Any] = {"resourceVersion": "4127734"}
        if end < len(items):
            metadata["continue"] = base64.urlsafe_b64encode(str(end).encode()).decode()
        page = [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")} for item in items[start:end]]
        version = "v1" if not _GROUPS[plural] else f"{_GROUPS[plural]}/v1"
        return {"kind": f"{_KINDS[plural]}List", "apiVersion": version, "metadata": metadata, "items": page}

    def _items(self, plural: str, namespace: str | None) -> list[KubeObject]:
        if plural == "namespaces":
            names = {o["metadata"]["namespace"] for o in self.objects} | self.extra_namespaces
            return [{"metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}} for name in names]
        return [
            o for o in self.objects if o["kind"] == _KINDS[plural] and namespace in (None, o["metadata"]["namespace"])
        ]


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _forbidden(plural: str, namespace: str | None) -> dict[str, Any]:
    where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    message = (
        f'{plural} is forbidden: User "system:serviceaccount:regwarden:reader" cannot list resource "{plural}" '
        f'in API group "{_GROUPS[plural]}" {where}'
    )
    status = _status(403, "Forbidden", message)
    status["details"] = {"kind": plural}
    return status


def _handler(fake: FakeKube) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            status, body = fake.answer(url.path, parse_qs(url.query), self.headers.get("Authorization"))
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serve(fake: FakeKube, folder: Path) -> Iterator[SelfSignedCert]:
    """Run `fake` on an HTTPS port of 127.0.0.1 until the block ends; yields its certificate."""
    cert = make_self_signed(folder / "fake-kube")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert_path, cert.key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield cert
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Context:
    name: str
    cluster: str
    server: str
    namespace: str | None = None
    token: str = TOKEN


def write_kubeconfig(path: Path, contexts: Sequence[Context], ca_pem: bytes, current: str | None = None) -> Path:
    """A kubeconfig file as kubectl and `az aks get-credentials` write it: clusters, users, contexts."""
    ca_data = base64.b64encode(ca_pem).decode()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": c.cluster, "cluster": {"server": c.server, "certificate-authority-data": ca_data}}
            for c in contexts
        ],
        "users": [{"name": f"user-{c.name}", "user": {"token": c.token}} for c in contexts],
        "contexts": [
            {"name": c.name, "context": {"cluster": c.cluster, "user": f"user-{c.name}", **_namespace(c)}}
            for c in contexts
        ],
        "current-context": current if current is not None else contexts[0].name,
        "preferences": {},
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _namespace(context: Context) -> dict[str, str]:
    return {"namespace": context.namespace} if context.namespace else {}
