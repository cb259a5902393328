"""Composer cataloger against real files from public projects: a Composer 2 installed.json and composer.lock
(007xBramasta/php-logging, trimmed to five packages) and a Composer 1 installed.json list
(0-Yorick-0/phpUnitOCR, trimmed to two packages).
"""

from __future__ import annotations

import pytest

from regwarden.model.sbom import Location
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile
from regwarden.sbom.catalogers.php import ComposerCataloger, composer_purl

from .lang_fixtures import TESTDATA, assert_survives_corruption, by_purl, catalog_tree, is_requested, triples

PHP = TESTDATA / "php"


def test_installed_packages_plus_locked_packages_not_installed() -> None:
    result = catalog_tree(ComposerCataloger(), PHP / "srv" / "app")
    assert result.unknowns == ()
    assert triples(result.packages) == {
        ("doctrine/deprecations", "v1.1.1", "pkg:composer/doctrine/deprecations@v1.1.1"),
        ("monolog/monolog", "3.4.0", "pkg:composer/monolog/monolog@3.4.0"),
        ("nikic/php-parser", "v4.17.1", "pkg:composer/nikic/php-parser@v4.17.1"),
        ("psr/log", "3.0.0", "pkg:composer/psr/log@3.0.0"),
        ("doctrine/instantiator", "1.5.0", "pkg:composer/doctrine/instantiator@1.5.0"),
    }
    assert len(result.packages) == 5
    packages = by_purl(result.packages)
    installed = Location("/vendor/composer/installed.json")
    locked = Location("/composer.lock")
    assert {purl: (p.locations, p.metadata.get("dev")) for purl, p in packages.items()} == {
        "pkg:composer/doctrine/deprecations@v1.1.1": ((installed,), "true"),
        "pkg:composer/monolog/monolog@3.4.0": ((installed,), "false"),
        "pkg:composer/nikic/php-parser@v4.17.1": ((installed,), "true"),
        "pkg:composer/psr/log@3.0.0": ((locked,), "false"),
        "pkg:composer/doctrine/instantiator@1.5.0": ((locked,), "true"),
    }
    assert packages["pkg:composer/nikic/php-parser@v4.17.1"].licenses == ("BSD-3-Clause",)


def test_composer1_installed_list() -> None:
    result = catalog_tree(ComposerCataloger(), PHP / "srv" / "legacy")
    assert triples(result.packages) == {
        ("composer/ca-bundle", "1.1.2", "pkg:composer/composer/ca-bundle@1.1.2"),
        ("csa/guzzle-bundle", "v2.2.1", "pkg:composer/csa/guzzle-bundle@v2.2.1"),
    }
    assert {p.metadata.get("dev") for p in result.packages} == {None}
    assert by_purl(result.packages)["pkg:composer/csa/guzzle-bundle@v2.2.1"].licenses == ("Apache-2.0",)


def test_unreadable_files_are_unknowns() -> None:
    lock = (PHP / "srv/app/composer.lock").read_bytes()
    files = [
        CatalogFile("app/composer.lock", lock[:500]),
        CatalogFile("app/vendor/composer/installed.json", b'{"name": "not/an-installed-json"}'),
    ]
    result = ComposerCataloger().catalog(files, CatalogContext())
    assert result.packages == ()
    assert [(u.path, u.reason.split(":")[0]) for u in result.unknowns] == [
        ("/app/composer.lock", "invalid JSON"),
        (
            "/app/vendor/composer/installed.json",
            "installed.json is neither a list nor an object with `packages`",
        ),
    ]


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("var/www/vendor/composer/installed.json", True),
        ("vendor/composer/installed.json", True),
        ("var/www/composer.lock", True),
        ("var/www/vendor/monolog/monolog/composer.lock", False),
        ("var/www/node_modules/x/installed.json", False),
    ],
)
def test_request_paths(path: str, wanted: bool) -> None:
    assert is_requested(ComposerCataloger().request, path) is wanted


def test_purl_splits_vendor_namespace() -> None:
    assert composer_purl("laravel/framework", "v10.0.0") == "pkg:composer/laravel/framework@v10.0.0"


def test_corrupted_fixtures_never_raise() -> None:
    assert assert_survives_corruption(ComposerCataloger(), PHP) > 20
