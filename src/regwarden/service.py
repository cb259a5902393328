"""Use cases: wire adapters, analysis, store and reports together. The CLI and the web layer call only this.

Each function is one thing a user asks for (inspect an image, build its SBOM, audit a registry) and owns the
lifetime of what it opens.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.finding import Severity, Status
from regwarden.model.image import ImageMetadata, Platform
from regwarden.model.sbom import Sbom

if TYPE_CHECKING:
    from regwarden.model.registry import Registry
    from regwarden.oci.open import RegistryOptions
    from regwarden.posture.engine import RuleResult
    from regwarden.posture.rule import Rule

Progress = Callable[[str], None]

DIR_PREFIX = "dir:"


@dataclass(frozen=True)
class ImageOptions:
    platform: Platform = Platform("linux", "amd64")
    insecure: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_cli(
        cls, platform: str, insecure: bool, username: str | None, password: str | None, timeout: float
    ) -> ImageOptions:
        try:
            parsed = Platform.parse(platform)
        except ValueError as error:
            raise BadInputError(str(error)) from error
        return cls(parsed, insecure, username, password, timeout)


def inspect_image(spec: str, options: ImageOptions) -> ImageMetadata:
    from regwarden.oci.open import open_image

    source = open_image(spec, options.platform, _registry_options(options))
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

    from regwarden.oci.open import open_image
    from regwarden.sbom.filesystem import build_filesystem

    source = open_image(spec, options.platform, _registry_options(options))
    try:
        report(f"resolving {spec}")
        metadata = source.resolve()
        report(f"reading {len(metadata.layers)} layers")
        filesystem = build_filesystem(source, file_requests())
    finally:
        source.close()
    report("cataloging packages")
    return catalog_filesystem(filesystem, source=spec, metadata=metadata)


def read_sbom(path: Path) -> Sbom:
    from regwarden.collect.sbom_file import read_sbom_file

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


def stderr_progress() -> Progress:
    """Progress lines on stderr when it is a terminal; silent in pipes and CI logs stay clean."""
    if not sys.stderr.isatty():
        return lambda _message: None
    return lambda message: print(f"• {message}", file=sys.stderr, flush=True)


def _registry_options(options: ImageOptions) -> RegistryOptions:
    from regwarden.oci.open import RegistryOptions

    return RegistryOptions(options.insecure, options.username, options.password, options.timeout)



# -- posture ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRequest:
    paths: tuple[Path, ...] = ()
    subscription: str | None = None
    resource_group: str | None = None
    profile: str | None = None
    config_file: Path | None = None
    only_rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()


def audit_acr(request: AuditRequest, progress: Progress | None = None) -> list[RuleResult]:
    """Load registries (files or live), evaluate the selected rules under the configured profile."""
    from regwarden.posture.config import PostureConfig, Profile, load_config
    from regwarden.posture.engine import evaluate

    if bool(request.paths) == bool(request.subscription):
        raise BadInputError("give either --from FILE (repeatable) or --subscription ID")
    config = load_config(request.config_file) if request.config_file else PostureConfig()
    if request.profile:
        config = replace(config, profile=Profile(request.profile))
    registries = _load_registries(request, progress)
    if not registries:
        raise BadInputError("no container registry found in the input")
    return evaluate(registries, config, select_rules(request.only_rules, request.skip_rules))


def _load_registries(request: AuditRequest, progress: Progress | None) -> list[Registry]:
    if request.paths:
        from regwarden.collect.loader import load_registries

        return load_registries(list(request.paths))
    from azure.identity import DefaultAzureCredential

    from regwarden.collect.azure_live import collect_registries

    assert request.subscription is not None
    return collect_registries(
        DefaultAzureCredential(),
        request.subscription,
        resource_group=request.resource_group,
        on_progress=progress,
    )


def select_rules(only: Sequence[str], skip: Sequence[str]) -> list[Rule]:
    from regwarden.posture.rules import ALL_RULES

    known = {rule.meta.id for rule in ALL_RULES}
    unknown = sorted({rule_id.upper() for rule_id in (*only, *skip)} - known)
    if unknown:
        raise BadInputError(f"unknown rule id(s): {', '.join(unknown)}; see `regwarden rules list`")
    wanted = {rule_id.upper() for rule_id in only}
    skipped = {rule_id.upper() for rule_id in skip}
    return [
        rule
        for rule in ALL_RULES
        if (not wanted or rule.meta.id in wanted) and rule.meta.id not in skipped
    ]


AUDIT_FORMATS: tuple[str, ...] = ("table", "json", "sarif", "markdown", "junit", "fix-script")


def render_audit(results: Sequence[RuleResult], output_format: str, *, show_passed: bool = True) -> bytes:
    if output_format == "table":
        from regwarden.report.posture_table import render_posture_table

        return render_posture_table(results, show_passed=show_passed)
    renderers = {
        "json": "regwarden.report.posture_json:render_posture_json",
        "sarif": "regwarden.report.posture_sarif:render_posture_sarif",
        "markdown": "regwarden.report.posture_markdown:render_posture_markdown",
        "junit": "regwarden.report.posture_junit:render_posture_junit",
        "fix-script": "regwarden.report.posture_fix_script:render_fix_script",
    }
    if output_format not in renderers:
        raise BadInputError(f"unknown audit format {output_format!r}; expected one of: {', '.join(AUDIT_FORMATS)}")
    module_name, _, function_name = renderers[output_format].partition(":")
    render: Callable[[Sequence[RuleResult]], bytes] = getattr(importlib.import_module(module_name), function_name)
    return render(results)


def audit_gate_failed(results: Sequence[RuleResult], fail_on: str | None) -> bool:
    """True when an unsuppressed FAIL at or above `fail_on` remains; `none` never fails the gate."""
    if fail_on is None or fail_on.lower() == "none":
        return False
    try:
        threshold = Severity.parse(fail_on)
    except ValueError as error:
        raise BadInputError(str(error)) from error
    return any(
        r.status is Status.FAIL and not r.suppressed and r.rule.severity.rank >= threshold.rank for r in results
    )


def render_rule_list() -> bytes:
    from regwarden.posture.rules import ALL_RULES
    from regwarden.report.rules_report import render_rule_table

    return render_rule_table([rule.meta for rule in ALL_RULES])


def render_rule_detail(rule_id: str) -> bytes:
    from regwarden.posture.rules import ALL_RULES
    from regwarden.report.rules_report import render_rule_detail as render

    for rule in ALL_RULES:
        if rule.meta.id == rule_id.upper():
            return render(rule.meta)
    raise NotFoundError(f"no rule {rule_id!r}; see `regwarden rules list`")
