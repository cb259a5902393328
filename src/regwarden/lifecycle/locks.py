"""Lock policies: "lock every tag matching PATTERN", as the config file's `locks:` section writes them, and what a
registry's listing says still has to be locked.

```yaml
locks:
  - repo: "shop/.*"          # regular expression the whole repository name must match (like --filter's part)
    tags: "^v[0-9]+\\."      # regular expression matching anywhere in a tag
    registry: myreg.azurecr.io   # optional: only this registry
    write: true              # writeEnabled: false (no overwrite, no delete)      default true
    delete: true             # deleteEnabled: false                               default true
```

A matching tag is locked, and so is the manifest it points at (a locked tag alone does not stop a delete by digest).
Only what is not locked yet is changed, so a sync that finds everything locked sends nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import BadInputError
from regwarden.model.purge import TagListing

_KEYS = frozenset({"repo", "tags", "registry", "write", "delete"})


@dataclass(frozen=True)
class LockRule:
    number: int
    repository: re.Pattern[str]
    tags: re.Pattern[str]
    registry: str | None = None
    write: bool = True
    delete: bool = True

    def applies_to(self, registry: str, repository: str) -> bool:
        wanted = self.registry is None or self.registry.casefold() == registry.casefold()
        return wanted and self.repository.fullmatch(repository) is not None

    @property
    def attributes(self) -> dict[str, bool]:
        """The changeable attributes this rule sets (to false)."""
        return {key: False for key, on in (("writeEnabled", self.write), ("deleteEnabled", self.delete)) if on}


@dataclass(frozen=True)
class LockChange:
    kind: str
    """`tag` or `manifest`."""
    repository: str
    name: str
    """The tag, or the manifest's digest."""
    attributes: Mapping[str, bool]
    rules: tuple[int, ...]


def load_lock_rules(section: object) -> tuple[LockRule, ...]:
    if section is None:
        return ()
    if not isinstance(section, list):
        raise BadInputError("locks: expected a list of {repo, tags, …} rules")
    return tuple(_rule(item, number) for number, item in enumerate(section, start=1))


def lock_changes(
    rules: Sequence[LockRule],
    registry: str,
    repository: str,
    manifests: Sequence[ManifestListing],
    tags: Sequence[TagListing],
) -> list[LockChange]:
    """What to lock in one repository: each matching tag and its manifest, minus what is locked already."""
    applying = [rule for rule in rules if rule.applies_to(registry, repository)]
    by_digest = {manifest.digest: manifest for manifest in manifests}
    wanted: dict[tuple[str, str], tuple[dict[str, bool], set[int]]] = {}
    for tag in tags:
        for rule in (rule for rule in applying if rule.tags.search(tag.name)):
            current = {"deleteEnabled": tag.delete_enabled, "writeEnabled": tag.write_enabled}
            _want(wanted, ("tag", tag.name), rule, current)
            manifest = by_digest.get(tag.digest)
            if manifest is not None:
                current = {"deleteEnabled": manifest.delete_enabled, "writeEnabled": manifest.write_enabled}
                _want(wanted, ("manifest", tag.digest), rule, current)
    return [
        LockChange(kind, repository, name, attributes, tuple(sorted(numbers)))
        for (kind, name), (attributes, numbers) in sorted(wanted.items())
        if attributes
    ]


def _want(
    wanted: dict[tuple[str, str], tuple[dict[str, bool], set[int]]],
    key: tuple[str, str],
    rule: LockRule,
    current: Mapping[str, bool | None],
) -> None:
    attributes, numbers = wanted.setdefault(key, ({}, set()))
    missing = {name: value for name, value in rule.attributes.items() if current.get(name) is not False}
    attributes.update(missing)
    if missing:
        numbers.add(rule.number)


def _rule(item: object, number: int) -> LockRule:
    where = f"locks[{number - 1}]"
    if not isinstance(item, Mapping) or "repo" not in item or "tags" not in item:
        raise BadInputError(f"{where}: expected a mapping with `repo` and `tags`")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise BadInputError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    write, delete, registry = item.get("write", True), item.get("delete", True), item.get("registry")
    if not isinstance(write, bool) or not isinstance(delete, bool) or not (write or delete):
        raise BadInputError(f"{where}: `write` and `delete` are true or false, and one must be true")
    if registry is not None and (not isinstance(registry, str) or not registry):
        raise BadInputError(f"{where}.registry: expected a registry host")
    return LockRule(
        number,
        _pattern(item["repo"], f"{where}.repo"),
        _pattern(item["tags"], f"{where}.tags"),
        registry,
        write,
        delete,
    )


def _pattern(value: object, where: str) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise BadInputError(f"{where}: expected a regular expression")
    try:
        return re.compile(value)
    except re.error as error:
        raise BadInputError(f"{where}: not a regular expression: {error}") from None
