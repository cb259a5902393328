"""Signing and verifying through a registry that has the referrers API, and CRLs fetched over HTTP.

The CNCF distribution registry has no referrers API, so a small server in front of it adds one at the wire:
it records each manifest pushed with a `subject` and answers `GET /v2/<repo>/referrers/<digest>` with the OCI
index the distribution spec describes; everything else is the real registry's answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from regwarden.model.trust import FailureReason
from regwarden.oci.client import RegistryClient
from regwarden.oci.reference import parse_reference
from regwarden.service.sign import sign_image
from regwarden.service.trust import http_crl_fetcher, list_attached, verify_image
from regwarden.signing.policy import load_policy
from tests.signing import pki
from tests.support.registry import LocalServer, Reply, Request, RunningRegistry, json_reply, proxy_to, push

pytestmark = pytest.mark.registry
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo.oci.tar"
_REFERRERS = re.compile(r"/v2/(?P<repo>.+)/referrers/(?P<digest>sha256:[0-9a-f]{64})")


class ReferrersFront:
    """A front for a real registry that implements the referrers API from the manifests pushed through it."""

    def __init__(self, registry: RunningRegistry) -> None:
        self.registry = registry
        self.index: dict[str, list[dict[str, object]]] = {}
        self.public_host = ""
        """Where clients reach this front: upload locations are rewritten to it."""

    def __call__(self, request: Request) -> Reply:
        found = _REFERRERS.fullmatch(request.path.split("?")[0])
        if request.method == "GET" and found:
            manifests = self.index.get(found["digest"], [])
            return json_reply(
                200,
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests},
            )
        reply = proxy_to(self.registry, request)
        if "location" in {k.lower() for k in reply.headers}:
            headers = {k: v.replace(self.registry.host, self.public_host) for k, v in reply.headers.items()}
            reply = Reply(reply.status, reply.body, headers)
        if request.method == "PUT" and "/manifests/" in request.path and reply.status == 201:
            self._record(request.body, "sha256:" + hashlib.sha256(request.body).hexdigest())
        return reply

    def _record(self, body: bytes, digest: str) -> None:
        manifest = json.loads(body)
        subject = manifest.get("subject")
        if subject:
            entry = {"mediaType": manifest["mediaType"], "digest": digest, "size": len(body)}
            entry |= {"artifactType": manifest.get("artifactType"), "annotations": manifest.get("annotations", {})}
            self.index.setdefault(subject["digest"], []).append(entry)


@pytest.fixture
def signing(tmp_path: Path) -> tuple[pki.Issued, Path, Path]:
    root = pki.root()
    signer = pki.leaf(root, crl_url="http://127.0.0.1:1/never.crl")
    (tmp_path / "chain.pem").write_bytes(signer.pem + root.pem)
    store = tmp_path / "truststore" / "x509" / "ca" / "ci"
    store.mkdir(parents=True)
    (store / "root.pem").write_bytes(root.pem)
    policy = {
        "version": "1.0",
        "trustPolicies": [
            {
                "name": "ci",
                "registryScopes": ["*"],
                "signatureVerification": {"level": "strict"},
                "trustStores": ["ca:ci"],
                "trustedIdentities": ["*"],
            }
        ],
    }
    (tmp_path / "trustpolicy.json").write_text(json.dumps(policy))
    return signer, tmp_path / "chain.pem", tmp_path / "trustpolicy.json"


def test_a_registry_with_the_referrers_api_indexes_the_signature_itself(
    registry: RunningRegistry, signing: tuple[pki.Issued, Path, Path]
) -> None:
    signer, chain, policy_path = signing
    push(f"oci-archive:{SAMPLE}", f"{registry.host}/api/app:1", "oci")
    front = ReferrersFront(registry)
    with LocalServer(front) as server, RegistryClient(server.host, insecure=True) as client:
        front.public_host = server.host
        outcome = sign_image(f"{server.host}/api/app:1", signer.key, chain, client)
        assert outcome.indexed_by == "referrers-api"
        _, attached = list_attached(client, parse_reference(f"{server.host}/api/app:1"))
        assert [(a.digest, a.artifact_type) for a in attached] == [
            (outcome.signature_digest, "application/vnd.cncf.notary.signature")
        ]
        tags = client.list_tags("api/app")
        assert tags == ["1"], "no sha256-<hex> index is written when the registry has the API"
        policy = load_policy(policy_path)
        unavailable = verify_image(f"{server.host}/api/app:1", policy, client)
        assert unavailable.reason is FailureReason.REVOCATION_UNAVAILABLE


def test_crls_named_by_certificates_are_fetched_over_http(
    signing: tuple[pki.Issued, Path, Path], tmp_path: Path
) -> None:
    root = pki.root("CRL Root")
    served: dict[str, bytes] = {}
    with LocalServer(
        lambda request: Reply(200, served[request.path]) if request.path in served else Reply(404)
    ) as crl_server:
        url = f"http://{crl_server.host}/root.crl"
        signer = pki.leaf(root, crl_url=url)
        fetch = http_crl_fetcher(timeout=2)
        assert fetch(f"http://{crl_server.host}/missing.crl") is None
        served["/root.crl"] = pki.crl(root, (signer.cert.serial_number,))
        fetched = fetch(url)
        assert fetched == served["/root.crl"]
    assert fetch(url) is None, "an unreachable CRL server is 'no CRL', never an exception"
