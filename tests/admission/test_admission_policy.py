"""The admission policy file (signing/admission_policy.py), the checks over one image (admission_checks.py) and the
answer for a whole object (admission_decision.py): pure, over readable data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from regwarden.model.admission import (
    AdmissionMode,
    AdmissionRequest,
    CheckName,
    DenyReason,
    ImageCheck,
    ImageFacts,
    ImageUse,
    ImageVerdict,
    UntriagedFinding,
)
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Severity
from regwarden.model.trust import FailureReason, SignatureVerdict, VerificationResult
from regwarden.oci.reference import parse_reference
from regwarden.signing.admission_checks import judge, precheck
from regwarden.signing.admission_decision import MAX_WARNING, decide
from regwarden.signing.admission_policy import (
    AdmissionPolicy,
    AdmissionPolicyError,
    FailurePolicy,
    OnMiss,
    Pinning,
    load_admission_policy,
    parse_admission_policy,
    registry_allowed,
)
from tests.signing import pki

DIGEST = "sha256:" + "ab" * 32
WEB = f"myregistry.azurecr.io/shop/web@{DIGEST}"


@pytest.fixture(scope="module")
def trust_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("admission-trust")
    store = directory / "truststore" / "x509" / "ca" / "ci"
    store.mkdir(parents=True)
    (store / "root.pem").write_bytes(pki.root("CI Root").pem)
    statement = {
        "name": "ci",
        "registryScopes": ["*"],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:ci"],
        "trustedIdentities": ["*"],
    }
    (directory / "trustpolicy.json").write_text(json.dumps({"version": "1.0", "trustPolicies": [statement]}))
    return directory


def _write(directory: Path, body: dict[str, Any]) -> Path:
    path = directory / "admission.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def test_a_full_policy_file_reads_every_setting(trust_dir: Path) -> None:
    body = {
        "mode": "audit",
        "failurePolicy": "Ignore",
        "timeout": "5s",
        "registries": ["MyRegistry.azurecr.io", "docker.io/library/*"],
        "pinning": "digest",
        "signatures": {"policy": "trustpolicy.json"},
        "findings": {"failOn": "critical", "onMiss": "deny", "scanTimeout": "1m"},
        "quarantine": {"registries": ["myregistry.azurecr.io"]},
        "cache": {"maxEntries": 50, "ttl": "10m", "deniedTtl": "10s", "tagTtl": "0"},
        "events": {"repeatAfter": "30m"},
    }
    policy = load_admission_policy(_write(trust_dir, body))
    assert (policy.mode, policy.failure_policy, policy.timeout, policy.pinning) == (
        AdmissionMode.AUDIT, FailurePolicy.IGNORE, 5.0, Pinning.DIGEST,
    )  # fmt: skip
    assert policy.registries == ("myregistry.azurecr.io", "registry-1.docker.io/library/*")
    assert policy.signatures is not None and policy.signatures.name == "trustpolicy.json"
    assert policy.findings is not None
    assert (policy.findings.fail_on, policy.findings.on_miss, policy.findings.scan_timeout) == (
        Severity.CRITICAL, OnMiss.DENY, 60.0,
    )  # fmt: skip
    assert policy.quarantine == ("myregistry.azurecr.io",)
    assert (policy.cache.max_entries, policy.cache.ttl, policy.cache.denied_ttl, policy.cache.tag_ttl) == (
        50, 600.0, 10.0, 0.0,
    )  # fmt: skip
    assert policy.repeat_events_after == 1800.0


def test_a_small_policy_takes_the_documented_defaults(tmp_path: Path) -> None:
    policy = load_admission_policy(_write(tmp_path, {"registries": ["myregistry.azurecr.io"]}))
    assert (policy.mode, policy.failure_policy, policy.timeout, policy.pinning) == (
        AdmissionMode.ENFORCE, FailurePolicy.FAIL, 8.0, Pinning.RESOLVE,
    )  # fmt: skip
    assert (policy.signatures, policy.findings, policy.quarantine) == (None, None, None)
    assert (policy.cache.max_entries, policy.cache.ttl, policy.cache.tag_ttl) == (10_000, 300.0, 30.0)
    assert policy.describe() == ("mode enforce; failurePolicy Fail; pinning resolve; registries myregistry.azurecr.io")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"registries": ["r.io"], "color": "red"}, "unknown key 'color'"),
        ({"registries": ["r.io"], "mode": "warn"}, r"mode: 'warn'; expected one of: enforce, audit"),
        ({"registries": ["r.io"], "failurePolicy": "fail"}, "failurePolicy: 'fail'; expected one of: Fail, Ignore"),
        ({"registries": ["r.io"], "timeout": "31s"}, "timeout: 31s is out of range; must be between 0.1s and 30s"),
        ({"registries": ["r.io"], "timeout": "soon"}, "timeout: 'soon' is not a duration"),
        ({"pinning": "digest"}, "checks nothing but pinning"),
        ({"registries": "r.io"}, "registries: a list of registry or registry/repository patterns"),
        ({"findings": {"failOn": "severe"}}, "findings.failOn: unknown severity 'severe'"),
        ({"findings": {"onMiss": "ignore"}}, "findings.onMiss: 'ignore'; expected one of: scan, deny"),
        ({"registries": ["r.io"], "cache": {"maxEntries": 0}}, "cache.maxEntries: a whole number of at least 1"),
        ({"signatures": {}}, "signatures.policy: required"),
        ({"signatures": {"policy": "missing.json"}}, "cannot read the policy"),
        ({"quarantine": {"registries": ["r.io"], "state": "Passed"}}, "quarantine: unknown key 'state'"),
    ],
)
def test_mistakes_are_refused_with_where_they_are(tmp_path: Path, body: dict[str, Any], message: str) -> None:
    with pytest.raises(BadInputError, match=message):  # the trust policy's own error is a BadInputError too
        load_admission_policy(_write(tmp_path, body))


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "admission.yaml"
    path.write_text("- registries\n")
    with pytest.raises(AdmissionPolicyError, match="must hold a mapping"):
        load_admission_policy(path)
    with pytest.raises(AdmissionPolicyError, match="cannot read the admission policy"):
        load_admission_policy(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("myregistry.azurecr.io/shop/web:1.4", True),
        ("MYREGISTRY.azurecr.io/anything/else@" + DIGEST, True),
        ("mcr.microsoft.com/oss/kubernetes/pause:3.9", True),
        ("mcr.microsoft.com/oss/kubernetes/sub/path:1", True),
        ("mcr.microsoft.com/dotnet/runtime:8.0", False),
        ("nginx:1.27", True),
        ("docker.io/bitnami/nginx:1.27", False),
        ("evil.example/myregistry.azurecr.io/shop:1", False),
        ("myregistry.azurecr.io.evil.example/shop:1", False),
    ],
)
def test_registry_patterns(image: str, allowed: bool) -> None:
    policy = parse_admission_policy(
        {"registries": ["myregistry.azurecr.io", "mcr.microsoft.com/oss/kubernetes/*", "docker.io/library/nginx"]},
        Path(),
    )
    assert policy.registries is not None
    assert registry_allowed(parse_reference(image), policy.registries) is allowed


def _policy(**changes: Any) -> AdmissionPolicy:
    base = parse_admission_policy({"registries": ["myregistry.azurecr.io"], "findings": {}, "quarantine": {}}, Path())
    return AdmissionPolicy(**{**base.__dict__, **changes})


def test_the_reference_alone_refuses_bad_names_other_registries_and_tags_where_digests_are_required() -> None:
    digest_only = _policy(pinning=Pinning.DIGEST)
    cases = {
        "Shop/Web:1": (_policy(), DenyReason.BAD_REFERENCE),
        "evil.example/shop/web@" + DIGEST: (_policy(), DenyReason.REGISTRY_NOT_ALLOWED),
        "myregistry.azurecr.io/shop/web:1.4": (digest_only, DenyReason.NOT_PINNED),
    }
    for image, (policy, reason) in cases.items():
        _reference, verdict = precheck(image, policy)
        assert verdict is not None and verdict.reasons == (reason,), image
    reference, verdict = precheck("myregistry.azurecr.io/shop/web:1.4", _policy())
    assert verdict is None and reference is not None and reference.tag == "1.4"


def _signed(passed: bool, reason: FailureReason | None = None) -> VerificationResult:
    verdict = SignatureVerdict("notation-jws", "sha256:" + "cd" * 32, passed, signer="CN=ci-signer", policy="ci")
    return VerificationResult(WEB, DIGEST, passed, (verdict,) if reason is not FailureReason.NO_SIGNATURE else (),
                              reason, "" if passed else "why", "ci")  # fmt: skip


FINDINGS = (
    UntriagedFinding("CVE-2024-0001", "critical", "urllib3@1.26.5"),
    UntriagedFinding("CVE-2024-0002", "high", "jinja2@2.11.3"),
    UntriagedFinding("GHSA-aaaa-bbbb-cccc", "medium", "lodash@4.17.20"),
)


def _facts(**changes: Any) -> ImageFacts:
    base = ImageFacts(WEB, DIGEST, verification=_signed(True), findings=(), quarantine_state="Passed")
    return ImageFacts(**{**base.__dict__, **changes})


def _judged(facts: ImageFacts, policy: AdmissionPolicy | None = None) -> dict[CheckName, ImageCheck]:
    verdict = judge(WEB, parse_reference(WEB), facts, policy or _policy())
    return {check.name: check for check in verdict.checks}


def test_a_signed_clean_passed_image_passes_every_check_with_its_evidence(trust_dir: Path) -> None:
    policy = _policy(signatures=load_admission_policy(
        _write(trust_dir, {"signatures": {"policy": "trustpolicy.json"}})).signatures)  # fmt: skip
    checks = _judged(_facts(findings=FINDINGS[2:], findings_source="scan"), policy)
    assert {name: (check.passed, check.detail) for name, check in checks.items()} == {
        CheckName.REGISTRY: (True, "myregistry.azurecr.io/shop/web is allowed"),
        CheckName.PINNING: (True, f"pinned to {DIGEST}"),
        CheckName.SIGNATURE: (True, "signed by CN=ci-signer; policy ci"),
        CheckName.FINDINGS: (True, "no open finding at or above high (1 below; scan)"),
        CheckName.QUARANTINE: (True, "quarantine Passed"),
    }


@pytest.mark.parametrize(
    ("facts", "check", "reason", "detail"),
    [
        (_facts(verification=_signed(False, FailureReason.NO_SIGNATURE)), CheckName.SIGNATURE, DenyReason.UNSIGNED,
         "no signature is attached"),
        (_facts(verification=_signed(False, FailureReason.UNTRUSTED_CERTIFICATE)), CheckName.SIGNATURE,
         DenyReason.UNTRUSTED_SIGNATURE, "untrusted-certificate: why"),
        (_facts(findings=FINDINGS), CheckName.FINDINGS, DenyReason.FINDINGS_ABOVE_THRESHOLD,
         "2 open finding(s) at or above high: CVE-2024-0001 (critical, urllib3@1.26.5), "
         "CVE-2024-0002 (high, jinja2@2.11.3)"),
        (_facts(findings=None, not_scanned="not in the inventory"), CheckName.FINDINGS, DenyReason.NOT_SCANNED,
         "not in the inventory"),
        (_facts(quarantine_state=None), CheckName.QUARANTINE, DenyReason.QUARANTINE_NOT_PASSED,
         "no quarantine record for this digest: the quarantine worker never checked it"),
        (_facts(quarantine_state="Failed"), CheckName.QUARANTINE, DenyReason.QUARANTINE_NOT_PASSED,
         "quarantine Failed"),
        (_facts(quarantine_state="pending"), CheckName.QUARANTINE, DenyReason.QUARANTINE_NOT_PASSED,
         "quarantine pending (not decided yet)"),
    ],
)  # fmt: skip
def test_each_refusal_names_its_reason_and_what_it_saw(
    facts: ImageFacts, check: CheckName, reason: DenyReason, detail: str, trust_dir: Path
) -> None:
    signatures = load_admission_policy(_write(trust_dir, {"signatures": {"policy": "trustpolicy.json"}})).signatures
    checks = _judged(facts, _policy(signatures=signatures))
    assert {name for name, found in checks.items() if not found.passed} == {check}
    assert (checks[check].reason, checks[check].detail) == (reason, detail)


def test_a_denial_names_three_findings_and_counts_the_rest() -> None:
    many = tuple(UntriagedFinding(f"CVE-2024-100{i}", "high", f"pkg{i}@1") for i in range(5))
    unknown = (UntriagedFinding("CVE-2024-2000", "unrated-by-source", "odd@1"),)
    detail = _judged(_facts(findings=many + unknown))[CheckName.FINDINGS].detail
    assert detail == (
        "6 open finding(s) at or above high: CVE-2024-2000 (unrated-by-source, odd@1), "
        "CVE-2024-1000 (high, pkg0@1), CVE-2024-1001 (high, pkg1@1) and 3 more"
    )


def test_quarantine_is_only_asked_of_the_registries_it_names() -> None:
    policy = _policy(quarantine=("other.azurecr.io",))
    assert CheckName.QUARANTINE not in _judged(_facts(quarantine_state=None), policy)
    assert CheckName.QUARANTINE in _judged(_facts(quarantine_state=None), _policy(quarantine=()))


def test_a_tag_resolved_through_the_registry_is_named_with_its_digest() -> None:
    tagged = "myregistry.azurecr.io/shop/web:1.4"
    verdict = judge(tagged, parse_reference(tagged), _facts(resolved_from="1.4"), _policy())
    assert verdict.allowed and verdict.resolved_from == "1.4"
    assert [c.detail for c in verdict.checks if c.name is CheckName.PINNING] == [f"tag 1.4 resolved to {DIGEST}"]


REQUEST = AdmissionRequest("uid-1", "Deployment", "shop", "web", "CREATE", images=(ImageUse(WEB, "web"),))
REFUSED = ImageVerdict(WEB, WEB, DIGEST, (ImageCheck(CheckName.SIGNATURE, False, "no signature is attached",
                                                     DenyReason.UNSIGNED),))  # fmt: skip
BROKEN = ImageVerdict("myregistry.azurecr.io/shop/api:2", "myregistry.azurecr.io/shop/api:2", error="timed out")
GOOD = ImageVerdict(WEB, WEB, DIGEST, (ImageCheck(CheckName.SIGNATURE, True, "signed"),))


def test_enforce_denies_with_a_message_naming_image_reason_and_detail() -> None:
    decision = decide(REQUEST, [REFUSED, GOOD], AdmissionMode.ENFORCE, FailurePolicy.FAIL)
    assert (decision.allowed, decision.warnings, decision.failed_open) == (False, (), False)
    assert decision.message == f"regwarden denied Deployment shop/web: {WEB}: unsigned: no signature is attached"


def test_audit_allows_and_warns_about_what_enforce_would_deny() -> None:
    decision = decide(REQUEST, [REFUSED, BROKEN], AdmissionMode.AUDIT, FailurePolicy.FAIL)
    assert (decision.allowed, decision.message, decision.would_deny) == (True, "", True)
    assert decision.warnings == (
        f"regwarden audit: {WEB}: unsigned: no signature is attached",
        "regwarden audit: myregistry.azurecr.io/shop/api:2: could not be checked: timed out",
    )


def test_an_error_fails_closed_unless_the_failure_policy_is_ignore() -> None:
    closed = decide(REQUEST, [BROKEN, GOOD], AdmissionMode.ENFORCE, FailurePolicy.FAIL)
    opened = decide(REQUEST, [BROKEN, GOOD], AdmissionMode.ENFORCE, FailurePolicy.IGNORE)
    refused = decide(REQUEST, [BROKEN, REFUSED], AdmissionMode.ENFORCE, FailurePolicy.IGNORE)
    deadline = decide(REQUEST, [], AdmissionMode.ENFORCE, FailurePolicy.FAIL, error="no decision within 8s")
    assert (closed.allowed, closed.message) == (
        False, "regwarden denied Deployment shop/web: myregistry.azurecr.io/shop/api:2: could not be checked: timed out"
    )  # fmt: skip
    assert (opened.allowed, opened.failed_open, opened.warnings) == (
        True, True,
        ("regwarden (failurePolicy Ignore): myregistry.azurecr.io/shop/api:2: could not be checked: timed out",),
    )  # fmt: skip
    assert refused.allowed is False
    assert (deadline.allowed, deadline.message) == (
        False, "regwarden denied Deployment shop/web: could not decide: no decision within 8s"
    )  # fmt: skip


def test_warnings_stay_short_and_few() -> None:
    long = ImageVerdict(WEB, WEB, DIGEST, (ImageCheck(CheckName.FINDINGS, False, "x" * 500,
                                                      DenyReason.FINDINGS_ABOVE_THRESHOLD),))  # fmt: skip
    decision = decide(REQUEST, [long] * 30, AdmissionMode.AUDIT, FailurePolicy.FAIL)
    assert len(decision.warnings) == 20
    assert {len(text) for text in decision.warnings[:19]} == {MAX_WARNING}
    assert decision.warnings[-1] == "regwarden audit: and 11 more"
