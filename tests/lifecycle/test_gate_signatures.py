"""Signatures as a condition of the quarantine gate, with real `regwarden sign` signatures in the real registry:
`promote --require-pass --signature-policy` and the ACR quarantine worker (at the wire, through the fake ACR) pass
a signed image, fail an unsigned one and one signed by a key the policy does not trust, with the verifier's reasons;
a promoted image keeps its signature, so `regwarden verify` passes at the destination."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from regwarden.model.finding import Severity
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.service.gate_signature import SignatureRequirement
from regwarden.service.images import ImageOptions
from regwarden.service.promote import PromoteOptions, promote
from regwarden.service.quarantine import WorkerSettings, process_due, receive_webhook
from regwarden.service.quarantine_gate import GateOptions
from regwarden.service.scan import ScanOptions
from regwarden.signing.policy import load_policy
from regwarden.store import open_store
from tests.cli.cli_support import run_process
from tests.lifecycle.conftest import DEMO_1_1, SAMPLES, acr_manifest, quarantine_event
from tests.lifecycle.test_quarantine_worker import T0, clock
from tests.support.fake_acr import FakeAcr, FakeAcrServer
from tests.support.registry import RunningRegistry, push
from tests.support.trust_material import sign_args, write_material

INSECURE = ImageOptions(insecure=True)
CONDITION = "signatures (trustpolicy.json)"


@dataclass(frozen=True)
class Signed:
    """demo 1.1 pushed three times: `sigq/signed` (signed with the trusted key), `sigq/unsigned`, and
    `sigq/stranger` (signed with a key of another CA, which the policy does not trust)."""

    registry: RunningRegistry
    material: Path
    """The trusted signer's key and chain, and `trustpolicy.json` with its trust store."""
    signature: str
    """The digest of sigq/signed's signature."""

    @property
    def host(self) -> str:
        return self.registry.host

    @property
    def policy(self) -> Path:
        return self.material / "trustpolicy.json"


@pytest.fixture(scope="module")
def signed(registry: RunningRegistry, tmp_path_factory: pytest.TempPathFactory) -> Signed:
    trusted = write_material(tmp_path_factory.mktemp("trusted"))
    stranger = write_material(tmp_path_factory.mktemp("stranger"))
    for repo in ("signed", "unsigned", "stranger"):
        push(f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}", f"{registry.host}/sigq/{repo}:1.1", "oci")
    home = tmp_path_factory.mktemp("home")
    for repo, material in (("signed", trusted), ("stranger", stranger)):
        outcome = run_process([*sign_args(f"{registry.host}/sigq/{repo}:1.1", material), "-o", "json"], home)
        assert outcome.code == 0, outcome.stderr
        if repo == "signed":
            signature = json.loads(outcome.stdout)["signature"]
    return Signed(registry, trusted, signature)


def signatures_at_source(signed: Signed) -> set[str]:
    """The signatures of sigq/signed: this module's, and those of any other module that signs it with its own key
    (the registry lives for the whole session), all of which promote must copy."""
    with RegistryClient(signed.host, insecure=True) as reader:
        found = {referrer.descriptor.digest for referrer in reader.referrers("sigq/signed", DEMO_1_1)}
    assert signed.signature in found
    return found


def gate(db: str, policy: Path) -> GateOptions:
    scan = ScanOptions(image=INSECURE, db_url=db, fail_on=Severity.HIGH)
    return GateOptions(scan, signature=SignatureRequirement(load_policy(policy)))


def test_a_signed_image_passes_and_its_signature_comes_along(signed: Signed, advisory_db: str) -> None:
    options = PromoteOptions(True, gate(advisory_db, signed.policy), INSECURE)

    report = promote(f"{signed.host}/sigq/signed:1.1", f"{signed.host}/sigrel/signed", options)

    assert report.copied and report.gate is not None and report.gate.passed
    (condition,) = report.gate.conditions
    assert (condition.name, condition.passed) == (CONDITION, True)
    assert condition.detail.startswith("a trusted signature verifies: ")
    assert (
        f"{signed.signature} signed by "
        "CN=ci-signer,O=regwarden-test,ST=WA,C=US (issuer CN=CI Intermediate,O=regwarden-test,ST=WA,C=US)"
    ) in condition.detail
    assert report.referrers is not None
    assert {(r.subject, r.digest, r.found_by) for r in report.referrers} == {
        (DEMO_1_1, digest, "referrers") for digest in signatures_at_source(signed)
    }
    verified = run_process(
        ["verify", f"{signed.host}/sigrel/signed:1.1", "--policy", str(signed.policy), "--insecure"], signed.material
    )
    assert verified.code == 0, verified.stderr


def test_an_unsigned_image_fails_with_the_reason_and_nothing_is_written(signed: Signed, advisory_db: str) -> None:
    options = PromoteOptions(True, gate(advisory_db, signed.policy), INSECURE)

    report = promote(f"{signed.host}/sigq/unsigned:1.1", f"{signed.host}/sigrel/unsigned", options)

    assert not report.copied and report.gate is not None and report.referrers is None
    assert report.gate.images[0].passed  # the scan alone would have passed: the signature decided
    assert report.gate.reasons() == (f"{CONDITION} failed: no-signature: no signature is attached",)
    with RegistryClient(signed.host, insecure=True) as reader, pytest.raises(ManifestNotFoundError):
        reader.head_manifest("sigrel/unsigned", "1.1")


def test_a_signature_by_a_key_the_policy_does_not_trust_fails(signed: Signed, advisory_db: str) -> None:
    options = PromoteOptions(True, gate(advisory_db, signed.policy), INSECURE)

    report = promote(f"{signed.host}/sigq/stranger:1.1", f"{signed.host}/sigrel/stranger", options)

    assert not report.copied and report.gate is not None
    assert [(c.name, c.passed) for c in report.gate.conditions] == [(CONDITION, False)]
    (reason,) = report.gate.reasons()
    assert reason.startswith(f"{CONDITION} failed: untrusted-certificate: no signature satisfies the policy; sha256:")
    assert " rejected: untrusted-certificate (" in reason


def test_cli_signature_policy_and_its_refusals(signed: Signed, advisory_db: str, tmp_path: Path) -> None:
    host, policy = signed.host, str(signed.policy)
    common = ["--db", advisory_db, "--insecure", "-o", "json", "--signature-policy", policy]
    refused = run_process(
        ["promote", f"{host}/sigq/unsigned:1.1", f"{host}/sigrel/cli", "--require-pass", *common], tmp_path
    )
    passed = run_process(
        ["promote", f"{host}/sigq/signed:1.1", f"{host}/sigrel/cli", "--require-pass", *common], tmp_path
    )
    no_gate = run_process(["promote", f"{host}/sigq/signed:1.1", f"{host}/sigrel/cli", *common], tmp_path)

    assert refused.code == 1, refused.stderr
    document = json.loads(refused.stdout)
    assert document["gate"]["conditions"] == [
        {"name": CONDITION, "passed": False, "detail": "no-signature: no signature is attached"}
    ]
    assert (document["copied"], document["referrers"]) == (False, None)
    assert passed.code == 0, passed.stderr
    document = json.loads(passed.stdout)
    assert [c["passed"] for c in document["gate"]["conditions"]] == [True]
    assert sorted(document["referrers"], key=lambda r: r["digest"]) == [
        {
            "subject": DEMO_1_1,
            "digest": digest,
            "artifact_type": "application/vnd.cncf.notary.signature",
            "found_by": "referrers",
            "tag": None,
        }
        for digest in sorted(signatures_at_source(signed))
    ]
    assert no_gate.code == 3 and "conditions of the gate: give --require-pass" in no_gate.stderr


def test_the_quarantine_worker_sets_passed_or_failed_by_signature(
    signed: Signed, advisory_db: str, acr_server: FakeAcrServer, acr_clients: Callable[[str], RegistryClient]
) -> None:
    content = {
        f"sigq/{repo}": {"manifests": [acr_manifest(DEMO_1_1, ["1.1"])]} for repo in ("signed", "unsigned", "stranger")
    }
    acr = acr_server.use(FakeAcr(content, upstream=signed.registry))
    settings = WorkerSettings(frozenset({acr.host}), gate(advisory_db, signed.policy), catalog=False)

    with open_store(advisory_db) as store:
        for repo in ("signed", "unsigned", "stranger"):
            receive_webhook(store, quarantine_event(acr.host, f"sigq/{repo}", DEMO_1_1, "1.1"), {acr.host}, T0)
        process_due(store, settings, acr_clients, clock(T0))

    states = {repo: (body["quarantineState"], json.loads(body["quarantineDetails"])) for repo, _, body in acr.patches}
    assert {repo: state for repo, (state, _) in states.items()} == {
        "sigq/signed": "Passed",
        "sigq/unsigned": "Failed",
        "sigq/stranger": "Failed",
    }
    assert states["sigq/signed"][1]["reasons"] == []
    assert states["sigq/unsigned"][1]["reasons"] == [f"{CONDITION} failed: no-signature: no signature is attached"]
    (untrusted,) = states["sigq/stranger"][1]["reasons"]
    assert untrusted.startswith(f"{CONDITION} failed: untrusted-certificate: ")
