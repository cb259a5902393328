"""RW-LOG-002: a login or pull from an address outside the allowed ranges, or never seen in the baseline window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import (
    MAX_EVIDENCE,
    AlertShape,
    Detection,
    DetectionContext,
    DetectionMeta,
    Finding,
    Gap,
    Reference,
    RunningImages,
)
from regwarden.detect.kql import dynamic_strings, timespan
from regwarden.detect.signals import caller_address
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

NO_ADDRESS = "login or pull without a caller address: where it came from cannot be judged"
NOT_AN_ADDRESS = "caller address that is not an IP address: where it came from cannot be judged"
SHORT_HISTORY = "the records span less than the baseline window: addresses were checked against allowed_cidrs only"

META = DetectionMeta(
    id="RW-LOG-002",
    slug="unexpected-source-ip",
    title="Login or pull from an unexpected address",
    severity=Severity.MEDIUM,
    category="network",
    rationale=(
        "Stolen credentials are used from somewhere new. An address is unexpected when it lies outside "
        "`allowed_cidrs` (when set), or when it logged in or pulled in the analysed period but never in the "
        "baseline window before it. Without enough history for a baseline only the allow-list is checked, and the "
        "report says so. An IPv4-mapped IPv6 address counts as the IPv4 address it holds."
    ),
    tables=frozenset({AuditTable.LOGIN, AuditTable.REPOSITORY}),
    reads_baseline=True,
    references=(Reference("MITRE ATT&CK", "T1078"), Reference("baseline", "RW-ACR-011")),
    alert=AlertShape(frequency=timedelta(hours=1), window=timedelta(hours=1), looks_back=True),
)


@dataclass(slots=True)
class _Address:
    first: datetime
    """Earliest record from this address, analysed or not."""
    in_baseline: bool = False
    count: int = 0
    last: datetime | None = None
    evidence: list[AuditEvent] = field(default_factory=list)


class UnexpectedAddressDetector:
    def __init__(self, context: DetectionContext) -> None:
        self._config, self._start = context.config, context.analysis_start
        self._baseline_from = self._start - self._config.baseline if self._start else None
        self._addresses: dict[str, _Address] = {}
        # The span of the records with an address: meaningful once `_addresses` holds one.
        self._earliest = datetime.max.replace(tzinfo=UTC)
        self._latest = datetime.min.replace(tzinfo=UTC)
        self._unknown: dict[str, tuple[int, str]] = {}

    def observe(self, event: AuditEvent) -> None:
        # Runs for every login and repository record: the usual spelling "Pull" is compared before case folding.
        operation = event.operation
        if operation != "Pull" and event.table is AuditTable.REPOSITORY and operation.casefold() != "pull":
            return
        moment, text, start = event.time, event.caller_ip, self._start
        # Keyed by the address as logged (no parsing per record); spellings of one address are merged at the end.
        seen = self._addresses.get(text)
        if seen is None:
            if caller_address(text) is None:
                if start is None or moment >= start:
                    self._note(NOT_AN_ADDRESS if text else NO_ADDRESS, event.origin)
                return
            seen = self._addresses[text] = _Address(moment)
        elif moment < seen.first:
            seen.first = moment
        if moment < self._earliest:
            self._earliest = moment
        if moment > self._latest:
            self._latest = moment
        if start is not None and moment < start:
            if self._baseline_from is not None and moment >= self._baseline_from:
                seen.in_baseline = True
            return
        seen.count += 1
        if seen.last is None or moment > seen.last:
            seen.last = moment
        if len(seen.evidence) < MAX_EVIDENCE:
            seen.evidence.append(event)

    def finish(self) -> tuple[list[Finding], list[Gap]]:
        judge_newness = self._history_is_long_enough()
        merged = self._merged()
        findings = [
            finding
            for text, seen in merged.items()
            if seen.count and (finding := self._judge(text, seen, judge_newness)) is not None
        ]
        gaps = [Gap(META.id, reason, n, example) for reason, (n, example) in self._unknown.items()]
        if not judge_newness:
            gaps.append(Gap(META.id, SHORT_HISTORY, 1))
        return findings, gaps

    def _merged(self) -> dict[str, _Address]:
        """One state per address however it was written (`::ffff:198.51.100.24` is 198.51.100.24)."""
        merged: dict[str, _Address] = {}
        for text, seen in self._addresses.items():
            key = str(caller_address(text))
            into = merged.get(key)
            if into is None:
                merged[key] = seen
                continue
            into.first = min(into.first, seen.first)
            into.in_baseline = into.in_baseline or seen.in_baseline
            into.count += seen.count
            into.last = max(filter(None, (into.last, seen.last)), default=None)
            into.evidence = (into.evidence + seen.evidence)[:MAX_EVIDENCE]
        return merged

    def _history_is_long_enough(self) -> bool:
        if not self._addresses:
            return True
        if self._baseline_from is not None:
            return True  # the baseline is the window before --since, read or not: an absent address is new
        return self._latest >= self._earliest + self._config.baseline

    def _judge(self, text: str, seen: _Address, judge_newness: bool) -> Finding | None:
        address = caller_address(text)
        reasons = []
        if self._config.allowed_cidrs and not any(address in net for net in self._config.allowed_cidrs):
            reasons.append("outside the allowed ranges")
        if judge_newness and self._is_new(seen):
            reasons.append(f"never seen in the {timespan(self._config.baseline)} baseline before")
        if not reasons:
            return None
        evidence = tuple(sorted(seen.evidence, key=lambda e: e.time))
        first = evidence[0]
        identities = sorted({e.identity or "(empty)" for e in evidence})
        message = (
            f"{seen.count} {'login or pull' if seen.count == 1 else 'logins or pulls'} to "
            f"{first.registry or 'the registry'} from {text}, "
            f"{' and '.join(reasons)} (identities: {', '.join(identities[:5])})"
        )
        assert seen.last is not None
        return Finding(
            META, f"{text}", message, first.time, seen.last, seen.count, evidence, first.registry, first.identity, text
        )

    def _is_new(self, seen: _Address) -> bool:
        if self._baseline_from is not None:
            return not seen.in_baseline
        return seen.first >= self._earliest + self._config.baseline

    def _note(self, reason: str, origin: str) -> None:
        count, example = self._unknown.get(reason, (0, origin))
        self._unknown[reason] = (count + 1, example)


def query(config: LogsConfig, running: RunningImages | None) -> str:
    window = timespan(META.alert.window)
    sources = 'union ContainerRegistryLoginEvents, (ContainerRegistryRepositoryEvents | where OperationName == "Pull")'
    lines = [
        f"let known = {sources}",
        f"    | where TimeGenerated between (ago({timespan(config.baseline + META.alert.window)}) .. ago({window}))",
        "    | distinct CallerIpAddress;",
        sources,
        f"| where TimeGenerated > ago({window}) and isnotempty(CallerIpAddress)",
    ]
    if config.allowed_cidrs:
        v4 = dynamic_strings(str(n) for n in config.allowed_cidrs if n.version == 4)
        v6 = dynamic_strings(str(n) for n in config.allowed_cidrs if n.version == 6)
        lines.append(
            f'| extend Allowed = iff(CallerIpAddress contains ":", ipv6_is_in_any_range(CallerIpAddress, {v6}), '
            f"ipv4_is_in_any_range(CallerIpAddress, {v4}))"
        )
        lines.append("| where CallerIpAddress !in (known) or not(Allowed)")
    else:
        lines.append("| where CallerIpAddress !in (known)")
    lines.append(
        "| summarize Records = count(), Identities = make_set(Identity, 10), First = min(TimeGenerated) "
        "by CallerIpAddress, LoginServer"
    )
    return "\n".join(lines)


DETECTION = Detection(META, UnexpectedAddressDetector, query)
