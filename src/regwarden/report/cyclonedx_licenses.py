"""How a package's licence texts are written in CycloneDX: an SPDX `id`, a free-text `name`, or an `expression`.

The rules are cyclonedx-python-lib's (`cyclonedx.spdx`), which the XML writer goes through, so JSON and XML agree:
the SPDX ids are read from the same list that library checks against, and a compound expression is recognised by
the same parser. That parser (license-expression over its licence index) takes tens of milliseconds to load, so it
is loaded only when a package has one licence that is not an SPDX id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any


@cache
def spdx_license_ids() -> frozenset[str]:
    """The SPDX licence and exception ids `cyclonedx.spdx.is_supported_id` accepts."""
    from cyclonedx.schema._res import SPDX_JSON  # the file `cyclonedx.spdx` reads its ids from

    return frozenset(json.loads(Path(SPDX_JSON).read_bytes()).get("enum", []))


def is_spdx_expression(text: str) -> bool:
    from cyclonedx.spdx import is_expression

    return is_expression(text)


def license_entries(licenses: Sequence[str]) -> list[dict[str, Any]]:
    """The `licenses` array: a known SPDX id as `id`, anything else as `name`; never claim an unchecked id.

    CycloneDX allows an SPDX expression only as the single licence entry, so a lone valid compound expression
    (`MIT OR Apache-2.0`) is written as `expression`. Entries are unique and in the library's order: ids, then
    names, each sorted.
    """
    ids = spdx_license_ids()
    if len(licenses) == 1 and licenses[0] not in ids and is_spdx_expression(licenses[0]):
        return [{"expression": licenses[0]}]
    unique = set(licenses)
    known = sorted(text for text in unique if text in ids)
    free_text = sorted(text for text in unique if text not in ids)
    return [{"license": {"id": text}} for text in known] + [{"license": {"name": text}} for text in free_text]
