"""Certificate chains as the Notary Project signature specification requires them (Certificate Requirements).

The chain in an envelope is ordered: signing certificate first, each next one its issuer, a self-signed root
last, nothing unrelated. Only basic constraints, key usage and extended key usage are honoured; other
extensions are ignored, as the spec says. Validity in time is checked separately (`validity_problem`), because
*when* a certificate must be valid depends on the signing scheme and on a timestamp.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from regwarden.model.trust import FailureReason

_FORBIDDEN_CODESIGNING_EKU = frozenset(
    {
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.CLIENT_AUTH,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ExtendedKeyUsageOID.TIME_STAMPING,
    }
)
_WEAK_SIGNATURE_HASHES = frozenset({"sha1"})
_E = TypeVar("_E", bound=x509.ExtensionType)


class ChainError(Exception):
    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def load_chain(der_certificates: Sequence[bytes]) -> list[x509.Certificate]:
    try:
        return [x509.load_der_x509_certificate(der) for der in der_certificates]
    except ValueError as error:
        raise ChainError(FailureReason.MALFORMED_ENVELOPE, f"a certificate in the chain is not DER: {error}") from None


def check_chain(chain: Sequence[x509.Certificate], purpose: str = "codesigning") -> None:
    """Order, signatures and the per-certificate requirements; raises ChainError(CHAIN_INVALID)."""
    if not chain:
        raise _invalid("the signature carries no certificate")
    for child, issuer in itertools.pairwise(chain):
        _check_issued_by(child, issuer)
    root = chain[-1]
    if root.issuer != root.subject:
        raise _invalid(f"the chain does not end with a root certificate ({root.subject.rfc4514_string()})")
    _check_issued_by(root, root)
    _check_leaf(chain[0], purpose)
    for depth, ca in enumerate(chain[1:], start=0):
        _check_ca(ca, depth)
    for certificate in chain:
        _check_strength(certificate)


def anchored_in(chain: Sequence[x509.Certificate], trusted: Sequence[x509.Certificate]) -> bool:
    """True when a certificate of the chain is one of the trusted ones (byte for byte)."""
    fingerprints = {fingerprint(cert) for cert in trusted}
    return any(fingerprint(cert) in fingerprints for cert in chain)


def validity_problem(chain: Sequence[x509.Certificate], start: datetime, end: datetime) -> ChainError | None:
    """Whether every certificate is valid for the whole of [start, end]; the first one that is not, as an error."""
    for certificate in chain:
        if end > certificate.not_valid_after_utc:
            return ChainError(
                FailureReason.CERTIFICATE_EXPIRED,
                f"certificate {certificate.subject.rfc4514_string()} expired at "
                f"{certificate.not_valid_after_utc.isoformat()}",
            )
        if start < certificate.not_valid_before_utc:
            return ChainError(
                FailureReason.CERTIFICATE_NOT_YET_VALID,
                f"certificate {certificate.subject.rfc4514_string()} is valid only from "
                f"{certificate.not_valid_before_utc.isoformat()}",
            )
    return None


def fingerprint(certificate: x509.Certificate) -> str:
    """Upper-case hex SHA-256 of the DER certificate, as in `io.cncf.notary.x509chain.thumbprint#S256`."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest().upper()


def _check_issued_by(child: x509.Certificate, issuer: x509.Certificate) -> None:
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError) as error:
        raise _invalid(
            f"{child.subject.rfc4514_string()} is not issued by {issuer.subject.rfc4514_string()}: {error}"
        ) from None
    except Exception as error:  # InvalidSignature carries no message
        raise _invalid(
            f"the signature on {child.subject.rfc4514_string()} does not verify with "
            f"{issuer.subject.rfc4514_string()}'s key ({type(error).__name__})"
        ) from None


def _check_leaf(leaf: x509.Certificate, purpose: str) -> None:
    name = leaf.subject.rfc4514_string()
    constraints = _extension(leaf, x509.BasicConstraints)
    if constraints is not None and constraints.value.ca and len(leaf.subject) and leaf.issuer != leaf.subject:
        raise _invalid(f"signing certificate {name} is a CA certificate")
    usage = _extension(leaf, x509.KeyUsage)
    if usage is None or (purpose == "codesigning" and not usage.critical):
        raise _invalid(f"signing certificate {name} has no critical keyUsage extension")
    if not usage.value.digital_signature:
        raise _invalid(f"signing certificate {name} may not sign (keyUsage lacks digitalSignature)")
    if usage.value.key_encipherment or usage.value.data_encipherment or usage.value.key_agreement:
        raise _invalid(f"signing certificate {name} has a keyUsage the spec forbids on a leaf")
    if usage.value.crl_sign or (usage.value.key_cert_sign and leaf.issuer != leaf.subject):
        raise _invalid(f"signing certificate {name} has a keyUsage the spec forbids on a leaf")
    extended = _extension(leaf, x509.ExtendedKeyUsage)
    if purpose == "codesigning" and extended is not None:
        forbidden = set(extended.value) & _FORBIDDEN_CODESIGNING_EKU
        if forbidden:
            names = ", ".join(sorted(oid._name for oid in forbidden))
            raise _invalid(f"signing certificate {name} has extended key usages the spec forbids: {names}")
    if purpose == "timestamping" and (extended is None or list(extended.value) != [ExtendedKeyUsageOID.TIME_STAMPING]):
        raise _invalid(f"timestamping certificate {name} must have the extended key usage timeStamping only")


def _check_ca(ca: x509.Certificate, certificates_below: int) -> None:
    name = ca.subject.rfc4514_string()
    constraints = _extension(ca, x509.BasicConstraints)
    if constraints is None or not constraints.critical or not constraints.value.ca:
        raise _invalid(f"CA certificate {name} lacks a critical basicConstraints with cA=true")
    path_length = constraints.value.path_length
    if path_length is not None and certificates_below > path_length:
        raise _invalid(f"CA certificate {name} allows {path_length} CA certificates below it")
    usage = _extension(ca, x509.KeyUsage)
    if usage is None or not usage.value.key_cert_sign:
        raise _invalid(f"CA certificate {name} has no keyUsage with keyCertSign")


def _check_strength(certificate: x509.Certificate) -> None:
    name = certificate.subject.rfc4514_string()
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
        raise _invalid(f"certificate {name} has an RSA key of {key.key_size} bits (2048 at least)")
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < 256:
        raise _invalid(f"certificate {name} has an EC key of {key.curve.key_size} bits (256 at least)")
    hash_algorithm = certificate.signature_hash_algorithm
    if hash_algorithm is not None and hash_algorithm.name in _WEAK_SIGNATURE_HASHES:
        raise _invalid(f"certificate {name} is signed with {hash_algorithm.name}, which the spec forbids")


def _extension(certificate: x509.Certificate, kind: type[_E]) -> x509.Extension[_E] | None:
    try:
        return certificate.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def _invalid(message: str) -> ChainError:
    return ChainError(FailureReason.CHAIN_INVALID, message)
