"""The signature algorithms a Notary Project signature may use, chosen by the signing key (Algorithm Selection).

| key                  | algorithm | | key            | algorithm |
| RSA 2048             | PS256     | | EC secp256r1   | ES256     |
| RSA 3072             | PS384     | | EC secp384r1   | ES384     |
| RSA 4096             | PS512     | | EC secp521r1   | ES512     |

Signatures are in the JOSE/COSE raw form: RSASSA-PSS bytes, or `r || s` for ECDSA (not DER).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
_RSA_BY_SIZE = {2048: "PS256", 3072: "PS384", 4096: "PS512"}
_EC_BY_CURVE = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


class UnsupportedKeyError(Exception):
    """The key's type or size is not one the signature specification allows."""


def algorithm_for_key(public_key: object) -> str:
    """The one algorithm the spec allows for this public key; anything else is UnsupportedKeyError."""
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size in _RSA_BY_SIZE:
            return _RSA_BY_SIZE[public_key.key_size]
        raise UnsupportedKeyError(f"RSA {public_key.key_size}-bit keys are not allowed (2048, 3072 or 4096)")
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name in _EC_BY_CURVE:
            return _EC_BY_CURVE[public_key.curve.name]
        raise UnsupportedKeyError(f"EC curve {public_key.curve.name} is not allowed (P-256, P-384 or P-521)")
    raise UnsupportedKeyError(f"{type(public_key).__name__} keys are not allowed (RSA or EC)")


def hash_for(algorithm: str) -> hashes.HashAlgorithm:
    return _HASHES[algorithm[2:]]()


def verify_raw(algorithm: str, public_key: object, data: bytes, signature: bytes) -> bool:
    """True when `signature` over `data` verifies with `public_key` under `algorithm`."""
    digest = hash_for(algorithm)
    try:
        if algorithm.startswith("PS") and isinstance(public_key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            public_key.verify(signature, data, pss, digest)
            return True
        if algorithm.startswith("ES") and isinstance(public_key, ec.EllipticCurvePublicKey):
            half = (public_key.curve.key_size + 7) // 8
            if len(signature) != 2 * half:
                return False
            r, s = int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest))
            return True
    except InvalidSignature:
        return False
    return False


def sign_raw(private_key: SigningKey, data: bytes) -> tuple[str, bytes]:
    """(algorithm, raw signature) for `data`, the algorithm chosen by the key as the spec requires."""
    algorithm = algorithm_for_key(private_key.public_key())
    digest = hash_for(algorithm)
    if isinstance(private_key, rsa.RSAPrivateKey):
        pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        return algorithm, private_key.sign(data, pss, digest)
    der = private_key.sign(data, ec.ECDSA(digest))
    r, s = decode_dss_signature(der)
    half = (private_key.curve.key_size + 7) // 8
    return algorithm, r.to_bytes(half, "big") + s.to_bytes(half, "big")
