"""The catalog job: one digest into the inventory (service/catalog.py), wherever a sync or a cluster found it.

Credentials never travel in a job: the worker signs in to registries the way the CLI does (its own
`REGWARDEN_USERNAME`/`REGWARDEN_PASSWORD`, docker's config, or Azure AD for `*.azurecr.io` through workload
identity or a managed identity).
"""

from __future__ import annotations

from collections.abc import Mapping

from regwarden.jobs.arguments import flag, optional_text, text, texts
from regwarden.jobs.context import JobContext
from regwarden.service.images import ImageOptions


def run_catalog(context: JobContext, args: Mapping[str, object]) -> str:
    """Catalog one digest; an image that cannot be read raises its error (recorded in the catalog too), so the
    runner can tell a registry that is down (retried) from an image that is broken (failed for good)."""
    from regwarden.service.catalog import ImagePlace, catalog_reference

    digest = text(args, "digest")
    place = texts(args, "place")
    outcome = catalog_reference(
        context.store,
        text(args, "reference"),
        image_options(args, context.environ),
        place=ImagePlace(place[0], place[1]) if len(place) == 2 else None,
        known_digest=digest,
        origin=optional_text(args, "origin") or "sync",
        endpoints=context.settings.endpoints,
        strict=True,
    )
    if not outcome.new:
        return f"{digest} was catalogued already"
    return f"catalogued {digest}: {outcome.packages} packages, {outcome.new_findings} new findings"


def image_options(args: Mapping[str, object], environ: Mapping[str, str]) -> ImageOptions:
    return ImageOptions.from_cli(
        optional_text(args, "platform"),
        flag(args, "insecure"),
        environ.get("REGWARDEN_USERNAME") or None,
        environ.get("REGWARDEN_PASSWORD") or None,
        30.0,
    )
