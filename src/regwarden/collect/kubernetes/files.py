"""`--from FILE`: a cluster read offline from `kubectl get … -o json` output.

Accepted documents: a v1 `List` (what `kubectl get pods -A -o json` writes), a typed list as the API returns it
(`PodList`, whose items carry no `kind`), or a single `Pod`. A List may also hold the pods' owners
(`kubectl get pods,replicasets,jobs -A -o json`), so owners are walked offline as they are live; objects of other
kinds (Services, ConfigMaps from `kubectl get all`) are not workloads and are passed over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from regwarden.collect.kubernetes.fields import KubeObject
from regwarden.collect.kubernetes.owners import WALKED_KINDS
from regwarden.collect.kubernetes.pods import workloads_from_objects
from regwarden.model.errors import BadInputError
from regwarden.model.workload import ClusterSnapshot

OWNER_KINDS = (*WALKED_KINDS, "Deployment", "StatefulSet", "DaemonSet", "CronJob")
_EXPECTED = "expected `kubectl get pods -A -o json` output (a v1 List of Pods) or one Pod"


def read_pods_file(path: Path, cluster: str) -> ClusterSnapshot:
    """The workloads of cluster `cluster` described by the kubectl JSON in `path`.

    Owners the file does not hold are inferred where Kubernetes documents the naming (owners.py), and recorded on
    each Workload (`owner_inferred`); the rest become CollectionGaps. `collected_at` is None: a file does not say
    when it was written. Raises BadInputError for malformed JSON or a document that is not a List or a Pod.
    """
    pods, owners = split_objects(_read_json(path), str(path))
    workloads, gaps = workloads_from_objects(cluster, pods, owners)
    return ClusterSnapshot(cluster=cluster, workloads=workloads, gaps=gaps)


def split_objects(document: Any, origin: str) -> tuple[list[KubeObject], list[KubeObject]]:
    """(pods, owner objects) of one parsed document; every returned object has its `kind` set."""
    if not isinstance(document, Mapping):
        raise BadInputError(f"{origin}: {_EXPECTED}; got a JSON {type(document).__name__}")
    kind = document.get("kind")
    if kind == "Pod":
        return [document], []
    items = document.get("items")
    if not isinstance(kind, str) or not kind.endswith("List") or not isinstance(items, list):
        raise BadInputError(f"{origin}: {_EXPECTED}; got {_what(kind)}")
    objects = [_with_kind(item, kind.removesuffix("List"), origin) for item in items]
    pods = [obj for obj in objects if obj["kind"] == "Pod"]
    if objects and not pods:
        kinds = ", ".join(sorted({str(obj["kind"]) for obj in objects}))
        raise BadInputError(f"{origin}: the list holds no Pods (only {kinds}); {_EXPECTED}")
    return pods, [obj for obj in objects if obj["kind"] in OWNER_KINDS]


def _with_kind(item: Any, list_kind: str, origin: str) -> KubeObject:
    if not isinstance(item, Mapping):
        raise BadInputError(f"{origin}: every item of the list must be an object, got a JSON {type(item).__name__}")
    kind = item.get("kind") or list_kind
    if not isinstance(kind, str) or not kind:
        raise BadInputError(f"{origin}: an item of the List has no kind")
    return item if item.get("kind") == kind else {**item, "kind": kind}


def _what(kind: object) -> str:
    return f"kind {kind!r}" if isinstance(kind, str) else "an object with no kind"


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
