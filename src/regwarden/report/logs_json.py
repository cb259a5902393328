"""`logs analyze -o json`: the period, what was read (and could not be), findings with evidence, gaps, storage.

```json
{"period": {"first", "last", "analysed_from"}, "read": {"sources", "records": {table: n}, "ignored",
 "skipped": [{"reason", "count", "examples"}]}, "detections": [ids], "findings": [{"detection": {...}, "key",
 "message", "first_seen", "last_seen", "count", "registry", "identity", "caller_ip", "evidence": [records]}],
 "gaps": [{"detection", "reason", "count", "example"}], "inventory": bool, "recorded": {...} | null}
```
"""

from __future__ import annotations

import json
from dataclasses import asdict

from regwarden.report.logs_common import LogsReport, finding_document


def render(report: LogsReport) -> bytes:
    analysis, read, recorded = report.analysis, report.read, report.recorded
    document = {
        "period": {
            "first": analysis.first.isoformat() if analysis.first else None,
            "last": analysis.last.isoformat() if analysis.last else None,
            "analysed_from": report.analysis_start.isoformat() if report.analysis_start else None,
            "records": analysis.events,
            "analysed": analysis.analysed,
            "out_of_order": analysis.out_of_order,
        },
        "read": {
            "sources": list(read.sources),
            "records": {table.value: count for table, count in read.records.items()},
            "ignored": read.ignored,
            "skipped": [{"reason": s.reason, "count": s.count, "examples": list(s.examples)} for s in read.skipped],
        },
        "detections": [meta.id for meta in analysis.detections],
        "findings": [finding_document(finding) for finding in analysis.findings],
        "gaps": [
            {"detection": gap.detection_id, "reason": gap.reason, "count": gap.count, "example": gap.example}
            for gap in analysis.gaps
        ],
        "inventory": report.inventory,
        "recorded": None if recorded is None else asdict(recorded),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
