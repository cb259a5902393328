"""Recorded signatures (`verify --record`): what was found attached to an image digest in a repository, and the
latest verification of that digest there under each policy file.

Both are keyed by the repository as well as the digest: the same image copied to another registry carries the
signatures pushed there, and a policy's scopes may judge it differently. No foreign key to `images`: an image may be
verified (in CI, before it is catalogued) and its page shows the record once it is.
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import DIGEST, MOMENT, ROW_ID, metadata

image_referrers = sa.Table(
    "image_referrers",
    metadata,
    sa.Column("subject", DIGEST, nullable=False),
    sa.Column("repository", sa.String(512), nullable=False),  # registry/repository
    sa.Column("digest", DIGEST, nullable=False),  # the referrer's manifest
    sa.Column("artifact_type", sa.String(255), nullable=True),
    sa.Column("media_type", sa.String(255), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("created", sa.String(40), nullable=True),  # org.opencontainers.image.created, as written
    sa.Column("annotations", sa.Text(), nullable=False),  # JSON object: a summary, values cut short
    sa.Column("source", sa.String(20), nullable=False),  # referrers | cosign-tag
    sa.Column("tag", sa.String(128), nullable=True),  # cosign's sha256-<hex>.sig / .att / .sbom
    sa.Column("seen_at", MOMENT, nullable=False),
    sa.PrimaryKeyConstraint("subject", "repository", "digest", name="pk_image_referrers"),
)

signature_verifications = sa.Table(
    "signature_verifications",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("subject", DIGEST, nullable=False),
    sa.Column("repository", sa.String(512), nullable=False),
    sa.Column("policy", sa.String(255), nullable=False),  # the policy file's name
    sa.Column("policy_sha256", sa.String(71), nullable=False),  # sha256:<hex> of the file's bytes
    sa.Column("statements", sa.Text(), nullable=False),  # the applicable statements and rules, by name
    sa.Column("reference", sa.Text(), nullable=False),  # as the user named the image
    sa.Column("passed", sa.Boolean(), nullable=False),
    sa.Column("skipped", sa.Boolean(), nullable=False),
    sa.Column("reason", sa.String(40), nullable=True),  # a FailureReason value
    sa.Column("message", sa.Text(), nullable=False),
    # JSON list, one object per signature: kind, artifact_digest, passed, reason, detail, signer, issuer,
    # statement, signed_at.
    sa.Column("signatures", sa.Text(), nullable=False),
    sa.Column("verified_at", MOMENT, nullable=False),
    # The key leads with the subject: it is also the index an image page reads by.
    sa.UniqueConstraint("subject", "repository", "policy", name="uq_signature_verifications_policy"),
)
