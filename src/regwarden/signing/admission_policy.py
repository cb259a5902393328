"""The admission policy file: which images a cluster may run (`regwarden serve admission --policy FILE`).

```yaml
mode: enforce                  # enforce | audit (allow, and warn about what would be denied)
failurePolicy: Fail            # Fail | Ignore: what an error or a timeout does (Fail denies), as in the webhook
timeout: 8s                    # the whole decision; below the webhook's timeoutSeconds (10)
registries:                    # images must come from one of these; absent: any registry
  - myregistry.azurecr.io                  # a whole registry
  - mcr.microsoft.com/oss/kubernetes/*     # registry/repository, `*` matching anything (also `/`)
pinning: resolve               # digest (the spec must name @sha256:…) | resolve (a tag is resolved by the registry)
signatures:
  policy: trust/policy.yaml    # a regwarden trust policy or a Notary Project trustpolicy.json (as verify --policy)
  trustStore: trust/truststore # optional, as verify --trust-store
findings:
  failOn: high                 # deny on an open, untriaged finding at or above this severity
  onMiss: scan                 # scan | deny: an image the inventory has not catalogued
  scanTimeout: 20s             # a scan on a miss that takes longer denies (and goes on, for the next attempt)
quarantine:
  registries: [myregistry.azurecr.io]   # images from these need a Passed quarantine record; [] or absent: all
cache:
  maxEntries: 10000
  ttl: 5m                      # what was learnt about a digest (signatures, findings, quarantine)
  deniedTtl: 30s               # … when it was refused: an image signed or fixed just now is seen soon
  tagTtl: 30s                  # tag → digest resolutions (0 resolves every time)
events:
  repeatAfter: 1h              # the same denial of the same object raises one event per hour
```

A check is on when its section is present (`registries`, `signatures`, `findings`, `quarantine`; `pinning` is
always on), and a policy that checks nothing but pinning is refused: an admission webhook that checks nothing
would only look like protection. Paths are relative to the policy file.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from regwarden.durations import parse_duration
from regwarden.model.admission import AdmissionMode
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Severity
from regwarden.oci.reference import DOCKER_HUB, DOCKER_HUB_ALIASES, Reference
from regwarden.signing.policy import VerificationPolicy, load_policy

_KEYS = frozenset(
    {"mode", "failurePolicy", "timeout", "registries", "pinning", "signatures", "findings", "quarantine", "cache",
     "events"}
)  # fmt: skip
_E = TypeVar("_E", bound=StrEnum)
MAX_TIMEOUT = 30.0
"""The API server waits at most 30 s for a webhook (timeoutSeconds 1–30)."""


class AdmissionPolicyError(BadInputError):
    """The admission policy file cannot be read or breaks a rule."""


class FailurePolicy(StrEnum):
    FAIL = "Fail"
    IGNORE = "Ignore"


class Pinning(StrEnum):
    DIGEST = "digest"
    """The spec must name the digest (`image@sha256:…`): what runs is exactly what was checked."""
    RESOLVE = "resolve"
    """A tag is resolved through the registry and the decision names the digest it found."""


class OnMiss(StrEnum):
    SCAN = "scan"
    DENY = "deny"


@dataclass(frozen=True)
class FindingsRule:
    fail_on: Severity
    on_miss: OnMiss = OnMiss.SCAN
    scan_timeout: float = 20.0


@dataclass(frozen=True)
class CacheSettings:
    max_entries: int = 10_000
    ttl: float = 300.0
    denied_ttl: float = 30.0
    tag_ttl: float = 30.0


@dataclass(frozen=True)
class AdmissionPolicy:
    mode: AdmissionMode = AdmissionMode.ENFORCE
    failure_policy: FailurePolicy = FailurePolicy.FAIL
    timeout: float = 8.0
    registries: tuple[str, ...] | None = None
    """registry or registry/repository patterns; None: any registry."""
    pinning: Pinning = Pinning.RESOLVE
    signatures: VerificationPolicy | None = None
    findings: FindingsRule | None = None
    quarantine: tuple[str, ...] | None = None
    """Registries whose images need a Passed quarantine record (empty: every image); None: no quarantine check."""
    cache: CacheSettings = field(default_factory=CacheSettings)
    repeat_events_after: float = 3600.0
    source: str = ""

    def describe(self) -> str:
        """The checks this policy makes, for the server's first log line."""
        parts = [f"mode {self.mode.value}", f"failurePolicy {self.failure_policy.value}", f"pinning {self.pinning}"]
        if self.registries is not None:
            parts.append(f"registries {', '.join(self.registries)}")
        if self.signatures is not None:
            parts.append(f"signatures ({self.signatures.name})")
        if self.findings is not None:
            parts.append(f"findings below {self.findings.fail_on.value} (on a miss: {self.findings.on_miss})")
        if self.quarantine is not None:
            parts.append(f"quarantine passed ({', '.join(self.quarantine) or 'every registry'})")
        return "; ".join(parts)


def load_admission_policy(path: Path) -> AdmissionPolicy:
    """Read and check an admission policy file (YAML); AdmissionPolicyError names the mistake."""
    import yaml

    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AdmissionPolicyError(f"cannot read the admission policy {path}: {error.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise AdmissionPolicyError(f"{path} is not YAML: {error}") from None
    if not isinstance(body, Mapping):
        raise AdmissionPolicyError(f"{path}: must hold a mapping (mode, registries, signatures, findings, ...)")
    return parse_admission_policy(body, path.parent, str(path))


def parse_admission_policy(body: Mapping[str, Any], base: Path, source: str = "policy") -> AdmissionPolicy:
    _refuse_unknown(body, _KEYS, source)
    policy = AdmissionPolicy(
        mode=_choice(AdmissionMode, body.get("mode", "enforce"), f"{source}: mode"),
        failure_policy=_choice(FailurePolicy, body.get("failurePolicy", "Fail"), f"{source}: failurePolicy"),
        timeout=_seconds(body.get("timeout", "8s"), f"{source}: timeout", low=0.1, high=MAX_TIMEOUT),
        registries=_patterns(body.get("registries"), f"{source}: registries"),
        pinning=_choice(Pinning, body.get("pinning", "resolve"), f"{source}: pinning"),
        signatures=_signatures(body.get("signatures"), base, source),
        findings=_findings(body.get("findings"), source),
        quarantine=_quarantine(body.get("quarantine"), source),
        cache=_cache(body.get("cache"), source),
        repeat_events_after=_seconds(_section(body, "events", source).get("repeatAfter", "1h"),
                                     f"{source}: events.repeatAfter", low=0.0),
        source=source,
    )  # fmt: skip
    if (
        policy.registries is None
        and policy.signatures is None
        and policy.findings is None
        and policy.quarantine is None
    ):
        raise AdmissionPolicyError(
            f"{source}: checks nothing but pinning; give at least one of registries, signatures, findings, quarantine"
        )
    return policy


def registry_allowed(reference: Reference, patterns: Sequence[str]) -> bool:
    """Whether `registry/repository` matches one of the patterns (a bare registry allows all its repositories)."""
    name = f"{reference.registry.lower()}/{reference.repository}"
    return any(_matches(name, reference.registry.lower(), pattern) for pattern in patterns)


def _matches(name: str, registry: str, pattern: str) -> bool:
    return pattern == registry if "/" not in pattern else fnmatch.fnmatchcase(name, pattern)


def _signatures(value: object, base: Path, source: str) -> VerificationPolicy | None:
    if value is None:
        return None
    section = _mapping(value, f"{source}: signatures")
    _refuse_unknown(section, frozenset({"policy", "trustStore"}), f"{source}: signatures")
    policy_path = section.get("policy")
    if not isinstance(policy_path, str) or not policy_path:
        raise AdmissionPolicyError(f"{source}: signatures.policy: required, the path of a trust policy file")
    store = section.get("trustStore")
    return load_policy(base / policy_path, base / str(store) if store else None)


def _findings(value: object, source: str) -> FindingsRule | None:
    if value is None:
        return None
    section = _mapping(value, f"{source}: findings")
    _refuse_unknown(section, frozenset({"failOn", "onMiss", "scanTimeout"}), f"{source}: findings")
    try:
        fail_on = Severity.parse(str(section.get("failOn", "high")))
    except ValueError as error:
        raise AdmissionPolicyError(f"{source}: findings.failOn: {error}") from None
    return FindingsRule(
        fail_on=fail_on,
        on_miss=_choice(OnMiss, section.get("onMiss", "scan"), f"{source}: findings.onMiss"),
        scan_timeout=_seconds(section.get("scanTimeout", "20s"), f"{source}: findings.scanTimeout", low=0.1),
    )


def _quarantine(value: object, source: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    section = _mapping(value, f"{source}: quarantine")
    _refuse_unknown(section, frozenset({"registries"}), f"{source}: quarantine")
    return _patterns(section.get("registries", []), f"{source}: quarantine.registries") or ()


def _cache(value: object, source: str) -> CacheSettings:
    section = _mapping(value or {}, f"{source}: cache")
    _refuse_unknown(section, frozenset({"maxEntries", "ttl", "deniedTtl", "tagTtl"}), f"{source}: cache")
    entries = section.get("maxEntries", 10_000)
    if not isinstance(entries, int) or isinstance(entries, bool) or entries < 1:
        raise AdmissionPolicyError(f"{source}: cache.maxEntries: a whole number of at least 1")
    return CacheSettings(
        max_entries=entries,
        ttl=_seconds(section.get("ttl", "5m"), f"{source}: cache.ttl", low=0.0),
        denied_ttl=_seconds(section.get("deniedTtl", "30s"), f"{source}: cache.deniedTtl", low=0.0),
        tag_ttl=_seconds(section.get("tagTtl", "30s"), f"{source}: cache.tagTtl", low=0.0),
    )


def _patterns(value: object, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise AdmissionPolicyError(f"{where}: a list of registry or registry/repository patterns")
    return tuple(_normalise_pattern(item.strip()) for item in value)


def _normalise_pattern(pattern: str) -> str:
    """Registry hosts compare in lower case; `docker.io` is Docker Hub's registry as references name it."""
    host, slash, rest = pattern.partition("/")
    host = DOCKER_HUB if host.lower() in DOCKER_HUB_ALIASES else host.lower()
    return f"{host}{slash}{rest}"


def _section(body: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    section = _mapping(body.get(key) or {}, f"{source}: {key}")
    _refuse_unknown(section, frozenset({"repeatAfter"}), f"{source}: {key}")
    return section


def _seconds(value: object, where: str, *, low: float, high: float | None = None) -> float:
    try:
        seconds = parse_duration(str(value)).total_seconds()
    except BadInputError as error:
        raise AdmissionPolicyError(f"{where}: {error}") from None
    if seconds < low or (high is not None and seconds > high):
        bound = f"between {low:g}s and {high:g}s" if high is not None else f"at least {low:g}s"
        raise AdmissionPolicyError(f"{where}: {value} is out of range; must be {bound}")
    return seconds


def _choice(enum: type[_E], value: object, where: str) -> _E:
    try:
        return enum(str(value))
    except ValueError:
        raise AdmissionPolicyError(f"{where}: {value!r}; expected one of: {', '.join(e.value for e in enum)}") from None


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AdmissionPolicyError(f"{where}: must be a mapping")
    return value


def _refuse_unknown(section: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in section if key not in known)
    if unknown:
        raise AdmissionPolicyError(f"{where}: unknown key {unknown[0]!r}; expected: {', '.join(sorted(known))}")
