"""Read an SBOM file (CycloneDX JSON or XML, SPDX 2.3 JSON, regwarden JSON) back into an `Sbom`.

This module only recognises the format and hands the document to its reader (sbomfile/cyclonedx.py,
sbomfile/spdx.py, sbomfile/native.py). regwarden's own output round-trips without loss; SBOMs from
other tools (Syft, Trivy, ...) are read from their standard fields. Anything malformed or hostile becomes a
BadInputError naming the file and the element, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from regwarden.collect.sbomfile.cyclonedx import sbom_from_cyclonedx
from regwarden.collect.sbomfile.cyclonedx_xml import cyclonedx_xml_to_json
from regwarden.collect.sbomfile.native import sbom_from_native_json
from regwarden.collect.sbomfile.spdx import sbom_from_spdx
from regwarden.model.errors import BadInputError
from regwarden.model.sbom import Sbom
from regwarden.model.sbom_properties import SBOM_JSON_SCHEMA

_UTF8_BOM = b"\xef\xbb\xbf"


def read_sbom_file(path: Path) -> Sbom:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInputError(f"cannot read SBOM file {path}: {error.strerror}") from error
    try:
        return read_sbom_bytes(data, str(path))
    except ValueError as error:  # every malformed value below surfaces as ValueError with a precise message
        raise BadInputError(f"{path}: {error}") from error
    except RecursionError:  # components nested thousands deep: no real SBOM looks like that
        raise BadInputError(f"{path}: nested too deeply to be an SBOM") from None


def read_sbom_bytes(data: bytes, origin: str) -> Sbom:
    """Parse an SBOM document; raises ValueError saying what was wrong (RecursionError for absurd nesting)."""
    data = data.removeprefix(_UTF8_BOM)
    if data.lstrip().startswith(b"<"):
        return sbom_from_cyclonedx(cyclonedx_xml_to_json(data), origin)
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"not valid JSON or XML: {error}") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply to be an SBOM") from None
    if not isinstance(document, dict):
        raise ValueError("an SBOM document must be a JSON object")
    if document.get("schema") == SBOM_JSON_SCHEMA:
        return sbom_from_native_json(document)
    if document.get("bomFormat") == "CycloneDX":
        return sbom_from_cyclonedx(document, origin)
    if str(document.get("spdxVersion", "")).startswith("SPDX-2"):
        return sbom_from_spdx(document, origin)
    raise ValueError("neither CycloneDX (bomFormat), SPDX 2.x (spdxVersion) nor regwarden (schema) JSON")
