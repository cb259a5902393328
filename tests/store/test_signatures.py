"""Recorded signatures on SQLite and PostgreSQL: a verification replaces the earlier one under the same policy
file in the same repository, the referrers listed with it replace those seen before, and an image reads the
records of the indexes that hold it."""

from __future__ import annotations

from datetime import UTC, datetime

from regwarden.model.signatures import RecordedReferrer, RecordedSignature, RecordedVerification
from regwarden.store import open_store

INDEX = "sha256:" + "1" * 64
CHILD = "sha256:" + "2" * 64
OTHER = "sha256:" + "3" * 64
SIG_A = "sha256:" + "a" * 64
SIG_B = "sha256:" + "b" * 64
REPO = "registry.example/shop/web"
MIRROR = "mirror.example/shop/web"
FIRST = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _referrer(digest: str, seen_at: datetime, repository: str = REPO) -> RecordedReferrer:
    return RecordedReferrer(
        subject=INDEX,
        repository=repository,
        digest=digest,
        artifact_type="application/vnd.cncf.notary.signature",
        media_type="application/vnd.oci.image.manifest.v1+json",
        size=730,
        created="2026-12-01T09:59:00Z",
        seen_at=seen_at,
        annotations={"io.cncf.notary.x509chain.thumbprint#S256": '["ab…"]'},
    )


def _verification(
    passed: bool, at: datetime, repository: str = REPO, policy: str = "policy.yaml"
) -> RecordedVerification:
    signature = RecordedSignature(
        kind="notation-jws",
        artifact_digest=SIG_A,
        passed=passed,
        reason=None if passed else "untrusted-certificate",
        detail="chain to a trusted root" if passed else "no trusted root",
        signer="CN=ci-signer,O=regwarden-test",
        issuer="CN=CI Intermediate",
        statement="ci",
        signed_at="2026-12-01T09:59:00+00:00",
    )
    return RecordedVerification(
        subject=INDEX,
        repository=repository,
        policy=policy,
        policy_sha256="sha256:" + "c" * 64,
        statements="ci",
        reference=f"{repository}:1.0",
        passed=passed,
        skipped=False,
        reason=None if passed else "untrusted-certificate",
        message="a trusted signature verifies" if passed else "no signature satisfies the policy",
        verified_at=at,
        signatures=(signature,),
    )


def test_a_new_verification_replaces_the_earlier_one_and_its_referrers(db_url: str) -> None:
    with open_store(db_url) as store:
        store.signatures.record([_referrer(SIG_A, FIRST), _referrer(SIG_B, FIRST)], _verification(False, FIRST))
        store.signatures.record([_referrer(SIG_A, LATER)], _verification(True, LATER))
        recorded = store.signatures.for_image(INDEX)
    assert recorded.checked
    assert recorded.verifications == (_verification(True, LATER),)
    assert recorded.referrers == (_referrer(SIG_A, LATER),)


def test_each_repository_and_policy_file_keeps_its_own_latest_verification(db_url: str) -> None:
    with open_store(db_url) as store:
        store.signatures.record([_referrer(SIG_A, FIRST)], _verification(True, FIRST))
        store.signatures.record([], _verification(False, LATER, MIRROR))
        store.signatures.record([_referrer(SIG_A, LATER)], _verification(False, LATER, policy="strict.json"))
        recorded = store.signatures.for_image(INDEX)
    assert [(v.repository, v.policy, v.passed) for v in recorded.verifications] == [
        (MIRROR, "policy.yaml", False),
        (REPO, "policy.yaml", True),
        (REPO, "strict.json", False),
    ]
    assert [(r.repository, r.digest, r.seen_at) for r in recorded.referrers] == [(REPO, SIG_A, LATER)]


def test_a_platform_image_reads_the_records_of_its_index_and_others_read_nothing(db_url: str) -> None:
    with open_store(db_url) as store:
        store.catalog.record_children(INDEX, [(CHILD, "linux/amd64")])
        store.signatures.record([_referrer(SIG_A, FIRST)], _verification(True, FIRST))
        child = store.signatures.for_image(CHILD)
        other = store.signatures.for_image(OTHER)
    assert [v.subject for v in child.verifications] == [INDEX]
    assert [r.digest for r in child.referrers] == [SIG_A]
    assert (other.checked, other.verifications, other.referrers) == (False, (), ())
