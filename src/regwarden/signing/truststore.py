"""The Notary Project trust store: a directory of named certificate collections (trust-store-trust-policy.md).

    TRUST_STORE/x509/{ca,signingAuthority,tsa}/NAME/*.{pem,crt,cer}   (PEM or DER, several per file allowed)

Sub-directories of a named store are ignored, as the spec says; symlinks are refused, as it requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from regwarden.model.errors import BadInputError

STORE_TYPES = ("ca", "signingAuthority", "tsa")
CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer"})


class TrustStoreError(BadInputError):
    """A named store is missing, empty, a symlink, or holds a file that is not a certificate."""


@dataclass(frozen=True)
class TrustStore:
    """Certificates by (store type, store name); loaded once and shared by every verification."""

    stores: dict[tuple[str, str], tuple[x509.Certificate, ...]]

    def certificates(self, store_type: str, name: str) -> tuple[x509.Certificate, ...]:
        found = self.stores.get((store_type, name))
        if not found:
            raise TrustStoreError(f"trust store {store_type}:{name} does not exist or holds no certificate")
        return found

    def all_of(self, references: Sequence[tuple[str, str]], store_type: str) -> tuple[x509.Certificate, ...]:
        """Every certificate of the referenced stores of one type (`ca`, `signingAuthority`, `tsa`)."""
        return tuple(cert for kind, name in references if kind == store_type for cert in self.certificates(kind, name))


def load_trust_store(root: Path) -> TrustStore:
    """Read every named store under `root/x509/`; a missing directory is an empty trust store."""
    stores: dict[tuple[str, str], tuple[x509.Certificate, ...]] = {}
    for store_type in STORE_TYPES:
        type_dir = root / "x509" / store_type
        if not type_dir.is_dir():
            continue
        for named in sorted(type_dir.iterdir()):
            if named.is_symlink():
                raise TrustStoreError(f"trust store {named} is a symlink, which the trust store spec forbids")
            if named.is_dir():
                stores[(store_type, named.name)] = _load_named_store(named)
    return TrustStore(stores)


def _load_named_store(directory: Path) -> tuple[x509.Certificate, ...]:
    certificates: list[x509.Certificate] = []
    for path in sorted(directory.iterdir()):
        if path.is_symlink():
            raise TrustStoreError(f"{path} is a symlink, which the trust store spec forbids")
        if path.is_file() and path.suffix.lower() in CERTIFICATE_SUFFIXES:
            certificates += load_certificates(path)
    return tuple(certificates)


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM or DER file; anything else is a TrustStoreError naming the file."""
    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as error:
        raise TrustStoreError(f"{path} is not a PEM or DER certificate: {error}") from None
