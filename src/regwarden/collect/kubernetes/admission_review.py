"""The adapter for Kubernetes AdmissionReview requests (admission.k8s.io/v1) into an `AdmissionRequest`.

Reads `request.uid`, `kind`, `namespace`, `operation`, `userInfo.username`, `dryRun`, and the images of the pod
spec the object carries: a Pod's own spec, the pod template of a Deployment, ReplicaSet, StatefulSet, DaemonSet,
Job or ReplicationController, a CronJob's job template, a PodTemplate. Containers, init containers and ephemeral
containers all count. On UPDATE only images the old object did not already run are checked, so a label change
or a finalizer removal is never refused over an image that was admitted before (and the `ephemeralcontainers`
subresource, sent as an UPDATE of the whole Pod, checks the debug container's image alone).

A body that is not an AdmissionReview is a BadInputError naming the field; an object of another kind has no
images (the webhook's rules should not send it, and nothing of it would run).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import orjson

from regwarden.collect.kubernetes.fields import KubeObject, mapping_at, objects_at, text_at
from regwarden.model.admission import AdmissionRequest, ImageUse
from regwarden.model.errors import BadInputError
from regwarden.model.workload import ContainerKind

API_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Where each kind keeps the pod spec whose containers would run."""
_CONTAINER_LISTS = (
    ("containers", ContainerKind.CONTAINER),
    ("initContainers", ContainerKind.INIT),
    ("ephemeralContainers", ContainerKind.EPHEMERAL),
)


def parse_admission_review(body: bytes) -> AdmissionRequest:
    """The request of an AdmissionReview JSON body; BadInputError when it is not one."""
    try:
        review = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BadInputError(f"the body is not JSON: {error}") from None
    if not isinstance(review, Mapping):
        raise BadInputError("an AdmissionReview must be a JSON object")
    api_version = review.get("apiVersion")
    if review.get("kind") != "AdmissionReview" or api_version not in API_VERSIONS:
        raise BadInputError(f"expected kind AdmissionReview of apiVersion {API_VERSIONS[0]}")
    request = review.get("request")
    if not isinstance(request, Mapping):
        raise BadInputError("AdmissionReview.request: required, an object")
    return _request(request, str(api_version))


def _request(request: KubeObject, api_version: str) -> AdmissionRequest:
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise BadInputError("AdmissionReview.request.uid: required, a string")
    kind = text_at(request, "kind", "kind")
    new_object = mapping_at(request, "object")
    old_object = mapping_at(request, "oldObject")
    uses = list(pod_images(new_object, kind))
    before = {use.image for use in pod_images(old_object, kind)}
    checked = tuple(use for use in uses if use.image not in before)
    return AdmissionRequest(
        uid=uid,
        kind=kind or str(new_object.get("kind") or ""),
        namespace=text_at(request, "namespace"),
        name=_name(request, new_object),
        operation=text_at(request, "operation"),
        username=text_at(request, "userInfo", "username"),
        dry_run=request.get("dryRun") is True,
        api_version=api_version,
        images=checked,
        unchanged=len(uses) - len(checked),
    )


def pod_images(obj: KubeObject, kind: str = "") -> Iterator[ImageUse]:
    """Every container of the pod spec `obj` carries (by its kind), with the image it names."""
    path = POD_SPEC_PATHS.get(str(obj.get("kind") or kind))
    if not obj or path is None:
        return
    for key, container_kind in _CONTAINER_LISTS:
        for container in objects_at(obj, *path, key):
            image = text_at(container, "image").strip()
            if image:
                yield ImageUse(image, text_at(container, "name"), container_kind)


def _name(request: KubeObject, obj: KubeObject) -> str:
    """The object's name; a pod the API server will name is known by its generateName (`web-7d4f8-`)."""
    return text_at(obj, "metadata", "name") or text_at(request, "name") or text_at(obj, "metadata", "generateName")
