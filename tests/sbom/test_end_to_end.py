"""The SBOM of every real test image, from every source form, against what the builder recorded.

expected.json was written at build time by dpkg-query, pip and npm inside the image (tests/images/build.sh),
so it is an oracle independent of regwarden. Each source form (OCI layout, oci-archive, docker-archive,
registry with OCI and Docker v2s2 manifests, zstd layers, a multi-arch index, an untagged digest) must give
exactly that set of (type, name, version), with each package attributed to the layer that installed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from packageurl import PackageURL

from regwarden.model.image import Platform
from regwarden.model.sbom import PackageType, Sbom
from regwarden.service import images as service
from tests.support.images import ExpectedImage, ExpectedPackages, archive_path, layout_ref

Identity = tuple[str, str, str]

# The builder's layers: 0 = Debian (mmdebstrap), 1 = pip install, 2 = npm ci, 3 = whiteouts.
LAYER_OF_TYPE = {PackageType.DEB: 0, PackageType.PYPI: 1, PackageType.NPM: 2}
REMOVED_BY_WHITEOUTS = {("pypi", "PyYAML"), ("npm", "minimist")}


def expected_identities(image: ExpectedImage) -> set[Identity]:
    return (
        {("deb", p.name, p.version) for p in image.deb}
        | {("pypi", p.name, p.version) for p in image.python}
        | {("npm", p.name, p.version) for p in image.npm}
    )


def identities(sbom: Sbom) -> set[Identity]:
    return {(p.type.value, p.name, p.version) for p in sbom.packages}


def scan(spec: str, platform: str = "linux/amd64", insecure: bool = False) -> Sbom:
    return service.build_sbom(spec, service.ImageOptions(Platform.parse(platform), insecure=insecure))


def local_specs(images: Path) -> dict[str, tuple[str, str]]:
    """Source id -> (spec, expected.json ref) for every local form of the images."""
    specs = {f"oci:{ref}": (layout_ref(images, ref), ref) for ref in ("base", "pyapp-1.0", "pyapp-1.1")}
    specs["oci:pyapp-1.0-rc1"] = (layout_ref(images, "pyapp-1.0-rc1"), "pyapp-1.0-rc1")
    specs["oci:zstd"] = (layout_ref(images, "pyapp-1.1-zstd"), "pyapp-1.1-zstd")
    specs["oci:multi"] = (layout_ref(images, "multi"), "pyapp-1.1")
    for ref in ("base", "pyapp-1.0", "pyapp-1.1"):
        specs[f"oci-archive:{ref}"] = (f"oci-archive:{archive_path(images, ref, 'oci')}", ref)
        specs[f"docker-archive:{ref}"] = (f"docker-archive:{archive_path(images, ref, 'docker')}", ref)
    return specs


LOCAL_IDS = (
    *(f"oci:{ref}" for ref in ("base", "pyapp-1.0", "pyapp-1.1", "pyapp-1.0-rc1", "zstd", "multi")),
    *(f"{kind}:{ref}" for kind in ("oci-archive", "docker-archive") for ref in ("base", "pyapp-1.0", "pyapp-1.1")),
)
# pushed_images name -> expected.json ref
REGISTRY_IMAGES = {
    "base": "base",
    "pyapp-1.0": "pyapp-1.0",
    "pyapp-1.1": "pyapp-1.1",
    "pyapp-1.0-rc1": "pyapp-1.0-rc1",
    "pyapp-1.0-v2s2": "pyapp-1.0",
    "pyapp-1.1-zstd": "pyapp-1.1-zstd",
    "multi": "pyapp-1.1",
}


@pytest.fixture(scope="module")
def local_sboms(test_images: Path) -> dict[str, Sbom]:
    """Each local source scanned once for the whole module (the scans are the slow part)."""
    return {source_id: scan(spec) for source_id, (spec, _) in local_specs(test_images).items()}


@pytest.fixture(scope="module")
def registry_sboms(pushed_images: Mapping[str, str]) -> dict[str, Sbom]:
    return {name: scan(pushed_images[name], insecure=True) for name in REGISTRY_IMAGES}


@pytest.mark.parametrize("source_id", LOCAL_IDS)
def test_local_source_finds_exactly_the_installed_packages(
    source_id: str, local_sboms: Mapping[str, Sbom], test_images: Path, expected_packages: ExpectedPackages
) -> None:
    ref = local_specs(test_images)[source_id][1]
    assert identities(local_sboms[source_id]) == expected_identities(expected_packages.images[ref])


@pytest.mark.parametrize("name", sorted(REGISTRY_IMAGES))
def test_registry_source_finds_exactly_the_installed_packages(
    name: str, registry_sboms: Mapping[str, Sbom], expected_packages: ExpectedPackages
) -> None:
    expected = expected_identities(expected_packages.images[REGISTRY_IMAGES[name]])
    assert identities(registry_sboms[name]) == expected


@pytest.mark.parametrize("source", ["layout", "registry"])
def test_multi_arch_arm64_is_the_busybox_image(
    source: str, test_images: Path, pushed_images: Mapping[str, str], expected_packages: ExpectedPackages
) -> None:
    spec = layout_ref(test_images, "multi") if source == "layout" else pushed_images["multi"]
    sbom = scan(spec, "linux/arm64/v8", insecure=True)
    assert identities(sbom) == expected_identities(expected_packages.images["busybox-arm64"])
    assert {p.arch for p in sbom.packages} == {"arm64"}


def test_whiteouts_remove_pyyaml_and_minimist(local_sboms: Mapping[str, Sbom]) -> None:
    before = {(p.type.value, p.name) for p in local_sboms["oci:pyapp-1.0"].packages}
    after = {(p.type.value, p.name) for p in local_sboms["oci:pyapp-1.1"].packages}
    assert before >= REMOVED_BY_WHITEOUTS
    assert not REMOVED_BY_WHITEOUTS & after
    assert before - after == REMOVED_BY_WHITEOUTS
    assert after <= before


@pytest.mark.parametrize("source_id", ["oci:pyapp-1.1", "docker-archive:pyapp-1.0", "oci:zstd", "oci:multi"])
def test_every_package_is_attributed_to_the_layer_that_installed_it(
    source_id: str, local_sboms: Mapping[str, Sbom]
) -> None:
    sbom = local_sboms[source_id]
    wrong = [
        (p.type.value, p.name, p.layer.index if p.layer else None)
        for p in sbom.packages
        if p.layer is None or p.layer.index != LAYER_OF_TYPE[p.type]
    ]
    assert wrong == []
    # pyapp-1.1 has a fourth layer (whiteouts only) that adds no package.
    assert [layer.index for layer in sbom.layers] == list(range(4 if "1.0" not in source_id else 3))
    # The package's layer is one of the image's layers, not a copy with different identity.
    assert {p.layer for p in sbom.packages} <= set(sbom.layers)


def test_registry_layers_carry_the_manifest_digests(registry_sboms: Mapping[str, Sbom]) -> None:
    sbom = registry_sboms["pyapp-1.1"]
    assert all(layer.digest != layer.diff_id for layer in sbom.layers)  # compressed in a registry
    assert {p.layer.index for p in sbom.packages if p.layer} == {0, 1, 2}


def test_deb_purls_and_fields_match_dpkg(local_sboms: Mapping[str, Sbom], expected_packages: ExpectedPackages) -> None:
    debs = {p.name: p for p in local_sboms["oci:pyapp-1.1"].packages if p.type is PackageType.DEB}
    for expected in expected_packages.images["pyapp-1.1"].deb:
        package = debs[expected.name]
        purl = PackageURL.from_string(package.purl)
        assert (purl.type, purl.namespace, purl.name) == ("deb", "debian", expected.name)
        assert purl.version == expected.version
        assert purl.qualifiers == {"arch": expected.architecture, "distro": "debian-12"}
        canonical = PackageURL("deb", "debian", expected.name, expected.version, purl.qualifiers).to_string()
        assert package.purl == canonical
        assert (package.source_name, package.source_version) == (expected.source, expected.source_version)
        assert package.arch == expected.architecture


def test_language_purls(local_sboms: Mapping[str, Sbom]) -> None:
    for package in local_sboms["oci:pyapp-1.0"].packages:
        if package.type is PackageType.DEB:
            continue
        purl = PackageURL.from_string(package.purl)
        expected_name = package.name.lower() if package.type is PackageType.PYPI else package.name
        assert (purl.type, purl.name, purl.version) == (package.type.value, expected_name, package.version)
        assert package.purl == purl.to_string()


def test_npm_locations_are_the_package_directories(
    local_sboms: Mapping[str, Sbom], expected_packages: ExpectedPackages
) -> None:
    found = {
        (p.name, location.path.rpartition("/package.json")[0])
        for p in local_sboms["oci:pyapp-1.0"].packages
        if p.type is PackageType.NPM
        for location in p.locations
    }
    assert found == {(p.name, p.path) for p in expected_packages.images["pyapp-1.0"].npm}


def test_operating_system_is_debian_12(local_sboms: Mapping[str, Sbom]) -> None:
    for source_id in ("oci:base", "docker-archive:pyapp-1.1", "oci:zstd"):
        system = local_sboms[source_id].operating_system
        assert system is not None
        assert (system.id, system.version_id, system.version_codename) == ("debian", "12", "bookworm")


def test_same_image_gives_the_same_packages_from_every_form(
    local_sboms: Mapping[str, Sbom], registry_sboms: Mapping[str, Sbom]
) -> None:
    """Beyond identities: purls, layers (by index) and source fields agree across all forms of pyapp-1.1."""

    def shape(sbom: Sbom) -> set[tuple[str, int | None, str | None]]:
        return {(p.purl, p.layer.index if p.layer else None, p.source_name) for p in sbom.packages}

    forms = [local_sboms[s] for s in ("oci:pyapp-1.1", "oci-archive:pyapp-1.1", "docker-archive:pyapp-1.1")]
    forms += [local_sboms["oci:zstd"], local_sboms["oci:multi"], registry_sboms["pyapp-1.1"]]
    assert all(shape(sbom) == shape(forms[0]) for sbom in forms[1:])
