"""`regwarden triage export`: the active triage decisions as VEX statements about products named by purl.

Products, by the decision's scope:
- image: `pkg:oci/NAME@sha256%3A…?repository_url=REGISTRY/REPO` for every repository that holds the image (NAME is
  the repository's last path segment, lower case, as the purl spec's oci type says); with a package, the
  subcomponents are that package's purls in that image (exact versions).
- repository: `pkg:oci/NAME?repository_url=REGISTRY/REPO`, without a version: every image of the repository; with
  a package, the subcomponents are the package's purls without version or qualifiers (every version of it).
- all: there is no purl for "every image", so the products are the packages themselves, without version or
  qualifiers: the named package, or else every stored package with an open finding of the vulnerability.
A decision none of these can name (an image in no known repository, a package no image holds) is not exported:
it is returned in `skipped` with the reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from packageurl import PackageURL

from regwarden import __version__
from regwarden.model.inventory import TriageDecision, TriageScope
from regwarden.model.triage_reports import ACTIVE, TriageExport, TriageStatement, VexProductRef
from regwarden.service.triage import list_triage

if TYPE_CHECKING:
    from regwarden.store import Store


def export_triage(store: Store, author: str, now: datetime | None = None) -> TriageExport:
    moment = now or datetime.now(UTC)
    active = [entry.decision for entry in list_triage(store, now=moment).entries if entry.status == ACTIVE]
    aliases = store.findings.aliases_of({decision.vuln_id for decision in active})
    statements: list[TriageStatement] = []
    skipped: list[tuple[TriageDecision, str]] = []
    for decision in active:
        products, reason = _products(store, decision)
        if products:
            statements.append(TriageStatement(decision, tuple(aliases.get(decision.vuln_id, [])), tuple(products)))
        else:
            skipped.append((decision, reason))
    return TriageExport(author, moment, f"regwarden {__version__}", tuple(statements), tuple(skipped))


def _products(store: Store, decision: TriageDecision) -> tuple[list[VexProductRef], str]:
    if decision.scope is TriageScope.IMAGE:
        return _image_products(store, decision)
    if decision.scope is TriageScope.REPOSITORY:
        registry, _, repository = decision.target.partition("/")
        subcomponents = _versionless(_named_purls(store, decision.package)) if decision.package else []
        if decision.package and not subcomponents:
            return [], f"no catalogued image holds a package named {decision.package!r}"
        return [VexProductRef(oci_purl(registry, repository), tuple(subcomponents))], ""
    purls = _named_purls(store, decision.package) if decision.package else _vulnerable_purls(store, decision.vuln_id)
    products = [VexProductRef(purl) for purl in _versionless(purls)]
    return products, "no catalogued image holds a package this decision names"


def _image_products(store: Store, decision: TriageDecision) -> tuple[list[VexProductRef], str]:
    digest = decision.target
    places = store.impact.places([digest]).get(digest, [])
    if not places:
        return [], "the image lives in no known repository, and an OCI purl needs the repository's name"
    subcomponents: list[str] = []
    if decision.package:
        sbom = store.sboms.sbom(digest)
        held = sbom.packages if sbom else ()
        subcomponents = sorted({p.purl for p in held if p.name.lower() == decision.package.lower()})
        if not subcomponents:
            return [], f"the image holds no package named {decision.package!r}"
    products = [VexProductRef(oci_purl(p.registry, p.repository, digest), tuple(subcomponents)) for p in places]
    return products, ""


def oci_purl(registry: str, repository: str, digest: str | None = None) -> str:
    """The purl spec's oci type: the name is the repository's last segment, the version the manifest digest."""
    name = quote(repository.rsplit("/", 1)[-1].lower(), safe="")
    version = f"@{quote(digest, safe='')}" if digest else ""
    return f"pkg:oci/{name}{version}?repository_url={registry}/{repository}"


def _named_purls(store: Store, package: str) -> list[str]:
    return [purl for *_, purl in store.impact.packages_named(package.lower())]


def _vulnerable_purls(store: Store, vuln_id: str) -> list[str]:
    package_ids = store.findings.packages_with([vuln_id])
    return [stored.package.purl for stored in store.catalog.packages_by_id(package_ids)]


def _versionless(purls: Sequence[str]) -> list[str]:
    """Each purl without version, qualifiers or subpath: a pattern every version of the package falls under."""
    found = set()
    for text in purls:
        try:
            parsed = PackageURL.from_string(text)
        except ValueError:
            continue
        found.add(PackageURL(type=parsed.type, namespace=parsed.namespace, name=parsed.name).to_string())
    return sorted(found)
