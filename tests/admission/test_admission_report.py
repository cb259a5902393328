"""The answer's bytes (report/admission_review.py) and how an admission event reads in a chat message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from regwarden.model.admission import (
    AdmissionDecision,
    AdmissionMode,
    AdmissionRequest,
    CheckName,
    DenyReason,
    ImageCheck,
    ImageUse,
    ImageVerdict,
)
from regwarden.model.inventory import Event
from regwarden.report.admission_review import decision_record, review_response
from regwarden.report.notify_common import event_view
from regwarden.service.admission_log import admission_event

DIGEST = "sha256:" + "ab" * 32
WEB = "myregistry.azurecr.io/shop/web:1.4"
REQUEST = AdmissionRequest("uid-7", "Deployment", "shop", "web", "CREATE", "admin", images=(ImageUse(WEB, "web"),))
VERDICT = ImageVerdict(
    WEB,
    f"myregistry.azurecr.io/shop/web@{DIGEST}",
    DIGEST,
    (ImageCheck(CheckName.SIGNATURE, False, "no signature is attached", DenyReason.UNSIGNED),),
    resolved_from="1.4",
)
DENIED = AdmissionDecision("uid-7", False, AdmissionMode.ENFORCE, (VERDICT,), "regwarden denied Deployment shop/web: …")


def test_the_answer_comes_back_in_the_version_the_request_came_in() -> None:
    answer = json.loads(review_response(DENIED, "admission.k8s.io/v1beta1"))
    assert answer == {
        "apiVersion": "admission.k8s.io/v1beta1",
        "kind": "AdmissionReview",
        "response": {
            "uid": "uid-7",
            "allowed": False,
            "status": {"code": 403, "reason": "Forbidden", "message": "regwarden denied Deployment shop/web: …"},
            "auditAnnotations": {"decision": "denied", "reasons": "unsigned"},
        },
    }


def test_the_log_record_holds_every_check_with_its_reason() -> None:
    record = decision_record(REQUEST, DENIED, datetime(2026, 12, 8, 9, 30, tzinfo=UTC))
    assert (record["time"], record["user"], record["reasons"], record["would_deny"]) == (
        "2026-12-08T09:30:00.000Z", "admin", ["unsigned"], True,
    )  # fmt: skip
    assert record["images"] == [
        {
            "image": WEB,
            "reference": f"myregistry.azurecr.io/shop/web@{DIGEST}",
            "digest": DIGEST,
            "resolved_from": "1.4",
            "allowed": False,
            "cached": False,
            "error": None,
            "checks": [
                {"check": "signature", "passed": False, "reason": "unsigned", "detail": "no signature is attached"}
            ],
        }
    ]


def test_an_admission_event_reads_as_a_denial_in_chat() -> None:
    new = admission_event(REQUEST, DENIED, decision_record(REQUEST, DENIED, datetime.now(UTC)))
    event = Event(1, new.kind, datetime(2026, 12, 8, tzinfo=UTC), new.summary, dict(new.payload))
    view = event_view(event)
    assert (view.title, view.summary) == (
        "Admission denied: Deployment shop/web",
        f"admission denied Deployment shop/web: {WEB}: unsigned",
    )
    assert dict(view.facts) == {
        "Workload": "Deployment shop/web",
        "Image": f"myregistry.azurecr.io/shop/web@{DIGEST}",
        "Digest": DIGEST,
    }
