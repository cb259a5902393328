"""The admission webhook when things go wrong or repeat: a registry that hangs (fail closed, or open under
`failurePolicy: Ignore`), the cache (a warm decision makes no registry request), bodies that are not reviews, and
denials reaching a configured notification webhook."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from regwarden.web.admission import ADMISSION_PATH, MAX_BODY_BYTES
from tests.admission.conftest import Images, serve, write_policy
from tests.admission.reviews import review
from tests.support.registry import LocalServer, Reply, Request, RunningRegistry, SelfSignedCert, proxy_to
from tests.support.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.registry


@contextmanager
def hanging_registry() -> Iterator[LocalServer]:
    """A registry that accepts connections and never answers in time (released when the test ends)."""
    release = threading.Event()

    def hang(_request: Request) -> Reply:
        release.wait(30)
        return Reply(503)

    with LocalServer(hang) as server:
        try:
            yield server
        finally:
            release.set()


def _manifest_requests(server: LocalServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests]


def test_a_registry_that_hangs_fails_closed_within_the_policy_timeout(
    images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"signatures": "ci", "timeout": "1s"})
    with hanging_registry() as slow, serve(policy, tls, database) as webhook:
        image = f"{slow.host}/admission/web:1.1"
        started = time.monotonic()
        answer = webhook.review(review("deployment-create", {"web": image}))
        took = time.monotonic() - started
    assert answer["response"]["allowed"] is False
    assert answer["response"]["status"] == {
        "code": 403,
        "reason": "Forbidden",
        "message": "regwarden denied Deployment shop/web: could not decide: no decision within the policy's timeout "
        "of 1s",
    }
    assert answer["response"]["auditAnnotations"] == {"decision": "denied", "reasons": "error"}
    assert 0.9 < took < 5.0  # the deadline, plus what a loaded machine adds
    assert _manifest_requests(slow) == ["GET /v2/admission/web/manifests/1.1"]


def test_a_registry_timeout_within_the_deadline_is_an_error_verdict_and_is_never_cached(
    images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"signatures": "ci", "timeout": "8s"})
    with hanging_registry() as slow, serve(policy, tls, database, timeout=0.3) as webhook:
        image = f"{slow.host}/admission/web:1.1"
        first = webhook.review(review("deployment-create", {"web": image}))
        second = webhook.review(review("deployment-create", {"web": image}))
    expected = (
        f"regwarden denied Deployment shop/web: {image}: could not be checked: "
        f"http://{image.split('/')[0]}/v2/admission/web/manifests/1.1: timed out (ReadTimeout)"
    )
    assert [answer["response"]["status"]["message"] for answer in (first, second)] == [expected, expected]
    # One retry per review (the deadline leaves no room for more), and the second review asks again.
    assert _manifest_requests(slow) == ["GET /v2/admission/web/manifests/1.1"] * 4
    assert [line["images"][0]["cached"] for line in webhook.decisions()] == [False, False]


def test_failure_policy_ignore_admits_what_could_not_be_checked_with_a_warning(
    images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"signatures": "ci", "timeout": "1s", "failurePolicy": "Ignore"})
    with hanging_registry() as slow, serve(policy, tls, database) as webhook:
        answer = webhook.review(review("deployment-create", {"web": f"{slow.host}/admission/web:1.1"}))
    assert answer["response"]["allowed"] is True
    assert answer["response"]["warnings"] == [
        "regwarden (failurePolicy Ignore): could not decide: no decision within the policy's timeout of 1s"
    ]
    assert webhook.decisions()[0]["failed_open"] is True


def test_a_warm_decision_makes_no_registry_request_by_digest_or_by_tag(
    registry: RunningRegistry, images: Images, trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"signatures": "ci", "quarantine": {"registries": ["elsewhere.io"]}})
    with LocalServer(lambda request: proxy_to(registry, request)) as front, serve(policy, tls, database) as webhook:
        by_tag = f"{front.host}/admission/web:1.1"
        by_digest = f"{front.host}/admission/web@{images.digests['signed']}"
        cold = webhook.review(review("deployment-create", {"web": by_tag}))
        after_cold = len(front.requests)
        warm = [webhook.review(review("deployment-create", {"web": ref})) for ref in (by_tag, by_digest, by_tag)]
        after_warm = len(front.requests)
    assert cold["response"]["allowed"] is True and {a["response"]["allowed"] for a in warm} == {True}
    assert after_cold >= 4  # the tag, the manifest by digest, the referrers probe and the signature
    assert after_warm == after_cold
    assert [line["images"][0]["cached"] for line in webhook.decisions()] == [False, True, True, True]
    assert webhook.decisions()[2]["images"][0]["resolved_from"] is None


def test_a_body_that_is_not_a_review_is_a_400_and_a_huge_one_a_413(
    trust: Path, tls: SelfSignedCert, database: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, trust, {"registries": ["myregistry.azurecr.io"]})
    with serve(policy, tls, database) as webhook:
        url = webhook.url + ADMISSION_PATH
        bad = webhook.client.post(url, content=b'{"kind": "Pod"}')
        huge = webhook.client.post(url, content=b" " * (MAX_BODY_BYTES + 1))
        health = webhook.client.get(webhook.url + "/healthz")
    assert (bad.status_code, bad.json()) == (
        400, {"error": "expected kind AdmissionReview of apiVersion admission.k8s.io/v1"},
    )  # fmt: skip
    assert (huge.status_code, health.json()) == (413, {"status": "ok"})
    assert webhook.decisions() == []


def test_a_denial_reaches_the_configured_notification_webhook(
    registry: RunningRegistry,
    images: Images,
    trust: Path,
    tls: SelfSignedCert,
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = write_policy(tmp_path, trust, {"registries": [registry.host], "signatures": "ci"})
    monkeypatch.setenv("ADMISSION_HOOK_SECRET", "a shared secret for the test receiver")
    with webhook_receiver() as receiver:
        config = tmp_path / "config.yaml"
        hooks = [{"name": "security", "url": f"{receiver.url}/hooks", "secret_env": "ADMISSION_HOOK_SECRET"}]
        config.write_text(yaml.safe_dump({"notifications": {"webhooks": hooks}}))
        with serve(policy, tls, database, config=config) as webhook:
            webhook.review(review("deployment-create", {"web": images.unsigned}))
        bodies = receiver.bodies("/hooks")
    [delivered] = [json.loads(body) for body in bodies]
    assert (delivered["kind"], delivered["summary"]) == (
        "admission.denied", f"admission denied Deployment shop/web: {images.unsigned}: unsigned",
    )  # fmt: skip
    assert delivered["payload"]["workload"] == {"kind": "Deployment", "name": "web", "namespace": "shop"}
    assert delivered["payload"]["image"] == {
        "digest": images.digests["unsigned"],
        "reference": f"{images.unsigned.rsplit(':', 1)[0]}@{images.digests['unsigned']}",
    }
    assert delivered["payload"]["reasons"] == ["unsigned"]
