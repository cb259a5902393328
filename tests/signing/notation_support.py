"""Helpers for the Notary Project tests: a trust store on disk, a one-statement policy, a verification call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from regwarden.model.image import Descriptor
from regwarden.model.trust import SignatureVerdict
from regwarden.signing.notation import NotationContext, verify_notation
from regwarden.signing.revocation import CrlRevocation
from regwarden.signing.trust_policy import parse_trust_policy
from regwarden.signing.truststore import load_trust_store

VECTORS = Path(__file__).parent / "testdata"
NOTATION_GO = VECTORS / "notation-go"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
TIMESTAMP_TARGET = Descriptor(
    DOCKER_MANIFEST, "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda", 528
)
MOCK_TARGET = Descriptor(
    DOCKER_MANIFEST, "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e", 528
)


def write_store(root: Path, stores: Mapping[str, Sequence[bytes | x509.Certificate]]) -> Path:
    """`{"ca:name": [cert or PEM/DER bytes, …]}` → ROOT/x509/ca/name/cert-N.pem."""
    for reference, certificates in stores.items():
        kind, _, store = reference.partition(":")
        directory = root / "x509" / kind / store
        directory.mkdir(parents=True, exist_ok=True)
        for number, cert in enumerate(certificates):
            data = cert.public_bytes(serialization.Encoding.PEM) if isinstance(cert, x509.Certificate) else cert
            (directory / f"cert-{number}.pem").write_bytes(data)
    return root


def statement(
    trust_stores: Sequence[str],
    level: str = "strict",
    *,
    identities: Sequence[str] = ("*",),
    override: Mapping[str, str] | None = None,
    verify_timestamp: str = "always",
) -> dict[str, object]:
    verification: dict[str, object] = {"level": level, "verifyTimestamp": verify_timestamp}
    if override:
        verification["override"] = dict(override)
    return {
        "version": "1.0",
        "trustPolicies": [
            {
                "name": "test",
                "registryScopes": ["*"],
                "signatureVerification": verification,
                "trustStores": list(trust_stores),
                "trustedIdentities": list(identities),
            }
        ],
    }


def verify(
    blob: bytes,
    media_type: str,
    target: Descriptor,
    store_root: Path,
    policy: Mapping[str, object],
    *,
    now: dt.datetime | None = None,
    revocation: CrlRevocation | None = None,
) -> SignatureVerdict:
    document = parse_trust_policy(policy)
    context = NotationContext(
        document.statements[0],
        load_trust_store(store_root),
        revocation or CrlRevocation(),
        now or dt.datetime.now(dt.UTC),
    )
    return verify_notation(blob, media_type, target, "sha256:" + "0" * 64, context)


def outcomes(verdict: SignatureVerdict) -> dict[str, str]:
    """{check: outcome[/reason]} — one comparable value for every check a verdict ran."""
    return {c.name: f"{c.outcome}/{c.reason}" if c.reason else str(c.outcome) for c in verdict.checks}
