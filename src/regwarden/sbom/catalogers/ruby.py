"""Ruby gems: installed `specifications/*.gemspec` files and `Gemfile.lock`.

An installed gemspec is not hand-written Ruby but the file RubyGems generates with
`Gem::Specification#to_ruby`: one `s.<attribute> = <literal>` per line (strings optionally `.freeze`d), so a
few anchored regexes read it without evaluating Ruby. Only assignments to the specification count: the variable
is the one `Gem::Specification.new do |VAR|` (or `VAR = Gem::Specification.new`) names, so `spec.name = ...`
in a `|spec|` block is read and `other.name = ...` is not. A value may be followed by `.freeze`, a trailing
`if`/`unless` modifier or a `# comment`; `#` inside a string is not a comment. A Gemfile.lock lists resolved gems as
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

# RubyGems >= 2 writes "x".freeze; RubyGems 1.x wrote %q{x}. Each alternative has its own group.
_STRING = r"""(?:"([^"]*)"|'([^']*)'|%q\{([^}]*)\}|%q<([^>]*)>|%q\(([^)]*)\))(?:\.freeze)?"""
_AFTER_VALUE = r"\s*(?:(?:if|unless)\s.*)?(?:#.*)?$"
_SPEC_BLOCK = re.compile(r"Gem::Specification\.new\b[^\n|]*?(?:\bdo|\{)\s*\|\s*(\w+)\s*\|")
_SPEC_ASSIGNED = re.compile(r"^\s*(\w+)\s*=\s*Gem::Specification\.new\b", re.MULTILINE)
_QUOTED = re.compile(_STRING)
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
    receiver = spec_variable(text)
    if receiver is None:
        return Unknown(path="/" + path, reason="gemspec without Gem::Specification.new", cataloger=CATALOGER_NAME)
    name, version = _assigned(text, receiver, "name"), _assigned(text, receiver, "version")
    if not name or not version:
        missing = " and ".join(label for label, value in (("name", name), ("version", version)) if not value)
        return Unknown(path="/" + path, reason=f"gemspec without {missing}", cataloger=CATALOGER_NAME)
    assignments = re.finditer(rf"^\s*{re.escape(receiver)}\.licenses?\s*=\s*(.+)$", text, re.MULTILINE)
    licenses = tuple(
        value
        for line in assignments
        for literal in _QUOTED.finditer(without_comment(line.group(1)))
        if (value := _literal(literal))
    )
    return _package(name, version, path, licenses, {})


def spec_variable(text: str) -> str | None:
    """The name the gemspec gives its Gem::Specification: the block variable, else the assigned variable."""
    found = _SPEC_BLOCK.search(text) or _SPEC_ASSIGNED.search(text)
    return found.group(1) if found else None


def _assigned(text: str, receiver: str, attribute: str) -> str | None:
    pattern = rf"^\s*{re.escape(receiver)}\.{attribute}\s*=\s*{_STRING}{_AFTER_VALUE}"
    return _literal(re.search(pattern, text, re.MULTILINE))


def _literal(match: re.Match[str] | None) -> str | None:
    """The string of a quoted or %q literal (whichever alternative matched)."""
    if match is None:
        return None
    return next((group for group in match.groups()[:5] if group is not None), None)


def without_comment(code: str) -> str:
    """A line of Ruby up to its `#` comment, if any; a `#` inside a string literal does not start one."""
    quote = ""
    for position, char in enumerate(code):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            return code[:position]
    return code


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
