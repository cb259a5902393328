"""Reading AdmissionReview requests (collect/kubernetes/admission_review.py): which images each kind of object
would run, what UPDATE leaves unchecked, and malformed bodies refused with the field named."""

from __future__ import annotations

import json

import pytest

from regwarden.collect.kubernetes.admission_review import parse_admission_review
from regwarden.model.admission import ImageUse
from regwarden.model.errors import BadInputError
from regwarden.model.workload import ContainerKind
from tests.admission.reviews import body_bytes, load

WEB = "myregistry.azurecr.io/shop/web:1.4"


def test_a_pod_made_by_a_replicaset_is_named_by_its_generate_name_with_every_container() -> None:
    request = parse_admission_review(body_bytes(load("pod-create")))
    assert (request.uid, request.kind, request.namespace, request.name, request.operation) == (
        "705ab4f5-6393-11e8-b7cc-42010a800002",
        "Pod",
        "shop",
        "web-7d4f8c9b6-",
        "CREATE",
    )
    assert request.username == "system:serviceaccount:kube-system:replicaset-controller"
    assert (request.dry_run, request.api_version, request.unchanged) == (False, "admission.k8s.io/v1", 0)
    assert set(request.images) == {
        ImageUse(WEB, "web", ContainerKind.CONTAINER),
        ImageUse(WEB, "proxy", ContainerKind.CONTAINER),
        ImageUse("myregistry.azurecr.io/shop/migrate:2.0", "migrate", ContainerKind.INIT),
    }
    assert request.object_label == "Pod shop/web-7d4f8c9b6-"


def test_a_deployment_and_a_cronjob_are_read_through_their_pod_templates() -> None:
    deployment = parse_admission_review(body_bytes(load("deployment-create")))
    cronjob = parse_admission_review(body_bytes(load("cronjob-create")))
    assert (deployment.kind, deployment.name, deployment.images) == ("Deployment", "web", (ImageUse(WEB, "web"),))
    digest = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
    assert cronjob.images == (ImageUse(f"myregistry.azurecr.io/shop/report@{digest}", "report"),)
    assert (cronjob.kind, cronjob.dry_run) == ("CronJob", True)


def test_an_update_checks_only_the_images_the_old_object_did_not_run() -> None:
    request = parse_admission_review(body_bytes(load("pod-update")))
    assert request.images == (ImageUse("myregistry.azurecr.io/shop/proxy:2.1", "proxy"),)
    assert (request.operation, request.unchanged) == ("UPDATE", 1)


def test_a_debug_container_added_through_the_subresource_is_the_one_checked() -> None:
    request = parse_admission_review(body_bytes(load("pod-ephemeral-container")))
    assert request.images == (ImageUse("busybox:1.36", "debugger-7xk2p", ContainerKind.EPHEMERAL),)
    assert request.username == "oncall@example.com"


def test_a_delete_has_nothing_to_run() -> None:
    request = parse_admission_review(body_bytes(load("deployment-delete")))
    assert (request.operation, request.images, request.unchanged) == ("DELETE", (), 0)


def test_an_object_of_another_kind_has_no_images() -> None:
    body = load("deployment-create")
    body["request"]["kind"] = {"group": "", "version": "v1", "kind": "ConfigMap"}
    body["request"]["object"] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    assert parse_admission_review(body_bytes(body)).images == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the body is not JSON"),
        (b"[]", "must be a JSON object"),
        (json.dumps({"apiVersion": "v1", "kind": "Pod"}).encode(), "expected kind AdmissionReview"),
        (json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}).encode(), "request: required"),
        (
            json.dumps(
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": 7}}
            ).encode(),
            "request.uid: required",
        ),
    ],
)
def test_a_body_that_is_not_an_admission_review_is_refused_with_the_field(body: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_admission_review(body)


def test_a_container_list_of_the_wrong_type_names_the_object_and_field() -> None:
    body = load("deployment-create")
    body["request"]["object"]["spec"]["template"]["spec"]["containers"] = "web"
    with pytest.raises(
        BadInputError, match=r"Deployment shop/web: spec.template.spec.containers must be a list of objects"
    ):
        parse_admission_review(body_bytes(body))
