"""The Rekor bundle cosign attaches to a keyless signature (`dev.sigstore.cosign/bundle`): when it was logged.

The bundle's signed entry timestamp (SET) is Rekor's signature over the canonical JSON of
`{body, integratedTime, logID, logIndex}`; when it verifies with a trusted Rekor key and the logged entry
records this very signature and payload hash, `integratedTime` proves when the short-lived certificate was used.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any


class RekorError(Exception):
    """The bundle cannot be read, its SET does not verify, or it logs another signature."""


def rekor_integrated_time(
    bundle_text: str | None, signature: bytes, payload: bytes, rekor_keys: Sequence[object]
) -> datetime | None:
    """The verified integrated time; None when there is no bundle or no Rekor key to check it with."""
    from regwarden.signing.cosign import verify_payload_signature

    if not bundle_text or not rekor_keys:
        return None
    try:
        bundle = json.loads(bundle_text)
        entry, set_signature = bundle["Payload"], base64.b64decode(bundle["SignedEntryTimestamp"])
        fields = {key: entry[key] for key in ("body", "integratedTime", "logID", "logIndex")}
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
        body = json.loads(base64.b64decode(entry["body"]))
    except (ValueError, KeyError, TypeError):
        raise RekorError("the Rekor bundle annotation cannot be read") from None
    if not any(verify_payload_signature(key, canonical, set_signature) for key in rekor_keys):
        raise RekorError("the Rekor signed entry timestamp does not verify with a trusted Rekor key")
    if not _records(body, signature, payload):
        raise RekorError("the Rekor entry records another signature or payload")
    return datetime.fromtimestamp(int(entry["integratedTime"]), UTC)


def _records(body: Any, signature: bytes, payload: bytes) -> bool:
    try:
        spec = body["spec"]
        recorded_signature = base64.b64decode(spec["signature"]["content"])
        recorded_hash = spec["data"]["hash"]["value"]
    except (KeyError, TypeError, ValueError):
        return False
    return recorded_signature == signature and recorded_hash == hashlib.sha256(payload).hexdigest()
