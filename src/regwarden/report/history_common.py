"""What every history format says the same way: a build's one-line label and a step's tally."""

from __future__ import annotations

from regwarden.model.history import CATALOGUED, BuildStep


def short_digest(digest: str | None) -> str:
    """`sha256:6543174edb1c` — enough to tell builds apart in a table; JSON keeps the full digest."""
    if not digest:
        return "-"
    algorithm, _, hex_part = digest.partition(":")
    return f"{algorithm}:{hex_part[:12]}"


def tally(step: BuildStep) -> str:
    """`+1 -0 ~3 packages; 0 introduced, 3 fixed (1 triaged)` or the reason nothing was compared."""
    if step.note is not None:
        return step.note
    kinds = [sum(1 for delta in step.packages if delta.kind == kind) for kind in ("added", "removed", "changed")]
    triaged = len(step.triaged(step.introduced)) + len(step.triaged(step.fixed))
    text = f"+{kinds[0]} -{kinds[1]} ~{kinds[2]} packages; "
    text += f"{len(step.counted(step.introduced))} introduced, {len(step.counted(step.fixed))} fixed"
    return text + (f" ({triaged} triaged)" if triaged else "")


def state(step: BuildStep) -> str:
    build = step.build
    if build.status != CATALOGUED:
        return build.status
    return f"{build.packages} packages, {build.open_findings} open findings"
