"""`acr purge`'s rules, one test per rule (lifecycle/acr_rules.py), on repositories as ACR lists them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from regwarden.lifecycle.plan import plan_purge
from regwarden.model.errors import BadInputError
from regwarden.model.purge import Protections, PurgeCriteria, PurgePlan, RepositoryContents, TagListing
from tests.lifecycle.builders import (
    DOCKER_MANIFEST,
    NOW,
    at,
    deleted,
    digest,
    image,
    kept_reasons,
    repo,
    untagged,
)


def plan(
    *contents: RepositoryContents,
    filters: tuple[str, ...] = (".*:.*",),
    ago: str = "7d",
    keep: int = 0,
    untagged_too: bool = False,
    include_locked: bool = False,
) -> PurgePlan:
    days = timedelta(days=int(ago.removesuffix("d")))
    criteria = PurgeCriteria(filters, days, keep=keep, untagged=untagged_too, include_locked=include_locked)
    return plan_purge("fake.azurecr.io", contents, criteria, Protections(), NOW)


def test_the_repository_expression_must_match_the_whole_name() -> None:
    contents = [repo(name, image(name, tags={"1.0": 30})) for name in ("web", "shop/web", "webshop", "web2")]
    assert untagged(plan(*contents, filters=("web:.*",))) == {"web:1.0"}
    assert untagged(plan(*contents, filters=("web.*:.*",))) == {"web:1.0", "webshop:1.0", "web2:1.0"}
    assert plan(*contents, filters=("web:.*",)).repositories == ("web",)


def test_the_tag_expression_matches_anywhere_in_a_tag() -> None:
    web = repo("web", image("a", tags={"1.0": 30, "v1.0": 30, "2.1": 30, "release-1.0-rc": 30}))
    assert untagged(plan(web, filters=(r"web:1\.0",))) == {"a:1.0", "a:v1.0", "a:release-1.0-rc"}
    assert untagged(plan(web, filters=(r"web:^1\.0$",))) == {"a:1.0"}


def test_filters_naming_the_same_repository_are_joined() -> None:
    web = repo("web", image("a", tags={"dev-1": 30, "pr-7": 30, "1.0": 30}))
    assert untagged(plan(web, filters=("web:^dev-", "w.b:^pr-"))) == {"a:dev-1", "a:pr-7"}


def test_ago_compares_the_tags_own_last_update_strictly_before_the_cutoff() -> None:
    # The manifest is old; tag `moved` was pointed at it 2 days ago; `edge` was updated exactly at the cutoff.
    web = repo("web", image("a", tags={"old": 30, "moved": 2, "edge": 7}, age=30))
    result = plan(web, ago="7d")
    assert untagged(result) == {"a:old"}
    assert kept_reasons(result, "a") == {"recent"}


def test_ago_zero_selects_every_matching_tag() -> None:
    web = repo("web", image("a", tags={"1.0": 0.001}), image("b", tags={"latest": 0.5}))
    assert untagged(plan(web, ago="0d")) == {"a:1.0", "b:latest"}


def test_keep_keeps_the_most_recent_of_the_eligible_tags_only() -> None:
    # Eligible (matching, old, unlocked): t1 (10 days) … t5 (50 days). `fresh` is too recent and `other` does not
    # match: neither counts towards --keep, so the two kept are t1 and t2.
    images = [image(f"m{n}", tags={f"t{n}": n * 10}) for n in range(1, 6)]
    web = repo("web", *images, image("f", tags={"fresh": 1}), image("o", tags={"other": 90}))
    result = plan(web, filters=("web:^t|^fresh",), keep=2)
    assert untagged(result) == {"m3:t3", "m4:t4", "m5:t5"}
    assert kept_reasons(result, "m1") == kept_reasons(result, "m2") == {"keep"}
    assert kept_reasons(result, "f") == {"recent"}


def test_keep_larger_than_the_eligible_set_removes_nothing() -> None:
    web = repo("web", image("a", tags={"1": 30}), image("b", tags={"2": 40}))
    assert plan(web, keep=5).actions == ()


def test_delete_locked_and_write_locked_tags_are_skipped_unless_include_locked() -> None:
    web = repo("web", image("a", tags={"frozen": 30, "free": 30}, locked_tags={"frozen"}))
    write_locked = replace(web, tags=(*web.tags, TagListing("sealed", digest("a"), at(30), True, False)))
    assert untagged(plan(write_locked)) == {"a:free"}
    assert kept_reasons(plan(write_locked), "a") == {"locked"}
    forced = plan(write_locked, include_locked=True)
    assert deleted(forced) == set() and untagged(forced) == {"a:free", "a:frozen", "a:sealed"}
    assert all(action.unlock for action in forced.actions)


def test_without_untagged_manifests_lose_their_tags_and_stay() -> None:
    web = repo("web", image("a", tags={"1.0": 30}), image("dangling", age=90))
    result = plan(web)
    assert deleted(result) == set() and untagged(result) == {"a:1.0"}
    assert kept_reasons(result, "a") == kept_reasons(result, "dangling") == {"untagged-left"}


def test_untagged_deletes_manifests_left_without_tags_and_old_untagged_ones() -> None:
    web = repo(
        "web",
        image("a", tags={"1.0": 30}),
        image("b", tags={"1.1": 30, "latest": 1}),
        image("dangling", age=90),
        image("young", age=2),
    )
    result = plan(web, untagged_too=True)
    assert deleted(result) == {"a", "dangling"}
    assert untagged(result) == {"b:1.1"}
    assert kept_reasons(result, "young") == {"recent"}
    assert next(a for a in result.actions if a.digest == digest("a")).tags == ("1.0",)


def test_untagged_compares_the_manifests_own_last_update() -> None:
    # The tag is old but the manifest was updated (e.g. its attributes changed) after the cutoff: untag only.
    web = repo("web", image("a", tags={"1.0": 30}, age=3))
    result = plan(web, untagged_too=True)
    assert deleted(result) == set() and untagged(result) == {"a:1.0"}
    assert kept_reasons(result, "a") == {"recent"}


def test_untagged_never_deletes_a_manifest_an_index_that_stays_lists() -> None:
    web = repo(
        "web",
        image("idx", tags={"2.0": 1}, children=["amd64", "nested"]),
        image("nested", children=["arm64"], age=90),
        image("amd64", age=90),
        image("arm64", age=90),
        image("dangling", age=90),
    )
    result = plan(web, untagged_too=True)
    assert deleted(result) == {"dangling"}
    assert {"index-child"} == kept_reasons(result, "amd64") == kept_reasons(result, "arm64")


def test_untagged_deletes_an_old_index_and_its_manifests_together() -> None:
    web = repo("web", image("idx", tags={"1.0": 30}, children=["amd64", "arm64"]), image("amd64"), image("arm64"))
    result = plan(web, untagged_too=True)
    assert deleted(result) == {"idx", "amd64", "arm64"}
    waves = {action.digest: action.wave for action in result.actions}
    assert waves[digest("idx")] < waves[digest("amd64")] == waves[digest("arm64")]


def test_untagged_skips_locked_unknown_time_and_no_media_type() -> None:
    web = repo(
        "web",
        image("locked", age=90, locked=True),
        image("timeless", age=None),
        image("untyped", age=90, media_type=""),
        image("docker", age=90, media_type=DOCKER_MANIFEST),
        image("chart", age=90, media_type="application/vnd.example.thing"),
    )
    result = plan(web, untagged_too=True)
    assert deleted(result) == {"docker", "chart"}
    assert kept_reasons(result, "locked") == {"locked"}
    assert kept_reasons(result, "timeless") == {"no-time"}
    assert kept_reasons(result, "untyped") == {"media-type"}
    assert deleted(plan(web, untagged_too=True, include_locked=True)) == {"docker", "chart", "locked"}


def test_at_the_cutoff_a_tag_stays_and_an_untagged_manifest_goes_as_in_acr_purge() -> None:
    web = repo("web", image("a", tags={"edge": 7}, age=30), image("b", age=7))
    result = plan(web, ago="7d", untagged_too=True)
    assert untagged(result) == set() and deleted(result) == {"b"}


def test_keep_also_keeps_the_most_recent_untagged_manifests() -> None:
    web = repo("web", *(image(f"u{n}", age=10 * n) for n in range(1, 5)))
    result = plan(web, untagged_too=True, keep=1)
    assert deleted(result) == {"u2", "u3", "u4"}
    assert kept_reasons(result, "u1") == {"keep"}


def test_a_referrer_stays_with_a_subject_that_stays_and_goes_with_one_deleted() -> None:
    web = repo(
        "web",
        image("app", tags={"1.0": 30}),
        image("sig", subject="app", age=30),
        image("sbom", subject="app", age=30),
        image("sbom-sig", subject="sbom", age=30),
        image("kept", tags={"2.0": 1}),
        image("kept-sig", subject="kept", age=90, tags={"sha256-x.sig": 90}),
    )
    result = plan(web, untagged_too=True)
    assert deleted(result) == {"app", "sig", "sbom", "sbom-sig"}
    assert kept_reasons(result, "kept-sig") == {"subject-kept"}
    waves = {action.digest: action.wave for action in result.actions}
    assert waves[digest("sbom-sig")] < waves[digest("sbom")] < waves[digest("app")]
    assert waves[digest("sig")] < waves[digest("app")]


def test_a_referrer_whose_subject_is_not_listed_stays() -> None:
    web = repo("web", image("orphan", subject="gone-long-ago", age=90))
    assert kept_reasons(plan(web, untagged_too=True), "orphan") == {"subject-missing"}


def test_a_registry_without_untagged_listings_deletes_a_manifest_with_all_its_tags() -> None:
    web = repo("web", image("a", tags={"1.0": 30, "1": 30}), image("b", tags={"1.1": 30, "latest": 1}), complete=False)
    result = plan(web)
    assert deleted(result) == {"a"} and untagged(result) == {"b:1.1"}
    action = next(a for a in result.actions if a.digest == digest("a"))
    assert action.tags == ("1", "1.0") and "lists no untagged manifests" in action.reasons[-1]


def test_a_registry_without_untagged_listings_deletes_children_of_deleted_indexes_with_untagged() -> None:
    web = repo(
        "web",
        image("idx", tags={"1.0": 30}, children=["amd64"]),
        image("amd64", age=None),
        image("shared", age=None),
        image("idx2", tags={"2.0": 1}, children=["shared"]),
        complete=False,
    )
    assert deleted(plan(web)) == {"idx"}
    assert deleted(plan(web, untagged_too=True)) == {"idx", "amd64"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("web", "one separating colon"),
        ("web:1:2", "one separating colon"),
        (":1.0", "missing repository"),
        ("web:", "missing tag"),
        ("web(:.*", "not a regular expression"),
    ],
)
def test_bad_filters_are_bad_input(text: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        plan(repo("web"), filters=(text,))


def test_colons_inside_groups_and_classes_belong_to_the_expression() -> None:
    web = repo("web", image("a", tags={"a:b": 30, "x": 30}))
    assert untagged(plan(web, filters=("(?:web):(?i:A)[:]",))) == {"a:a:b"}


def test_untagged_manifests_of_the_same_time_are_kept_in_digest_order() -> None:
    web = repo("web", *(image(label, age=10) for label in ("p", "q", "r")))
    order = sorted(("p", "q", "r"), key=digest)
    result = plan(web, untagged_too=True, keep=1)
    assert deleted(result) == set(order[1:])
    assert kept_reasons(result, order[0]) == {"keep"}


def test_tags_of_the_same_time_are_kept_in_reverse_name_order() -> None:
    web = repo("web", image("a", tags={"t1": 10, "t2": 10, "t3": 10}))
    assert untagged(plan(web, keep=1)) == {"a:t1", "a:t2"}
