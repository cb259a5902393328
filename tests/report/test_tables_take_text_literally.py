"""Table formats show image and package data literally: a `[/usr/bin/x]` in a history entry or a path is text,
never rich markup (which would crash on an unmatched closing tag or swallow `[bold]`)."""

from __future__ import annotations

from regwarden.inventory.diff import diff_sboms
from regwarden.model.image import ImageConfig, ImageMetadata, Layer, Platform
from regwarden.model.sbom import LayerRef, Package, PackageType, Sbom, Unknown
from regwarden.report.diff_report import render_diff_table
from regwarden.report.inspect_report import render_inspect_table
from regwarden.report.sbom_table import render_sbom_table

HOSTILE = "RUN [/usr/bin/x] [bold]y"
LAYER = LayerRef(0, "sha256:" + "a" * 64, created_by=HOSTILE)


def test_inspect_table_keeps_bracketed_history_text() -> None:
    metadata = ImageMetadata(
        reference="oci:[/x]",
        digest="sha256:" + "b" * 64,
        media_type="application/vnd.oci.image.manifest.v1+json",
        platform=Platform("linux", "amd64"),
        config_digest="sha256:" + "c" * 64,
        config=ImageConfig(labels={"note": "[red]x[/red]"}),
        layers=(Layer(0, LAYER.digest, 10, "application/vnd.oci.image.layer.v1.tar", created_by=HOSTILE),),
    )
    text = render_inspect_table(metadata, width=250).decode()
    assert HOSTILE in text
    assert "oci:[/x]" in text and "note=[red]x[/red]" in text


def test_sbom_and_diff_tables_keep_bracketed_text() -> None:
    package = Package("x[/y]", "1.0", PackageType.NPM, "pkg:npm/x@1.0", "npm", layer=LAYER)
    sbom = Sbom(source="dir:[/tmp]", packages=(package,), unknowns=(Unknown("/[/bad]", "reason [/z]"),))
    text = render_sbom_table(sbom, width=250).decode()
    assert "dir:[/tmp]" in text and "x[/y]" in text and "reason [/z]" in text
    assert "RUN [/usr/bin/x]" in text
    diff = render_diff_table(diff_sboms(Sbom("a[/b]", ()), sbom), width=250).decode()
    assert "a[/b]" in diff and "x[/y]" in diff
