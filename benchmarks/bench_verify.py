"""Time to verify one Notary Project signature, in-process (the admission webhook's case: policy loaded once).

Cases: JWS signatures made here (EC P-256 and RSA 3072, leaf → intermediate → root, strict level, a CRL checked
for the leaf), and notation-go's published JWS and COSE envelopes with an RFC 3161 countersignature from
GlobalSign (tests/signing/testdata). Each case runs `--runs` times after one warm-up; the first call of the
process (imports of pycose, asn1crypto, …) is reported apart as "first call".

    .venv/bin/python benchmarks/bench_verify.py --runs 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from regwarden.model.image import Descriptor
from regwarden.signing.notation import NotationContext, verify_notation
from regwarden.signing.revocation import CrlRevocation
from regwarden.signing.sign import create_signature
from regwarden.signing.trust_policy import parse_trust_policy
from regwarden.signing.truststore import TrustStore, load_certificates

VECTORS = Path(__file__).resolve().parents[1] / "tests" / "signing" / "testdata" / "notation-go"
NOW = dt.datetime.now(dt.UTC)
IMAGE = Descriptor("application/vnd.oci.image.manifest.v1+json", "sha256:" + "ab" * 32, 1234)
PUBLISHED = Descriptor(
    "application/vnd.docker.distribution.manifest.v2+json",
    "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda",
    528,
)
CRL_URL = "http://crl.example.test/ca.crl"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "US"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _certificate(subject: str, issuer: tuple[object, x509.Name] | None, key: object, ca: bool) -> x509.Certificate:
    signer_key, issuer_name = issuer if issuer else (key, _name(subject))
    usage = dict.fromkeys(
        (
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, crl_sign=ca, **usage), critical=True)
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(signer_key, hashes.SHA256())  # type: ignore[arg-type]


def own_case(kind: str) -> Callable[[], bool]:
    new = (
        (lambda: ec.generate_private_key(ec.SECP256R1()))
        if kind == "ec"
        else (lambda: rsa.generate_private_key(65537, 3072))
    )
    root_key, middle_key, leaf_key = new(), new(), new()
    root = _certificate("Root", None, root_key, True)
    middle = _certificate("Intermediate", (root_key, root.subject), middle_key, True)
    leaf = _certificate("Signer", (middle_key, middle.subject), leaf_key, False)
    envelope = create_signature(leaf_key, [leaf, middle, root], IMAGE, NOW).envelope  # type: ignore[arg-type]
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(middle.subject)
        .last_update(NOW - dt.timedelta(hours=1))
        .next_update(NOW + dt.timedelta(days=1))
        .sign(middle_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    context = _context({("ca", "test"): (root,)}, ["ca:test"], CrlRevocation([crl]), revocation="enforce")
    return lambda: verify_notation(envelope, "application/jose+json", IMAGE, "sha256:x", context).passed


def published_case(name: str, media_type: str) -> Callable[[], bool]:
    stores = {
        ("ca", "alpine"): tuple(load_certificates(VECTORS / "TestTimestamp.crt")),
        ("tsa", "globalsign"): tuple(load_certificates(VECTORS / "globalsignRoot.cer")),
    }
    context = _context(stores, ["ca:alpine", "tsa:globalsign"], CrlRevocation(), revocation="skip")
    blob = (VECTORS / name).read_bytes()
    return lambda: verify_notation(blob, media_type, PUBLISHED, "sha256:x", context).passed


def _context(
    stores: dict[tuple[str, str], tuple[x509.Certificate, ...]], names: list[str], crls: CrlRevocation, revocation: str
) -> NotationContext:
    verification = {"level": "strict", "override": {"revocation": revocation}}
    statement = {
        "name": "b",
        "registryScopes": ["*"],
        "signatureVerification": verification,
        "trustStores": names,
        "trustedIdentities": ["*"],
    }
    document = parse_trust_policy({"version": "1.0", "trustPolicies": [statement]})
    return NotationContext(document.statements[0], TrustStore(stores), crls, NOW)


def measure(label: str, case: Callable[[], bool], runs: int) -> None:
    started = time.perf_counter()
    assert case(), f"{label}: the signature did not verify"
    first = time.perf_counter() - started
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        case()
        timings.append(time.perf_counter() - started)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"| {label} | {runs} | {statistics.median(timings) * 1000:.2f} | {p99 * 1000:.2f} | {timings[-1] * 1000:.2f} "
        f"| {first * 1000:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    cases = {
        "published JWS + RFC 3161 timestamp (notation-go, PS256)": published_case(
            "jwsWithTimestamp.sig", "application/jose+json"
        ),
        "published COSE + RFC 3161 timestamp (notation-go)": published_case(
            "coseWithTimestamp.sig", "application/cose"
        ),
        "own JWS, EC P-256, 3-certificate chain, CRL checked": own_case("ec"),
        "own JWS, RSA 3072, 3-certificate chain, CRL checked": own_case("rsa"),
    }
    print("| signature | runs | median (ms) | p99 (ms) | max (ms) | first call of the process (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, case in cases.items():
        measure(label, case, arguments.runs)


if __name__ == "__main__":
    main()
