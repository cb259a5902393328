"""The engine: one pass over every detection (the same findings as each detection alone), routing of baseline
events, disabled detections, the time range, and records far out of time order reported."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regwarden.detect.config import LogsConfig, Threshold, load_logs_config
from regwarden.detect.detection import DetectionContext, RunningImages
from regwarden.detect.detections import ALL_DETECTIONS
from regwarden.detect.engine import analyse, select
from regwarden.model.errors import BadInputError
from tests.detect.events import REGISTRY, activity, at, login, repository

CONFIG = LogsConfig(mass_delete=Threshold(3, timedelta(minutes=10)), failed_logins=Threshold(3, timedelta(minutes=5)))


def story() -> list:
    baseline = [login(ip="10.0.0.5", days=d) for d in range(15)]
    return [
        *baseline,
        login("shopacr", "203.0.113.7", days=15),
        *[repository("Delete", identity="ops", minutes=m, days=15) for m in (0, 1, 2)],
        activity("Microsoft.ContainerRegistry/registries/listCredentials/action", minutes=15 * 24 * 60),
        activity(
            "Microsoft.ContainerRegistry/registries/webhooks/write", f"{REGISTRY}/webhooks/x", minutes=15 * 24 * 60 + 1
        ),
    ]


def test_one_pass_finds_what_each_detection_finds_alone_ranked_by_severity() -> None:
    context = DetectionContext(config=CONFIG, running=RunningImages())
    events = story()
    analysis = analyse(iter(events), context)
    alone = sorted(f.key for d in ALL_DETECTIONS for f in d.detect(events, context)[0])
    assert sorted(f.key for f in analysis.findings) == alone
    assert [f.detection.id for f in analysis.findings] == [
        "RW-LOG-001",
        "RW-LOG-003",
        "RW-LOG-006",
        "RW-LOG-002",
        "RW-LOG-009",
    ]
    assert (analysis.events, analysis.analysed, analysis.first, analysis.last) == (
        21,
        21,
        at(0),
        at(days=15 + 1 / 24 / 60 * 2),
    )
    assert len(analysis.detections) == 12 and analysis.out_of_order == 0


def test_disabled_detections_do_not_run_and_baseline_events_reach_only_baseline_readers() -> None:
    config = load_logs_config({"disabled": ["rw-log-003"], "mass_delete": {"count": 3, "within": "10m"}})
    context = DetectionContext(config=config, analysis_start=at(days=15), running=RunningImages())
    analysis = analyse(story(), context, select(ALL_DETECTIONS, config.disabled))
    assert "RW-LOG-003" not in {m.id for m in analysis.detections}
    assert (analysis.events, analysis.analysed) == (21, 6)
    assert {f.detection.id for f in analysis.findings} == {"RW-LOG-001", "RW-LOG-002", "RW-LOG-006", "RW-LOG-009"}


def test_records_far_out_of_order_are_counted_and_reported() -> None:
    shuffled = [login(minutes=m) for m in (0, 120, 240, 30, 360, 10, 480)]
    analysis = analyse(shuffled, DetectionContext(running=RunningImages()))
    assert analysis.out_of_order == 2
    [gap] = [g for g in analysis.gaps if g.detection_id == "engine"]
    assert gap.reason.startswith("2 records arrived more than 1:00:00 out of time order")
    newest_first = [login(minutes=m) for m in (480, 360, 240, 120, 0)]
    assert analyse(newest_first, DetectionContext(running=RunningImages())).out_of_order == 0


def test_config_section_is_read_and_mistakes_name_their_path() -> None:
    config = load_logs_config(
        {"allowed_cidrs": ["10.0.0.0/8", "2001:db8::/32"], "baseline": "7d", "failed_logins": {"count": 5}}
    )
    assert [str(n) for n in config.allowed_cidrs] == ["10.0.0.0/8", "2001:db8::/32"]
    assert (config.baseline, config.failed_logins) == (timedelta(days=7), Threshold(5, timedelta(minutes=5)))
    assert load_logs_config(None) == LogsConfig()
    for section, message in (
        ({"allowed_cidrs": ["10.0.0.300/8"]}, "logs.allowed_cidrs[0]: '10.0.0.300/8' is not an IP"),
        ({"mass_delete": {"count": 0}}, "logs.mass_delete.count: must be a whole number"),
        ({"baseline": "soon"}, "logs.baseline: 'soon' is not a duration"),
        ({"thresholds": 1}, "logs.thresholds: unknown key"),
        ([], "logs: must be a mapping"),
    ):
        with pytest.raises(BadInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
            load_logs_config(section)
