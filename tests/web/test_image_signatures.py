"""An image's signatures on its page and in the API: the demo image pushed to the real registry, signed with
`regwarden sign`, verified with `verify --record` into the server's database; the other build says "not checked"."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from regwarden.model.access import Scope
from regwarden.service.api_tokens import issue_token
from tests.cli.cli_support import invoke, invoke_json
from tests.signing import pki
from tests.support.registry import RunningRegistry, push
from tests.support.trust_material import ISSUER_SUBJECT, SIGNER_SUBJECT, sign_args, verify_args, write_material
from tests.web.conftest import SAMPLES, Server

pytestmark = pytest.mark.registry
V10 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
NOTARY = "application/vnd.cncf.notary.signature"
V11 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"


def _signed_and_recorded(registry: RunningRegistry, server: Server, tmp_path: Path) -> tuple[str, str]:
    """Push 1.0, verify it unsigned (recorded: failed), sign it, verify again; (signature digest, repository)."""
    material = write_material(tmp_path)
    repository = f"{registry.host}/signed/{tmp_path.name.lower()}"
    image = f"{repository}:1.0"
    push(f"oci-archive:{SAMPLES / 'demo.oci.tar'}", image, "oci")
    db = server.store.url
    assert invoke(verify_args(image, material, db)).code == 1
    signature = str(invoke_json(sign_args(image, material))["signature"])
    verified = invoke(verify_args(image, material, db))
    assert verified.code == 0, verified.stderr
    return signature, repository


def _section(page: str) -> str:
    """The Signatures section's text, each tag a space."""
    found = re.search(r'<section class="card wide" id="signatures">(.*?)</section>', page, re.S)
    assert found is not None
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


def test_the_image_page_shows_the_recorded_signature_and_its_signer(
    registry: RunningRegistry, server: Server, tmp_path: Path
) -> None:
    signature, repository = _signed_and_recorded(registry, server, tmp_path)
    server.sign_in("viewer")
    signed = _section(server.client.get(f"/images/{V10}").text)
    assert signed.startswith(f"Signatures verified under trustpolicy.json (ci) in {repository},")
    assert f"notation-jws {signature[7:19]} verified {SIGNER_SUBJECT} {ISSUER_SUBJECT} chain to a trusted root" in (
        signed
    )
    assert (
        f"Attached artifacts (1) Artifact type Digest Created Found by Annotations {NOTARY} {signature[7:19]}" in signed
    )
    assert "Not checked" not in signed
    unsigned = _section(server.client.get(f"/images/{V11}").text)
    assert (
        unsigned
        == "Signatures Not checked: no verification is recorded ( regwarden verify IMAGE --policy FILE --record )."
    )


def test_the_api_image_detail_carries_the_verification_and_the_referrers(
    registry: RunningRegistry, server: Server, tmp_path: Path
) -> None:
    signature, repository = _signed_and_recorded(registry, server, tmp_path)
    secret = issue_token(server.store, "viewer", "api-test", frozenset({Scope.READ}), actor="test").secret
    headers = {"Authorization": f"Bearer {secret}"}
    detail = server.client.get(f"/api/v1/images/{V10}", headers=headers).json()["signatures"]
    assert detail["checked"] is True
    [verification] = detail["verifications"]
    assert {k: verification[k] for k in ("subject", "repository", "policy", "statements", "passed", "reason")} == {
        "subject": V10,
        "repository": repository,
        "policy": "trustpolicy.json",
        "statements": "ci",
        "passed": True,
        "reason": None,
    }
    assert verification["policy_sha256"].startswith("sha256:") and len(verification["policy_sha256"]) == 71
    assert [(s["artifact_digest"], s["passed"], s["signer"], s["issuer"]) for s in verification["signatures"]] == [
        (signature, True, SIGNER_SUBJECT, ISSUER_SUBJECT)
    ]
    assert [(r["digest"], r["artifact_type"], r["source"]) for r in detail["referrers"]] == [
        (signature, NOTARY, "referrers")
    ]
    unchecked = server.client.get(f"/api/v1/images/{V11}", headers=headers).json()["signatures"]
    assert unchecked == {"checked": False, "verifications": [], "referrers": []}


def test_a_rejected_signature_shows_why_it_was_not_verified(
    registry: RunningRegistry, server: Server, tmp_path: Path
) -> None:
    material = write_material(tmp_path)
    stranger_root = pki.root("Stranger Root")
    stranger = pki.leaf(stranger_root, "ci-signer")
    (tmp_path / "stranger.key").write_bytes(stranger.key_pem)
    (tmp_path / "stranger.pem").write_bytes(stranger.pem + stranger_root.pem)
    image = f"{registry.host}/signed/stranger:1.0"
    push(f"oci-archive:{SAMPLES / 'demo.oci.tar'}", image, "oci")
    sign = ["sign", image, "--key", str(tmp_path / "stranger.key"), "--cert", str(tmp_path / "stranger.pem")]
    signature = str(invoke_json([*sign, "--insecure"])["signature"])
    assert invoke(verify_args(image, material, server.store.url)).code == 1
    server.sign_in("viewer")
    shown = _section(server.client.get(f"/images/{V10}").text)
    assert shown.startswith(f"Signatures not verified under trustpolicy.json (ci) in {registry.host}/signed/stranger, ")
    assert ": untrusted-certificate: no signature satisfies the policy" in shown
    stranger_subject = "CN=Stranger Root,O=regwarden-test,ST=WA,C=US"
    assert f"notation-jws {signature[7:19]} rejected untrusted-certificate {SIGNER_SUBJECT} {stranger_subject}" in shown
