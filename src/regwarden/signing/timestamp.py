"""RFC 3161 timestamp countersignatures: the TSA's token over a signature, verified offline.

The token is a CMS SignedData whose content is a TSTInfo. Verified here: the message imprint is the hash of the
primitive signature it countersigns; the SignerInfo's signed attributes bind the TSTInfo (messageDigest) and
the TSA certificate (signing-certificate-v2, which the Notary Project requires); the TSA's signature over those
attributes; the TSA chain to a root of the policy's `tsa:` store, with the timeStamping key usage, valid at
`genTime`. Parsing uses asn1crypto, which reads BER as real TSAs produce it: rfc3161-client rejects the
GlobalSign token of notation-go's published test envelopes for an unsorted certificate SET.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from regwarden.model.trust import FailureReason
from regwarden.signing.certificates import ChainError, anchored_in, check_chain

_BASELINE_POLICY = "0.4.0.2023.1.1"
"""RFC 3628's baseline time-stamp policy: without an explicit accuracy it promises one second."""
_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimestampError(Exception):
    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Timestamp:
    gen_time: datetime
    accuracy: timedelta
    chain: tuple[x509.Certificate, ...]
    """The TSA's certificate chain, TSA first, root last."""

    @property
    def tsa(self) -> str:
        return self.chain[0].subject.rfc4514_string()

    @property
    def lower(self) -> datetime:
        return self.gen_time - self.accuracy

    @property
    def upper(self) -> datetime:
        return self.gen_time + self.accuracy


def verify_timestamp(token: bytes, signature: bytes, tsa_roots: Sequence[x509.Certificate]) -> Timestamp:
    """The verified time range of `token` over `signature`; raises TimestampError with the reason."""
    from asn1crypto import cms, tsp

    try:
        content = cms.ContentInfo.load(token)
        signed_data = content["content"]
        encapsulated = signed_data["encap_content_info"]
        if content["content_type"].native != "signed_data" or encapsulated["content_type"].native != "tst_info":
            raise _invalid("the timestamp is not a CMS SignedData over a TSTInfo")
        tst_bytes = encapsulated["content"].contents
        tst_info = tsp.TSTInfo.load(tst_bytes)
        _check_imprint(tst_info, signature)
        signer_info, tsa_certificate, certificates = _signer(signed_data)
        _check_signed_attributes(signer_info, tst_bytes, tsa_certificate)
        _check_tsa_signature(signer_info, tsa_certificate)
        moment = tst_info["gen_time"].native
        accuracy = _accuracy(tst_info)
    except (ValueError, KeyError, TypeError) as error:
        raise _invalid(f"the timestamp token cannot be read: {error}") from None
    chain = _check_tsa_chain(tsa_certificate, certificates, tsa_roots, moment)
    return Timestamp(moment, accuracy, tuple(chain))


def _check_imprint(tst_info: object, signature: bytes) -> None:
    imprint = tst_info["message_imprint"]  # type: ignore[index]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in _HASHES:
        raise _invalid(f"the timestamp hashes with {algorithm}, not SHA-256/384/512")
    if hashlib.new(algorithm, signature).digest() != imprint["hashed_message"].native:
        raise _invalid("the timestamp's message imprint is not the hash of this signature")


def _signer(signed_data: object) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    signer_infos = signed_data["signer_infos"]  # type: ignore[index]
    if len(signer_infos) != 1:
        raise _invalid(f"the timestamp has {len(signer_infos)} signers, not one")
    signer_info = signer_infos[0]
    sid = signer_info["sid"]
    if sid.name != "issuer_and_serial_number":
        raise _invalid("the timestamp's signer is not named by issuer and serial number")
    certificates = [
        x509.load_der_x509_certificate(choice.chosen.dump())
        for choice in signed_data["certificates"] or []  # type: ignore[index]
        if choice.name == "certificate"
    ]
    serial = sid.chosen["serial_number"].native
    issuer_der = sid.chosen["issuer"].dump()
    for certificate in certificates:
        if certificate.serial_number == serial and certificate.issuer.public_bytes() == issuer_der:
            return signer_info, certificate, certificates
    raise TimestampError(FailureReason.TIMESTAMP_UNTRUSTED, "the timestamp does not carry its TSA certificate")


def _check_signed_attributes(signer_info: object, tst_bytes: bytes, tsa_certificate: x509.Certificate) -> None:
    attributes = {attr["type"].native: attr["values"] for attr in signer_info["signed_attrs"]}  # type: ignore[index]
    digest_name = signer_info["digest_algorithm"]["algorithm"].native  # type: ignore[index]
    if digest_name not in _HASHES:
        raise _invalid(f"the timestamp signer digests with {digest_name}")
    if attributes.get("content_type") is None or attributes["content_type"][0].native != "tst_info":
        raise _invalid("the timestamp's signed content type is not TSTInfo")
    digest = attributes.get("message_digest")
    if digest is None or digest[0].native != hashlib.new(digest_name, tst_bytes).digest():
        raise _invalid("the timestamp's signed message digest does not match its TSTInfo")
    certificate_ids = attributes.get("signing_certificate_v2")
    if certificate_ids is None:
        raise _invalid("the timestamp has no signing-certificate-v2 attribute, which the Notary Project requires")
    first = certificate_ids[0]["certs"][0]
    algorithm = first["hash_algorithm"]["algorithm"].native
    der = tsa_certificate.public_bytes(Encoding.DER)
    if first["cert_hash"].native != hashlib.new(algorithm, der).digest():
        raise _invalid("the timestamp's signing-certificate-v2 names another certificate than its signer")


def _check_tsa_signature(signer_info: object, certificate: x509.Certificate) -> None:
    signed = signer_info["signed_attrs"].dump()  # type: ignore[index]
    signed = b"\x31" + signed[1:]  # the signature covers the attributes as a DER SET, not the [0] tag
    digest = _HASHES[signer_info["digest_algorithm"]["algorithm"].native]()  # type: ignore[index]
    algorithm = signer_info["signature_algorithm"]  # type: ignore[index]
    signature = signer_info["signature"].native  # type: ignore[index]
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm.signature_algo == "rsassa_pss":
            pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=padding.PSS.AUTO)
            key.verify(signature, signed, pss, digest)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(digest))
        else:
            raise _invalid(f"the TSA key type {type(key).__name__} is not supported")
    except InvalidSignature:
        raise _invalid("the TSA's signature over the timestamp does not verify") from None


def _check_tsa_chain(
    leaf: x509.Certificate, pool: Sequence[x509.Certificate], roots: Sequence[x509.Certificate], moment: datetime
) -> list[x509.Certificate]:
    chain = _build_chain(leaf, [*pool, *roots])
    try:
        check_chain(chain, purpose="timestamping")
    except ChainError as error:
        raise TimestampError(FailureReason.TIMESTAMP_INVALID, f"TSA certificate chain: {error}") from None
    if not anchored_in(chain, roots):
        raise TimestampError(FailureReason.TIMESTAMP_UNTRUSTED, "the TSA chain ends in no root of the tsa: stores")
    for certificate in chain:
        if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
            raise _invalid(f"TSA certificate {certificate.subject.rfc4514_string()} was not valid at {moment}")
    return chain


def _build_chain(leaf: x509.Certificate, pool: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Leaf → … → self-signed root, each issuer found in `pool` by name and signature."""
    chain = [leaf]
    while chain[-1].issuer != chain[-1].subject and len(chain) < 8:
        issuer = next((c for c in pool if c.subject == chain[-1].issuer and _issued(chain[-1], c)), None)
        if issuer is None:
            break
        chain.append(issuer)
    return chain


def _issued(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
    except Exception:  # wrong key, wrong name or unsupported algorithm: not this issuer
        return False
    return True


def _accuracy(tst_info: object) -> timedelta:
    accuracy = tst_info["accuracy"].native  # type: ignore[index]
    if accuracy:
        return timedelta(
            seconds=accuracy.get("seconds") or 0,
            milliseconds=accuracy.get("millis") or 0,
            microseconds=accuracy.get("micros") or 0,
        )
    return timedelta(seconds=1) if tst_info["policy"].native == _BASELINE_POLICY else timedelta(0)  # type: ignore[index]


def _invalid(message: str) -> TimestampError:
    return TimestampError(FailureReason.TIMESTAMP_INVALID, message)
