"""What changed from build to build (pure): each readable build is compared with the nearest readable build
before it; a build that could not be read stays in the sequence with the reason, and is compared with nothing.

Packages are compared as `diff` compares them (inventory/diff.py: by type and name). Vulnerabilities are compared by
id and package (type and name), so a vulnerability still present after its package changed version is neither
introduced nor fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from regwarden.inventory.diff import diff_sboms
from regwarden.model.history import Build, BuildStep, FindingDelta, PackageDelta
from regwarden.model.sbom import Sbom


@dataclass(frozen=True)
class BuildSnapshot:
    """A build with what the catalog knows of it: its SBOM (None when unreadable) and its open findings."""

    build: Build
    sbom: Sbom | None
    findings: tuple[FindingDelta, ...] = ()


def history_steps(snapshots: Sequence[BuildSnapshot]) -> tuple[BuildStep, ...]:
    steps: list[BuildStep] = []
    previous: BuildSnapshot | None = None
    for snapshot in snapshots:
        if snapshot.sbom is None:
            steps.append(BuildStep(snapshot.build, note=_unreadable(snapshot.build)))
            continue
        if previous is None or previous.sbom is None:
            steps.append(BuildStep(snapshot.build, note="first readable build"))
        else:
            steps.append(_compare(previous, snapshot, previous.sbom, snapshot.sbom))
        previous = snapshot
    return tuple(steps)


def _compare(before: BuildSnapshot, after: BuildSnapshot, old: Sbom, new: Sbom) -> BuildStep:
    changes = diff_sboms(old, new).changes
    deltas = tuple(
        PackageDelta(c.kind, c.type, c.name, c.before, c.after, c.layer_after or c.layer_before) for c in changes
    )
    return BuildStep(
        after.build,
        compared_with=before.build.digest,
        packages=deltas,
        introduced=_missing_from(after.findings, before.findings),
        fixed=_missing_from(before.findings, after.findings),
    )


def _missing_from(present: Sequence[FindingDelta], other: Sequence[FindingDelta]) -> tuple[FindingDelta, ...]:
    """The findings of `present` whose (id, package) `other` does not have."""
    known = {_key(finding) for finding in other}
    return tuple(finding for finding in present if _key(finding) not in known)


def _key(finding: FindingDelta) -> tuple[str, str, str]:
    return (finding.vuln_id, finding.package_type, finding.package)


def _unreadable(build: Build) -> str:
    if build.error:
        return f"could not be catalogued: {build.error}"
    return "not catalogued yet: `regwarden sync registry` or `inventory add` reads it"
