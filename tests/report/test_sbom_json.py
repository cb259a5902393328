"""regwarden's own SBOM JSON and the SBOM table: every model field present, stable, readable."""

from __future__ import annotations

import json

from regwarden.model.sbom import Sbom
from regwarden.report.sbom_json import SCHEMA, render_sbom_json
from regwarden.report.sbom_table import render_sbom_table
from tests.report.golden import assert_golden
from tests.report.sbom_fixture import SBOM


def test_json_matches_golden() -> None:
    assert_golden("sbom.regwarden.json", render_sbom_json(SBOM))


def test_json_holds_every_field_of_the_model() -> None:
    document = json.loads(render_sbom_json(SBOM))
    assert document["schema"] == SCHEMA
    assert set(document) == {"schema", *Sbom.__dataclass_fields__}
    assert {(p["type"], p["name"], p["version"], p["purl"]) for p in document["packages"]} == {
        (p.type.value, p.name, p.version, p.purl) for p in SBOM.packages
    }
    rpm = next(p for p in document["packages"] if p["type"] == "rpm")
    assert (rpm["epoch"], rpm["metadata"], rpm["layer"]["index"]) == (1, {"vendor": "Red Hat, Inc."}, 0)
    assert [u["layer"]["index"] if u["layer"] else None for u in document["unknowns"]] == [0, None, None]


def test_table_lists_every_package_with_its_layer_and_every_unknown() -> None:
    text = render_sbom_table(SBOM, width=200).decode()
    lines = text.splitlines()
    assert lines[:2] == [
        f"{SBOM.source}  {SBOM.image_digest}",
        "OS: Debian GNU/Linux 12 (bookworm)   packages: 16   unknowns: 3",
    ]
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if line.startswith("│")]
    packages = {(row[0], row[1], row[2], row[3].split()[0]) for row in rows if len(row) == 5}
    assert packages == {
        (p.name, p.version, p.type.value, str(p.layer.index if p.layer else "-")) for p in SBOM.packages
    }
    assert {row[0] for row in rows if len(row) == 2} == {u.path for u in SBOM.unknowns}


def test_table_without_os_or_layers() -> None:
    text = render_sbom_table(Sbom(source="dir:/srv", packages=())).decode()
    assert "OS: unknown   packages: 0   unknowns: 0" in text
    assert "Unknowns" not in text
