"""RPM packages from rpm's database, in whichever backend the image uses.

`rpmdb.sqlite` (Fedora 33+, RHEL 9), `Packages` (Berkeley DB: RHEL/CentOS <= 8, Amazon Linux 2) and
`Packages.db` (NDB: SUSE), under `var/lib/rpm/`, `usr/lib/sysimage/rpm/` or SUSE's old `usr/share/rpm/`. An
image can carry more than one (a leftover BDB next to the migrated sqlite); all are read and a package seen
twice is kept once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from packageurl import PackageURL

from regwarden.model.sbom import Location, OperatingSystem, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest
from regwarden.sbom.catalogers.rpmdb.bdb import read_bdb_blobs
from regwarden.sbom.catalogers.rpmdb.header import RpmDbError, RpmHeader, parse_header
from regwarden.sbom.catalogers.rpmdb.ndb import read_ndb_blobs
from regwarden.sbom.catalogers.rpmdb.sqlite import read_sqlite_blobs
from regwarden.sbom.osrelease import distro_qualifier

RPMDB_DIRECTORIES = ("var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/")
_READERS: dict[str, Callable[[bytes], tuple[list[bytes], list[str]]]] = {
    "rpmdb.sqlite": read_sqlite_blobs,
    "Packages.db": read_ndb_blobs,
    "Packages": read_bdb_blobs,
}
# purl namespaces are vendors (purl spec: fedora, redhat, opensuse); os-release IDs that differ are mapped.
_NAMESPACE_BY_OS_ID = {
    "rhel": "redhat",
    "sles": "suse",
    "opensuse-leap": "opensuse",
    "opensuse-tumbleweed": "opensuse",
}
_NAMESPACE_BY_VENDOR_PREFIX = (
    ("red hat", "redhat"),
    ("fedora", "fedora"),
    ("centos", "centos"),
    ("rocky", "rocky"),
    ("almalinux", "almalinux"),
    ("cloudlinux", "cloudlinux"),
    ("amazon", "amazon"),
    ("oracle", "oracle"),
    ("suse", "suse"),
    ("opensuse", "opensuse"),
)
_SOURCE_RPM = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+-[^-]+)\.(?:no)?src\.rpm$")
_PUBKEY_PSEUDO_PACKAGE = "gpg-pubkey"


def _is_rpmdb(path: str) -> bool:
    directory, _, basename = path.rpartition("/")
    return basename in _READERS and f"{directory}/" in RPMDB_DIRECTORIES


class RpmCataloger:
    """Finds rpm packages and the files each one installed."""

    name = "rpm"
    request = FileRequest(basenames=frozenset(_READERS), path_filter=_is_rpmdb, max_size=1024 * 1024 * 1024)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: dict[str, Package] = {}
        unknowns: list[Unknown] = []
        owned: dict[str, str] = {}
        for file in sorted(files, key=lambda f: f.path):
            if not _is_rpmdb(file.path):
                continue
            headers, problems = _read_headers(file)
            unknowns += [Unknown(f"/{file.path}", problem, cataloger="rpm") for problem in problems]
            for header in headers:
                package = _package(file.path, header, context.operating_system)
                packages.setdefault(package.purl, package)
                for path in header.files:
                    owned.setdefault(path, package.purl)
        return CatalogResult(packages=list(packages.values()), unknowns=unknowns, owned_files=owned)


def _read_headers(file: CatalogFile) -> tuple[list[RpmHeader], list[str]]:
    """Parsed headers of one database, and one problem per header or record that could not be read."""
    reader = _READERS[file.path.rpartition("/")[2]]
    try:
        blobs, problems = reader(file.content)
    except RpmDbError as error:
        return [], [str(error)]
    headers: list[RpmHeader] = []
    for number, blob in enumerate(blobs, start=1):
        try:
            header = parse_header(blob)
        except RpmDbError as error:
            problems.append(f"header #{number}: {error}")
            continue
        if header.name != _PUBKEY_PSEUDO_PACKAGE:  # imported signing keys are stored as headers, not packages
            headers.append(header)
    return headers, problems


def _package(path: str, header: RpmHeader, os: OperatingSystem | None) -> Package:
    version = f"{header.version}-{header.release}"
    source = _SOURCE_RPM.match(header.source_rpm or "")
    return Package(
        name=header.name,
        version=version,
        type=PackageType.RPM,
        purl=rpm_purl(header, os),
        cataloger="rpm",
        locations=(Location(f"/{path}"),),
        licenses=(header.license,) if header.license else (),
        source_name=source["name"] if source else None,
        source_version=source["version"] if source else None,
        arch=header.arch,
        epoch=header.epoch,
        metadata={"vendor": header.vendor} if header.vendor else {},
    )


def rpm_purl(header: RpmHeader, os: OperatingSystem | None) -> str:
    """`pkg:rpm/<vendor>/<name>@<version>-<release>?arch=..&distro=<id>-<version_id>&epoch=..`."""
    qualifiers = {
        "arch": header.arch or "",
        "epoch": "" if header.epoch is None else str(header.epoch),
        "distro": distro_qualifier(os) or "",
    }
    return PackageURL(
        type="rpm",
        namespace=rpm_namespace(header.vendor, os),
        name=header.name,
        version=f"{header.version}-{header.release}",
        qualifiers={key: value for key, value in qualifiers.items() if value},
    ).to_string()


def rpm_namespace(vendor: str | None, os: OperatingSystem | None) -> str:
    """The distribution's vendor name: from the OS when known, else from the package's VENDOR, else `rpm`."""
    if os is not None:
        return _NAMESPACE_BY_OS_ID.get(os.id, os.id)
    lowered = (vendor or "").lower()
    known = next((namespace for prefix, namespace in _NAMESPACE_BY_VENDOR_PREFIX if lowered.startswith(prefix)), None)
    if known is not None:
        return known
    # An unknown vendor still names its packages apart from everyone else's: keep its letters and digits.
    return re.sub(r"[^a-z0-9]+", "", lowered) or "rpm"
