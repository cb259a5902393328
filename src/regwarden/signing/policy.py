"""regwarden's verification policy file: the Notary Project trust policy and trust store, and cosign rules.

    # policy.yaml (paths are relative to this file)
    notation:
      trustPolicy: trustpolicy.json      # the Notary Project OCI trust policy, a file or inline
      trustStore: truststore             # x509/{ca,signingAuthority,tsa}/NAME/*.pem
    cosign:
      - name: release-key
        registryScopes: ["myregistry.azurecr.io/app"]   # or ["*"]
        publicKeys: [cosign.pub]
      - name: ci-keyless
        registryScopes: ["*"]
        certificateRoots: [fulcio-root.pem]             # cosign certificate signatures
        rekorPublicKeys: [rekor.pub]                    # proves when the short-lived certificate was used
        trustedRoot: trusted_root.json                  # Sigstore bundles, verified offline
        identities:
          - issuer: https://token.actions.githubusercontent.com
            subjectRegExp: https://github.com/acme/app/.*
    revocation:
      crls: [crls/ca.crl]                # CRLs at hand (offline)
      fetch: true                        # download CRLs certificates name when not at hand

A Notary Project `trustpolicy.json` given alone is read as `notation.trustPolicy`, with its trust store beside
it (`truststore/`) or named by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from regwarden.model.errors import BadInputError
from regwarden.signing.cosign import CosignRule, PublicKey
from regwarden.signing.identity import IdentityRule
from regwarden.signing.trust_policy import TrustPolicyDocument, parse_trust_policy
from regwarden.signing.truststore import TrustStore, load_certificates, load_trust_store

_TOP_LEVEL = frozenset({"notation", "cosign", "revocation"})


class PolicyFileError(BadInputError):
    """The verification policy file cannot be read or breaks a rule."""


@dataclass(frozen=True)
class VerificationPolicy:
    name: str
    notation: TrustPolicyDocument | None = None
    trust_store: TrustStore = field(default_factory=lambda: TrustStore({}))
    cosign: tuple[CosignRule, ...] = ()
    crls: tuple[bytes, ...] = ()
    fetch_crls: bool = True


def load_policy(path: Path, trust_store: Path | None = None) -> VerificationPolicy:
    """Read a policy file (YAML or JSON); `trust_store` overrides where the Notary Project trust store is."""
    body = _read_document(path)
    base = path.parent
    if "trustPolicies" in body:
        body = {"notation": {"trustPolicy": body}}
    unknown = set(body) - _TOP_LEVEL
    if unknown:
        raise PolicyFileError(f"{path}: unknown section(s) {sorted(unknown)}; expected notation, cosign, revocation")
    notation = _mapping(body.get("notation") or {}, "notation")
    revocation = _mapping(body.get("revocation") or {}, "revocation")
    document = _notation_document(notation, base)
    store_dir = trust_store or base / str(notation.get("trustStore", "truststore"))
    return VerificationPolicy(
        name=path.name,
        notation=document,
        trust_store=load_trust_store(store_dir) if document is not None else TrustStore({}),
        cosign=tuple(_cosign_rule(_mapping(rule, "cosign rule"), base) for rule in _list(body.get("cosign"), "cosign")),
        crls=tuple(_read(base / str(p)) for p in _list(revocation.get("crls"), "revocation.crls")),
        fetch_crls=bool(revocation.get("fetch", True)),
    )


def _read_document(path: Path) -> dict[str, Any]:
    import yaml

    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyFileError(f"cannot read the policy {path}: {error.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise PolicyFileError(f"{path} is not YAML or JSON: {error}") from None
    if not isinstance(body, dict):
        raise PolicyFileError(f"{path} must hold a mapping (notation / cosign / revocation, or a trust policy)")
    return body


def _notation_document(notation: Mapping[str, Any], base: Path) -> TrustPolicyDocument | None:
    source = notation.get("trustPolicy")
    if source is None:
        return None
    if isinstance(source, str):
        source = _read_document(base / source)
    return parse_trust_policy(source)


def _cosign_rule(body: Mapping[str, Any], base: Path) -> CosignRule:
    name = str(body.get("name") or "")
    if not name:
        raise PolicyFileError("every cosign rule needs a name")
    scopes = tuple(str(scope) for scope in _list(body.get("registryScopes"), f"{name}: registryScopes"))
    if not scopes:
        raise PolicyFileError(f"{name}: registryScopes must hold at least one repository (or `*`)")
    keys = tuple((str(p), _public_key(base / str(p))) for p in _list(body.get("publicKeys"), f"{name}: publicKeys"))
    roots = tuple(
        c for p in _list(body.get("certificateRoots"), "certificateRoots") for c in load_certificates(base / str(p))
    )
    rekor = tuple(_public_key(base / str(p)) for p in _list(body.get("rekorPublicKeys"), "rekorPublicKeys"))
    identities = tuple(
        _identity(_mapping(item, f"{name}: identity")) for item in _list(body.get("identities"), "identities")
    )
    trusted_root = body.get("trustedRoot")
    if (roots or trusted_root) and not identities:
        raise PolicyFileError(f"{name}: certificate signatures need `identities` (issuer and subject) to trust")
    if not keys and not roots and not trusted_root:
        raise PolicyFileError(f"{name}: give publicKeys, certificateRoots or trustedRoot")
    root_path = str(base / str(trusted_root)) if trusted_root else None
    if root_path is not None and not Path(root_path).is_file():
        raise PolicyFileError(f"{name}: trusted root {root_path} does not exist")
    return CosignRule(name, scopes, keys, roots, identities, rekor, root_path)


def _identity(body: Mapping[str, Any]) -> IdentityRule:
    issuer, subject, pattern = body.get("issuer"), body.get("subject"), body.get("subjectRegExp")
    if not isinstance(issuer, str) or not issuer or (subject is None) == (pattern is None):
        raise PolicyFileError("an identity needs `issuer` and exactly one of `subject` or `subjectRegExp`")
    return IdentityRule(issuer, subject, pattern)


def _public_key(path: Path) -> PublicKey:
    try:
        key = load_pem_public_key(_read(path))
    except ValueError as error:
        raise PolicyFileError(f"{path} is not a PEM public key: {error}") from None
    if not isinstance(key, PublicKey):
        raise PolicyFileError(f"{path}: {type(key).__name__} keys are not supported (ECDSA, RSA, Ed25519)")
    return key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PolicyFileError(f"cannot read {path}: {error.strerror}") from None


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise PolicyFileError(f"{what} must be a mapping")
    return value


def _list(value: object, what: str) -> Sequence[Any]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PolicyFileError(f"{what} must be a list")
    return value
