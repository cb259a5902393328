"""Image use cases: inspect an image, build its SBOM, read an SBOM file, render SBOMs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.model.errors import BadInputError
from regwarden.model.image import ImageMetadata, Platform
from regwarden.model.sbom import Sbom
from regwarden.service.progress import Progress

if TYPE_CHECKING:
    from regwarden.oci.open import RegistryOptions


DIR_PREFIX = "dir:"


DEFAULT_PLATFORM = Platform("linux", "amd64")


@dataclass(frozen=True)
class ImageOptions:
    platform: Platform = DEFAULT_PLATFORM
    platform_explicit: bool = False
    """The user named the platform: a single-platform image of another platform is then an error, not a match."""
    insecure: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_cli(
        cls, platform: str | None, insecure: bool, username: str | None, password: str | None, timeout: float
    ) -> ImageOptions:
        try:
            parsed = DEFAULT_PLATFORM if platform is None else Platform.parse(platform)
        except ValueError as error:
            raise BadInputError(str(error)) from error
        return cls(parsed, platform is not None, insecure, username, password, timeout)


def inspect_image(spec: str, options: ImageOptions) -> ImageMetadata:
    from regwarden.oci.open import open_image

    source = open_image(spec, options.platform, _registry_options(options), require_platform=options.platform_explicit)
    try:
        return source.resolve()
    finally:
        source.close()


def build_sbom(spec: str, options: ImageOptions, progress: Progress | None = None) -> Sbom:
    """The SBOM of an image source or of `dir:PATH`."""
    from regwarden.sbom.build import catalog_filesystem, file_requests

    report = progress or (lambda _message: None)
    if spec.startswith(DIR_PREFIX):
        from regwarden.sbom.directory import filesystem_from_directory

        root = Path(spec.removeprefix(DIR_PREFIX))
        if not root.is_dir():
            raise BadInputError(f"{root} is not a directory")
        report(f"reading {root}")
        filesystem = filesystem_from_directory(root, file_requests())
        return catalog_filesystem(filesystem, source=spec)

    return read_image(spec, options, report)[1]


def read_image(spec: str, options: ImageOptions, progress: Progress | None = None) -> tuple[ImageMetadata, Sbom]:
    """An image's metadata (manifest, config, layers) and its SBOM, from one resolve and one layer walk."""
    from regwarden.oci.open import open_image
    from regwarden.sbom.build import catalog_filesystem, file_requests
    from regwarden.sbom.filesystem import build_filesystem

    report = progress or (lambda _message: None)
    source = open_image(spec, options.platform, _registry_options(options), require_platform=options.platform_explicit)
    try:
        report(f"resolving {spec}")
        metadata = source.resolve()
        report(f"reading {len(metadata.layers)} layers")
        filesystem = build_filesystem(source, file_requests())
    finally:
        source.close()
    report("cataloging packages")
    return metadata, catalog_filesystem(filesystem, source=spec, metadata=metadata)


def read_sbom(path: Path) -> Sbom:
    from regwarden.collect.sbomfile.read import read_sbom_file

    return read_sbom_file(path)


def sbom_of(spec_or_file: str, options: ImageOptions) -> Sbom:
    """An existing SBOM file is read; anything else is treated as an image source."""
    from regwarden.oci.open import is_local_spec

    path = Path(spec_or_file)
    if not is_local_spec(spec_or_file) and not spec_or_file.startswith(DIR_PREFIX) and path.is_file():
        return read_sbom(path)
    return build_sbom(spec_or_file, options)


SBOM_FORMATS: tuple[str, ...] = ("table", "json", "cyclonedx-json", "cyclonedx-xml", "spdx-json")


def render_sbom(sbom: Sbom, output_format: str) -> bytes:
    if output_format == "table":
        from regwarden.report.sbom_table import render_sbom_table

        return render_sbom_table(sbom)
    if output_format == "json":
        from regwarden.report.sbom_json import render_sbom_json

        return render_sbom_json(sbom)
    if output_format in ("cyclonedx-json", "cyclonedx-xml"):
        from regwarden.report.cyclonedx import render_cyclonedx_json, render_cyclonedx_xml

        return render_cyclonedx_json(sbom) if output_format == "cyclonedx-json" else render_cyclonedx_xml(sbom)
    if output_format == "spdx-json":
        from regwarden.report.spdx import render_spdx_json

        return render_spdx_json(sbom)
    raise BadInputError(f"unknown SBOM format {output_format!r}; expected one of: {', '.join(SBOM_FORMATS)}")


def _registry_options(options: ImageOptions) -> RegistryOptions:
    from regwarden.oci.open import RegistryOptions

    return RegistryOptions(options.insecure, options.username, options.password, options.timeout)
