"""`referrers` and `verify` for people: what is attached to an image; each signature's checks and the decision."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from regwarden.model.trust import AttachedArtifact, CheckOutcome, VerificationResult


def render_attached_table(
    subject: str, digest: str, attached: Sequence[AttachedArtifact], *, width: int = 160
) -> bytes:
    text = f"{subject}\ndigest: {digest}\n"
    if not attached:
        return (text + "nothing is attached (no referrers, no cosign .sig/.att/.sbom tags)\n").encode()
    rows = [
        (
            item.artifact_type or "-",
            item.digest,
            item.created or "-",
            item.tag or item.source,
            "\n".join(f"{key}={value}" for key, value in sorted(item.annotations.items())) or "-",
        )
        for item in attached
    ]
    return (text + _table(("Artifact type", "Digest", "Created", "Found by", "Annotations"), rows, width)).encode()


def render_verification_table(result: VerificationResult, *, width: int = 160) -> bytes:
    text = f"{result.reference}\ndigest: {result.digest}\npolicy: {result.policy or '-'}\n"
    rows = []
    for verdict in result.verdicts:
        for check in verdict.checks:
            reason = f" [{check.reason}]" if check.reason and check.outcome is not CheckOutcome.PASSED else ""
            rows.append(
                (verdict.kind, _short(verdict.artifact_digest), check.name, f"{check.outcome}{reason}", check.detail)
            )
        signer = verdict.signer or "-"
        rows.append(
            (verdict.kind, _short(verdict.artifact_digest), "verdict", "pass" if verdict.passed else "FAIL", signer)
        )
    if rows:
        text += _table(("Signature", "Artifact", "Check", "Outcome", "Detail"), rows, width)
    state = "skipped by policy" if result.skipped else ("PASS" if result.passed else "FAIL")
    reason = f" [{result.reason}]" if result.reason else ""
    return (text + f"verification: {state}{reason}: {result.message}\n").encode()


def _short(digest: str) -> str:
    algorithm, _, hex_digest = digest.partition(":")
    return f"{algorithm}:{hex_digest[:12]}" if hex_digest else digest


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    table = Table(header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return buffer.getvalue()
