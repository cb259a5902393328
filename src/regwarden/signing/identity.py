"""Who signed: X.509 subject identities of a Notary Project trust policy, and Fulcio identities of Sigstore.

A trusted identity `x509.subject: C=US, ST=WA, O=acme, CN=builder` matches a signing certificate whose subject
has every listed attribute with that value (a partial list matches; the spec requires C, ST (or S) and O).
A Fulcio certificate names its holder in the SAN (e-mail or URI) and its OIDC issuer in extension
1.3.6.1.4.1.57264.1.8 (DER UTF8String), or the deprecated 1.3.6.1.4.1.57264.1.1 (raw bytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier

PREFIX = "x509.subject:"
_ATTRIBUTE_OIDS = {
    "C": NameOID.COUNTRY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "S": NameOID.STATE_OR_PROVINCE_NAME,
    "L": NameOID.LOCALITY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "CN": NameOID.COMMON_NAME,
    "SERIALNUMBER": NameOID.SERIAL_NUMBER,
    "E": NameOID.EMAIL_ADDRESS,
}
FULCIO_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
FULCIO_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")


def parse_identity(text: str) -> dict[str, str]:
    """`x509.subject: C=US, ST=WA, O=acme` → {"C": "US", "ST": "WA", "O": "acme"}; ValueError when malformed."""
    if not text.startswith(PREFIX):
        raise ValueError(f"trusted identity {text!r} must start with {PREFIX!r} (or be `*`)")
    attributes: dict[str, str] = {}
    for part in _split_unescaped(text[len(PREFIX) :], ","):
        key, equals, value = part.strip().partition("=")
        key = key.strip().upper()
        if not equals or key not in _ATTRIBUTE_OIDS:
            raise ValueError(f"trusted identity {text!r}: {part.strip()!r} is not a known ATTRIBUTE=value")
        attributes["ST" if key == "S" else key] = _unescape(value.strip())
    if not {"C", "ST", "O"} <= set(attributes):
        raise ValueError(f"trusted identity {text!r} must name at least C, ST (or S) and O")
    return attributes


def subject_matches(certificate: x509.Certificate, identity: str) -> bool:
    wanted = parse_identity(identity)
    for key, value in wanted.items():
        found = [attr.value for attr in certificate.subject.get_attributes_for_oid(_ATTRIBUTE_OIDS[key])]
        if found != [value]:
            return False
    return True


@dataclass(frozen=True)
class FulcioIdentity:
    subject: str | None
    issuer: str | None


@dataclass(frozen=True)
class IdentityRule:
    """A policy's constraint on a Fulcio identity: the issuer exactly, the subject exactly or by pattern."""

    issuer: str
    subject: str | None = None
    subject_pattern: str | None = None

    def accepts(self, identity: FulcioIdentity) -> bool:
        if identity.issuer != self.issuer or identity.subject is None:
            return False
        if self.subject is not None:
            return identity.subject == self.subject
        return self.subject_pattern is not None and re.fullmatch(self.subject_pattern, identity.subject) is not None

    def __str__(self) -> str:
        return f"{self.subject or self.subject_pattern} from {self.issuer}"


def fulcio_identity(certificate: x509.Certificate) -> FulcioIdentity:
    return FulcioIdentity(_san_subject(certificate), _fulcio_issuer(certificate))


def _san_subject(certificate: x509.Certificate) -> str | None:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for kind in (x509.RFC822Name, x509.UniformResourceIdentifier, x509.OtherName):
        values = names.get_values_for_type(kind)
        if values:
            value = values[0]
            return value if isinstance(value, str) else None
    return None


def _fulcio_issuer(certificate: x509.Certificate) -> str | None:
    for oid, wrapped in ((FULCIO_ISSUER_V2, True), (FULCIO_ISSUER_V1, False)):
        try:
            raw = certificate.extensions.get_extension_for_oid(oid).value
        except x509.ExtensionNotFound:
            continue
        data = raw.value if isinstance(raw, x509.UnrecognizedExtension) else b""
        return _der_utf8(data) if wrapped else data.decode("utf-8", "replace")
    return None


def _der_utf8(data: bytes) -> str | None:
    """The text of a DER UTF8String (tag 0x0c, short or long length)."""
    if len(data) < 2 or data[0] != 0x0C:
        return None
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        length, offset = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    return data[offset : offset + length].decode("utf-8", "replace")


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)
