"""The admission webhook end to end: AdmissionReview requests in the documented shape, posted over real TLS to
the app under uvicorn, deciding on images in the real registry (signed here, or not) with the bundled samples
and advisory snapshot; every answer checked field by field, every denial with its reason."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from regwarden.model.admission import AdmissionMode
from regwarden.store import open_store
from tests.admission.conftest import SAMPLES, Images, serve, write_policy
from tests.admission.reviews import review
from tests.cli.cli_support import invoke
from tests.support.registry import LocalServer, Reply, Request, RunningRegistry, SelfSignedCert, proxy_to

pytestmark = pytest.mark.registry


def _denial(answer: dict[str, Any]) -> tuple[bool, int, str]:
    response = answer["response"]
    return response["allowed"], response["status"]["code"], response["status"]["message"]


def _events(database: str) -> list[Any]:
    """The admission events stored (the server writes what it queued before it stops), newest first."""
    with open_store(database) as store:
        return store.events.recent(kind="admission.denied")


def test_a_signed_image_from_an_allowed_registry_is_admitted_and_the_answer_echoes_the_uid(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"registries": [registry.host], "signatures": "ci"})
    body = review("pod-create", {"web": images.signed, "proxy": images.signed, "migrate": images.signed})
    with serve(policy, tls, database) as webhook:
        answer = webhook.review(body)
    assert answer == {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": body["request"]["uid"], "allowed": True, "auditAnnotations": {"decision": "allowed"}},
    }
    [decision] = webhook.decisions()
    [verdict] = decision["images"]
    assert (verdict["digest"], verdict["resolved_from"]) == (images.digests["signed"], "1.1")
    assert {check["check"]: check["passed"] for check in verdict["checks"]} == {
        "registry": True, "pinning": True, "signature": True,
    }  # fmt: skip
    assert [c["detail"] for c in verdict["checks"] if c["check"] == "signature"] == [
        "signed by CN=ci-signer,O=regwarden-test,ST=WA,C=US; policy ci"
    ]
    assert (decision["kind"], decision["name"], decision["allowed"], decision["reasons"]) == (
        "Pod", "web-7d4f8c9b6-", True, [],
    )  # fmt: skip


def test_unsigned_and_untrusted_images_are_denied_with_their_reasons(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"registries": [registry.host], "signatures": "ci"})
    with serve(policy, tls, database) as webhook:
        unsigned = webhook.review(review("deployment-create", {"web": images.unsigned}))
        stranger = webhook.review(review("pod-create", {"web": images.stranger, "proxy": images.signed,
                                                         "migrate": images.signed}))  # fmt: skip
    assert _denial(unsigned) == (
        False, 403, f"regwarden denied Deployment shop/web: {images.unsigned}: unsigned: no signature is attached",
    )  # fmt: skip
    allowed, code, message = _denial(stranger)
    assert (allowed, code) == (False, 403)
    assert message.startswith(f"regwarden denied Pod shop/web-7d4f8c9b6-: {images.stranger}: untrusted-signature: ")
    assert "untrusted-certificate" in message
    assert stranger["response"]["auditAnnotations"] == {"decision": "denied", "reasons": "untrusted-signature"}
    events = _events(database)
    assert {(event.payload["workload"]["kind"], tuple(event.payload["reasons"])) for event in events} == {
        ("Deployment", ("unsigned",)), ("Pod", ("untrusted-signature",)),
    }  # fmt: skip


def test_a_disallowed_registry_and_an_unpinned_tag_are_denied_before_any_registry_request(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(
        tmp_path, trust, {"registries": [f"{registry.host}/admission/*"], "pinning": "digest", "signatures": "ci"}
    )
    pinned = f"{registry.host}/admission/web@{images.digests['signed']}"
    elsewhere = f"evil.example/admission/web@{images.digests['signed']}"
    with serve(policy, tls, database) as webhook:
        outside = webhook.review(review("deployment-create", {"web": elsewhere}))
        tagged = webhook.review(review("deployment-create", {"web": images.signed}))
        good = webhook.review(review("deployment-create", {"web": pinned}))
    assert _denial(outside) == (
        False, 403,
        f"regwarden denied Deployment shop/web: {elsewhere}: registry-not-allowed: evil.example/admission/web is not "
        f"in the allowed registries ({registry.host}/admission/*)",
    )  # fmt: skip
    assert _denial(tagged) == (
        False, 403,
        f"regwarden denied Deployment shop/web: {images.signed}: not-pinned: tag 1.1 is not pinned: name the image "
        "by digest (@sha256:…)",
    )  # fmt: skip
    assert good["response"]["allowed"] is True
    assert [line["images"][0]["cached"] for line in webhook.decisions()] == [False, False, False]


def test_findings_above_the_threshold_deny_after_a_scan_on_the_miss_and_the_inventory_remembers(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"signatures": "ci", "findings": {"failOn": "high", "scanTimeout": "60s"}})
    with serve(policy, tls, database) as webhook:
        vulnerable = webhook.review(review("deployment-create", {"web": images.vulnerable}))
        fixed = webhook.review(review("deployment-create", {"web": images.signed}))
    allowed, _code, message = _denial(vulnerable)
    # `regwarden scan samples/demo.oci.tar` finds the same six: one critical and five high, of thirteen.
    assert (allowed, message) == (
        False,
        f"regwarden denied Deployment shop/web: {images.vulnerable}: findings-above-threshold: 6 open finding(s) at "
        "or above high: CVE-2021-33503 (critical, urllib3@1.24.1), CVE-2019-10906 (high, Jinja2@2.10), "
        "CVE-2019-11324 (high, urllib3@1.24.1) and 3 more",
    )
    assert fixed["response"]["allowed"] is True
    checks = [{c["check"]: c["detail"] for c in line["images"][0]["checks"]} for line in webhook.decisions()]
    assert checks[1]["findings"].startswith("no open finding at or above high (") and checks[1]["findings"].endswith(
        "; scan)"
    )
    with open_store(database) as store:
        assert store.catalog.statuses(images.digests.values()) == {
            images.digests["vulnerable"]: "catalogued", images.digests["signed"]: "catalogued",
        }  # fmt: skip
    # A new server (empty cache) finds both in the inventory: no scan this time.
    with serve(policy, tls, database) as webhook:
        again = webhook.review(review("deployment-create", {"web": images.vulnerable}))
    assert _denial(again)[2] == message
    [line] = webhook.decisions()
    assert next(c["detail"] for c in line["images"][0]["checks"] if c["check"] == "findings") in message


def test_findings_a_triage_decision_covers_do_not_count(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"findings": {"failOn": "high", "scanTimeout": "60s"}})
    with serve(policy, tls, database) as webhook:
        before = webhook.review(review("deployment-create", {"web": images.vulnerable}))
    for vuln in ("CVE-2021-33503", "CVE-2019-10906", "CVE-2019-11324", "CVE-2020-8203", "CVE-2021-23337"):
        outcome = invoke(["triage", "add", vuln, "--repo", f"{registry.host}/admission/web", "--state", "accepted",
                          "--reason", "fixed by the 1.1 rollout this week", "--db", database])  # fmt: skip
        assert outcome.code == 0, outcome.stderr
    with serve(policy, tls, database) as webhook:
        after = webhook.review(review("deployment-create", {"web": images.vulnerable}))
    assert _denial(before)[2].endswith("6 open finding(s) at or above high: CVE-2021-33503 (critical, urllib3@1.24.1), "
                                       "CVE-2019-10906 (high, Jinja2@2.10), CVE-2019-11324 (high, urllib3@1.24.1) "
                                       "and 3 more")  # fmt: skip
    assert _denial(after)[2].endswith(
        "findings-above-threshold: 1 open finding(s) at or above high: CVE-2023-43804 (high, urllib3@1.24.1)"
    )


def test_onmiss_deny_refuses_an_image_the_inventory_has_not_catalogued(
    images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"findings": {"failOn": "critical", "onMiss": "deny"}})
    with serve(policy, tls, database) as webhook:
        answer = webhook.review(review("deployment-create", {"web": images.signed}))
    assert _denial(answer)[2] == (
        f"regwarden denied Deployment shop/web: {images.signed}: not-scanned: not in the inventory (findings.onMiss: "
        "deny): record it with `regwarden inventory add`"
    )


def test_an_image_that_has_not_passed_quarantine_is_denied_until_its_record_says_passed(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"quarantine": {"registries": [registry.host]}, "cache": {"deniedTtl": "0"}})
    digest = images.digests["signed"]
    with serve(policy, tls, database) as webhook:
        unknown = webhook.review(review("deployment-create", {"web": images.signed}))
        with open_store(database) as store:
            received = store.quarantine.receive(registry.host, "admission/web", digest, "1.1", "event-1")
            pending = webhook.review(review("deployment-create", {"web": images.signed}))
            store.quarantine.record_decision(received.check.id, "Failed", ("2 findings at or above high",), "{}")
            failed = webhook.review(review("deployment-create", {"web": images.signed}))
            store.quarantine.record_decision(received.check.id, "Passed", (), "{}")
            passed = webhook.review(review("deployment-create", {"web": images.signed}))
    assert [_denial(answer)[2].rsplit(": ", 1)[-1] for answer in (unknown, pending, failed)] == [
        "the quarantine worker never checked it",
        "quarantine pending (not decided yet)",
        "quarantine Failed",
    ]
    assert passed["response"]["allowed"] is True


def test_audit_mode_admits_with_warnings_and_still_raises_the_event(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"registries": [registry.host], "signatures": "ci"})
    with serve(policy, tls, database, mode=AdmissionMode.AUDIT) as webhook:
        answer = webhook.review(review("deployment-create", {"web": images.unsigned}))
    assert answer["response"] == {
        "uid": answer["response"]["uid"],
        "allowed": True,
        "warnings": [f"regwarden audit: {images.unsigned}: unsigned: no signature is attached"],
        "auditAnnotations": {"decision": "allowed-with-warnings", "reasons": "unsigned"},
    }
    [event] = _events(database)
    assert event.summary == f"admission would deny (audit mode) Deployment shop/web: {images.unsigned}: unsigned"
    assert (event.payload["admission"]["mode"], event.payload["admission"]["allowed"]) == ("audit", True)


def test_a_dry_run_is_logged_but_raises_no_event_and_a_repeated_denial_raises_one(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"registries": [registry.host], "signatures": "ci"})
    dry = review("cronjob-create")
    dry["request"]["object"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] = (
        images.unsigned
    )
    with serve(policy, tls, database) as webhook:
        dry_answer = webhook.review(dry)
        repeated = [webhook.review(review("deployment-create", {"web": images.unsigned})) for _ in range(3)]
    assert dry_answer["response"]["allowed"] is False
    assert {answer["response"]["allowed"] for answer in repeated} == {False}
    assert [line["dry_run"] for line in webhook.decisions()] == [True, False, False, False]
    events = _events(database)
    assert [(e.payload["workload"]["kind"], e.payload["workload"]["name"]) for e in events] == [("Deployment", "web")]


def test_a_scan_past_its_timeout_fails_closed_and_serves_the_next_review_when_done(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"findings": {"failOn": "high", "scanTimeout": "0.2s"}})
    digest = images.digests["signed"]

    def slow_blobs(request: Request) -> Reply:
        if "/blobs/" in request.path:
            time.sleep(0.5)  # the scan reads layers: it cannot finish within its 0.2 s
        return proxy_to(registry, request)

    with LocalServer(slow_blobs) as front, serve(policy, tls, database) as webhook:
        image = f"{front.host}/admission/web:1.1"
        first = webhook.review(review("deployment-create", {"web": image}))
        with open_store(database) as store:
            deadline = time.monotonic() + 60
            while store.catalog.statuses([digest]).get(digest) != "catalogued" and time.monotonic() < deadline:
                time.sleep(0.1)  # the scan goes on after the timeout, and catalogues the image
        second = webhook.review(review("deployment-create", {"web": image}))
    assert _denial(first)[2] == (
        f"regwarden denied Deployment shop/web: {image}: could not be checked: the scan of "
        f"{front.host}/admission/web@{digest} did not finish within 0.2s"
    )
    assert second["response"]["allowed"] is True
    checks = {c["check"]: c["detail"] for c in webhook.decisions()[1]["images"][0]["checks"]}
    assert checks["findings"] == "no open finding at or above high (0 below; inventory)"


def test_findings_quarantine_and_events_on_sqlite_and_postgresql(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, db_url: str, tmp_path: Path
) -> None:
    imported = invoke(["db", "import", str(SAMPLES / "advisories"), "--db", db_url])
    assert imported.code == 0, imported.stderr
    with open_store(db_url) as store:
        received = store.quarantine.receive(registry.host, "admission/web", images.digests["signed"], "1.1", "e-1")
        store.quarantine.record_decision(received.check.id, "Passed", (), "{}")
    policy = write_policy(tmp_path, trust, {"signatures": "ci", "findings": {"failOn": "high", "scanTimeout": "60s"},
                                            "quarantine": {}})  # fmt: skip
    with serve(policy, tls, db_url) as webhook:
        clean = webhook.review(review("deployment-create", {"web": images.signed}))
        vulnerable = webhook.review(review("deployment-create", {"web": images.vulnerable}))
    assert clean["response"]["allowed"] is True
    assert vulnerable["response"]["auditAnnotations"] == {
        "decision": "denied", "reasons": "findings-above-threshold,quarantine-not-passed",
    }  # fmt: skip
    [event] = _events(db_url)
    assert (event.payload["workload"]["name"], event.payload["reasons"]) == (
        "web", ["findings-above-threshold", "quarantine-not-passed"],
    )  # fmt: skip
