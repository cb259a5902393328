"""Recorded signatures (signature_schema.py): write what one `verify --record` found, read an image's records.

An image page reads the records of its own digest and of the indexes that hold it: a tag usually names an index,
and signing the tag signs the index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RowMapping

from regwarden.model.signatures import ImageSignatures, RecordedReferrer, RecordedSignature, RecordedVerification
from regwarden.store.inventory_schema import image_children
from regwarden.store.moments import aware
from regwarden.store.signature_schema import image_referrers, signature_verifications
from regwarden.store.upsert import dialect_insert

_VERIFICATION_KEY = ("subject", "repository", "policy")


class SignatureRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, referrers: Sequence[RecordedReferrer], verification: RecordedVerification) -> None:
        """The referrers now attached to the verified digest in its repository (replacing those seen before) and
        the verification, replacing the earlier one under the same policy file; one transaction."""
        with self._engine.begin() as conn:
            _replace_referrers(conn, verification.subject, verification.repository, referrers)
            row = _verification_row(verification)
            insert = dialect_insert(conn, signature_verifications)
            changed = {name: insert.excluded[name] for name in row if name not in _VERIFICATION_KEY}
            conn.execute(insert.on_conflict_do_update(index_elements=list(_VERIFICATION_KEY), set_=changed), [row])

    def for_image(self, digest: str) -> ImageSignatures:
        """The records of `digest` and of every index recorded as holding it."""
        with self._engine.connect() as conn:
            parents = sa.select(image_children.c.index_digest).where(image_children.c.child_digest == digest)
            subjects = {digest, *(str(found) for found in conn.execute(parents).scalars())}
            referrers = conn.execute(
                sa.select(image_referrers)
                .where(image_referrers.c.subject.in_(sorted(subjects)))
                .order_by(image_referrers.c.repository, image_referrers.c.seen_at, image_referrers.c.digest)
            )
            verifications = conn.execute(
                sa.select(signature_verifications)
                .where(signature_verifications.c.subject.in_(sorted(subjects)))
                .order_by(signature_verifications.c.repository, signature_verifications.c.policy)
            )
            return ImageSignatures(
                tuple(_referrer(row._mapping) for row in referrers),
                tuple(_verification(row._mapping) for row in verifications),
            )


def _replace_referrers(conn: Connection, subject: str, repository: str, referrers: Sequence[RecordedReferrer]) -> None:
    # What the registry lists now is the truth: a deleted signature must not linger on the page.
    conn.execute(
        sa.delete(image_referrers).where(
            image_referrers.c.subject == subject, image_referrers.c.repository == repository
        )
    )
    rows = [_referrer_row(item) for item in {item.digest: item for item in referrers}.values()]
    if rows:
        conn.execute(sa.insert(image_referrers), rows)


def _referrer_row(item: RecordedReferrer) -> dict[str, Any]:
    return {
        "subject": item.subject,
        "repository": item.repository,
        "digest": item.digest,
        "artifact_type": item.artifact_type,
        "media_type": item.media_type,
        "size": item.size,
        "created": item.created,
        "annotations": json.dumps(dict(item.annotations), sort_keys=True),
        "source": item.source,
        "tag": item.tag,
        "seen_at": item.seen_at,
    }


def _referrer(row: RowMapping) -> RecordedReferrer:
    seen_at = aware(row["seen_at"])
    assert isinstance(seen_at, datetime)
    return RecordedReferrer(
        subject=row["subject"],
        repository=row["repository"],
        digest=row["digest"],
        artifact_type=row["artifact_type"],
        media_type=row["media_type"],
        size=int(row["size"]),
        created=row["created"],
        annotations=json.loads(row["annotations"]),
        source=row["source"],
        tag=row["tag"],
        seen_at=seen_at,
    )


def _verification_row(item: RecordedVerification) -> dict[str, Any]:
    return {
        "subject": item.subject,
        "repository": item.repository,
        "policy": item.policy,
        "policy_sha256": item.policy_sha256,
        "statements": item.statements,
        "reference": item.reference,
        "passed": item.passed,
        "skipped": item.skipped,
        "reason": item.reason,
        "message": item.message,
        "signatures": json.dumps([_signature_document(s) for s in item.signatures]),
        "verified_at": item.verified_at,
    }


def _signature_document(item: RecordedSignature) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "artifact_digest": item.artifact_digest,
        "passed": item.passed,
        "reason": item.reason,
        "detail": item.detail,
        "signer": item.signer,
        "issuer": item.issuer,
        "statement": item.statement,
        "signed_at": item.signed_at,
    }


def _verification(row: RowMapping) -> RecordedVerification:
    verified_at = aware(row["verified_at"])
    assert isinstance(verified_at, datetime)
    return RecordedVerification(
        subject=row["subject"],
        repository=row["repository"],
        policy=row["policy"],
        policy_sha256=row["policy_sha256"],
        statements=row["statements"],
        reference=row["reference"],
        passed=bool(row["passed"]),
        skipped=bool(row["skipped"]),
        reason=row["reason"],
        message=row["message"],
        verified_at=verified_at,
        signatures=tuple(RecordedSignature(**document) for document in json.loads(row["signatures"])),
    )
