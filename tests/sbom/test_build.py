"""The SBOM core on small in-memory images: layer attribution across rewritten files, OS ownership, lockfiles."""

from __future__ import annotations

import json
from collections.abc import Sequence

from regwarden.model.sbom import Sbom
from regwarden.sbom.build import catalog_filesystem, file_requests
from regwarden.sbom.catalogers import ALL_CATALOGERS
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest
from regwarden.sbom.filesystem import build_filesystem
from tests.sbom.layer_fixtures import Spec, image

OS_RELEASE = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'


def paragraph(name: str, version: str, source: str | None = None) -> str:
    lines = [f"Package: {name}", "Status: install ok installed", "Architecture: amd64", f"Version: {version}"]
    if source:
        lines.append(f"Source: {source}")
    return "\n".join(lines) + "\n"


def status(*paragraphs: str) -> bytes:
    return "\n".join(paragraphs).encode()


def sbom_of(*layers: Sequence[Spec]) -> Sbom:
    filesystem = build_filesystem(image(*layers), file_requests())
    return catalog_filesystem(filesystem, source="test")


def layer_of(sbom: Sbom) -> dict[tuple[str, str], int | None]:
    return {(p.type.value, p.name): (p.layer.index if p.layer else None) for p in sbom.packages}


def test_packages_added_to_a_rewritten_status_file_belong_to_the_layer_that_added_them() -> None:
    base = [
        ("file", "etc/os-release", OS_RELEASE),
        ("file", "var/lib/dpkg/status", status(paragraph("libc6", "2.36-9", "glibc"), paragraph("bash", "5.2-2"))),
    ]
    apt_install = [
        (
            "file",
            "var/lib/dpkg/status",
            status(paragraph("libc6", "2.36-9", "glibc"), paragraph("bash", "5.2-2"), paragraph("curl", "7.88.1-10")),
        ),
    ]
    upgrade = [
        (
            "file",
            "var/lib/dpkg/status",
            status(
                paragraph("libc6", "2.36-9+deb12u4", "glibc"),
                paragraph("bash", "5.2-2"),
                paragraph("curl", "7.88.1-10"),
            ),
        ),
    ]
    sbom = sbom_of(base, apt_install, upgrade)
    assert layer_of(sbom) == {("deb", "bash"): 0, ("deb", "curl"): 1, ("deb", "libc6"): 2}
    assert sbom.operating_system is not None and sbom.operating_system.version_id == "12"


def test_a_package_removed_and_reinstalled_counts_from_its_reinstall() -> None:
    with_curl = status(paragraph("bash", "5.2-2"), paragraph("curl", "7.88.1-10"))
    without_curl = status(paragraph("bash", "5.2-2"))
    sbom = sbom_of(
        [("file", "var/lib/dpkg/status", with_curl)],
        [("file", "var/lib/dpkg/status", without_curl)],
        [("file", "var/lib/dpkg/status", with_curl)],
    )
    assert layer_of(sbom) == {("deb", "bash"): 0, ("deb", "curl"): 2}


def test_lockfiles_shipped_inside_os_packages_are_not_sources_of_packages() -> None:
    lock = json.dumps(
        {
            "name": "x",
            "lockfileVersion": 3,
            "packages": {"": {"name": "x"}, "node_modules/left-pad": {"version": "1.3.0"}},
        }
    ).encode()
    app_lock = json.dumps(
        {
            "name": "app",
            "lockfileVersion": 3,
            "packages": {"": {"name": "app"}, "node_modules/lodash": {"version": "4.17.15"}},
        }
    ).encode()
    sbom = sbom_of(
        [
            ("file", "etc/os-release", OS_RELEASE),
            ("file", "var/lib/dpkg/status", status(paragraph("node-left-pad", "1.3.0-1"))),
            ("file", "var/lib/dpkg/info/node-left-pad.list", b"/usr/share/nodejs/left-pad/package-lock.json\n"),
            ("file", "usr/share/nodejs/left-pad/package-lock.json", lock),
            ("file", "app/package-lock.json", app_lock),
        ]
    )
    assert {(p.type.value, p.name, p.version) for p in sbom.packages} == {
        ("deb", "node-left-pad", "1.3.0-1"),
        ("npm", "lodash", "4.17.15"),
    }


def test_language_packages_installed_by_the_os_are_linked_to_their_os_package() -> None:
    metadata = b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\n"
    dist = "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"
    sbom = sbom_of(
        [
            ("file", "etc/os-release", OS_RELEASE),
            ("file", "var/lib/dpkg/status", status(paragraph("python3-yaml", "6.0-3+b2", "pyyaml"))),
            ("file", "var/lib/dpkg/info/python3-yaml.list", f"/{dist}\n".encode()),
            ("file", dist, metadata),
        ]
    )
    python = next(p for p in sbom.packages if p.type.value == "pypi")
    deb = next(p for p in sbom.packages if p.type.value == "deb")
    assert python.owned_by == deb.purl
    assert deb.owned_by is None


class _ExplodingCataloger:
    """Breaks the never-raise contract, as a buggy cataloger would."""

    name = "exploding"
    request = FileRequest(basenames=frozenset({"boom.txt"}))

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        raise RuntimeError("bad state")


def test_a_cataloger_that_raises_turns_its_files_into_unknowns_and_the_scan_goes_on() -> None:
    catalogers = (*ALL_CATALOGERS, _ExplodingCataloger())
    layers = [
        [("file", "etc/os-release", OS_RELEASE), ("file", "var/lib/dpkg/status", status(paragraph("bash", "5.2-2")))],
        [("file", "srv/boom.txt", b"x"), ("file", "srv/other/boom.txt", b"y")],
    ]
    filesystem = build_filesystem(image(*layers), file_requests(catalogers))
    sbom = catalog_filesystem(filesystem, source="test", catalogers=catalogers)
    assert layer_of(sbom) == {("deb", "bash"): 0}
    assert {(u.path, u.reason, u.cataloger, u.layer.index if u.layer else None) for u in sbom.unknowns} == {
        ("/srv/boom.txt", "cataloger exploding failed: RuntimeError: bad state", "exploding", 1),
        ("/srv/other/boom.txt", "cataloger exploding failed: RuntimeError: bad state", "exploding", 1),
    }
