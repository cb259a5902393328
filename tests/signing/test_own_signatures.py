"""Signatures made here with `cryptography` in the documented JWS form, and every way they must be rejected."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError
from regwarden.model.image import Descriptor
from regwarden.model.trust import FailureReason
from regwarden.signing.algorithms import sign_raw
from regwarden.signing.revocation import CrlRevocation
from regwarden.signing.sign import EMPTY_CONFIG, EMPTY_CONFIG_DIGEST, check_signing_material, create_signature
from tests.signing import pki
from tests.signing.notation_support import outcomes, statement, verify, write_store

JWS = "application/jose+json"
IMAGE = Descriptor("application/vnd.oci.image.manifest.v1+json", "sha256:" + "ab" * 32, 1234)
ALL_PASSED = {
    "integrity": "passed",
    "authenticity": "passed",
    "expiry": "passed",
    "authenticTimestamp": "passed",
    "revocation": "passed",
}


@pytest.fixture(scope="module")
def ca() -> tuple[pki.Issued, pki.Issued]:
    root = pki.root()
    return root, pki.intermediate(root)


def _sign(signer: pki.Issued, chain: list[pki.Issued], **kwargs: object) -> bytes:
    return create_signature(signer.key, [c.cert for c in chain], IMAGE, pki.NOW, **kwargs).envelope


def _store(tmp_path: Path, root: pki.Issued) -> Path:
    return write_store(tmp_path / "store", {"ca:test": [root.cert]})


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [
        ("rsa2048", "PS256"),
        ("rsa3072", "PS384"),
        ("rsa4096", "PS512"),
        ("ec256", "ES256"),
        ("ec384", "ES384"),
        ("ec521", "ES512"),
    ],
)
def test_every_allowed_key_signs_and_verifies_with_its_algorithm(
    tmp_path: Path, ca: tuple[pki.Issued, pki.Issued], kind: str, algorithm: str
) -> None:
    root, middle = ca
    signer = pki.leaf(middle, kind=kind)
    envelope = _sign(signer, [signer, middle, root])
    verdict = verify(envelope, JWS, IMAGE, _store(tmp_path, root), statement(["ca:test"]))
    assert outcomes(verdict) == ALL_PASSED
    assert json.loads(base64.urlsafe_b64decode(json.loads(envelope)["protected"] + "=="))["alg"] == algorithm


def test_the_envelope_and_manifest_follow_the_specification(ca: tuple[pki.Issued, pki.Issued]) -> None:
    root, middle = ca
    signer = pki.leaf(middle)
    artifact = create_signature(
        signer.key, [signer.cert, middle.cert, root.cert], IMAGE, pki.NOW, pki.NOW + dt.timedelta(days=1)
    )
    envelope = json.loads(artifact.envelope)
    assert set(envelope) == {"payload", "protected", "header", "signature"}
    protected = json.loads(base64.urlsafe_b64decode(envelope["protected"] + "=="))
    assert protected["crit"] == ["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"]
    assert protected["io.cncf.notary.signingScheme"] == "notary.x509"
    assert protected["cty"] == "application/vnd.cncf.notary.payload.v1+json"
    payload = json.loads(base64.urlsafe_b64decode(envelope["payload"] + "=="))
    assert payload == {"targetArtifact": {"mediaType": IMAGE.media_type, "digest": IMAGE.digest, "size": IMAGE.size}}
    manifest = json.loads(artifact.manifest)
    assert manifest["artifactType"] == "application/vnd.cncf.notary.signature"
    assert manifest["config"] == {
        "mediaType": "application/vnd.oci.empty.v1+json",
        "digest": EMPTY_CONFIG_DIGEST,
        "size": 2,
    }
    assert manifest["layers"][0]["mediaType"] == JWS
    assert manifest["subject"]["digest"] == IMAGE.digest
    assert len(json.loads(manifest["annotations"]["io.cncf.notary.x509chain.thumbprint#S256"])) == 3
    import hashlib

    assert f"sha256:{hashlib.sha256(EMPTY_CONFIG).hexdigest()}" == EMPTY_CONFIG_DIGEST


def test_a_signature_by_another_key_than_the_certificates_is_invalid(
    tmp_path: Path, ca: tuple[pki.Issued, pki.Issued]
) -> None:
    root, middle = ca
    signer, impostor = pki.leaf(middle), pki.new_key("ec256")
    envelope = json.loads(_sign(signer, [signer, middle, root]))
    signing_input = f"{envelope['protected']}.{envelope['payload']}".encode()
    envelope["signature"] = base64.urlsafe_b64encode(sign_raw(impostor, signing_input)[1]).decode().rstrip("=")
    verdict = verify(json.dumps(envelope).encode(), JWS, IMAGE, _store(tmp_path, root), statement(["ca:test"]))
    assert outcomes(verdict) == {"integrity": "failed/signature-invalid"}


def _resign(envelope: dict[str, str], protected: dict[str, object], key: pki.Key) -> bytes:
    envelope["protected"] = base64.urlsafe_b64encode(json.dumps(protected).encode()).decode().rstrip("=")
    signing_input = f"{envelope['protected']}.{envelope['payload']}".encode()
    envelope["signature"] = base64.urlsafe_b64encode(sign_raw(key, signing_input)[1]).decode().rstrip("=")
    return json.dumps(envelope).encode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"alg": "ES384"}, FailureReason.ALGORITHM_MISMATCH),
        (
            {
                "crit": ["io.cncf.notary.signingScheme", "io.cncf.notary.verificationPlugin"],
                "io.cncf.notary.verificationPlugin": "x",
            },
            FailureReason.UNKNOWN_CRITICAL_ATTRIBUTE,
        ),
        ({"io.cncf.notary.expiry": "2099-01-01T00:00:00Z"}, FailureReason.MALFORMED_ENVELOPE),
        ({"io.cncf.notary.signingScheme": "notary.other"}, FailureReason.MALFORMED_ENVELOPE),
        ({"cty": "application/json"}, FailureReason.MALFORMED_ENVELOPE),
    ],
)
def test_signed_attributes_the_spec_forbids_are_rejected(
    tmp_path: Path, ca: tuple[pki.Issued, pki.Issued], change: dict[str, object], reason: FailureReason
) -> None:
    root, middle = ca
    signer = pki.leaf(middle)
    envelope = json.loads(_sign(signer, [signer, middle, root]))
    protected = json.loads(base64.urlsafe_b64decode(envelope["protected"] + "=="))
    blob = _resign(envelope, {**protected, **change}, signer.key)
    verdict = verify(blob, JWS, IMAGE, _store(tmp_path, root), statement(["ca:test"]))
    assert verdict.reason is reason


def test_expired_and_not_yet_valid_certificates_are_rejected_with_their_reasons(
    tmp_path: Path, ca: tuple[pki.Issued, pki.Issued]
) -> None:
    root, middle = ca
    signer = pki.leaf(middle, not_after=pki.NOW + dt.timedelta(hours=1))
    envelope = _sign(signer, [signer, middle, root])
    store = _store(tmp_path, root)
    later = verify(envelope, JWS, IMAGE, store, statement(["ca:test"]), now=pki.NOW + dt.timedelta(hours=2))
    assert later.reason is FailureReason.CERTIFICATE_EXPIRED
    earlier = verify(envelope, JWS, IMAGE, store, statement(["ca:test"]), now=pki.NOW - dt.timedelta(hours=2))
    assert earlier.reason is FailureReason.CERTIFICATE_NOT_YET_VALID


def test_a_chain_to_another_root_is_untrusted(tmp_path: Path, ca: tuple[pki.Issued, pki.Issued]) -> None:
    root, middle = ca
    signer = pki.leaf(middle)
    envelope = _sign(signer, [signer, middle, root])
    verdict = verify(envelope, JWS, IMAGE, _store(tmp_path, pki.root("Other Root")), statement(["ca:test"]))
    assert verdict.reason is FailureReason.UNTRUSTED_CERTIFICATE


@pytest.mark.parametrize("defect", ["out-of-order", "no-root", "leaf-without-key-usage"])
def test_chains_that_break_the_certificate_requirements_are_invalid(
    tmp_path: Path, ca: tuple[pki.Issued, pki.Issued], defect: str
) -> None:
    root, middle = ca
    signer = pki.leaf(middle, usage=defect != "leaf-without-key-usage")
    chain = {"out-of-order": [signer, root, middle], "no-root": [signer, middle]}.get(defect, [signer, middle, root])
    envelope = _sign(signer, chain)
    verdict = verify(envelope, JWS, IMAGE, _store(tmp_path, root), statement(["ca:test"]))
    assert verdict.reason is FailureReason.CHAIN_INVALID


def test_a_future_expiry_passes_and_a_past_one_fails(tmp_path: Path, ca: tuple[pki.Issued, pki.Issued]) -> None:
    root, middle = ca
    signer = pki.leaf(middle)
    envelope = _sign(signer, [signer, middle, root], expiry=pki.NOW + dt.timedelta(days=1))
    store = _store(tmp_path, root)
    assert verify(envelope, JWS, IMAGE, store, statement(["ca:test"])).passed
    after = verify(envelope, JWS, IMAGE, store, statement(["ca:test"]), now=pki.NOW + dt.timedelta(days=2))
    assert after.reason is FailureReason.SIGNATURE_EXPIRED


def test_revocation_by_crl_revoked_unavailable_and_good(tmp_path: Path, ca: tuple[pki.Issued, pki.Issued]) -> None:
    root, middle = ca
    url = "http://crl.example.test/intermediate.crl"
    signer = pki.leaf(middle, crl_url=url)
    envelope = _sign(signer, [signer, middle, root])
    store = _store(tmp_path, root)
    policy = statement(["ca:test"])
    revoked = CrlRevocation.from_bytes([pki.crl(middle, (signer.cert.serial_number,))])
    assert verify(envelope, JWS, IMAGE, store, policy, revocation=revoked).reason is FailureReason.REVOKED
    nothing = CrlRevocation(fetch=lambda _url: None)
    assert (
        verify(envelope, JWS, IMAGE, store, policy, revocation=nothing).reason is FailureReason.REVOCATION_UNAVAILABLE
    )
    stale = CrlRevocation.from_bytes([pki.crl(middle, next_update=pki.NOW - dt.timedelta(hours=1))])
    assert verify(envelope, JWS, IMAGE, store, policy, revocation=stale).reason is FailureReason.REVOCATION_UNAVAILABLE
    forged = CrlRevocation.from_bytes([pki.crl(pki.root("Test Intermediate"))])
    assert verify(envelope, JWS, IMAGE, store, policy, revocation=forged).reason is FailureReason.REVOCATION_UNAVAILABLE
    served = {url: pki.crl(middle)}
    good = verify(envelope, JWS, IMAGE, store, policy, revocation=CrlRevocation(fetch=served.get))
    assert good.passed
    assert outcomes(good)["revocation"] == "passed"
    permissive = verify(envelope, JWS, IMAGE, store, statement(["ca:test"], "permissive"), revocation=revoked)
    assert permissive.passed
    assert outcomes(permissive)["revocation"] == "logged/revoked"


def test_signing_material_that_could_never_verify_is_refused(ca: tuple[pki.Issued, pki.Issued]) -> None:
    root, middle = ca
    signer = pki.leaf(middle)
    with pytest.raises(BadInputError, match="not the signing key's certificate"):
        check_signing_material(pki.new_key("ec256"), [signer.cert, middle.cert, root.cert], pki.NOW)
    with pytest.raises(BadInputError, match="certificate chain"):
        check_signing_material(signer.key, [signer.cert, middle.cert], pki.NOW)
    with pytest.raises(BadInputError, match="RSA 1024-bit"):
        weak = pki.new_key("rsa1024")
        check_signing_material(weak, [pki.leaf(middle, key=weak).cert, middle.cert, root.cert], pki.NOW)


def test_a_signing_authority_signature_is_judged_at_its_authentic_signing_time(
    tmp_path: Path, ca: tuple[pki.Issued, pki.Issued]
) -> None:
    """`notary.x509.signingAuthority`: the `signingAuthority:` store, and validity at the authentic signing time."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from regwarden.signing.jws import build_jws, rfc3339

    root, middle = ca
    signer = pki.leaf(middle, not_after=pki.NOW + dt.timedelta(hours=1))
    protected = {
        "alg": "ES256",
        "crit": ["io.cncf.notary.signingScheme", "io.cncf.notary.authenticSigningTime"],
        "cty": "application/vnd.cncf.notary.payload.v1+json",
        "io.cncf.notary.signingScheme": "notary.x509.signingAuthority",
        "io.cncf.notary.authenticSigningTime": rfc3339(pki.NOW),
    }
    payload = json.dumps(
        {"targetArtifact": {"mediaType": IMAGE.media_type, "digest": IMAGE.digest, "size": IMAGE.size}}
    )
    chain = [c.cert.public_bytes(Encoding.DER) for c in (signer, middle, root)]
    envelope = build_jws(protected, payload.encode(), lambda data: sign_raw(signer.key, data)[1], chain)
    store = write_store(tmp_path / "store", {"signingAuthority:sa": [root.cert], "ca:test": [root.cert]})
    sa_policy = statement(["signingAuthority:sa"])
    assert outcomes(verify(envelope, JWS, IMAGE, store, sa_policy)) == ALL_PASSED
    later = verify(envelope, JWS, IMAGE, store, sa_policy, now=pki.NOW + dt.timedelta(hours=2))
    assert later.passed, "the certificate was valid at the authentic signing time"
    ca_only = verify(envelope, JWS, IMAGE, store, statement(["ca:test"]))
    assert ca_only.reason is FailureReason.UNTRUSTED_CERTIFICATE
