"""npm cataloger against real files made by npm 11, yarn 1, yarn 4 (berry) and pnpm 7/8/9 for one project.

The project (testdata/npm/srv/app, see testdata/npm/README.md) depends on @sindresorhus/is, debug,
json-schema, pause-stream, resolve, ms@2.0.0 (so debug's ms@2.1.2 is installed nested) and left-pad under the
alias left-pad-alias, with is-number as a dev dependency; it was installed with `npm ci --omit=dev`, so
is-number is only in the lockfile. The `lockfiles/` projects hold the same tree as written by each tool.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regwarden.model.sbom import Location, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile
from regwarden.sbom.catalogers.npm import NpmCataloger, is_package_root, npm_purl, project_dir
from tests.support.images import ExpectedPackages

from .lang_fixtures import (
    TESTDATA,
    assert_survives_corruption,
    by_purl,
    catalog_tree,
    is_requested,
    layer_files,
    triples,
)

NPM = TESTDATA / "npm"

PRODUCTION = {
    ("@sindresorhus/is", "4.6.0", "pkg:npm/%40sindresorhus/is@4.6.0"),
    ("debug", "4.3.4", "pkg:npm/debug@4.3.4"),
    ("ms", "2.1.2", "pkg:npm/ms@2.1.2"),
    ("ms", "2.0.0", "pkg:npm/ms@2.0.0"),
    ("left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0"),
    ("json-schema", "0.2.3", "pkg:npm/json-schema@0.2.3"),
    ("pause-stream", "0.0.11", "pkg:npm/pause-stream@0.0.11"),
    ("through", "2.3.8", "pkg:npm/through@2.3.8"),
    ("resolve", "1.22.8", "pkg:npm/resolve@1.22.8"),
    ("is-core-module", "2.18.0", "pkg:npm/is-core-module@2.18.0"),
    ("hasown", "2.0.4", "pkg:npm/hasown@2.0.4"),
    ("function-bind", "1.1.2", "pkg:npm/function-bind@1.1.2"),
    ("path-parse", "1.0.7", "pkg:npm/path-parse@1.0.7"),
    ("supports-preserve-symlinks-flag", "1.0.0", "pkg:npm/supports-preserve-symlinks-flag@1.0.0"),
}
DEV = ("is-number", "7.0.0", "pkg:npm/is-number@7.0.0")


def test_installed_packages_plus_lockfile_entries_not_installed() -> None:
    result = catalog_tree(NpmCataloger(), NPM / "srv")
    assert triples(result.packages) == PRODUCTION | {DEV}
    assert result.unknowns == ()
    packages = by_purl(result.packages)
    # Installed packages come from their package.json; the hidden lockfile and package-lock.json add nothing.
    assert packages["pkg:npm/debug@4.3.4"].locations == (Location("/app/node_modules/debug/package.json"),)
    assert packages["pkg:npm/debug@4.3.4"].metadata == {}
    assert packages["pkg:npm/is-number@7.0.0"].locations == (Location("/app/package-lock.json"),)
    assert packages["pkg:npm/is-number@7.0.0"].metadata == {"dev": "true"}
    nested = Location("/app/node_modules/debug/node_modules/ms/package.json")
    assert packages["pkg:npm/ms@2.1.2"].locations == (nested,)
    alias = Location("/app/node_modules/left-pad-alias/package.json")
    assert packages["pkg:npm/left-pad@1.3.0"].locations == (alias,)
    assert len(result.packages) == len(PRODUCTION) + 1  # no duplicates


def test_nested_package_json_that_is_not_a_package_root_is_ignored() -> None:
    # resolve ships test fixtures such as test/resolver/multirepo/packages/package-a/package.json, which has a
    # name and a version but is not an installed package.
    names = {name for name, _, _ in triples(catalog_tree(NpmCataloger(), NPM / "srv").packages)}
    assert not names & {"@my-scope/package-a", "@my-scope/package-b", "ljharb-monorepo-symlink-test", "mylib"}


def test_licenses_string_legacy_object_list_and_array() -> None:
    packages = by_purl(catalog_tree(NpmCataloger(), NPM / "srv").packages)
    assert packages["pkg:npm/debug@4.3.4"].licenses == ("MIT",)
    assert packages["pkg:npm/pause-stream@0.0.11"].licenses == ("MIT", "Apache2")
    assert packages["pkg:npm/json-schema@0.2.3"].licenses == ("AFLv2.1", "BSD")
    assert packages["pkg:npm/is-number@7.0.0"].licenses == ("MIT",)  # from the lockfile entry


@pytest.mark.parametrize(
    ("project", "dev_known"),
    [
        ("v1", True),
        ("v2", True),
        ("yarn-classic", False),
        ("yarn-berry", False),
        ("pnpm-v5", True),
        ("pnpm-v6", True),
        ("pnpm-v9", True),
    ],
)
def test_every_lockfile_format_yields_the_same_tree(project: str, dev_known: bool) -> None:
    result = catalog_tree(NpmCataloger(), NPM / "lockfiles" / project)
    assert triples(result.packages) == PRODUCTION | {DEV}
    assert len(result.packages) == len(PRODUCTION) + 1  # yarn berry's patched `resolve` is merged
    assert result.unknowns == ()
    dev_flags = {p.name: p.metadata.get("dev") for p in result.packages}
    if dev_known:
        assert dev_flags == {name: "false" for name, _, _ in PRODUCTION} | {"is-number": "true"}
    else:
        assert set(dev_flags.values()) == {None}


def test_hidden_lockfile_alone_is_a_source_of_packages() -> None:
    result = catalog_tree(NpmCataloger(), NPM / "hidden-only")
    assert triples(result.packages) == PRODUCTION | {DEV}
    assert {loc.path for p in result.packages for loc in p.locations} == {"/node_modules/.package-lock.json"}


def test_truncated_lockfile_is_an_unknown() -> None:
    result = catalog_tree(NpmCataloger(), NPM / "broken")
    assert result.packages == ()
    assert len(result.unknowns) == 1
    unknown = result.unknowns[0]
    assert (unknown.path, unknown.cataloger) == ("/package-lock.json", "npm")
    assert unknown.reason.startswith("invalid JSON")


def test_package_json_without_version_is_skipped_and_garbage_is_unknown() -> None:
    baz = (NPM / "srv/app/node_modules/resolve/test/resolver/baz/package.json").read_bytes()  # name only
    files = [
        CatalogFile("node_modules/baz/package.json", baz),
        CatalogFile("node_modules/junk/package.json", b"\x00\x01not json"),
    ]
    result = NpmCataloger().catalog(files, CatalogContext())
    assert result.packages == ()
    assert [(u.path, u.reason.split(":")[0]) for u in result.unknowns] == [
        ("/node_modules/junk/package.json", "invalid package.json")
    ]
    assert isinstance(result.unknowns[0], Unknown)


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("usr/lib/node_modules/npm/package.json", True),
        ("app/node_modules/@scope/name/package.json", True),
        ("app/node_modules/a/node_modules/b/package.json", True),
        ("app/node_modules/.pnpm/debug@4.3.4/node_modules/debug/package.json", True),
        ("app/package.json", False),
        ("app/node_modules/resolve/test/resolver/baz/package.json", False),
        ("app/node_modules/@scope/package.json", False),
        ("app/package-lock.json", True),
        ("yarn.lock", True),
        ("app/pnpm-lock.yaml", True),
        ("app/node_modules/.package-lock.json", True),
        ("app/node_modules/some-lib/yarn.lock", False),
        ("app/node_modules/some-lib/package-lock.json", False),
        ("app/.package-lock.json", False),
        ("app/npm-shrinkwrap.json", True),
        ("app/node_modules/some-lib/npm-shrinkwrap.json", False),
    ],
)
def test_request_paths(path: str, wanted: bool) -> None:
    assert is_requested(NpmCataloger().request, path) is wanted


def test_package_root_and_project_dir_helpers() -> None:
    assert is_package_root("node_modules/@types/node/package.json")
    assert not is_package_root("node_modules/.bin/package.json")
    assert project_dir("srv/app/node_modules/a/node_modules/b/package.json") == "srv/app"
    assert project_dir("node_modules/.package-lock.json") == ""
    assert project_dir("srv/app/yarn.lock") == "srv/app"


def test_scoped_purl_is_percent_encoded() -> None:
    assert npm_purl("@babel/core", "7.24.0") == "pkg:npm/%40babel/core@7.24.0"
    assert npm_purl("lodash", "4.17.21") == "pkg:npm/lodash@4.17.21"


def test_corrupted_fixtures_never_raise() -> None:
    assert assert_survives_corruption(NpmCataloger(), NPM) > 20


def test_matches_what_npm_installed_in_the_real_test_image(
    test_images: Path, expected_packages: ExpectedPackages
) -> None:
    # The npm layer holds /app with package.json, package-lock.json and node_modules from `npm ci`: every
    # lockfile entry is installed, so the lockfile adds nothing.
    cataloger = NpmCataloger()
    result = cataloger.catalog(layer_files(test_images / "layers" / "node.tar", cataloger.request), CatalogContext())
    assert result.unknowns == ()
    found = {(p.name, p.version, p.locations[0].path.removesuffix("/package.json")) for p in result.packages}
    expected = expected_packages.images["pyapp-1.0"].npm
    assert found == {(p.name, p.version, p.path) for p in expected}


def test_npm_shrinkwrap_is_read_like_a_package_lock() -> None:
    """npm-shrinkwrap.json is package-lock.json's format under the name that ships with a published CLI."""
    content = (NPM / "lockfiles" / "v2" / "package-lock.json").read_bytes()
    result = NpmCataloger().catalog([CatalogFile("opt/tool/npm-shrinkwrap.json", content)], CatalogContext())
    assert triples(result.packages) == PRODUCTION | {DEV}
    assert {loc.path for p in result.packages for loc in p.locations} == {"/opt/tool/npm-shrinkwrap.json"}


# pnpm 11+ writes its own toolchain as a first YAML document, then the project's lockfile as a second one.
PNPM_MULTI_DOCUMENT = b"""---
lockfileVersion: '9.0'
importers:
  .:
    packageManagerDependencies:
      pnpm:
        specifier: 11.0.0
        version: 11.0.0
packages:
  pnpm@11.0.0:
    resolution: {integrity: sha512-AAAA}
snapshots:
  pnpm@11.0.0: {}
---
lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      debug:
        specifier: ^4.3.4
        version: 4.3.4
    devDependencies:
      is-number:
        specifier: ^7.0.0
        version: 7.0.0
packages:
  debug@4.3.4:
    resolution: {integrity: sha512-BBBB}
  ms@2.1.2:
    resolution: {integrity: sha512-CCCC}
  is-number@7.0.0:
    resolution: {integrity: sha512-DDDD}
snapshots:
  debug@4.3.4:
    dependencies:
      ms: 2.1.2
  ms@2.1.2: {}
  is-number@7.0.0: {}
"""


def test_pnpm_lockfile_with_several_yaml_documents_reads_them_all() -> None:
    result = NpmCataloger().catalog([CatalogFile("app/pnpm-lock.yaml", PNPM_MULTI_DOCUMENT)], CatalogContext())
    assert result.unknowns == ()
    assert {(p.name, p.version, p.metadata.get("dev")) for p in result.packages} == {
        ("pnpm", "11.0.0", "true"),  # reached from no importer's dependencies: the toolchain, not the product
        ("debug", "4.3.4", "false"),
        ("ms", "2.1.2", "false"),
        ("is-number", "7.0.0", "true"),
    }


def test_pnpm_lockfile_with_a_non_mapping_document_is_an_unknown() -> None:
    content = PNPM_MULTI_DOCUMENT + b"---\n- just\n- a list\n"
    result = NpmCataloger().catalog([CatalogFile("app/pnpm-lock.yaml", content)], CatalogContext())
    assert result.packages == ()
    assert [(u.path, u.reason) for u in result.unknowns] == [("/app/pnpm-lock.yaml", "top level is not a YAML mapping")]
