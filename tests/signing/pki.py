"""A small PKI made with `cryptography` for the signing tests: roots, intermediates, code-signing leaves, CRLs.

Certificates follow the Notary Project's requirements unless a test asks otherwise (`leaf(..., usage=False)`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Issued:
    key: Key
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def new_key(kind: str = "ec256") -> Key:
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    curves = {"ec256": ec.SECP256R1(), "ec384": ec.SECP384R1(), "ec521": ec.SECP521R1()}
    return ec.generate_private_key(curves[kind])


def name(common_name: str, organization: str = "regwarden-test") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "WA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def root(common_name: str = "Test Root", kind: str = "ec256") -> Issued:
    key = new_key(kind)
    builder = _base(name(common_name), name(common_name), key, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=365))
    builder = _ca_extensions(builder)
    return Issued(key, builder.sign(key, _hash(key)))


def intermediate(issuer: Issued, common_name: str = "Test Intermediate", kind: str = "ec256") -> Issued:
    key = new_key(kind)
    builder = _base(
        name(common_name), issuer.cert.subject, key, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=300)
    )
    return Issued(key, _ca_extensions(builder).sign(issuer.key, _hash(issuer.key)))


def leaf(
    issuer: Issued,
    common_name: str = "Test Signer",
    kind: str = "ec256",
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    usage: bool = True,
    purpose: str = "codesigning",
    crl_url: str | None = None,
    key: Key | None = None,
) -> Issued:
    key = key or new_key(kind)
    start = not_before or NOW - dt.timedelta(hours=1)
    end = not_after or NOW + dt.timedelta(days=30)
    builder = _base(name(common_name), issuer.cert.subject, key, start, end)
    if usage:
        builder = builder.add_extension(_key_usage(digital_signature=True), critical=True)
    eku = ExtendedKeyUsageOID.TIME_STAMPING if purpose == "timestamping" else ExtendedKeyUsageOID.CODE_SIGNING
    builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=purpose == "timestamping")
    if crl_url is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return Issued(key, builder.sign(issuer.key, _hash(issuer.key)))


def crl(issuer: Issued, revoked_serials: tuple[int, ...] = (), *, next_update: dt.datetime | None = None) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW - dt.timedelta(hours=1))
        .next_update(next_update or NOW + dt.timedelta(days=7))
    )
    for serial in revoked_serials:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - dt.timedelta(minutes=5))
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(issuer.key, _hash(issuer.key)).public_bytes(serialization.Encoding.DER)


def _base(
    subject: x509.Name, issuer: x509.Name, key: Key, start: dt.datetime, end: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )


def _ca_extensions(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    return builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).add_extension(
        _key_usage(key_cert_sign=True, crl_sign=True), critical=True
    )


def _key_usage(
    *, digital_signature: bool = False, key_cert_sign: bool = False, crl_sign: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _hash(key: Key) -> hashes.HashAlgorithm:
    return hashes.SHA256()
