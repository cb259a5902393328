"""The policy file and the decision over all of an image's signatures (signing.verify, pure)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from regwarden.model.image import Descriptor
from regwarden.model.trust import FailureReason
from regwarden.signing import cosign
from regwarden.signing.policy import PolicyFileError, load_policy
from regwarden.signing.sign import create_signature
from regwarden.signing.verify import COSIGN, NOTATION, ImageSubject, SignatureArtifact, verify_signatures
from tests.signing import pki

IMAGE = Descriptor("application/vnd.oci.image.manifest.v1+json", "sha256:" + "12" * 32, 900)
SUBJECT = ImageSubject("r.example/team/app:1", "r.example/team/app", IMAGE)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, bytes]:
    """A policy directory (trust store, trust policy, cosign key, policy.yaml), a Notation envelope, a cosign one."""
    directory = tmp_path_factory.mktemp("policy")
    root = pki.root()
    signer = pki.leaf(root)
    store = directory / "truststore" / "x509" / "ca" / "team"
    store.mkdir(parents=True)
    (store / "root.crt").write_bytes(root.cert.public_bytes(serialization.Encoding.DER))
    trust_policy = {
        "version": "1.0",
        "trustPolicies": [
            {
                "name": "team",
                "registryScopes": ["r.example/team/app"],
                "signatureVerification": {"level": "strict", "override": {"revocation": "skip"}},
                "trustStores": ["ca:team"],
                "trustedIdentities": ["*"],
            },
            {"name": "legacy", "registryScopes": ["r.example/legacy"], "signatureVerification": {"level": "skip"}},
        ],
    }
    (directory / "trustpolicy.json").write_text(json.dumps(trust_policy))
    key = pki.new_key("ec256")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (directory / "cosign.pub").write_bytes(public)
    (directory / "policy.yaml").write_text(
        "notation:\n  trustPolicy: trustpolicy.json\n"
        "cosign:\n  - name: other-team\n    registryScopes: [r.example/other]\n    publicKeys: [cosign.pub]\n"
        "revocation:\n  fetch: false\n"
    )
    envelope = create_signature(signer.key, [signer.cert, root.cert], IMAGE, pki.NOW).envelope
    payload = cosign.simplesigning_payload("r.example/other", IMAGE.digest)
    signature = base64.b64encode(key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    return directory, envelope, json.dumps({"payload": payload.decode(), "signature": signature}).encode()


def _notation(envelope: bytes) -> SignatureArtifact:
    return SignatureArtifact(NOTATION, "sha256:" + "aa" * 32, "application/jose+json", envelope)


def _cosign(bundle: bytes) -> SignatureArtifact:
    parts = json.loads(bundle)
    annotations = {cosign.SIGNATURE_ANNOTATION: parts["signature"]}
    return SignatureArtifact(
        COSIGN, "sha256:" + "bb" * 32, cosign.SIMPLESIGNING_MEDIA_TYPE, parts["payload"].encode(), annotations
    )


def test_the_policy_file_reads_its_parts_relative_to_itself(setup: tuple[Path, bytes, bytes]) -> None:
    directory, _, _ = setup
    policy = load_policy(directory / "policy.yaml")
    assert policy.notation is not None
    assert [s.name for s in policy.notation.statements] == ["team", "legacy"]
    assert list(policy.trust_store.stores) == [("ca", "team")]
    assert [(r.name, r.registry_scopes, [label for label, _ in r.public_keys]) for r in policy.cosign] == [
        ("other-team", ("r.example/other",), ["cosign.pub"])
    ]
    assert policy.fetch_crls is False
    alone = load_policy(directory / "trustpolicy.json")
    assert alone.notation is not None and alone.cosign == ()


def test_a_signed_image_passes_and_every_signature_is_reported(setup: tuple[Path, bytes, bytes]) -> None:
    directory, envelope, bundle = setup
    result = verify_signatures(SUBJECT, [_notation(envelope), _cosign(bundle)], load_policy(directory / "policy.yaml"))
    assert (result.passed, result.reason, result.policy) == (True, None, "team")
    assert [(v.kind, v.passed, v.reason) for v in result.verdicts] == [
        ("notation-jws", True, None),
        ("cosign", False, FailureReason.NO_APPLICABLE_POLICY),
    ]


def test_the_decision_for_each_repository(setup: tuple[Path, bytes, bytes]) -> None:
    directory, envelope, bundle = setup
    policy = load_policy(directory / "policy.yaml")

    def decide(uri: str, artifacts: list[SignatureArtifact]) -> tuple[bool, FailureReason | None, bool]:
        subject = ImageSubject(f"{uri}:1", uri, IMAGE)
        result = verify_signatures(subject, artifacts, policy)
        return result.passed, result.reason, result.skipped

    assert decide("r.example/team/app", []) == (False, FailureReason.NO_SIGNATURE, False)
    assert decide("r.example/legacy", []) == (True, None, True)
    assert decide("r.example/unknown", [_notation(envelope)]) == (False, FailureReason.NO_APPLICABLE_POLICY, False)
    assert decide("r.example/other", [_cosign(bundle)]) == (True, None, False)
    assert decide("r.example/other", [_notation(envelope)]) == (False, FailureReason.NO_APPLICABLE_POLICY, False)


def test_one_good_signature_among_bad_ones_is_enough(setup: tuple[Path, bytes, bytes]) -> None:
    directory, envelope, _ = setup
    tampered = envelope.replace(b'"signature":"', b'"signature":"AA')
    result = verify_signatures(
        SUBJECT, [_notation(tampered), _notation(envelope)], load_policy(directory / "policy.yaml")
    )
    assert result.passed
    assert [v.reason for v in result.verdicts] == [FailureReason.SIGNATURE_INVALID, None]
    alone = verify_signatures(SUBJECT, [_notation(tampered)], load_policy(directory / "policy.yaml"))
    assert (alone.passed, alone.reason) == (False, FailureReason.SIGNATURE_INVALID)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("surprise: 1\n", "unknown section"),
        ("- a\n", "must hold a mapping"),
        ("cosign:\n  - registryScopes: ['*']\n    publicKeys: [cosign.pub]\n", "needs a name"),
        ("cosign:\n  - name: x\n    publicKeys: [cosign.pub]\n", "at least one repository"),
        ("cosign:\n  - name: x\n    registryScopes: ['*']\n", "give publicKeys"),
        ("cosign:\n  - name: x\n    registryScopes: ['*']\n    publicKeys: [missing.pub]\n", "cannot read"),
        ("cosign:\n  - name: x\n    registryScopes: ['*']\n    trustedRoot: trusted_root.json\n", "need `identities`"),
        (
            "cosign:\n  - name: x\n    registryScopes: ['*']\n    certificateRoots: [root.pem]\n"
            "    identities: [{issuer: i}]\n",
            "exactly one of `subject`",
        ),
    ],
)
def test_policy_files_with_mistakes_are_refused(setup: tuple[Path, bytes, bytes], text: str, message: str) -> None:
    directory, _, _ = setup
    (directory / "root.pem").write_bytes(pki.root().pem)
    (directory / "bad.yaml").write_text(text)
    with pytest.raises(PolicyFileError, match=message):
        load_policy(directory / "bad.yaml")
