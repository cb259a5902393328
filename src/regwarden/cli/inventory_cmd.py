"""`regwarden inventory add | list`: record an image (CI, right after the build) and list what is catalogued."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options

app = typer.Typer(
    help="The inventory: every image digest and its SBOM, where it lives and where it runs.", no_args_is_help=True
)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command("add")
def add(
    target: str = typer.Argument(
        ..., help="An image (registry ref, oci:, oci-archive:, docker-archive:) or an SBOM file."
    ),
    repo: str | None = typer.Option(
        None, "--repo", help="Where the image was pushed, REGISTRY/REPOSITORY (e.g. myreg.azurecr.io/shop/web)."
    ),
    tag: str | None = typer.Option(None, "--tag", help="The tag it was pushed under (needs --repo)."),
    digest: str | None = typer.Option(
        None, "--digest", help="The image's manifest digest, for an SBOM file that does not name it."
    ),
    output: ListFormat = typer.Option(ListFormat.TABLE, "--output", "-o", help="Output format."),
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
    platform: str = options.PLATFORM,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Catalog one image (its SBOM, packages and findings); a digest already catalogued is only located."""
    from regwarden.report.sync_report import outcome_json
    from regwarden.service.images import ImageOptions
    from regwarden.service.inventory import add_to_inventory
    from regwarden.service.settings import load_settings
    from regwarden.store import open_store

    settings = load_settings(config)
    image_options = ImageOptions.from_cli(platform, insecure, username, password, timeout)
    with open_store(db) as store:
        outcome = add_to_inventory(
            store, target, image_options, repository=repo, tag=tag, digest=digest, endpoints=settings.endpoints
        )
    if output is ListFormat.JSON:
        options.write_output(outcome_json(outcome), None)
    elif outcome.new:
        typer.echo(f"catalogued {outcome.digest}: {outcome.packages} packages, {outcome.new_findings} new findings")
    else:
        typer.echo(f"{outcome.digest} was already catalogued; its location is recorded")


@app.command("list")
def list_images(
    repo: str | None = typer.Option(
        None, "--repo", help="Only images in repositories matching this regular expression (REGISTRY/REPO or REPO)."
    ),
    output: ListFormat = typer.Option(ListFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
) -> None:
    """The catalogued images: where they live, created, packages, findings by severity, where each runs."""
    from regwarden.report.inventory_report import render_inventory_json, render_inventory_table
    from regwarden.service.inventory import list_inventory
    from regwarden.store import open_store

    with open_store(db) as store:
        images = list_inventory(store, repo)
    render = render_inventory_json if output is ListFormat.JSON else render_inventory_table
    options.write_output(render(images), output_file)
