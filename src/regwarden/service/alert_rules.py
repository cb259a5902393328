"""`logs alert-rules`: the audit-log detections as Azure Monitor log search alert rules (ARM template, Bicep, or
their JSON definitions), with the thresholds and allowed ranges of the config's `logs:` section.

The running-image detection needs the digests that run now: they are read from the inventory when a database
is named (`--db` / REGWARDEN_DB) and written into its query; otherwise that rule is left out and said so.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from regwarden.detect.alert_rules import AlertRuleSet, alert_rules, iso_duration
from regwarden.model.errors import BadInputError

RULE_FORMATS = ("bicep", "arm", "json")


def build_alert_rules(config_file: Path | None = None, db: str | None = None) -> AlertRuleSet:
    from regwarden.detect.detections import ALL_DETECTIONS
    from regwarden.detect.engine import select
    from regwarden.service.settings import load_settings

    config = load_settings(config_file).logs
    running = None
    if db is not None:
        from regwarden.service.running_images import running_images
        from regwarden.store import open_store

        with open_store(db) as store:
            running = running_images(store)
    return alert_rules(select(ALL_DETECTIONS, config.disabled), config, running)


def render_alert_rules(rules: AlertRuleSet, output_format: str, workspace_id: str | None = None) -> bytes:
    if output_format == "arm":
        from regwarden.report import alert_rules_arm

        return alert_rules_arm.render(rules, workspace_id)
    if output_format == "bicep":
        from regwarden.report import alert_rules_bicep

        return alert_rules_bicep.render(rules, workspace_id)
    if output_format == "json":
        rows = [
            {
                **asdict(rule),
                "frequency": iso_duration(rule.frequency),
                "window": iso_duration(rule.window),
                "query_time_range": iso_duration(rule.query_time_range) if rule.query_time_range else None,
            }
            for rule in rules.rules
        ]
        skipped = [{"detection": d, "reason": why} for d, why in rules.not_written]
        return (json.dumps({"rules": rows, "not_written": skipped}, indent=2) + "\n").encode()
    raise BadInputError(f"unknown format {output_format!r}; expected one of: {', '.join(RULE_FORMATS)}")
