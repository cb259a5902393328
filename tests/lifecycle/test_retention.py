"""Retention policy files (lifecycle/policy.py) and their evaluation into the purge plan (lifecycle/retention.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from regwarden.lifecycle.plan import plan_retention
from regwarden.lifecycle.policy import RetentionPolicy, load_policy, parse_policy
from regwarden.model.errors import BadInputError
from regwarden.model.purge import Protections, PurgePlan, RepositoryContents
from tests.lifecycle.builders import NOW, deleted, digest, image, kept_reasons, repo

POLICY = """
rules:
  - repositories: "shop/**"
    retain: {latest_pushed: 2}
  - repositories: "shop/*"
    tags: "release-*"
    retain: always
  - repositories: ["shop/web"]
    tags: "{dev,pr}-*"
    retain: {pushed_within: 10d}
"""


def policy(text: str = POLICY) -> RetentionPolicy:
    import yaml

    return parse_policy(yaml.safe_load(text), "policy.yaml")


def plan(
    *contents: RepositoryContents, rules: RetentionPolicy | None = None, pulls: dict[str, datetime] | None = None
) -> PurgePlan:
    return plan_retention("fake.azurecr.io", contents, rules or policy(), Protections(), NOW, pulls=pulls)


def web() -> RepositoryContents:
    return repo(
        "shop/web",
        image("r1", tags={"release-1": 90}, age=90),
        image("r2", tags={"release-2": 60}, age=60),
        image("b1", tags={"build-1": 50}, age=50),
        image("b2", tags={"build-2": 5}, age=5),
        image("b3", tags={"build-3": 3}, age=3),
        image("d1", tags={"dev-1": 20}, age=20),
        image("p1", tags={"pr-9": 8}, age=8),
        image("u", age=40),
    )


def test_an_image_stays_when_any_rule_retains_it_and_everything_else_tagged_goes() -> None:
    result = plan(web())
    assert deleted(result) == {"b1", "d1"}
    assert kept_reasons(result, "r1") == {"retained"}  # release-* always
    assert kept_reasons(result, "b3") == {"retained"}  # the two most recently pushed: b3, b2
    assert kept_reasons(result, "p1") == {"retained"}  # pushed within 10 days
    assert kept_reasons(result, "u") == {"untagged-left"}
    why = next(a for a in result.actions if a.digest == digest("b1")).reasons
    assert why == ("tagged, and no rule retains it (rules 1, 2, 3 apply here)",)


def test_repositories_no_rule_names_are_left_alone() -> None:
    other = repo("other/app", image("x", tags={"1": 90}, age=90))
    nested = repo("shop/team/api", image("y", tags={"release-1": 90}, age=90), image("z", tags={"1": 80}, age=80))
    result = plan(other, nested)
    assert result.repositories == ("shop/team/api",)
    assert deleted(result) == set()  # rule 1 keeps the two most recent; rule 2's `shop/*` does not reach team/api


def test_untagged_manifests_go_only_where_a_rule_looks_at_them() -> None:
    rules = policy("rules: [{repositories: 'shop/web', untagged: true, retain: {latest_pushed: 1}}]")
    result = plan(
        repo("shop/web", image("u1", age=40), image("u2", age=30), image("t", tags={"1": 50}, age=50)), rules=rules
    )
    assert deleted(result) == {"u1", "t"}
    assert kept_reasons(result, "u2") == {"retained"}


def test_a_time_based_rule_keeps_what_has_no_push_time() -> None:
    rules = policy("rules: [{repositories: '**', retain: {pushed_within: 7d}}]")
    result = plan(
        repo("app", image("old", tags={"1": 30}, age=30), image("timeless", tags={"2": None}, age=None)), rules=rules
    )
    assert deleted(result) == {"old"}
    assert kept_reasons(result, "timeless") == {"no-time"}


def test_pulled_within_reads_the_pull_times_of_the_image_and_of_an_indexs_manifests() -> None:
    rules = policy("rules: [{repositories: app, retain: {pulled_within: 7d}}]")
    contents = repo(
        "app",
        image("pulled", tags={"1": 90}, age=90),
        image("idx", tags={"2": 90}, age=90, children=["amd64"]),
        image("amd64", age=90),
        image("cold", tags={"3": 90}, age=90),
    )
    pulls = {digest("pulled"): NOW - timedelta(days=2), digest("amd64"): NOW - timedelta(days=1)}
    result = plan(contents, rules=rules, pulls=pulls)
    assert deleted(result) == {"cold"}
    assert kept_reasons(result, "amd64") == {"untagged-left"}
    assert policy("rules: [{repositories: app, retain: {pulled_within: 7d}}]").needs_pulls


def test_the_safety_pass_applies_to_policies_too() -> None:
    rules = policy("rules: [{repositories: app, tags: 'keep-*', retain: always}]")
    contents = repo(
        "app",
        image("live", tags={"1": 90}, age=90),
        image("locked", tags={"2": 90}, age=90, locked=True),
        image("idx", tags={"keep-me": 90}, age=90, children=["child"]),
        image("child", tags={"child-tag": 90}, age=90),
        image("sig", subject="gone", age=90),
    )
    protections = Protections(running={digest("live"): ("aks/ns/Deployment/live",)})
    result = plan_retention("r", [contents], rules, protections, NOW)
    assert deleted(result) == set()
    assert kept_reasons(result, "live") == {"running"}
    assert kept_reasons(result, "locked") == {"locked"}
    assert kept_reasons(result, "child") == {"index-child"}
    unlocked = plan_retention("r", [contents], rules, Protections(), NOW, include_locked=True)
    assert deleted(unlocked) == {"live", "locked"}


def test_a_policy_file_is_read_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "retention.yaml"
    path.write_text(POLICY, encoding="utf-8")
    loaded = load_policy(path)
    assert [rule.retain.kind for rule in loaded.rules] == ["latest_pushed", "always", "pushed_within"]
    assert loaded.rules[2].looks_at_tag("pr-1") and not loaded.rules[2].looks_at_tag("main")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected a mapping with one key, `rules`"),
        ("rules: []", "non-empty list"),
        ("rules: [{retain: always}]", "`repositories` and `retain` are required"),
        ("rules: [{repositories: a, retain: sometimes}]", "expected `always` or one of"),
        ("rules: [{repositories: a, retain: {latest_pushed: -1}}]", "whole number"),
        ("rules: [{repositories: a, retain: {pushed_within: soon}}]", "not a duration"),
        ("rules: [{repositories: a, retain: always, colour: red}]", "unknown key(s) colour"),
        ("rules: [{repositories: 'a{b', retain: always}]", "unbalanced"),
        ("rules: [{repositories: a, untagged: maybe, retain: always}]", "true or false"),
    ],
)
def test_policy_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        policy(text)


def test_an_unreadable_policy_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot read policy file"):
        load_policy(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("rules: [", encoding="utf-8")
    with pytest.raises(BadInputError, match="not valid YAML"):
        load_policy(tmp_path / "bad.yaml")
