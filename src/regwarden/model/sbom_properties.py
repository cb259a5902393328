"""The names regwarden's SBOM files are recognised by, shared by the writers (report/) and the readers (collect/).

CycloneDX and SPDX have no field for a package's layer, locations, source package or cataloger: regwarden writes
them as `regwarden:*` name/value properties (report/sbom_properties.py) and reads them back without loss
(collect/sbomfile/properties.py). The full key spellings live with those two; a round-trip test of every format
holds them together.
"""

from __future__ import annotations

PREFIX = "regwarden:"
"""Every property regwarden writes starts with this."""
SPDX_ANNOTATION_MARKER = "regwarden-properties:"
"""SPDX has no properties: they travel JSON-encoded in one annotation whose comment starts with this."""
PURL = f"{PREFIX}purl"
"""The purl exactly as found, written only when a format library would re-encode it differently."""
SBOM_JSON_SCHEMA = "https://regwarden.dev/schema/sbom/v1"
"""The `schema` key that marks regwarden's own SBOM JSON (report/sbom_json.py)."""
