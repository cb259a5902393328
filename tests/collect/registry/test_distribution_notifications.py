"""What a real CNCF distribution registry (2.8) sends to a notification endpoint, parsed as it arrives.

A registry is started with `notifications.endpoints` pointing at a local listener; skopeo pushes an image,
copies it to a second repository (distribution mounts the layer across), our client pulls it and deletes the copy.
Every envelope the registry posted must parse, and the events must say exactly what happened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from regwarden.collect.registry import parse_registry_events
from regwarden.model.catalog import RegistryEvent
from regwarden.oci.client import RegistryClient
from tests.support.registry import (
    LocalServer,
    Reply,
    RunningRegistry,
    build_layout_image,
    push,
    start_registry,
    stop_registry,
)

pytestmark = pytest.mark.registry

EVENTS_MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json"
DELIVERY_TIMEOUT_S = 20.0


@dataclass
class NotifiedRegistry:
    registry: RunningRegistry
    listener: LocalServer


@pytest.fixture(scope="module")
def notified(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotifiedRegistry]:
    with LocalServer(lambda request: Reply(200)) as listener:
        endpoint = {
            "name": "regwarden-test",
            "url": f"http://{listener.host}/registry-events",
            "timeout": "2s",
            "threshold": 3,
            "backoff": "1s",
        }
        registry = start_registry(
            tmp_path_factory.mktemp("notifying-registry"), extra_config={"notifications": {"endpoints": [endpoint]}}
        )
        yield NotifiedRegistry(registry, listener)
        stop_registry(registry)


def received_events(listener: LocalServer) -> list[RegistryEvent]:
    events: list[RegistryEvent] = []
    for request in list(listener.requests):
        parsed = parse_registry_events(request.body)
        assert parsed.skipped == ()
        events += parsed.events
    return events


def wait_for(listener: LocalServer, done: Callable[[list[RegistryEvent]], bool]) -> list[RegistryEvent]:
    """Events received so far, once `done(events)` holds (delivery is asynchronous)."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while True:
        events = received_events(listener)
        if done(events) or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def manifest_blobs(client: RegistryClient, repo: str, tag: str) -> tuple[str, set[str]]:
    fetched = client.get_manifest(repo, tag)
    manifest = json.loads(fetched.data)
    return fetched.digest, {manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])}


def test_real_registry_notifications_parse_into_exact_events(notified: NotifiedRegistry, tmp_path: Path) -> None:
    registry, listener = notified.registry, notified.listener
    source = build_layout_image(
        tmp_path, {"etc/app.conf": b"colour=blue\n"}, more_layers=({"bin/app": b"#!/bin/sh\n"},)
    )
    push(source, f"{registry.host}/notify/app:1.0")
    push(f"docker://{registry.host}/notify/app:1.0", f"{registry.host}/notify/copy:2.0")
    with RegistryClient(registry.host, insecure=True) as client:
        digest, blobs = manifest_blobs(client, "notify/app", "1.0")
        size = len(client.get_manifest("notify/app", digest).data)
        client.delete_manifest("notify/copy", digest)

    def all_arrived(events: list[RegistryEvent]) -> bool:
        return {("delete", None, "2.0"), ("delete", digest, None)} <= {(e.action, e.digest, e.tag) for e in events}

    events = wait_for(listener, all_arrived)
    host = registry.host
    assert {request.headers.get("Content-Type") for request in listener.requests} == {EVENTS_MEDIA_TYPE}
    assert {(e.registry, e.source_format) for e in events} == {(host, "distribution")}

    pushed_to_app = {(e.kind, e.digest, e.tag) for e in events if e.action == "push" and e.repository == "notify/app"}
    assert pushed_to_app == {("blob", blob, None) for blob in blobs} | {("manifest", digest, "1.0")}

    # The copy reuses the layers: each blob arrives by cross-repository mount or upload, never both.
    copy_blobs = [e for e in events if e.repository == "notify/copy" and e.kind == "blob"]
    assert {e.action for e in copy_blobs} <= {"mount", "push"}
    assert "mount" in {e.action for e in copy_blobs}
    assert sorted(e.digest or "" for e in copy_blobs) == sorted(blobs)
    copy_manifest = {
        (e.action, e.digest, e.tag) for e in events if e.repository == "notify/copy" and e.kind == "manifest"
    }
    assert copy_manifest == {("push", digest, "2.0")}

    assert ("pull", "manifest", digest) in {
        (e.action, e.kind, e.digest) for e in events if e.repository == "notify/app"
    }
    deletes = {(e.repository, e.digest, e.tag, e.kind) for e in events if e.action == "delete"}
    assert deletes == {("notify/copy", digest, None, None), ("notify/copy", None, "2.0", None)}
    manifest_push = next(e for e in events if e.action == "push" and e.kind == "manifest")
    assert (manifest_push.media_type, manifest_push.size) == ("application/vnd.oci.image.manifest.v1+json", size)
    assert {(r.method, r.path) for r in listener.requests} == {("POST", "/registry-events")}
