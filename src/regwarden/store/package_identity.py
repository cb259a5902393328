"""How the inventory stores a package once for every image that holds it.

A package's identity is everything vulnerability matching reads of it: its fields, the metadata matching reads
(vuln/ecosystems.MATCHING_METADATA) and, for OS packages only, the image's distribution and release (their
advisories are scoped to a release). Two images holding the same identity share one stored package, so an advisory
update evaluates each distinct package once.
"""

from __future__ import annotations

import hashlib
import json

from regwarden.model.sbom import OperatingSystem, Package, PackageType
from regwarden.vuln.ecosystems import MATCHING_METADATA

OS_PACKAGE_TYPES = frozenset({PackageType.DEB, PackageType.APK, PackageType.RPM})


def stored_os(package: Package, operating_system: OperatingSystem | None) -> OperatingSystem | None:
    """The OS kept with a package: the image's for OS packages, none for language packages (they match anywhere)."""
    if package.type not in OS_PACKAGE_TYPES or operating_system is None:
        return None
    return OperatingSystem(
        id=operating_system.id,
        version_id=operating_system.version_id,
        version_codename=operating_system.version_codename,
    )


def matching_metadata(package: Package) -> dict[str, str]:
    """The metadata matching reads (a .NET project's role, a crate's source): kept with the stored package."""
    return {key: str(package.metadata[key]) for key in MATCHING_METADATA if key in package.metadata}


def package_identity(package: Package, operating_system: OperatingSystem | None) -> str:
    """A stable hash of what matching reads of `package` on `operating_system` (see `stored_os`)."""
    system = stored_os(package, operating_system)
    fields = [
        matching_metadata(package),
        package.type.value,
        package.name,
        package.version,
        package.purl,
        package.cataloger,
        package.source_name,
        package.source_version,
        package.arch,
        package.epoch,
        package.owned_by,
        system.id if system else None,
        system.version_id if system else None,
        system.version_codename if system else None,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def search_name(name: str) -> str:
    """The spelling `where` looks a package up by: lower case (package names are case-insensitive to users)."""
    return name.lower()
