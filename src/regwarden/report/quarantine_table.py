"""`promote` and `quarantine list` for people: the gate per image, what was copied, the worker's records."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from regwarden.model.quarantine import GateResult, PromoteReport, QuarantineCheck

SEVERITIES = ("critical", "high", "medium", "low", "info")


def render_promote_table(report: PromoteReport, *, width: int = 140) -> bytes:
    lines = [f"source:      {report.source}", f"destination: {report.destination}", f"digest:      {report.digest}"]
    text = "\n".join(lines) + "\n"
    if report.gate is not None:
        text += render_gate_table(report.gate, width=width).decode()
    if not report.copied:
        return (text + "not promoted: the gate failed; nothing was written to the destination\n").encode()
    c = report.counts
    text += (
        f"promoted: {c.manifests} manifest(s); blobs: {c.blobs_mounted} mounted, {c.blobs_uploaded} uploaded "
        f"({c.bytes_uploaded} bytes), {c.blobs_present} already present"
    )
    text += f", {c.blobs_foreign} non-distributable not copied\n" if c.blobs_foreign else "\n"
    text += f"{report.destination} serves {report.destination_digest}\n"
    return (text + _referrer_lines(report)).encode()


def _referrer_lines(report: PromoteReport) -> str:
    if report.referrers is None:
        return "referrers: not copied (--no-referrers)\n"
    lines = [f"referrers: {len(report.referrers)} copied"]
    for referrer in report.referrers:
        kind = referrer.artifact_type or "unknown type"
        where = f" as {referrer.tag}" if referrer.tag else ""
        lines.append(f"  {referrer.digest} ({kind}) of {referrer.subject}{where}")
    return "\n".join(lines) + "\n"


def render_gate_table(gate: GateResult, *, width: int = 140) -> bytes:
    rows = [
        (
            image.platform or "-",
            image.digest,
            *(str(image.counts.get(severity, 0)) for severity in SEVERITIES),
            "pass" if image.passed else "FAIL",
        )
        for image in gate.images
    ]
    header = ("Platform", "Digest", *(s.capitalize() for s in SEVERITIES), "Gate")
    text = _table(header, rows, width).decode() if rows else ""
    for name_digest, why in gate.skipped:
        text += f"not scanned: {name_digest}: {why}\n"
    for condition in gate.conditions:
        state = {True: "pass", False: "FAIL", None: "UNKNOWN"}[condition.passed]
        text += f"{condition.name}: {state}: {condition.detail}\n"
    threshold = f" (--fail-on {gate.fail_on})" if gate.fail_on else ""
    text += f"gate{threshold}: {gate.state}\n"
    text += "".join(f"  {reason}\n" for reason in gate.reasons())
    return text.encode()


def render_checks_table(checks: Sequence[QuarantineCheck], *, width: int = 160) -> bytes:
    if not checks:
        return b"no quarantine checks recorded\n"
    rows = [
        (
            _moment(c.received_at),
            f"{c.registry}/{c.repository}" + (f":{c.tag}" if c.tag else ""),
            c.digest,
            c.status,
            c.state or "-",
            "\n".join(c.reasons) or (c.last_error or "-"),
        )
        for c in checks
    ]
    header = ("Received (UTC)", "Image", "Digest", "Status", "State", "Reasons")
    return _table(header, rows, width)


def _moment(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    table = Table(header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return buffer.getvalue().encode()
