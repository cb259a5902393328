"""The safety pass (lifecycle/safety.py): what runs, was pulled, is locked, is listed by a kept index or refers to a
kept subject is never deleted, whatever the rules select; and the plan says why."""

from __future__ import annotations

from datetime import timedelta

from regwarden.lifecycle.plan import plan_purge
from regwarden.model.purge import Protections, PurgeCriteria, PurgePlan, RepositoryContents
from tests.lifecycle.builders import NOW, deleted, digest, image, kept_reasons, repo, untagged

EVERYTHING = PurgeCriteria((".*:.*",), timedelta(0), untagged=True)


def plan(contents: RepositoryContents, protections: Protections, criteria: PurgeCriteria = EVERYTHING) -> PurgePlan:
    return plan_purge("fake.azurecr.io", [contents], criteria, protections, NOW)


def running(*labels: str) -> Protections:
    return Protections(running={digest(label): (f"aks-prod/shop/Deployment/{label}",) for label in labels})


def test_a_running_digest_is_neither_deleted_nor_untagged_and_the_plan_says_where_it_runs() -> None:
    web = repo("web", image("live", tags={"1.0": 30}), image("old", tags={"0.9": 40}), image("bare", age=50))
    result = plan(web, Protections(running={digest("live"): ("aks-prod/shop/Deployment/web",)}))
    assert deleted(result) == {"old", "bare"} and untagged(result) == set()
    kept = next(k for k in result.kept if k.digest == digest("live"))
    assert kept.held and [(r.kind.value, r.detail) for r in kept.reasons] == [
        ("running", "runs in aks-prod/shop/Deployment/web")
    ]


def test_a_running_digest_is_kept_when_only_some_of_its_tags_would_go() -> None:
    web = repo("web", image("live", tags={"1.0": 30, "stable": 1}))
    week = PurgeCriteria((".*:.*",), timedelta(days=7), untagged=True)
    assert untagged(plan(web, running("live"), week)) == set()
    assert untagged(plan(web, Protections(), week)) == {"live:1.0"}


def test_an_index_is_kept_when_one_of_its_manifests_runs_and_so_are_its_other_manifests() -> None:
    web = repo(
        "web",
        image("idx", tags={"1.0": 30}, children=["amd64", "arm64"]),
        image("amd64"),
        image("arm64"),
    )
    result = plan(web, running("arm64"))
    assert deleted(result) == set()
    assert kept_reasons(result, "idx") == {"running"}
    assert kept_reasons(result, "amd64") == {"index-child"}
    assert "its manifest" in next(k for k in result.kept if k.digest == digest("idx")).reasons[0].detail


def test_the_manifests_of_a_running_index_stay() -> None:
    web = repo("web", image("idx", tags={"1.0": 30}, children=["amd64"]), image("amd64"))
    result = plan(web, running("idx"))
    assert deleted(result) == set() and kept_reasons(result, "amd64") == {"index-child"}


def test_a_pulled_digest_stays_with_the_time_of_its_last_pull() -> None:
    web = repo("web", image("a", tags={"1.0": 30}), image("b", tags={"1.1": 30}))
    result = plan(web, Protections(pulled={digest("a"): NOW - timedelta(days=2)}))
    assert deleted(result) == {"b"} and kept_reasons(result, "a") == {"pulled"}
    assert "2025-02-27T12:00:00Z" in next(k for k in result.kept if k.digest == digest("a")).reasons[0].detail


def test_a_locked_index_shields_its_manifests_although_acr_purge_would_not() -> None:
    # `acr purge` passes over a locked index without looking at its children: they would be deleted.
    web = repo("web", image("idx", age=90, children=["amd64"], locked=True), image("amd64", age=90))
    result = plan(web, Protections())
    assert deleted(result) == set()
    assert kept_reasons(result, "amd64") == {"index-child"}


def test_an_index_kept_by_keep_shields_its_manifests() -> None:
    web = repo("web", image("idx", age=10, children=["amd64"]), image("amd64", age=90), image("x", age=20))
    criteria = PurgeCriteria((".*:.*",), timedelta(0), keep=1, untagged=True)
    result = plan(web, Protections(), criteria)
    assert deleted(result) == {"x"}
    assert kept_reasons(result, "amd64") == {"index-child"}


def test_a_protected_referrer_keeps_its_subject_and_the_subjects_other_referrers() -> None:
    web = repo(
        "web",
        image("app", tags={"1.0": 30}),
        image("sig", subject="app", locked=True),
        image("sbom", subject="app"),
    )
    result = plan(web, Protections())
    assert deleted(result) == set()
    assert kept_reasons(result, "app") == {"referrer-protected"}
    assert kept_reasons(result, "sig") == {"locked"}
    assert kept_reasons(result, "sbom") == {"subject-kept"}


def test_a_running_referrer_chain_holds_everything_up_to_the_subject() -> None:
    web = repo("web", image("app", tags={"1.0": 30}), image("sbom", subject="app"), image("sig", subject="sbom"))
    result = plan(web, Protections(pulled={digest("sig"): NOW - timedelta(days=1)}))
    assert deleted(result) == set()
    assert kept_reasons(result, "sbom") == {"referrer-protected"}
    assert kept_reasons(result, "app") == {"referrer-protected"}


def test_include_locked_deletes_a_locked_referrer_with_its_subject_after_unlocking() -> None:
    web = repo("web", image("app", tags={"1.0": 30}), image("sig", subject="app", locked=True))
    criteria = PurgeCriteria((".*:.*",), timedelta(0), untagged=True, include_locked=True)
    result = plan(web, Protections(), criteria)
    assert deleted(result) == {"app", "sig"}
    signature = next(a for a in result.actions if a.digest == digest("sig"))
    assert signature.unlock and signature.goes_with == digest("app")


def test_running_wins_over_include_locked() -> None:
    web = repo("web", image("live", tags={"1.0": 30}, locked=True))
    criteria = PurgeCriteria((".*:.*",), timedelta(0), untagged=True, include_locked=True)
    assert plan(web, running("live"), criteria).actions == ()


def test_held_marks_only_what_the_rules_selected() -> None:
    web = repo("web", image("live", tags={"1.0": 30}), image("young", tags={"2.0": 1}))
    result = plan(web, running("live", "young"), PurgeCriteria((".*:.*",), timedelta(days=7), untagged=True))
    assert {k.digest: k.held for k in result.kept} == {digest("live"): True, digest("young"): False}
