"""`regwarden verify --record` against the real registry, into SQLite and PostgreSQL: the result, each signature's
signer and issuer, the policy file's hash and what is attached are stored; a later verification replaces them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from regwarden.store import open_store
from tests.cli.cli_support import invoke, invoke_json
from tests.support.registry import RunningRegistry, push
from tests.support.trust_material import ISSUER_SUBJECT, SIGNER_SUBJECT, sign_args, verify_args, write_material

pytestmark = pytest.mark.registry
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo.oci.tar"
SAMPLE_DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_material(tmp_path_factory.mktemp("trust"))


def test_a_failed_then_a_passing_verification_is_recorded_with_what_is_attached(
    registry: RunningRegistry, material: Path, db_url: str
) -> None:
    image = f"{registry.host}/record/{db_url.split(':')[0]}:1.0"  # the registry outlives one backend's run
    push(f"oci-archive:{SAMPLE}", image, "oci")
    unsigned = invoke([*verify_args(image, material, db_url), "-o", "json"])
    assert unsigned.code == 1
    assert f"recorded the verification of {SAMPLE_DIGEST} (failed: no-signature, 0 attached)" in unsigned.stderr
    with open_store(db_url) as store:
        first = store.signatures.for_image(SAMPLE_DIGEST)
    assert [(v.passed, v.reason, v.signatures) for v in first.verifications] == [(False, "no-signature", ())]
    assert first.referrers == ()

    signed = invoke_json(sign_args(image, material))
    passed = invoke([*verify_args(image, material, db_url), "-o", "json"])
    assert passed.code == 0, passed.stderr
    assert [(s["signer"], s["issuer"]) for s in json.loads(passed.stdout)["signatures"]] == [
        (SIGNER_SUBJECT, ISSUER_SUBJECT)
    ]
    with open_store(db_url) as store:
        recorded = store.signatures.for_image(SAMPLE_DIGEST)
    (verification,) = recorded.verifications
    policy_hash = "sha256:" + hashlib.sha256((material / "trustpolicy.json").read_bytes()).hexdigest()
    assert (verification.subject, verification.repository, verification.reference) == (
        SAMPLE_DIGEST,
        image.rsplit(":", 1)[0],
        image,
    )
    assert (verification.policy, verification.policy_sha256, verification.statements) == (
        "trustpolicy.json",
        policy_hash,
        "ci",
    )
    assert (verification.passed, verification.reason, verification.message) == (
        True,
        None,
        "a trusted signature verifies",
    )
    assert [
        (s.kind, s.artifact_digest, s.passed, s.signer, s.issuer, s.statement) for s in verification.signatures
    ] == [("notation-jws", signed["signature"], True, SIGNER_SUBJECT, ISSUER_SUBJECT, "ci")]
    assert verification.signatures[0].detail.startswith("chain to a trusted root")
    assert [(r.digest, r.artifact_type, r.source) for r in recorded.referrers] == [
        (signed["signature"], "application/vnd.cncf.notary.signature", "referrers")
    ]
    assert set(recorded.referrers[0].annotations) == {
        "io.cncf.notary.x509chain.thumbprint#S256",
        "org.opencontainers.image.created",
    }
    assert recorded.referrers[0].created == recorded.referrers[0].annotations["org.opencontainers.image.created"]


def test_without_record_nothing_is_written(registry: RunningRegistry, material: Path, tmp_path: Path) -> None:
    image = f"{registry.host}/record/unrecorded:1.0"
    push(f"oci-archive:{SAMPLE}", image, "oci")
    invoke_json(sign_args(image, material))
    db = f"sqlite:///{tmp_path / 'inventory.db'}"
    outcome = invoke(["verify", image, "--policy", str(material / "trustpolicy.json"), "--insecure", "--db", db])
    assert outcome.code == 0, outcome.stderr
    assert "recorded" not in outcome.stderr
    with open_store(db) as store:
        assert not store.signatures.for_image(SAMPLE_DIGEST).checked
