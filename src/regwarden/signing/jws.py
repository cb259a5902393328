"""The JWS JSON flattened serialization of a Notary Project signature (signature-envelope-jws.md): read and write.

Reading keeps the protected header's exact bytes: the signature covers
`ASCII(BASE64URL(protected) '.' BASE64URL(payload))`, never a re-encoding of what was parsed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from regwarden.model.trust import FailureReason
from regwarden.signing import envelope as env
from regwarden.signing.envelope import Envelope, EnvelopeError

_TOP_LEVEL = frozenset({"payload", "protected", "header", "signature"})
_REQUIRED = frozenset({"payload", "protected", "signature"})


def parse_jws(data: bytes) -> Envelope:
    body = _load_object(data)
    if set(body) - _TOP_LEVEL or not set(body) >= _REQUIRED:
        raise _malformed(f"a flattened JWS has exactly payload, protected, header and signature; got {sorted(body)}")
    protected_b64, payload_b64 = _text(body, "protected"), _text(body, "payload")
    protected = _header_object(b64url_decode(protected_b64, "protected"))
    unprotected = body.get("header") or {}
    if not isinstance(unprotected, dict):
        raise _malformed("the JWS `header` must be an object")
    return Envelope(
        format="jws",
        payload=b64url_decode(payload_b64, "payload"),
        signed_bytes=f"{protected_b64}.{payload_b64}".encode("ascii"),
        signature=b64url_decode(_text(body, "signature"), "signature"),
        algorithm=_optional_text(protected, "alg") or "",
        content_type=_optional_text(protected, "cty"),
        signing_scheme=_optional_text(protected, env.SIGNING_SCHEME),
        signing_time=_time(protected, env.SIGNING_TIME),
        authentic_signing_time=_time(protected, env.AUTHENTIC_SIGNING_TIME),
        expiry=_time(protected, env.EXPIRY),
        critical=_critical(protected),
        protected_names=frozenset(protected),
        certificates=_x5c(unprotected.get("x5c")),
        timestamp_token=_optional_b64(unprotected.get(env.TIMESTAMP_SIGNATURE), "timestamp signature"),
        signing_agent=_optional_text(unprotected, env.SIGNING_AGENT),
    )


def build_jws(protected: Mapping[str, Any], payload: bytes, sign: Any, chain_der: Sequence[bytes]) -> bytes:
    """A flattened JWS: `sign(signing_input) -> raw signature` (JWS form: r||s for ECDSA)."""
    protected_b64 = b64url_encode(json.dumps(protected, separators=(",", ":")).encode())
    payload_b64 = b64url_encode(payload)
    signature = sign(f"{protected_b64}.{payload_b64}".encode("ascii"))
    document = {
        "payload": payload_b64,
        "protected": protected_b64,
        "header": {
            "x5c": [base64.b64encode(der).decode("ascii") for der in chain_der],
            env.SIGNING_AGENT: "regwarden",
        },
        "signature": b64url_encode(signature),
    }
    return json.dumps(document, separators=(",", ":")).encode()


def rfc3339(moment: datetime) -> str:
    """The spec's time form: RFC 3339 in UTC, without fractional seconds."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str, what: str) -> bytes:
    if "=" in text or "+" in text or "/" in text:
        raise _malformed(f"JWS {what} is not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise _malformed(f"JWS {what} is not base64url") from None


def _load_object(data: bytes) -> dict[str, Any]:
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _malformed(f"the JWS envelope is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise _malformed("the JWS envelope must be a JSON object (flattened serialization)")
    return body


def _header_object(data: bytes) -> dict[str, Any]:
    try:
        header = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _malformed("the JWS protected header is not JSON") from None
    if not isinstance(header, dict):
        raise _malformed("the JWS protected header must be a JSON object")
    return header


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise _malformed(f"JWS `{key}` must be a string")
    return value


def _optional_text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise _malformed(f"JWS `{key}` must be a string")
    return value


def _time(header: Mapping[str, Any], key: str) -> datetime | None:
    text = _optional_text(header, key)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _malformed(f"JWS `{key}` is not an RFC 3339 time: {text!r}") from None
    if moment.tzinfo is None:
        raise _malformed(f"JWS `{key}` has no time zone: {text!r}")
    return moment


def _critical(header: Mapping[str, Any]) -> tuple[str, ...]:
    value = header.get("crit")
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise _malformed("JWS `crit` must be a non-empty array of header names")
    return tuple(value)


def _x5c(value: object) -> tuple[bytes, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise _malformed("JWS `x5c` must be a non-empty array of base64 certificates")
    return tuple(_b64(item, "x5c certificate") for item in value)


def _optional_b64(value: object, what: str) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _malformed(f"JWS {what} must be a base64 string")
    return _b64(value, what)


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed(f"JWS {what} is not base64") from None


def _malformed(message: str) -> EnvelopeError:
    return EnvelopeError(FailureReason.MALFORMED_ENVELOPE, message)
