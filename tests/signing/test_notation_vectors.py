"""The Notary Project's own published signatures (notation-go test data), verified by regwarden.

These envelopes were made by Notation, with real RFC 3161 countersignatures from GlobalSign's TSA: passing them
shows interoperability, not self-consistency. See testdata/README.md for their sources and trust material.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509

from regwarden.model.image import Descriptor
from regwarden.model.trust import FailureReason
from tests.signing.notation_support import (
    MOCK_TARGET,
    NOTATION_GO,
    TIMESTAMP_TARGET,
    outcomes,
    statement,
    verify,
    write_store,
)

JWS, COSE = "application/jose+json", "application/cose"
NO_REVOCATION = {"revocation": "skip"}
PASSED_WITH_TIMESTAMP = {
    "integrity": "passed",
    "authenticity": "passed",
    "expiry": "passed",
    "authenticTimestamp": "passed",
    "revocation": "skipped",
}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    alpine = (NOTATION_GO / "TestTimestamp.crt").read_bytes()
    return write_store(
        tmp_path / "store",
        {
            "ca:alpine": [alpine],
            "ca:notation-test": [(NOTATION_GO / "NotationTestRoot.pem").read_bytes()],
            "tsa:globalsign": [(NOTATION_GO / "globalsignRoot.cer").read_bytes()],
            "tsa:wrong": [(NOTATION_GO / "NotationTestRoot.pem").read_bytes()],
        },
    )


def _vector(name: str) -> bytes:
    return (NOTATION_GO / name).read_bytes()


def _own_root(name: str) -> x509.Certificate:
    """The self-signed certificate inside a JWS or COSE vector (its trust material is not published)."""
    data = _vector(name)
    if data.startswith(b"{"):
        return x509.load_der_x509_certificate(base64.b64decode(json.loads(data)["header"]["x5c"][-1]))
    import cbor2

    chain = cbor2.loads(data).value[1][33]
    return x509.load_der_x509_certificate(chain if isinstance(chain, bytes) else chain[-1])


@pytest.mark.parametrize(("name", "media_type"), [("jwsWithTimestamp.sig", JWS), ("coseWithTimestamp.sig", COSE)])
def test_timestamped_envelopes_from_notation_verify(store: Path, name: str, media_type: str) -> None:
    policy = statement(["ca:alpine", "tsa:globalsign"], override=NO_REVOCATION)
    verdict = verify(_vector(name), media_type, TIMESTAMP_TARGET, store, policy)
    assert verdict.passed, verdict.checks
    assert outcomes(verdict) == PASSED_WITH_TIMESTAMP
    assert verdict.signer == "CN=alpine,O=Notary,L=Seattle,ST=WA,C=US"
    timestamp = next(c.detail for c in verdict.checks if c.name == "authenticTimestamp")
    assert "by CN=Globalsign TSA for Advanced - G4 - 202311" in timestamp
    assert verdict.kind == ("notation-cose" if media_type == COSE else "notation-jws")


def test_a_signature_without_timestamp_fails_when_the_policy_asks_for_one(store: Path) -> None:
    policy = statement(["ca:alpine", "tsa:globalsign"], override=NO_REVOCATION)
    verdict = verify(_vector("withoutTimestamp.sig"), JWS, TIMESTAMP_TARGET, store, policy)
    assert verdict.reason is FailureReason.TIMESTAMP_MISSING
    without_tsa = verify(
        _vector("withoutTimestamp.sig"), JWS, TIMESTAMP_TARGET, store, statement(["ca:alpine"], override=NO_REVOCATION)
    )
    assert without_tsa.passed
    assert "no timestamp verification asked" in next(
        c.detail for c in without_tsa.checks if c.name == "authenticTimestamp"
    )


def test_a_timestamp_from_an_untrusted_tsa_is_rejected(store: Path) -> None:
    policy = statement(["ca:alpine", "tsa:wrong"], override=NO_REVOCATION)
    verdict = verify(_vector("jwsWithTimestamp.sig"), JWS, TIMESTAMP_TARGET, store, policy)
    assert verdict.reason is FailureReason.TIMESTAMP_UNTRUSTED


def test_a_timestamp_taken_from_another_signature_is_rejected(store: Path) -> None:
    """The COSE vector's token countersigns another signature: its message imprint cannot match."""
    import cbor2

    envelope = json.loads(_vector("jwsWithTimestamp.sig"))
    foreign = cbor2.loads(_vector("coseWithTimestamp.sig")).value[1]["io.cncf.notary.timestampSignature"]
    envelope["header"]["io.cncf.notary.timestampSignature"] = base64.b64encode(foreign).decode()
    policy = statement(["ca:alpine", "tsa:globalsign"], override=NO_REVOCATION)
    verdict = verify(json.dumps(envelope).encode(), JWS, TIMESTAMP_TARGET, store, policy)
    assert verdict.reason is FailureReason.TIMESTAMP_INVALID
    assert "message imprint" in verdict.checks[-1].detail


def test_an_expired_certificate_passes_only_with_a_trusted_timestamp_inside_its_validity(tmp_path: Path) -> None:
    """`jwsExpiredWithTimestamp`: a one-day certificate of 2024-06-18, timestamped that day by GlobalSign."""
    root = _own_root("jwsExpiredWithTimestamp.sig")
    store = write_store(
        tmp_path, {"ca:own": [root], "tsa:globalsign": [(NOTATION_GO / "globalsignRoot.cer").read_bytes()]}
    )
    blob = _vector("jwsExpiredWithTimestamp.sig")
    with_timestamp = verify(
        blob, JWS, TIMESTAMP_TARGET, store, statement(["ca:own", "tsa:globalsign"], override=NO_REVOCATION)
    )
    assert with_timestamp.passed, with_timestamp.checks
    without = verify(blob, JWS, TIMESTAMP_TARGET, store, statement(["ca:own"], override=NO_REVOCATION))
    assert without.reason is FailureReason.CERTIFICATE_EXPIRED
    after_expiry = statement(["ca:own", "tsa:globalsign"], override=NO_REVOCATION, verify_timestamp="afterCertExpiry")
    assert verify(blob, JWS, TIMESTAMP_TARGET, store, after_expiry).passed


def test_a_timestamp_after_the_certificate_expired_is_rejected(tmp_path: Path) -> None:
    root = _own_root("timestampAfterNotAfter.sig")
    store = write_store(
        tmp_path, {"ca:own": [root], "tsa:globalsign": [(NOTATION_GO / "globalsignRoot.cer").read_bytes()]}
    )
    policy = statement(["ca:own", "tsa:globalsign"], override=NO_REVOCATION)
    verdict = verify(_vector("timestampAfterNotAfter.sig"), COSE, TIMESTAMP_TARGET, store, policy)
    assert verdict.reason is FailureReason.TIMESTAMP_OUTSIDE_VALIDITY


def test_notation_mock_envelope_with_expiry_verifies(store: Path) -> None:
    verdict = verify(
        _vector("ca_valid_sig_env.json"),
        JWS,
        MOCK_TARGET,
        store,
        statement(["ca:notation-test"], override=NO_REVOCATION),
    )
    assert verdict.passed, verdict.checks
    assert next(c.detail for c in verdict.checks if c.name == "expiry") == "valid until 2120-11-09T07:00:00+00:00"
    assert next(c.detail for c in verdict.checks if c.name == "integrity").startswith("PS384 signature")


def test_an_expired_signature_fails_in_strict_and_is_logged_in_permissive(store: Path) -> None:
    blob = _vector("ca_expired_sig_env.json")
    strict = verify(blob, JWS, MOCK_TARGET, store, statement(["ca:notation-test"], override=NO_REVOCATION))
    assert strict.reason is FailureReason.SIGNATURE_EXPIRED
    assert not strict.passed
    permissive = verify(blob, JWS, MOCK_TARGET, store, statement(["ca:notation-test"], "permissive"))
    assert permissive.passed
    assert outcomes(permissive)["expiry"] == "logged/signature-expired"


def test_notations_invalid_envelope_fails_integrity_at_every_level(store: Path) -> None:
    """notation-go's `ca_invalid_sig_env.json` pads its base64url payload, which JWS forbids."""
    for level in ("strict", "permissive", "audit"):
        verdict = verify(
            _vector("ca_invalid_sig_env.json"), JWS, MOCK_TARGET, store, statement(["ca:notation-test"], level)
        )
        assert outcomes(verdict) == {"integrity": "failed/malformed-envelope"}


def test_a_chain_to_a_root_outside_the_named_stores_is_untrusted(store: Path) -> None:
    verdict = verify(_vector("ca_valid_sig_env.json"), JWS, MOCK_TARGET, store, statement(["ca:alpine"]))
    assert verdict.reason is FailureReason.UNTRUSTED_CERTIFICATE
    audit = verify(_vector("ca_valid_sig_env.json"), JWS, MOCK_TARGET, store, statement(["ca:alpine"], "audit"))
    assert audit.passed
    assert outcomes(audit)["authenticity"] == "logged/untrusted-certificate"


def test_a_tampered_payload_breaks_the_signature(store: Path) -> None:
    envelope = json.loads(_vector("jwsWithTimestamp.sig"))
    payload = json.loads(base64.urlsafe_b64decode(envelope["payload"] + "=="))
    payload["targetArtifact"]["size"] = 529
    envelope["payload"] = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    verdict = verify(json.dumps(envelope).encode(), JWS, TIMESTAMP_TARGET, store, statement(["ca:alpine"]))
    assert verdict.reason is FailureReason.SIGNATURE_INVALID
    assert outcomes(verdict) == {"integrity": "failed/signature-invalid"}


def test_a_valid_signature_of_another_image_is_a_payload_mismatch(store: Path) -> None:
    verdict = verify(_vector("jwsWithTimestamp.sig"), JWS, MOCK_TARGET, store, statement(["ca:alpine"]))
    assert verdict.reason is FailureReason.PAYLOAD_MISMATCH


@pytest.mark.parametrize(
    ("identity", "passes"),
    [
        ("x509.subject: C=US, ST=WA, O=Notary, CN=alpine", True),
        ("x509.subject: C=US, S=WA, L=Seattle, O=Notary", True),
        ("x509.subject: C=US, ST=WA, O=Notary, CN=someone-else", False),
    ],
)
def test_trusted_identities_match_the_signing_certificate_subject(store: Path, identity: str, passes: bool) -> None:
    policy = statement(["ca:alpine"], identities=[identity], override=NO_REVOCATION)
    verdict = verify(_vector("withoutTimestamp.sig"), JWS, TIMESTAMP_TARGET, store, policy)
    assert verdict.passed is passes
    assert verdict.reason is (None if passes else FailureReason.IDENTITY_MISMATCH)


def test_the_verification_time_decides_certificate_validity(store: Path) -> None:
    """The alpine certificate is valid 2023-05-09 … 2033-05-10; in 2034 it has expired."""
    later = dt.datetime(2034, 1, 1, tzinfo=dt.UTC)
    verdict = verify(
        _vector("withoutTimestamp.sig"),
        JWS,
        TIMESTAMP_TARGET,
        store,
        statement(["ca:alpine"], override=NO_REVOCATION),
        now=later,
    )
    assert verdict.reason is FailureReason.CERTIFICATE_EXPIRED


@pytest.mark.parametrize(("name", "media_type"), [("jws_signature.sig", JWS), ("cose_signature.sig", COSE)])
def test_notation_gos_oci_layout_signatures_verify(tmp_path: Path, name: str, media_type: str) -> None:
    """The signatures of notation-go's sample OCI layout (an OCI image manifest of 481 bytes)."""
    target = Descriptor(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
        481,
    )
    store = write_store(tmp_path, {"ca:own": [_own_root(name)]})
    verdict = verify(_vector(name), media_type, target, store, statement(["ca:own"]))
    assert outcomes(verdict) == {**PASSED_WITH_TIMESTAMP, "revocation": "passed"}
