"""Small OCI-layout and dpkg helpers for tests/images/build.sh and scripts/make-sample-image.sh.

Standard library only, run as a script with the host's python3: the fixture builder must not depend on
regwarden (the images are the yardstick regwarden is measured against). umoci does the ordinary image work;
this covers what umoci 0.4 cannot: a platform variant, an image index, a dpkg database for packages that were
only extracted, and the expected package lists.

  ocitool.py add-image LAYOUT REF LAYER_TAR --arch A [--variant V] [--created T] [--created-by TEXT]
  ocitool.py add-index LAYOUT REF PLATFORM=REF [PLATFORM=REF ...]   (PLATFORM like linux/arm64/v8)
  ocitool.py deb-status ROOT DEB [DEB ...]     (writes ROOT/var/lib/dpkg/{status,info/})
  ocitool.py dpkg-list ROOT                    (JSON list from dpkg-query --admindir)
  ocitool.py expected OUT SPEC_JSON            (assembles expected.json)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REF_ANNOTATION = "org.opencontainers.image.ref.name"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
# The fields dpkg itself writes first in /var/lib/dpkg/status, in its order; other control fields follow.
STATUS_FIELD_ORDER = (
    "Package",
    "Status",
    "Priority",
    "Section",
    "Installed-Size",
    "Maintainer",
    "Architecture",
)


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()


def _write_blob(layout: Path, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = layout / "blobs" / "sha256" / digest.removeprefix("sha256:")
    path.write_bytes(data)
    path.chmod(0o644)
    return digest


def _load_index(layout: Path) -> dict[str, Any]:
    index: dict[str, Any] = json.loads((layout / "index.json").read_text())
    return index


def _tag(layout: Path, ref: str, descriptor: dict[str, Any]) -> None:
    """Point REF at DESCRIPTOR in index.json, replacing an older entry with the same ref name."""
    index = _load_index(layout)
    kept = [m for m in index["manifests"] if m.get("annotations", {}).get(REF_ANNOTATION) != ref]
    kept.append({**descriptor, "annotations": {REF_ANNOTATION: ref}})
    index["manifests"] = kept
    (layout / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    (layout / "index.json").chmod(0o644)


def _descriptor_of(layout: Path, ref: str) -> dict[str, Any]:
    for entry in _load_index(layout)["manifests"]:
        if entry.get("annotations", {}).get(REF_ANNOTATION) == ref:
            return {k: entry[k] for k in ("mediaType", "digest", "size")}
    raise SystemExit(f"ocitool: ref {ref!r} not found in {layout}/index.json")


def add_image(layout: Path, ref: str, layer_tar: Path, platform: dict[str, str], created: str, by: str) -> None:
    """One-layer image; gzip with mtime 0 so the same tar always gives the same digest."""
    raw = layer_tar.read_bytes()
    compressed = gzip.compress(raw, compresslevel=9, mtime=0)
    layer_digest = _write_blob(layout, compressed)
    config = {
        "created": created,
        **platform,
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
        "history": [{"created": created, "created_by": by}],
    }
    config_bytes = _canonical(config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": _write_blob(layout, config_bytes),
            "size": len(config_bytes),
        },
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": layer_digest,
                "size": len(compressed),
            }
        ],
    }
    manifest_bytes = _canonical(manifest)
    digest = _write_blob(layout, manifest_bytes)
    _tag(layout, ref, {"mediaType": MANIFEST_TYPE, "digest": digest, "size": len(manifest_bytes)})


def parse_platform(text: str) -> dict[str, str]:
    parts = text.split("/")
    if len(parts) not in (2, 3):
        raise SystemExit(f"ocitool: platform must be os/arch[/variant], got {text!r}")
    platform = {"architecture": parts[1], "os": parts[0]}
    if len(parts) == 3:
        platform["variant"] = parts[2]
    return platform


def add_index(layout: Path, ref: str, members: list[str]) -> None:
    manifests = []
    for member in members:
        platform_text, _, member_ref = member.partition("=")
        manifests.append({**_descriptor_of(layout, member_ref), "platform": parse_platform(platform_text)})
    index_bytes = _canonical({"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": manifests})
    digest = _write_blob(layout, index_bytes)
    _tag(layout, ref, {"mediaType": INDEX_TYPE, "digest": digest, "size": len(index_bytes)})


def _deb_field_block(deb: Path) -> list[str]:
    """The control stanza of DEB with `Status: install ok installed` added where dpkg puts it."""
    control = subprocess.run(["dpkg-deb", "-f", str(deb)], check=True, capture_output=True, text=True).stdout
    fields: list[tuple[str, str]] = []
    for line in control.rstrip("\n").split("\n"):
        if line[:1] in (" ", "\t") and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + "\n" + line)
        else:
            name, _, value = line.partition(":")
            fields.append((name, value.strip()))
    fields.append(("Status", "install ok installed"))
    order = {name: i for i, name in enumerate(STATUS_FIELD_ORDER)}
    fields.sort(key=lambda f: order.get(f[0], len(order)))  # stable: other fields keep their control order
    return [f"{name}: {value}" for name, value in fields]


def _deb_file_list(deb: Path) -> str:
    """dpkg's info/<pkg>.list: '/.' then every path, directories without a trailing slash."""
    listing = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, capture_output=True).stdout
    names = subprocess.run(["tar", "-t"], input=listing, check=True, capture_output=True).stdout.decode()
    paths = []
    for name in names.splitlines():
        path = "/" + name.removeprefix("./").rstrip("/")
        paths.append("/." if path == "/" else path)
    return "\n".join(paths) + "\n"


def deb_status(root: Path, debs: list[Path]) -> None:
    """Record extracted-only packages as installed, as dpkg would have after a normal install."""
    admin = root / "var" / "lib" / "dpkg"
    (admin / "info").mkdir(parents=True, exist_ok=True)
    stanzas = []
    for deb in sorted(debs):
        lines = _deb_field_block(deb)
        stanzas.append("\n".join(lines) + "\n")
        package = lines[0].partition(": ")[2]
        (admin / "info" / f"{package}.list").write_text(_deb_file_list(deb))
        md5sums = subprocess.run(
            [
                "sh",
                "-c",
                'dpkg-deb --ctrl-tarfile "$1" | tar -xO ./md5sums 2>/dev/null || true',
                "-",
                str(deb),
            ],
            check=True,
            capture_output=True,
        ).stdout
        if md5sums:
            (admin / "info" / f"{package}.md5sums").write_bytes(md5sums)
    (admin / "status").write_text("\n".join(stanzas))


def dpkg_list(root: Path) -> list[dict[str, str]]:
    """Installed packages exactly as dpkg-query reports them for ROOT's database."""
    fmt = "${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n"
    out = subprocess.run(
        ["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", f"-f={fmt}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    packages = []
    for line in out.splitlines():
        status, name, version, source, source_version, arch = line.split("\t")
        if status.strip() == "ii":
            packages.append(
                {
                    "name": name,
                    "version": version,
                    "source": source,
                    "source_version": source_version,
                    "architecture": arch,
                }
            )
    return sorted(packages, key=lambda p: p["name"])


def pip_list(report: Path, drop: set[str]) -> list[dict[str, str]]:
    """Installed distributions from `pip install --report` (the installer's own account)."""
    doc = json.loads(report.read_text())
    found = [
        {"name": item["metadata"]["name"], "version": item["metadata"]["version"]}
        for item in doc["install"]
        if item["metadata"]["name"].lower() not in drop
    ]
    return sorted(found, key=lambda p: p["name"].lower())


def npm_list(hidden_lockfile: Path, prefix: str) -> list[dict[str, str]]:
    """Installed packages from npm's node_modules/.package-lock.json (what `npm ci` actually laid down)."""
    doc = json.loads(hidden_lockfile.read_text())
    found = []
    for key, entry in doc["packages"].items():
        if not key.startswith("node_modules/"):
            continue
        name = key.rpartition("node_modules/")[2]
        found.append({"name": name, "version": entry["version"], "path": f"{prefix}/{key}"})
    return sorted(found, key=lambda p: p["path"])


def expected(out: Path, spec_path: Path) -> None:
    """SPEC maps ref -> {platform, dpkg_root?, pip_report?, pip_drop?, npm_lock?, npm_prefix?}.

    Its `indexes` section is copied through unchanged."""
    spec = json.loads(spec_path.read_text())
    images = {}
    for ref, item in spec["images"].items():
        images[ref] = {
            "platform": item["platform"],
            "deb": dpkg_list(Path(item["dpkg_root"])) if "dpkg_root" in item else [],
            "python": pip_list(Path(item["pip_report"]), set(item.get("pip_drop", []))) if "pip_report" in item else [],
            "npm": npm_list(Path(item["npm_lock"]), item["npm_prefix"]) if "npm_lock" in item else [],
        }
    doc = {"schema_version": 1, "images": images, "indexes": spec.get("indexes", {})}
    out.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    command, args = argv[0], argv[1:]
    if command == "add-image":
        layout, ref, tar = Path(args[0]), args[1], Path(args[2])
        opts = dict(zip(args[3::2], args[4::2], strict=True))
        platform = parse_platform(f"linux/{opts['--arch']}" + (f"/{opts['--variant']}" if "--variant" in opts else ""))
        created = opts.get("--created", "1970-01-01T00:00:00Z")
        add_image(layout, ref, tar, platform, created, opts.get("--created-by", "ocitool add-image"))
    elif command == "add-index":
        add_index(Path(args[0]), args[1], args[2:])
    elif command == "deb-status":
        deb_status(Path(args[0]), [Path(a) for a in args[1:]])
    elif command == "dpkg-list":
        print(json.dumps(dpkg_list(Path(args[0])), indent=2))
    elif command == "expected":
        expected(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"ocitool: unknown command {command!r}\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
