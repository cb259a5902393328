"""`history` on both databases, over the real sample builds: a tag's builds in order (a failed one kept in place),
packages and vulnerabilities between builds, triage shown apart; a repository's builds by creation time."""

from __future__ import annotations

import pytest

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.history import BuildStep, FindingDelta, HistoryReport
from regwarden.model.inventory import TriageDecision, TriageScope, TriageState
from regwarden.service.history import history, parse_history_target
from regwarden.store import open_store
from tests.inventory.scenario import (
    BROKEN_DIGEST,
    DEMO_1_1_DIGEST,
    DEMO_DIGEST,
    REGISTRY,
    REPOSITORY,
    T0,
    T1,
    T2,
    T3,
    V1_DEMO_FINDINGS,
    catalog_builds,
    import_v1,
)

UPGRADE = {
    ("added", "pypi", "idna", (), ("3.10",)),
    ("changed", "pypi", "Jinja2", ("2.10",), ("3.1.3",)),
    ("changed", "pypi", "urllib3", ("1.24.1",), ("1.26.20",)),
    ("changed", "npm", "lodash", ("4.17.15",), ("4.17.21",)),
}
FIXED_BY_UPGRADE = {
    ("CVE-2019-11324", "urllib3", "1.24.1"),
    ("CVE-2019-10906", "Jinja2", "2.10"),
    ("CVE-2020-8203", "lodash", "4.17.15"),
}


def package_changes(step: BuildStep) -> set[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    return {(d.kind, d.type, d.name, d.before, d.after) for d in step.packages}


def findings(deltas: tuple[FindingDelta, ...]) -> set[tuple[str, str, str]]:
    return {(d.vuln_id, d.package, d.version) for d in deltas}


def load(db_url: str, target: str, registry: str | None = None) -> HistoryReport:
    with open_store(db_url) as store:
        return history(store, target, registry, now=T3)


@pytest.fixture
def inventory(db_url: str) -> str:
    import_v1(db_url)
    with open_store(db_url) as store:
        catalog_builds(store)
    return db_url


def test_a_tag_history_lists_every_build_in_order_with_what_changed(inventory: str) -> None:
    report = load(inventory, f"{REPOSITORY}:latest")
    assert (report.registry, report.repository, report.tag) == (REGISTRY, REPOSITORY, "latest")
    assert [(s.build.digest, s.build.status, s.build.seen_at) for s in report.steps] == [
        (DEMO_DIGEST, "catalogued", T0),
        (BROKEN_DIGEST, "failed", T1),
        (DEMO_1_1_DIGEST, "catalogued", T2),
        (DEMO_DIGEST, "catalogued", T3),
    ]
    first, broken, upgrade, rollback = report.steps
    assert (first.compared_with, first.packages, first.build.packages, first.build.open_findings) == (None, (), 6, 4)
    assert broken.note is not None and broken.note.startswith("could not be catalogued: ")
    assert (broken.compared_with, broken.packages, broken.introduced) == (None, (), ())
    assert upgrade.compared_with == DEMO_DIGEST  # the failed build in between is skipped over, not compared
    assert package_changes(upgrade) == UPGRADE
    assert {d.layer.index for d in upgrade.packages if d.layer} == {1}
    assert (findings(upgrade.fixed), upgrade.introduced) == (FIXED_BY_UPGRADE, ())
    assert rollback.compared_with == DEMO_1_1_DIGEST
    assert {(kind, name) for kind, _, name, _, _ in package_changes(rollback)} == {
        ("removed", "idna"),
        ("changed", "Jinja2"),
        ("changed", "urllib3"),
        ("changed", "lodash"),
    }
    assert (findings(rollback.introduced), rollback.fixed) == (FIXED_BY_UPGRADE, ())
    assert [s.build.until for s in report.steps] == [T1, T2, T3, None]


def test_a_repository_history_orders_builds_by_creation_time(inventory: str) -> None:
    report = load(inventory, REPOSITORY)
    # Both sample builds say created 2025-01-01T00:00:00Z (reproducible builds): first seen breaks the tie. The
    # failed build has no `created`, so its first-seen time (2026) places it.
    assert [(s.build.digest, s.build.created) for s in report.steps] == [
        (DEMO_DIGEST, "2025-01-01T00:00:00Z"),
        (DEMO_1_1_DIGEST, "2025-01-01T00:00:00Z"),
        (BROKEN_DIGEST, None),
    ]
    assert package_changes(report.steps[1]) == UPGRADE
    assert report.steps[2].build.error is not None


def test_triaged_vulnerabilities_are_marked_not_counted(inventory: str) -> None:
    with open_store(inventory) as store:
        store.triage.add(
            TriageDecision(
                "GHSA-p6mc-m468-83gw",
                TriageScope.REPOSITORY,
                f"{REGISTRY}/{REPOSITORY}",
                TriageState.ACCEPTED,
                "lodash is only used at build time",
                "ana",
                T0,
            )
        )
    rollback = load(inventory, f"{REPOSITORY}:latest").steps[3]
    assert findings(rollback.counted(rollback.introduced)) == FIXED_BY_UPGRADE - {
        ("CVE-2020-8203", "lodash", "4.17.15")
    }
    [triaged] = rollback.triaged(rollback.introduced)
    assert (triaged.vuln_id, triaged.aliases, triaged.triage and triaged.triage.author) == (
        "CVE-2020-8203",
        ("GHSA-p6mc-m468-83gw",),
        "ana",
    )
    assert rollback.build.open_findings == len(V1_DEMO_FINDINGS) - 1


def test_registry_prefix_and_option_pick_the_repository(inventory: str) -> None:
    assert load(inventory, f"{REGISTRY}/{REPOSITORY}:1.1").steps[0].build.digest == DEMO_1_1_DIGEST
    assert load(inventory, f"{REPOSITORY}:1.0", registry=REGISTRY).steps[0].build.digest == DEMO_DIGEST
    with open_store(inventory) as store:
        store.locations.repository_id("mirror.example", REPOSITORY)
    with pytest.raises(BadInputError, match=r"several registries \(mirror.example, regwardendemo.azurecr.io\)"):
        load(inventory, REPOSITORY)
    with pytest.raises(NotFoundError, match=r"registry other\.example holds no repository"):
        load(inventory, REPOSITORY, registry="other.example")


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("shop/nothing", NotFoundError),
        ("shop/web:9.9", NotFoundError),
        ("shop/web@sha256:" + "a" * 64, BadInputError),
    ],
)
def test_unknown_repositories_and_tags_are_errors(inventory: str, target: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        load(inventory, target)


def test_targets_split_into_repository_and_tag() -> None:
    assert parse_history_target("shop/web:1.4") == ("shop/web", "1.4")
    assert parse_history_target("localhost:5000/shop/web") == ("localhost:5000/shop/web", None)
    assert parse_history_target("localhost:5000/shop/web:2") == ("localhost:5000/shop/web", "2")
    assert parse_history_target("web") == ("web", None)
