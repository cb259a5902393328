"""Posture results as JUnit XML: one test suite per registry, one test case per rule.

FAIL is a failure; UNKNOWN and SKIPPED are skipped with the reason (CI shows them without failing the build; the
gate is `--fail-on`); a suppressed failure is skipped with its suppression note.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from xml.etree import ElementTree as ET

from regwarden.posture.engine import RuleResult
from regwarden.report.posture_common import effective_status, evidence_text, ordered


def render_posture_junit(results: Sequence[RuleResult]) -> bytes:
    root = ET.Element("testsuites", name="regwarden ACR posture")
    for (registry_id, name), group in groupby(ordered(results), key=lambda r: (r.registry_id, r.registry_name)):
        rows = list(group)
        statuses = [effective_status(r) for r in rows]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=name,
            id=registry_id,
            tests=str(len(rows)),
            failures=str(statuses.count("FAIL")),
            errors="0",
            skipped=str(sum(s in ("UNKNOWN", "SKIPPED", "SUPPRESSED") for s in statuses)),
        )
        for result, status in zip(rows, statuses, strict=True):
            case = ET.SubElement(
                suite, "testcase", name=f"{result.rule.id} {result.rule.title}", classname=f"regwarden.{name}"
            )
            detail = "\n".join([result.message, *(evidence_text(e) for e in result.evidence)])
            if status == "FAIL":
                failure = ET.SubElement(case, "failure", message=result.message, type=result.rule.severity.value)
                failure.text = detail
            elif status != "PASS":
                note = result.suppression_note if status == "SUPPRESSED" else result.message
                ET.SubElement(case, "skipped", message=f"{status}: {note}")
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
