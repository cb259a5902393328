"""What another tool's SBOM says about a package, translated into regwarden's own `regwarden:*` properties.

Syft and Trivy carry the source package, architecture and epoch in purl qualifiers and in their own
properties; translating them here lets collect/sbomfile/read.py decode every SBOM the same way, and lets
vulnerability matching key OS packages by their source package whichever tool produced the file.
"""

from __future__ import annotations

from collections.abc import Mapping

from packageurl import PackageURL

from regwarden.model.sbom_properties import PREFIX

# Trivy: aquasecurity:trivy:SrcName / SrcVersion / SrcEpoch (docs/guide/supply-chain/sbom.md).
_TRIVY = "aquasecurity:trivy:"
# Syft: the cataloger that found the package.
_SYFT_FOUND_BY = "syft:package:foundBy"
# Ecosystems whose regwarden name includes the CycloneDX `group` (Maven `group:artifact`, npm `@scope/x`).
_GROUP_SEPARATOR = {"maven": ":", "npm": "/", "composer": "/", "golang": "/"}


def foreign_properties(purl: str, props: Mapping[str, str]) -> dict[str, str]:
    """`regwarden:*` properties for a package described only by its purl and a foreign tool's properties.

    Raises ValueError when the purl does not parse: a package without a readable identity cannot be matched.
    """
    parsed = PackageURL.from_string(purl)
    qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    derived: dict[str, str] = {}
    if arch := qualifiers.get("arch"):
        derived[f"{PREFIX}arch"] = arch
    if (epoch := qualifiers.get("epoch")) and epoch.isdigit():
        derived[f"{PREFIX}epoch"] = epoch
    elif parsed.type == "deb" and parsed.version and ":" in parsed.version:
        head = parsed.version.split(":", 1)[0]
        if head.isdigit():
            derived[f"{PREFIX}epoch"] = head
    derived.update(_source(qualifiers, props))
    if found_by := props.get(_SYFT_FOUND_BY):
        derived[f"{PREFIX}cataloger"] = found_by
    return derived


def qualified_name(name: str, group: str | None, purl: str) -> str:
    """CycloneDX splits `group` from `name`; regwarden names carry the group as each ecosystem writes it."""
    if not group:
        return name
    separator = _GROUP_SEPARATOR.get(purl.removeprefix("pkg:").split("/", 1)[0].lower())
    return f"{group}{separator}{name}" if separator else name


def _source(qualifiers: Mapping[str, str], props: Mapping[str, str]) -> dict[str, str]:
    """The source package: Trivy SrcName/SrcVersion, else the purl `upstream` qualifier (`glibc`, `x@1`)."""
    if src_name := props.get(f"{_TRIVY}SrcName"):
        source = {f"{PREFIX}source:name": src_name}
        if src_version := props.get(f"{_TRIVY}SrcVersion"):
            epoch = props.get(f"{_TRIVY}SrcEpoch")
            source[f"{PREFIX}source:version"] = f"{epoch}:{src_version}" if epoch else src_version
        return source
    upstream = qualifiers.get("upstream")
    if not upstream:
        return {}
    name, _, version = upstream.partition("@")
    source = {f"{PREFIX}source:name": name}
    if version:
        source[f"{PREFIX}source:version"] = version
    return source
