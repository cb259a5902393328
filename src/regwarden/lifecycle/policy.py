"""Retention policy files (Harbor-style): which repositories, which tags, and what to retain.

```yaml
rules:                                  # an image is retained when ANY rule that applies retains it
  - repositories: "shop/**"             # glob (or a list): * within a path segment, ** across segments, {a,b}
    exclude_repositories: "shop/tmp-*"  # optional
    tags: "**"                          # which tags the rule looks at (default: every tag)
    exclude_tags: "*-debug"             # optional
    untagged: false                     # also look at untagged manifests (registries that list them: ACR)
    retain: {latest_pushed: 10}         # or {pushed_within: 30d}, {pulled_within: 14d} (needs --logs), always
```

A repository no rule matches is left alone. In a repository some rule matches, every tagged image no rule retains
is deleted, with all its tags; an untagged manifest is deleted only when a rule with `untagged: true` applies and
none retains it. The safety pass (running, pulled, locked, index children, referrers) applies on top, as always.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from regwarden.durations import parse_duration
from regwarden.model.errors import BadInputError

RETAIN_KINDS = ("always", "latest_pushed", "pushed_within", "pulled_within")
_RULE_KEYS = frozenset({"repositories", "exclude_repositories", "tags", "exclude_tags", "untagged", "retain"})


@dataclass(frozen=True)
class Retain:
    kind: str
    count: int = 0
    within: timedelta = timedelta(0)

    def describe(self) -> str:
        if self.kind == "latest_pushed":
            return f"the {self.count} most recently pushed"
        if self.kind in ("pushed_within", "pulled_within"):
            return f"{self.kind.replace('_', ' ')} {self.within}"
        return "always"


@dataclass(frozen=True)
class RetentionRule:
    number: int
    """1-based position in the file, as plans cite it."""
    repositories: tuple[str, ...]
    exclude_repositories: tuple[str, ...]
    tags: tuple[str, ...]
    exclude_tags: tuple[str, ...]
    untagged: bool
    retain: Retain

    def applies_to(self, repository: str) -> bool:
        return _any_glob(self.repositories, repository) and not _any_glob(self.exclude_repositories, repository)

    def looks_at_tag(self, tag: str) -> bool:
        """Called for every tag of every repository a rule applies to: one compiled expression per rule."""
        included, excluded = _tag_patterns(self.tags, self.exclude_tags)
        return included.fullmatch(tag) is not None and (excluded is None or excluded.fullmatch(tag) is None)

    def describe(self) -> str:
        return f"rule {self.number} ({', '.join(self.repositories)} : {', '.join(self.tags)}: {self.retain.describe()})"


@dataclass(frozen=True)
class RetentionPolicy:
    rules: tuple[RetentionRule, ...]
    source: str

    @property
    def needs_pulls(self) -> bool:
        return any(rule.retain.kind == "pulled_within" for rule in self.rules)


def load_policy(path: Path) -> RetentionPolicy:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadInputError(f"cannot read policy file {path}: {error.strerror or error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise BadInputError(f"policy file {path} is not valid YAML: {error}") from None
    return parse_policy(document, str(path))


def parse_policy(document: object, source: str) -> RetentionPolicy:
    if not isinstance(document, Mapping) or set(document) - {"rules"}:
        raise BadInputError(f"{source}: expected a mapping with one key, `rules`")
    rules = document.get("rules")
    if not isinstance(rules, list) or not rules:
        raise BadInputError(f"{source}: `rules` must be a non-empty list")
    try:
        return RetentionPolicy(tuple(_rule(item, n) for n, item in enumerate(rules, start=1)), source)
    except BadInputError as error:
        raise BadInputError(f"{source}: {error}") from None


def _rule(item: object, number: int) -> RetentionRule:
    where = f"rules[{number - 1}]"
    if not isinstance(item, Mapping):
        raise BadInputError(f"{where}: expected a mapping")
    unknown = sorted(set(item) - _RULE_KEYS)
    if unknown:
        raise BadInputError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    if "repositories" not in item or "retain" not in item:
        raise BadInputError(f"{where}: `repositories` and `retain` are required")
    untagged = item.get("untagged", False)
    if not isinstance(untagged, bool):
        raise BadInputError(f"{where}.untagged: expected true or false")
    return RetentionRule(
        number=number,
        repositories=_globs(item["repositories"], f"{where}.repositories"),
        exclude_repositories=_globs(item.get("exclude_repositories", []), f"{where}.exclude_repositories"),
        tags=_globs(item.get("tags", "**"), f"{where}.tags"),
        exclude_tags=_globs(item.get("exclude_tags", []), f"{where}.exclude_tags"),
        untagged=untagged,
        retain=_retain(item["retain"], f"{where}.retain"),
    )


def _retain(value: object, where: str) -> Retain:
    if value == "always":
        return Retain("always")
    if not isinstance(value, Mapping) or len(value) != 1 or next(iter(value)) not in RETAIN_KINDS[1:]:
        raise BadInputError(f"{where}: expected `always` or one of {{{', '.join(RETAIN_KINDS[1:])}: …}}")
    kind, argument = next(iter(value.items()))
    if kind == "latest_pushed":
        if not isinstance(argument, int) or isinstance(argument, bool) or argument < 0:
            raise BadInputError(f"{where}.latest_pushed: expected a whole number ≥ 0")
        return Retain(kind, count=argument)
    return Retain(kind, within=parse_duration(str(argument)))


def _globs(value: object, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) and item for item in items):
        raise BadInputError(f"{where}: expected a glob or a list of globs")
    for item in items:
        glob_pattern(item)
    return tuple(items)


def _any_glob(globs: Sequence[str], name: str) -> bool:
    return any(glob_pattern(glob).fullmatch(name) for glob in globs)


_GLOB_CACHE: dict[str, re.Pattern[str]] = {}
_TAG_CACHE: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def _tag_patterns(tags: tuple[str, ...], excluded: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    key = (tags, excluded)
    found = _TAG_CACHE.get(key)
    if found is None:
        joined = re.compile("|".join(f"(?:{_translate(glob)})" for glob in tags))
        out = re.compile("|".join(f"(?:{_translate(glob)})" for glob in excluded)) if excluded else None
        found = _TAG_CACHE[key] = (joined, out)
    return found


def glob_pattern(glob: str) -> re.Pattern[str]:
    """A doublestar glob (Harbor's): `**` any characters, `*` and `?` within one path segment, `[…]` a class,
    `{a,b}` alternatives."""
    found = _GLOB_CACHE.get(glob)
    if found is None:
        found = _GLOB_CACHE[glob] = re.compile(_translate(glob))
    return found


def _translate(glob: str) -> str:
    out: list[str] = []
    position, depth = 0, 0
    while position < len(glob):
        char = glob[position]
        if glob.startswith("**", position):
            out.append(".*")
            position += 2
            continue
        if char == "[":
            end = glob.find("]", position + 1)
            if end < 0:
                raise BadInputError(f"glob {glob!r}: unclosed [")
            members = glob[position + 1 : end]
            out.append("[" + ("^" + members[1:] if members.startswith("!") else members) + "]")
            position = end + 1
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            raise BadInputError(f"glob {glob!r}: unbalanced }}")
        out.append({"*": "[^/]*", "?": "[^/]", "{": "(?:", "}": ")"}.get(char, "|" if char == "," and depth else ""))
        if out[-1] == "":
            out[-1] = re.escape(char)
        position += 1
    if depth:
        raise BadInputError(f"glob {glob!r}: unbalanced {{")
    return "".join(out)
