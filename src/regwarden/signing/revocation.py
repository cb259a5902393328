"""Revocation of certificates by CRL, offline first: CRLs given by the policy, else fetched through a callable.

The Notary Project rule: a certificate that names no CRL distribution point and no OCSP responder has no
revocation to check; one that names them must be checked, and a status that cannot be established is
"revocation unavailable", a failure with that reason, never a pass. This module does no I/O of its own:
the service layer hands it `fetch(url) -> bytes | None` (HTTP with a timeout), or nothing when offline.
OCSP is not spoken here: a certificate that names only an OCSP responder is "revocation unavailable".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID

from regwarden.model.trust import FailureReason

CrlFetcher = Callable[[str], bytes | None]


class RevocationError(Exception):
    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class CrlRevocation:
    """Checks chains against CRLs: the ones given (DER or PEM) first, then those `fetch` can download."""

    crls: list[x509.CertificateRevocationList] = field(default_factory=list)
    fetch: CrlFetcher | None = None

    @classmethod
    def from_bytes(cls, blobs: Sequence[bytes], fetch: CrlFetcher | None = None) -> CrlRevocation:
        return cls([load_crl(blob) for blob in blobs], fetch)

    def check_chain(self, chain: Sequence[x509.Certificate], now: datetime) -> str:
        """Raise RevocationError for the first revoked or uncheckable certificate; else say what was checked."""
        checked = 0
        for certificate, issuer in itertools.pairwise(chain):
            checked += self._check(certificate, issuer, now)
        return f"{checked} certificate(s) checked against CRLs" if checked else "no certificate names a CRL or OCSP"

    def _check(self, certificate: x509.Certificate, issuer: x509.Certificate, now: datetime) -> int:
        urls = _crl_urls(certificate)
        name = certificate.subject.rfc4514_string()
        if not urls:
            if _names_ocsp(certificate):
                raise RevocationError(
                    FailureReason.REVOCATION_UNAVAILABLE,
                    f"{name} names only an OCSP responder, which regwarden does not query; give its CRL",
                )
            return 0
        crl = self._crl_for(issuer, urls, now)
        if crl is None:
            raise RevocationError(
                FailureReason.REVOCATION_UNAVAILABLE,
                f"no valid CRL from {issuer.subject.rfc4514_string()} for {name} (looked for {', '.join(urls)})",
            )
        revoked = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
        if revoked is not None:
            raise RevocationError(
                FailureReason.REVOKED, f"{name} was revoked at {revoked.revocation_date_utc.isoformat()}"
            )
        return 1

    def _crl_for(
        self, issuer: x509.Certificate, urls: Sequence[str], now: datetime
    ) -> x509.CertificateRevocationList | None:
        candidates = list(self.crls)
        for url in urls if self.fetch is not None else ():
            assert self.fetch is not None
            blob = self.fetch(url)
            if blob is not None:
                try:
                    candidates.append(load_crl(blob))
                except ValueError:
                    continue  # a broken download is the same as none: the next URL may serve a good one
        return next((crl for crl in candidates if _usable(crl, issuer, now)), None)


def load_crl(blob: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN" in blob:
        return x509.load_pem_x509_crl(blob)
    return x509.load_der_x509_crl(blob)


def _usable(crl: x509.CertificateRevocationList, issuer: x509.Certificate, now: datetime) -> bool:
    """Issued by this issuer, signed by its key, and not past its next update."""
    if crl.issuer != issuer.subject:
        return False
    try:
        valid = crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except TypeError:
        return False
    next_update = crl.next_update_utc
    return valid and (next_update is None or now <= next_update)


def _crl_urls(certificate: x509.Certificate) -> list[str]:
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        name.value
        for point in points
        for name in point.full_name or []
        if isinstance(name, x509.UniformResourceIdentifier) and name.value.startswith(("http://", "https://"))
    ]


def _names_ocsp(certificate: x509.Certificate) -> bool:
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return False
    return any(entry.access_method == AuthorityInformationAccessOID.OCSP for entry in access)
