"""The COSE_Sign1_Tagged form of a Notary Project signature (signature-envelope-cose.md), read through pycose.

pycose decodes the message and keeps the protected header's original bytes; the Sig_structure
(`["Signature1", protected, h'', payload]`) is rebuilt from those bytes, so nothing parsed is re-encoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from regwarden.model.trust import FailureReason
from regwarden.signing import envelope as env
from regwarden.signing.envelope import Envelope, EnvelopeError

_REGISTERED = {1: "alg", 2: "crit", 3: "cty", 33: "x5chain"}


def parse_cose(data: bytes) -> Envelope:
    import cbor2
    from pycose.messages.sign1message import Sign1Message

    try:
        message = Sign1Message.decode(data)
    except Exception as error:  # pycose raises bare TypeError/KeyError/AttributeError/CBORDecodeError
        raise _malformed(f"not a COSE_Sign1_Tagged message: {error}") from None
    if message.payload is None:
        raise _malformed("the COSE message has a detached payload; a Notary Project signature embeds it")
    protected = _plain_labels(message.phdr)
    unprotected = _plain_labels(message.uhdr)
    sig_structure = cbor2.dumps(["Signature1", message.phdr_encoded, b"", message.payload])
    return Envelope(
        format="cose",
        payload=message.payload,
        signed_bytes=sig_structure,
        signature=message.signature,
        algorithm=_algorithm(protected.get("alg")),
        content_type=_optional_text(protected, "cty"),
        signing_scheme=_optional_text(protected, env.SIGNING_SCHEME),
        signing_time=_time(protected, env.SIGNING_TIME),
        authentic_signing_time=_time(protected, env.AUTHENTIC_SIGNING_TIME),
        expiry=_time(protected, env.EXPIRY),
        critical=_critical(protected.get("crit")),
        protected_names=frozenset(protected),
        certificates=_x5chain(unprotected.get("x5chain") or protected.get("x5chain")),
        timestamp_token=_optional_bytes(unprotected.get(env.TIMESTAMP_SIGNATURE)),
        signing_agent=_optional_text(unprotected, env.SIGNING_AGENT),
    )


def _plain_labels(header: Mapping[Any, Any]) -> dict[str, Any]:
    """pycose maps registered labels to classes (Algorithm, Critical, …); name them as the spec does."""
    plain: dict[str, Any] = {}
    for key, value in header.items():
        identifier = getattr(key, "identifier", key)
        plain[_REGISTERED.get(identifier, str(identifier))] = value
    return plain


def _algorithm(value: object) -> str:
    """pycose gives the algorithm class (Ps256, Es384, …); its `fullname` is the JOSE-style name."""
    name = getattr(value, "fullname", None)
    return name.upper() if isinstance(name, str) else ""


def _optional_text(header: Mapping[str, Any], key: str) -> str | None:
    value = header.get(key)
    if value is not None and not isinstance(value, str):
        raise _malformed(f"COSE `{key}` must be a text string")
    return value


def _time(header: Mapping[str, Any], key: str) -> datetime | None:
    """Epoch-based date/time (CBOR tag 1), which cbor2 turns into an aware datetime."""
    value = header.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raise _malformed(f"COSE `{key}` must be a tag-1 date/time, got {type(value).__name__}")


def _critical(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise _malformed("COSE `crit` must be a non-empty array")
    return tuple(str(getattr(item, "identifier", item)) for item in value)


def _x5chain(value: object) -> tuple[bytes, ...]:
    if isinstance(value, bytes):
        return (value,)
    if isinstance(value, list | tuple) and value and all(isinstance(item, bytes) for item in value):
        return tuple(value)
    raise _malformed("COSE `x5chain` (label 33) must hold the DER certificate chain")


def _optional_bytes(value: object) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    raise _malformed("COSE timestamp signature must be a byte string")


def _malformed(message: str) -> EnvelopeError:
    return EnvelopeError(FailureReason.MALFORMED_ENVELOPE, message)
