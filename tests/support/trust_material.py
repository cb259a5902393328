"""Signing material for tests that sign an image and verify it: a key, its chain (leaf, intermediate, root), a
Notary Project trust store holding the root and a trust policy that trusts the leaf's subject."""

from __future__ import annotations

import json
from pathlib import Path

from tests.signing import pki

SIGNER_SUBJECT = "CN=ci-signer,O=regwarden-test,ST=WA,C=US"
ISSUER_SUBJECT = "CN=CI Intermediate,O=regwarden-test,ST=WA,C=US"


def write_material(directory: Path) -> Path:
    """`signer.key`, `chain.pem`, `truststore/x509/ca/ci/root.pem` and `trustpolicy.json` (statement `ci`)."""
    root = pki.root("CI Root")
    middle = pki.intermediate(root, "CI Intermediate")
    signer = pki.leaf(middle, "ci-signer")
    (directory / "signer.key").write_bytes(signer.key_pem)
    (directory / "chain.pem").write_bytes(signer.pem + middle.pem + root.pem)
    store = directory / "truststore" / "x509" / "ca" / "ci"
    store.mkdir(parents=True)
    (store / "root.pem").write_bytes(root.pem)
    statement = {
        "name": "ci",
        "registryScopes": ["*"],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:ci"],
        "trustedIdentities": ["x509.subject: C=US, ST=WA, O=regwarden-test, CN=ci-signer"],
    }
    (directory / "trustpolicy.json").write_text(json.dumps({"version": "1.0", "trustPolicies": [statement]}))
    return directory


def sign_args(image: str, material: Path) -> list[str]:
    return ["sign", image, "--key", str(material / "signer.key"), "--cert", str(material / "chain.pem"), "--insecure"]


def verify_args(image: str, material: Path, db: str) -> list[str]:
    return ["verify", image, "--policy", str(material / "trustpolicy.json"), "--insecure", "--record", "--db", db]
