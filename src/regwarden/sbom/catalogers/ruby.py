"""Ruby gems: installed `specifications/*.gemspec` files and `Gemfile.lock`.

An installed gemspec is not hand-written Ruby but the file RubyGems generates with
`Gem::Specification#to_ruby`: one `s.<attribute> = <literal>` per line (strings optionally `.freeze`d), so a
few anchored regexes read it without evaluating Ruby. A Gemfile.lock lists resolved gems as
`    name (version[-platform])` lines, exactly four spaces deep, under `specs:` of its GEM and GIT sources;
PATH sources are the project's own code and are skipped. Bundler's own grammar puts everything after the
first `-` in the parentheses into the platform, so `nokogiri (1.15.4-x86_64-linux)` is nokogiri 1.15.4; the
per-platform variants of one gem are reported once.

Not done: the `platform=` purl qualifier of platform-specific gemspecs, and telling dev gems apart in a
Gemfile.lock (the groups live in the Gemfile, not the lockfile).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

CATALOGER_NAME = "ruby-gem"

# RubyGems >= 2 writes "x".freeze; RubyGems 1.x wrote %q{x}.
_STRING = r"""(?:["']([^"']*)["']|%q\{([^}]*)\})(?:\.freeze)?"""
_NAME = re.compile(rf"^\s*\w+\.name\s*=\s*{_STRING}\s*$", re.MULTILINE)
_VERSION = re.compile(rf"^\s*\w+\.version\s*=\s*{_STRING}\s*$", re.MULTILINE)
_LICENSES = re.compile(r"^\s*\w+\.licenses?\s*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']|%q\{([^}]+)\}""")
_SPEC_LINE = re.compile(r"^ {4}([^ (]+) \(([^-)]*)(?:-([^)]*))?\)$")
_LOCK_SOURCES = frozenset({"GEM", "GIT"})


def _wants(path: str) -> bool:
    parent, _, base = path.rpartition("/")
    if base == "Gemfile.lock":
        return True
    # `specifications/default/` holds the default gems that ship inside Ruby itself (json, openssl, ...).
    parent = parent.removesuffix("/default")
    return base.endswith(".gemspec") and (parent == "specifications" or parent.endswith("/specifications"))


_REQUEST = FileRequest(basenames=frozenset({"Gemfile.lock"}), suffixes=(".gemspec",), path_filter=_wants)


class RubyGemCataloger:
    """Gems installed by RubyGems/Bundler (or a distro) and gems locked by Bundler."""

    @property
    def name(self) -> str:
        return CATALOGER_NAME

    @property
    def request(self) -> FileRequest:
        return _REQUEST

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        for file in files:
            if not _wants(file.path):
                continue
            text = file.content.decode("utf-8", errors="replace")
            if file.path.endswith("Gemfile.lock"):
                parsed: list[Package] | Package | Unknown = parse_gemfile_lock(file.path, text)
            else:
                parsed = parse_gemspec(file.path, text)
            if isinstance(parsed, Unknown):
                unknowns.append(parsed)
            elif isinstance(parsed, Package):
                packages.append(parsed)
            else:
                packages.extend(parsed)
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))


def parse_gemspec(path: str, text: str) -> Package | Unknown:
    name, version = _literal(_NAME.search(text)), _literal(_VERSION.search(text))
    if not name or not version:
        missing = " and ".join(label for label, value in (("name", name), ("version", version)) if not value)
        return Unknown(path="/" + path, reason=f"gemspec without {missing}", cataloger=CATALOGER_NAME)
    licenses = tuple(
        value
        for line in _LICENSES.finditer(text)
        for literal in _QUOTED.finditer(line.group(1))
        if (value := _literal(literal))
    )
    return _package(name, version, path, licenses, {})


def _literal(match: re.Match[str] | None) -> str | None:
    """The string of a quoted or %q{} literal (whichever alternative matched)."""
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def parse_gemfile_lock(path: str, text: str) -> list[Package] | Unknown:
    if not re.search(r"^(GEM|GIT|PATH|DEPENDENCIES)$", text, re.MULTILINE):
        return Unknown(path="/" + path, reason="no GEM, GIT, PATH or DEPENDENCIES section", cataloger=CATALOGER_NAME)
    packages: dict[tuple[str, str], Package] = {}
    for source, name, version in _locked_specs(text):
        if (name, version) not in packages:
            packages[name, version] = _package(name, version, path, (), {"source": source.lower()})
    return list(packages.values())


def _locked_specs(text: str) -> Iterator[tuple[str, str, str]]:
    """(source section, name, version) for each spec line of a GEM or GIT section's `specs:` block."""
    section = ""
    for line in text.splitlines():
        if line and not line[0].isspace():
            section = line.strip()
            continue
        match = _SPEC_LINE.match(line)
        if match and section in _LOCK_SOURCES and match.group(2):
            yield section, match.group(1), match.group(2)


def _package(name: str, version: str, path: str, licenses: tuple[str, ...], metadata: dict[str, str]) -> Package:
    return Package(
        name=name,
        version=version,
        type=PackageType.GEM,
        purl=PackageURL(type="gem", name=name, version=version).to_string(),
        cataloger=CATALOGER_NAME,
        locations=(Location("/" + path),),
        licenses=licenses,
        metadata=metadata,
    )
