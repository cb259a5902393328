"""Which workloads are production: configured rules first (the first that matches wins), then a naming default.

The config file's `environments` section lists rules; each matches on any of cluster, namespace and label (all that
are given must hold) and names the environment:

```yaml
environments:
  rules:
    - match: {cluster: "aks-prod-*"}                        # glob, case-insensitive
      environment: production
    - match: {cluster: "aks-shared", namespace: "team-*"}   # both must hold
      environment: non-production
    - match: {label: "env=prod"}                            # label value is a case-sensitive glob
      environment: production
    - match: {label: "ephemeral"}                           # the label is set, whatever its value
      environment: non-production
```

With no rule matching, a workload is non-production when its namespace or its cluster name holds `dev`, `test`,
`qa`, `staging` or `sandbox` as a word (`payments-dev`, `qa`, `staging.eu`, `aks-dev01`; not `devices`, `latest`,
`contest`), and production otherwise. Production is the default on purpose: calling a production service
non-production hides it from "which production services are affected", the worse mistake of the two, so names
such as `uat` or `preprod` stay production unless a rule says otherwise. Every decision names the rule that made it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from regwarden.model.errors import BadInputError
from regwarden.model.workload import Environment, EnvironmentDecision, Workload

NON_PRODUCTION_WORDS = ("dev", "test", "qa", "staging", "sandbox")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_RULE_KEYS = frozenset({"match", "environment"})
_MATCH_KEYS = ("cluster", "namespace", "label")
_SECTION = "environments"


@dataclass(frozen=True)
class LabelMatch:
    key: str
    value: str | None
    """A glob on the label's value; None: the label is set, whatever its value."""

    def __str__(self) -> str:
        return self.key if self.value is None else f"{self.key}={self.value}"


@dataclass(frozen=True)
class EnvironmentRule:
    """One configured rule: every condition given must hold (None: no condition on that field)."""

    position: int
    """1-based position in the config, quoted in decisions."""
    environment: Environment
    cluster: str | None = None
    namespace: str | None = None
    label: LabelMatch | None = None

    def matches(self, workload: Workload) -> bool:
        return (
            (self.cluster is None or _glob(workload.cluster, self.cluster))
            and (self.namespace is None or _glob(workload.namespace, self.namespace))
            and (self.label is None or _has_label(workload.labels, self.label))
        )

    def describe(self) -> str:
        conditions = [
            f"{key} matches '{value}'"
            for key, value in (("cluster", self.cluster), ("namespace", self.namespace))
            if value
        ]
        if self.label is not None:
            conditions.append(f"label {self.label}")
        return f"config rule {self.position}: " + " and ".join(conditions)


@dataclass(frozen=True)
class EnvironmentRules:
    """The configured rules, in order; empty means the naming default alone decides."""

    rules: tuple[EnvironmentRule, ...] = ()


def decide_environment(workload: Workload, rules: EnvironmentRules = EnvironmentRules()) -> EnvironmentDecision:
    """The environment of `workload`: the first configured rule that matches, else the naming default."""
    for rule in rules.rules:
        if rule.matches(workload):
            return EnvironmentDecision(rule.environment, rule.describe())
    for what, name in (("namespace", workload.namespace), ("cluster", workload.cluster)):
        word = non_production_word(name)
        if word is not None:
            return EnvironmentDecision(Environment.NON_PRODUCTION, f"{what} '{name}' holds the word '{word}'")
    return EnvironmentDecision(
        Environment.PRODUCTION,
        f"no rule matched and neither namespace '{workload.namespace}' nor cluster '{workload.cluster}' holds "
        f"{', '.join(NON_PRODUCTION_WORDS[:-1])} or {NON_PRODUCTION_WORDS[-1]} as a word",
    )


def non_production_word(name: str) -> str | None:
    """The first word of `name` (split at punctuation, digits and camelCase) that marks non-production."""
    words: list[str] = [word.lower() for word in _WORDS.findall(name)]
    return next((word for word in words if word in NON_PRODUCTION_WORDS), None)


def load_environment_rules(section: object) -> EnvironmentRules:
    """Rules from the config file's `environments` section (its value; None when the file has none)."""
    if section is None:
        return EnvironmentRules()
    if not isinstance(section, Mapping) or set(section) - {"rules"}:
        raise BadInputError(f"{_SECTION}: expected a mapping with one key, rules")
    listed = section.get("rules") or []
    if not isinstance(listed, list):
        raise BadInputError(f"{_SECTION}.rules: expected a list of rules")
    return EnvironmentRules(tuple(_rule(position, item) for position, item in enumerate(listed, start=1)))


def _rule(position: int, item: object) -> EnvironmentRule:
    where = f"{_SECTION}.rules[{position}]"
    if not isinstance(item, Mapping) or set(item) != _RULE_KEYS:
        raise BadInputError(f"{where}: expected exactly the keys match and environment")
    match = item["match"]
    if not isinstance(match, Mapping) or not match or set(match) - set(_MATCH_KEYS):
        raise BadInputError(f"{where}.match: expected one or more of {', '.join(_MATCH_KEYS)}")
    values = {key: _text(f"{where}.match.{key}", match.get(key)) for key in _MATCH_KEYS}
    label = _label(f"{where}.match.label", values["label"]) if values["label"] is not None else None
    return EnvironmentRule(
        position, _environment(where, item["environment"]), values["cluster"], values["namespace"], label
    )


def _environment(where: str, value: object) -> Environment:
    allowed = [environment.value for environment in Environment]
    if value not in allowed:
        raise BadInputError(f"{where}.environment: {value!r} is not one of {', '.join(allowed)}")
    return Environment(value)


def _text(where: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadInputError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _label(where: str, text: str) -> LabelMatch:
    key, equals, value = text.partition("=")
    if not key.strip():
        raise BadInputError(f"{where}: expected KEY or KEY=VALUE, got {text!r}")
    return LabelMatch(key.strip(), value if equals else None)


def _glob(name: str, pattern: str) -> bool:
    return fnmatchcase(name.casefold(), pattern.casefold())


def _has_label(labels: Mapping[str, str], wanted: LabelMatch) -> bool:
    value = labels.get(wanted.key)
    return value is not None and (wanted.value is None or fnmatchcase(value, wanted.value))
