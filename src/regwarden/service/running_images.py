"""What runs now, as the audit-log detections compare it: digests (index and platform manifests both) and the
tag references workloads name, from the inventory's running workloads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from regwarden.detect.detection import RunningImages

if TYPE_CHECKING:
    from regwarden.store import Store


def running_images(store: Store) -> RunningImages | None:
    """None when no cluster was ever synced: nothing is known to run, which is not the same as nothing running."""
    if not store.workloads.clusters():
        return None
    rows = store.drift.running()
    digests = {row.digest for row in rows if row.digest}
    for index, child in store.drift.links(digests):
        digests.update((index, child))
    tags = {reference for row in rows if (reference := tag_reference(row.workload.image))}
    return RunningImages(frozenset(digests), frozenset(tags))


def tag_reference(image: str) -> str:
    """`registry/repository:tag` of an image reference that names a tag, casefolded; "" otherwise."""
    name = image.split("@", 1)[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    return name.casefold() if colon > slash >= 0 else ""
