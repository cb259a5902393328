"""AdmissionReview requests for the tests, in the shape the Kubernetes documentation gives ("Dynamic Admission
Control": request uid, kind, resource, requestKind, requestResource, name, namespace, operation, userInfo, object,
oldObject, dryRun, options), one file per case in reviews/. `review(name, images)` sets container images by
container name, so a test points the same request at its own registry."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REVIEWS = Path(__file__).parent / "reviews"
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REVIEWS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def review(name: str, images: Mapping[str, str] | None = None, *, new_uid: bool = True) -> dict[str, Any]:
    """The review `name`, with the images of the named containers replaced (old object too) and a fresh uid."""
    body = copy.deepcopy(load(name))
    request = body["request"]
    if new_uid:
        request["uid"] = str(uuid.uuid4())
    for key in ("object", "oldObject"):
        if request.get(key):
            _set_images(request[key], images or {})
    return body


def body_bytes(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body).encode()


def _set_images(obj: dict[str, Any], images: Mapping[str, str]) -> None:
    spec = obj
    for key in POD_SPEC_PATHS[obj["kind"]]:
        spec = spec[key]
    for section in ("containers", "initContainers", "ephemeralContainers"):
        for container in spec.get(section, []):
            if container["name"] in images:
                container["image"] = images[container["name"]]
