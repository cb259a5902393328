"""`--archive DIR`: before a manifest is deleted, copy it and everything it needs into an OCI image layout.

One layout per repository (`DIR/<repository>/`: `oci-layout`, `index.json`, `blobs/sha256/…`), so an archived image
goes back with `skopeo copy --preserve-digests oci:DIR/<repository>:<tag> docker://…`. An index is archived whole
(its manifests and their blobs too), so the layout stands on its own whatever else the plan deletes.

Every byte is verified against its digest on the way in (the client refuses anything else), written to a temporary
name, synced, and renamed: a blob's final name always holds its whole, verified content, and a blob already there is
not fetched again (an interrupted run resumes cheaply). `index.json` names each archived manifest once per tag
(`org.opencontainers.image.ref.name`) and carries the repository and tags it was deleted from.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from pathlib import Path

from regwarden.model.errors import BadInputError, IntegrityError
from regwarden.model.image import Descriptor
from regwarden.model.purge import PurgeAction
from regwarden.oci import mediatypes as mt
from regwarden.oci.blobs import compute_digest, parse_digest
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.oci.manifest_links import read_links

ACCEPT = ", ".join((mt.MANIFEST_ACCEPT, mt.OCI_ARTIFACT_MANIFEST))
REF_NAME = "org.opencontainers.image.ref.name"
REPOSITORY = "io.regwarden.purge.repository"
TAGS = "io.regwarden.purge.tags"
MAX_DEPTH = 4


class LayoutArchive:
    """Archives the manifests of DELETE actions before they are deleted; thread-safe."""

    def __init__(self, root: Path, client: RegistryClient) -> None:
        self.root = root
        self.client = client
        self._layouts: dict[str, _Layout] = {}
        self._lock = threading.Lock()

    def archive(self, action: PurgeAction) -> str:
        layout = self._layout(action.repository)
        media_type, size = self._tree(layout, action.repository, action.digest, 0)
        layout.add(Descriptor(media_type, action.digest, size), action.repository, action.tags)
        return str(layout.root)

    def _layout(self, repository: str) -> _Layout:
        with self._lock:
            if repository not in self._layouts:
                self._layouts[repository] = _Layout(self.root / repository)
            return self._layouts[repository]

    def _tree(self, layout: _Layout, repository: str, digest: str, depth: int) -> tuple[str, int]:
        """Write a manifest, its blobs, and (for an index) every manifest it lists; (media type, size)."""
        if depth > MAX_DEPTH:
            raise BadInputError(f"{repository}@{digest}: indexes nested deeper than {MAX_DEPTH}")
        fetched = self.client.get_manifest(repository, digest, accept=ACCEPT)
        links = read_links(fetched.data, fetched.media_type)
        for blob in links.blobs:
            layout.fetch(self.client, repository, blob)
        for child in links.manifests:
            try:
                self._tree(layout, repository, child.digest, depth + 1)
            except ManifestNotFoundError:
                continue  # a platform the registry never held (a partial copy): nothing there to lose
        layout.write(digest, fetched.data)
        return links.media_type, len(fetched.data)


class _Layout:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        marker = root / "oci-layout"
        if not marker.exists():
            _write_atomically(marker, json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        index = root / "index.json"
        self._entries: list[dict[str, object]] = []
        if index.exists():
            self._entries = list(json.loads(index.read_bytes()).get("manifests", []))

    def blob_path(self, digest: str) -> Path:
        algorithm, encoded = parse_digest(digest)
        return self.root / "blobs" / algorithm / encoded

    def fetch(self, client: RegistryClient, repository: str, blob: Descriptor) -> None:
        final = self.blob_path(blob.digest)
        if final.exists() and final.stat().st_size == blob.size:
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex}.partial")
        client.get_blob_to_file(repository, blob, temporary)  # verified against digest and size, or removed
        _sync(temporary)
        temporary.replace(final)

    def write(self, digest: str, data: bytes) -> None:
        if compute_digest(data) != digest:
            raise IntegrityError(f"manifest {digest} does not hash to its digest")
        final = self.blob_path(digest)
        if not (final.exists() and final.stat().st_size == len(data)):
            _write_atomically(final, data)

    def add(self, manifest: Descriptor, repository: str, tags: tuple[str, ...]) -> None:
        base = {"mediaType": manifest.media_type, "digest": manifest.digest, "size": manifest.size}
        names = tags or (None,)
        with self._lock:
            for tag in names:
                annotations = {REPOSITORY: repository, TAGS: ",".join(tags)}
                if tag is not None:
                    annotations[REF_NAME] = tag
                entry = {**base, "annotations": annotations}
                if entry not in self._entries:
                    self._entries.append(entry)
            document = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": self._entries}
            _write_atomically(self.root / "index.json", json.dumps(document, indent=1).encode())


def verify_archive(root: Path) -> tuple[int, list[str]]:
    """Re-hash every blob of every layout under `root`: (blobs verified, problems found)."""
    verified, problems = 0, []
    for blob in sorted(root.glob("**/blobs/sha256/*")):
        if blob.name.startswith("."):
            problems.append(f"{blob}: a partial download left behind")
            continue
        if _file_digest(blob) != f"sha256:{blob.name}":
            problems.append(f"{blob}: content does not hash to its name")
        else:
            verified += 1
    return verified, problems


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def _sync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
