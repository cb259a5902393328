"""cosign signatures made here in cosign's documented form (simple signing payload, layer annotations), and the
published Sigstore bundles of cosign and sigstore-python verified offline against their trusted roots."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from importlib import resources
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from regwarden.model.trust import FailureReason
from regwarden.signing import cosign
from regwarden.signing.cosign import CosignRule, simplesigning_payload, verify_simplesigning
from regwarden.signing.identity import FULCIO_ISSUER_V2, IdentityRule
from regwarden.signing.sigstore_bundle import verify_bundle
from tests.signing import pki

DIGEST = "sha256:" + "cd" * 32
SIGSTORE = Path(__file__).parent / "testdata" / "sigstore"
GITHUB = "https://token.actions.githubusercontent.com"
WORKFLOW = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"


def _ecdsa(key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def _rule(**kwargs: object) -> CosignRule:
    return CosignRule("rule", ("*",), **kwargs)  # type: ignore[arg-type]


def test_a_key_signature_verifies_with_the_trusted_key() -> None:
    key = pki.new_key("ec256")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    payload = simplesigning_payload("r.example/app", DIGEST)
    annotations = {cosign.SIGNATURE_ANNOTATION: _ecdsa(key, payload)}
    verdict = verify_simplesigning(
        payload, annotations, DIGEST, "sha256:sig", _rule(public_keys=(("release.pub", key.public_key()),)), pki.NOW
    )
    assert verdict.passed
    assert verdict.signer == "key release.pub"
    assert [c.name for c in verdict.checks] == ["integrity", "authenticity", "payload"]


def test_a_signature_by_another_key_is_a_key_mismatch() -> None:
    key, other = pki.new_key("ec256"), pki.new_key("ec256")
    payload = simplesigning_payload("r.example/app", DIGEST)
    annotations = {cosign.SIGNATURE_ANNOTATION: _ecdsa(key, payload)}  # type: ignore[arg-type]
    verdict = verify_simplesigning(
        payload, annotations, DIGEST, "sha256:sig", _rule(public_keys=(("other.pub", other.public_key()),)), pki.NOW
    )
    assert verdict.reason is FailureReason.KEY_MISMATCH


def test_a_signed_payload_for_another_image_is_a_payload_mismatch() -> None:
    key = pki.new_key("ec256")
    payload = simplesigning_payload("r.example/app", "sha256:" + "ee" * 32)
    annotations = {cosign.SIGNATURE_ANNOTATION: _ecdsa(key, payload)}  # type: ignore[arg-type]
    verdict = verify_simplesigning(
        payload, annotations, DIGEST, "sha256:sig", _rule(public_keys=(("k", key.public_key()),)), pki.NOW
    )
    assert verdict.reason is FailureReason.PAYLOAD_MISMATCH


def _fulcio_leaf(ca: pki.Issued, email: str, issuer: str, not_after: dt.datetime) -> pki.Issued:
    key = pki.new_key("ec256")
    issuer_value = b"\x0c" + bytes([len(issuer)]) + issuer.encode()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(minutes=10))
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=True)
        .add_extension(x509.UnrecognizedExtension(FULCIO_ISSUER_V2, issuer_value), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return pki.Issued(key, certificate)


def _rekor_bundle(rekor: ec.EllipticCurvePrivateKey, signature: str, payload: bytes, when: dt.datetime) -> str:
    body = {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "signature": {"content": signature},
            "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}},
        },
    }
    entry = {
        "body": base64.b64encode(json.dumps(body).encode()).decode(),
        "integratedTime": int(when.timestamp()),
        "logIndex": 7,
        "logID": "ab" * 32,
    }
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    return json.dumps({"SignedEntryTimestamp": _ecdsa(rekor, canonical), "Payload": entry})


@pytest.fixture(scope="module")
def keyless() -> tuple[pki.Issued, ec.EllipticCurvePrivateKey]:
    rekor = pki.new_key("ec256")
    assert isinstance(rekor, ec.EllipticCurvePrivateKey)
    return pki.root("Test Fulcio"), rekor


def _keyless_signature(
    fulcio: pki.Issued, rekor: ec.EllipticCurvePrivateKey, email: str = "dev@acme.example", *, with_bundle: bool = True
) -> tuple[bytes, dict[str, str]]:
    used = pki.NOW - dt.timedelta(days=3)
    signer = _fulcio_leaf(fulcio, email, GITHUB, used + dt.timedelta(minutes=5))
    payload = simplesigning_payload("r.example/app", DIGEST)
    signature = _ecdsa(signer.key, payload)  # type: ignore[arg-type]
    annotations = {
        cosign.SIGNATURE_ANNOTATION: signature,
        cosign.CERTIFICATE_ANNOTATION: signer.pem.decode(),
        cosign.CHAIN_ANNOTATION: fulcio.pem.decode(),
    }
    if with_bundle:
        annotations[cosign.BUNDLE_ANNOTATION] = _rekor_bundle(rekor, signature, payload, used)
    return payload, annotations


def test_a_keyless_signature_passes_with_its_identity_and_a_verified_log_time(
    keyless: tuple[pki.Issued, ec.EllipticCurvePrivateKey],
) -> None:
    fulcio, rekor = keyless
    payload, annotations = _keyless_signature(fulcio, rekor)
    rule = _rule(
        certificate_roots=(fulcio.cert,),
        identities=(IdentityRule(GITHUB, "dev@acme.example"),),
        rekor_keys=(rekor.public_key(),),
    )
    verdict = verify_simplesigning(payload, annotations, DIGEST, "sha256:sig", rule, pki.NOW)
    assert verdict.passed, verdict.checks
    assert verdict.signer == f"dev@acme.example ({GITHUB})"


def test_keyless_signatures_fail_on_identity_expiry_log_and_root(
    keyless: tuple[pki.Issued, ec.EllipticCurvePrivateKey],
) -> None:
    fulcio, rekor = keyless
    identities = (IdentityRule(GITHUB, subject_pattern=r".*@acme\.example"),)
    payload, annotations = _keyless_signature(fulcio, rekor, "mallory@evil.example")
    rule = _rule(certificate_roots=(fulcio.cert,), identities=identities, rekor_keys=(rekor.public_key(),))
    assert (
        verify_simplesigning(payload, annotations, DIGEST, "s", rule, pki.NOW).reason is FailureReason.IDENTITY_MISMATCH
    )
    payload, annotations = _keyless_signature(fulcio, rekor, with_bundle=False)
    assert (
        verify_simplesigning(payload, annotations, DIGEST, "s", rule, pki.NOW).reason
        is FailureReason.CERTIFICATE_EXPIRED
    )
    payload, annotations = _keyless_signature(fulcio, pki.new_key("ec256"))  # type: ignore[arg-type]
    assert (
        verify_simplesigning(payload, annotations, DIGEST, "s", rule, pki.NOW).reason
        is FailureReason.TRANSPARENCY_LOG_INVALID
    )
    other_root = _rule(
        certificate_roots=(pki.root("Other").cert,), identities=identities, rekor_keys=(rekor.public_key(),)
    )
    payload, annotations = _keyless_signature(fulcio, rekor)
    assert (
        verify_simplesigning(payload, annotations, DIGEST, "s", other_root, pki.NOW).reason
        is FailureReason.UNTRUSTED_CERTIFICATE
    )
    annotations[cosign.SIGNATURE_ANNOTATION] = _ecdsa(pki.new_key("ec256"), payload)  # type: ignore[arg-type]
    assert (
        verify_simplesigning(payload, annotations, DIGEST, "s", rule, pki.NOW).reason is FailureReason.SIGNATURE_INVALID
    )


# Published Sigstore bundles -------------------------------------------------------------------------------------

COSIGN_ATTESTATION_SUBJECT = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"


def _bundle_rule(trusted_root: Path | str, issuer: str, subject: str) -> CosignRule:
    return _rule(identities=(IdentityRule(issuer, subject),), trusted_root=str(trusted_root))


def test_cosigns_published_oci_attestation_bundle_verifies_offline() -> None:
    rule = _bundle_rule(SIGSTORE / "trusted_root_pgi.json", "https://github.com/login/oauth", "cody@soyland.com")
    verdict = verify_bundle(
        (SIGSTORE / "oci-attestation.sigstore.json").read_bytes(), COSIGN_ATTESTATION_SUBJECT, "sha256:a", rule
    )
    assert verdict.passed, verdict.checks
    assert verdict.signer == "cody@soyland.com (https://github.com/login/oauth)"
    assert "https://cosign.sigstore.dev/attestation/v1" in verdict.checks[0].detail


def test_a_bundle_is_rejected_for_another_identity_or_another_image() -> None:
    blob = (SIGSTORE / "oci-attestation.sigstore.json").read_bytes()
    wrong_identity = _bundle_rule(
        SIGSTORE / "trusted_root_pgi.json", "https://github.com/login/oauth", "someone@else.example"
    )
    assert (
        verify_bundle(blob, COSIGN_ATTESTATION_SUBJECT, "s", wrong_identity).reason is FailureReason.IDENTITY_MISMATCH
    )
    right = _bundle_rule(SIGSTORE / "trusted_root_pgi.json", "https://github.com/login/oauth", "cody@soyland.com")
    assert verify_bundle(blob, DIGEST, "s", right).reason is FailureReason.PAYLOAD_MISMATCH


def test_a_bundle_against_an_unrelated_trusted_root_does_not_verify() -> None:
    staging = _staging_root()
    rule = _bundle_rule(staging, "https://github.com/login/oauth", "cody@soyland.com")
    verdict = verify_bundle(
        (SIGSTORE / "oci-attestation.sigstore.json").read_bytes(), COSIGN_ATTESTATION_SUBJECT, "s", rule
    )
    assert verdict.reason is FailureReason.SIGNATURE_INVALID


def _staging_root() -> Path:
    store = resources.files("sigstore") / "_store" / "https%3A%2F%2Ftuf-repo-cdn.sigstage.dev" / "trusted_root.json"
    return Path(str(store))


def test_sigstore_pythons_message_signature_bundle_verifies_over_its_digest() -> None:
    """sigstore-python's `bundle_v3.txt`, signed on Sigstore staging: a message signature over the file's digest."""
    from sigstore.models import Bundle

    from regwarden.signing.identity import fulcio_identity

    blob = (SIGSTORE / "bundle_v3.txt.sigstore").read_bytes()
    identity = fulcio_identity(Bundle.from_json(blob).signing_certificate)
    assert identity.subject is not None and identity.issuer is not None
    digest = "sha256:" + hashlib.sha256((SIGSTORE / "bundle_v3.txt").read_bytes()).hexdigest()
    rule = _bundle_rule(_staging_root(), identity.issuer, identity.subject)
    assert verify_bundle(blob, digest, "s", rule).passed
    assert verify_bundle(blob, DIGEST, "s", rule).reason is FailureReason.SIGNATURE_INVALID
