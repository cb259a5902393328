"""What changed between two builds: added, removed, changed; several versions of a name; each layer."""

from __future__ import annotations

import dataclasses
import json

from regwarden.inventory.diff import PackageChange, SbomDiff, diff_sboms
from regwarden.model.sbom import LayerRef, Package, PackageType, Sbom
from regwarden.report.diff_report import render_diff_json, render_diff_table

OLD_BASE = LayerRef(0, "sha256:" + "a" * 64, created_by="ADD rootfs.tar /")
NEW_BASE = LayerRef(0, "sha256:" + "b" * 64, created_by="ADD rootfs.tar /")
APP = LayerRef(2, "sha256:" + "c" * 64, created_by="COPY /src /app")
DEPS = LayerRef(1, "sha256:" + "d" * 64, created_by="RUN npm ci")


def _package(type_: PackageType, name: str, version: str, layer: LayerRef | None = None) -> Package:
    purl = f"pkg:{type_.value}/{name}@{version}"
    return Package(name, version, type_, purl, "test", layer=layer)


BEFORE = Sbom(
    source="shop/api:1.0",
    packages=(
        _package(PackageType.DEB, "libc6", "2.36-9+deb12u3", OLD_BASE),
        _package(PackageType.DEB, "openssl", "3.0.11-1~deb12u1", OLD_BASE),
        _package(PackageType.DEB, "curl", "7.88.1-10+deb12u4", OLD_BASE),
        _package(PackageType.NPM, "semver", "6.3.1", DEPS),
        _package(PackageType.NPM, "semver", "7.5.2", DEPS),
        _package(PackageType.NPM, "lodash", "4.17.21", DEPS),
        _package(PackageType.PYPI, "requests", "2.31.0", APP),
    ),
)
AFTER = Sbom(
    source="shop/api:1.1",
    packages=(
        _package(PackageType.DEB, "libc6", "2.36-9+deb12u4", NEW_BASE),
        _package(PackageType.DEB, "openssl", "3.0.11-1~deb12u1", NEW_BASE),
        _package(PackageType.NPM, "semver", "6.3.1", DEPS),
        _package(PackageType.NPM, "semver", "7.5.4", DEPS),
        _package(PackageType.NPM, "semver", "7.5.4", APP),  # the same version twice is still one version
        _package(PackageType.NPM, "lodash", "4.17.21", DEPS),
        _package(PackageType.PYPI, "requests", "2.31.0", APP),
        _package(PackageType.PYPI, "urllib3", "2.2.1", APP),
        _package(PackageType.NPM, "requests", "1.0.0"),  # same name, other ecosystem: a different package
    ),
)


def test_added_removed_and_changed_exactly() -> None:
    diff = diff_sboms(BEFORE, AFTER)
    assert (diff.before, diff.after) == ("shop/api:1.0", "shop/api:1.1")
    assert set(diff.changes) == {
        PackageChange("deb", "curl", ("7.88.1-10+deb12u4",), (), OLD_BASE, None),
        PackageChange("deb", "libc6", ("2.36-9+deb12u3",), ("2.36-9+deb12u4",), OLD_BASE, NEW_BASE),
        PackageChange("npm", "requests", (), ("1.0.0",), None, None),
        PackageChange("npm", "semver", ("6.3.1", "7.5.2"), ("6.3.1", "7.5.4"), DEPS, DEPS),
        PackageChange("pypi", "urllib3", (), ("2.2.1",), None, APP),
    }
    assert {(c.name, c.kind) for c in diff.changes} == {
        ("curl", "removed"),
        ("libc6", "changed"),
        ("requests", "added"),
        ("semver", "changed"),
        ("urllib3", "added"),
    }


def test_changes_are_sorted_by_type_then_name() -> None:
    assert [(c.type, c.name) for c in diff_sboms(BEFORE, AFTER).changes] == [
        ("deb", "curl"),
        ("deb", "libc6"),
        ("npm", "requests"),
        ("npm", "semver"),
        ("pypi", "urllib3"),
    ]


def test_of_kind_filters() -> None:
    diff = diff_sboms(BEFORE, AFTER)
    assert [c.name for c in diff.of_kind("added")] == ["requests", "urllib3"]
    assert [c.name for c in diff.of_kind("removed")] == ["curl"]
    assert [c.name for c in diff.of_kind("changed")] == ["libc6", "semver"]


def test_identical_builds_have_no_changes_even_if_layers_moved() -> None:
    rebased = dataclasses.replace(
        BEFORE, packages=tuple(dataclasses.replace(p, layer=NEW_BASE) for p in BEFORE.packages)
    )
    assert diff_sboms(BEFORE, rebased) == SbomDiff("shop/api:1.0", "shop/api:1.0", ())


def test_the_earliest_layer_is_reported_when_a_name_is_in_several() -> None:
    spread = dataclasses.replace(AFTER, packages=(_package(PackageType.NPM, "semver", "8.0.0", APP), *AFTER.packages))
    (semver,) = [c for c in diff_sboms(BEFORE, spread).changes if c.name == "semver"]
    assert semver.after == ("6.3.1", "7.5.4", "8.0.0")
    assert semver.layer_after == DEPS


def test_json_report_carries_kind_versions_and_layers() -> None:
    document = json.loads(render_diff_json(diff_sboms(BEFORE, AFTER)))
    (libc,) = [c for c in document["changes"] if c["name"] == "libc6"]
    assert libc == {
        "kind": "changed",
        "type": "deb",
        "name": "libc6",
        "before": ["2.36-9+deb12u3"],
        "after": ["2.36-9+deb12u4"],
        "layer_before": {"index": 0, "digest": OLD_BASE.digest, "created_by": "ADD rootfs.tar /"},
        "layer_after": {"index": 0, "digest": NEW_BASE.digest, "created_by": "ADD rootfs.tar /"},
    }
    assert len(document["changes"]) == 5


def test_table_report_counts_and_rows() -> None:
    lines = render_diff_table(diff_sboms(BEFORE, AFTER), width=160).decode().splitlines()
    assert lines[:2] == ["shop/api:1.0  ->  shop/api:1.1", "2 added, 1 removed, 2 changed"]
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if line.startswith("│")]
    assert ["changed", "npm", "semver", "6.3.1, 7.5.2", "6.3.1, 7.5.4", "1: RUN npm ci"] in rows
    assert ["removed", "deb", "curl", "7.88.1-10+deb12u4", "-", "0: ADD rootfs.tar /"] in rows
    assert ["added", "npm", "requests", "-", "1.0.0", "-"] in rows
