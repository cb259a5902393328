"""What the rules (acr purge's flags, or a retention policy) select in one repository, before the safety pass.

The rules fill a `Selection`; `safety.hold_back` then takes out whatever must stay, and `plan.py` turns what is left
into actions. Keeping rule output and safety apart is what lets a test compare the rules with `acr purge` alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from regwarden.model.purge import KeepKind, KeepReason


@dataclass
class Selection:
    delete: dict[str, list[str]] = field(default_factory=dict)
    """digest → why the rules delete the manifest (with every tag on it)."""
    untag: dict[str, list[str]] = field(default_factory=dict)
    """digest → tags the rules remove while the manifest stays."""
    untag_reasons: dict[str, list[str]] = field(default_factory=dict)
    keep: dict[str, list[KeepReason]] = field(default_factory=dict)
    """digest → why the rules keep it (a safety reason may be added later)."""
    held: set[str] = field(default_factory=set)
    """Digests the rules selected (to delete, or some of their tags) and the safety pass held back."""
    tag_holds: dict[str, dict[KeepKind, list[str]]] = field(default_factory=dict)
    """digest → why some of its tags stay, by kind: tag names (merged into one reason per kind by `tag_reasons`)."""
    hold_labels: dict[KeepKind, str] = field(default_factory=dict)
    """How each kind of tag hold reads, e.g. `tags updated after the cutoff 2025-01-01T00:00:00Z`."""

    def tag_held(self, digest: str, kind: KeepKind, tag: str) -> None:
        self.tag_holds.setdefault(digest, {}).setdefault(kind, []).append(tag)

    def tag_reasons(self, digest: str) -> list[KeepReason]:
        holds = self.tag_holds.get(digest, {})
        return [
            KeepReason(kind, f"{self.hold_labels[kind]}: {', '.join(sorted(tags))}") for kind, tags in holds.items()
        ]

    def kept(self, digest: str, kind: KeepKind, detail: str) -> None:
        self.keep.setdefault(digest, []).append(KeepReason(kind, detail))

    def drop(self, digest: str) -> list[str]:
        """Take a digest out of the deletions; the reasons it had."""
        return self.delete.pop(digest, [])


def moment(stamp: datetime | None) -> str:
    """A time as plans show it: to the second, UTC."""
    if stamp is None:
        return "an unknown time"
    return stamp.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
