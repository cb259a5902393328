"""OSV advisories written by the scan tests for packages really inside the test images.

Language advisories copy the real GHSA records' ids, aliases, ranges and ratings. Debian advisories are
test-only ids (`TEST-DEB-*`) on the images' real bookworm source packages, with versions computed from
expected.json so they stay right when the images are rebuilt with newer point releases. Some must match, some
must not (another Debian release; a fix already installed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.support.images import ExpectedPackages

MODIFIED = "2024-05-01T00:00:00Z"
HIGH_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"  # 9.1 critical
LOW_VECTOR = "CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:N"  # 1.9 low


def _range(*events: dict[str, str], kind: str = "ECOSYSTEM") -> dict[str, Any]:
    return {"type": kind, "events": list(events)}


def _ghsa(
    ghsa: str, cve: str, ecosystem: str, name: str, ranges: list[dict[str, Any]], severity: str, summary: str
) -> dict[str, Any]:
    return {
        "schema_version": "1.6.0",
        "id": ghsa,
        "modified": MODIFIED,
        "published": "2021-01-01T00:00:00Z",
        "aliases": [cve],
        "summary": summary,
        "affected": [{"package": {"ecosystem": ecosystem, "name": name}, "ranges": ranges}],
        "database_specific": {"severity": severity},
    }


LANGUAGE_ADVISORIES: tuple[dict[str, Any], ...] = (
    _ghsa(
        "GHSA-mh33-7rrq-662w",
        "CVE-2019-11324",
        "PyPI",
        "urllib3",
        [_range({"introduced": "0"}, {"fixed": "1.24.2"})],
        "HIGH",
        "Improper Certificate Validation in urllib3",
    ),
    _ghsa(  # fixed in 1.23; 1.24.1 is installed: must not match
        "GHSA-www2-v7xj-xrc6",
        "CVE-2018-20060",
        "PyPI",
        "urllib3",
        [_range({"introduced": "0"}, {"fixed": "1.23"})],
        "CRITICAL",
        "urllib3 Authorization header leak on cross-origin redirect",
    ),
    _ghsa(
        "GHSA-462w-v97r-4m45",
        "CVE-2019-10906",
        "PyPI",
        "jinja2",  # the advisory's spelling; the image has Jinja2
        [_range({"introduced": "0"}, {"fixed": "2.10.1"})],
        "HIGH",
        "Jinja2 sandbox escape via string formatting",
    ),
    _ghsa(
        "GHSA-j8r2-6x86-q33q",
        "CVE-2023-32681",
        "PyPI",
        "requests",
        [_range({"introduced": "2.3.0"}, {"fixed": "2.31.0"})],
        "MODERATE",
        "Unintended leak of Proxy-Authorization header in requests",
    ),
    _ghsa(
        "GHSA-p6mc-m468-83gw",
        "CVE-2020-8203",
        "npm",
        "lodash",
        [_range({"introduced": "3.7.0"}, {"fixed": "4.17.19"}, kind="SEMVER")],
        "HIGH",
        "Prototype Pollution in lodash",
    ),
    _ghsa(
        "GHSA-4w2v-q235-vp99",
        "CVE-2020-28168",
        "npm",
        "axios",
        [_range({"introduced": "0"}, {"fixed": "0.21.1"}, kind="SEMVER")],
        "MODERATE",
        "Server-Side Request Forgery in Axios",
    ),
    _ghsa(
        "GHSA-xvch-5gv4-984h",
        "CVE-2021-44906",
        "npm",
        "minimist",
        [
            _range({"introduced": "0"}, {"fixed": "0.2.4"}, kind="SEMVER"),
            _range({"introduced": "1.0.0"}, {"fixed": "1.2.6"}, kind="SEMVER"),
        ],
        "CRITICAL",
        "Prototype Pollution in minimist",
    ),
)


def next_point_release(version: str) -> str:
    """The Debian version of the next security update: `...+deb12u14` → `...+deb12u15`, else `...+deb12u1`."""
    found = re.search(r"deb12u(\d+)$", version)
    if found is None:
        return f"{version}+deb12u1"
    return f"{version[: found.start(1)]}{int(found.group(1)) + 1}"


def debian_advisories(expected: ExpectedPackages) -> tuple[dict[str, Any], ...]:
    debs = {p.source: p.source_version for p in expected.images["pyapp-1.1"].deb}
    glibc, tar = debs["glibc"], debs["tar"]

    def record(vuln_id: str, ecosystem: str, name: str, events: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
        return {
            "id": vuln_id,
            "modified": MODIFIED,
            "summary": f"test advisory for {name}",
            "affected": [{"package": {"ecosystem": ecosystem, "name": name}, "ranges": [_range(*events)]}],
            **extra,
        }

    return (
        record(  # fix newer than installed: matches every binary package built from glibc
            "TEST-DEB-0001",
            "Debian:12",
            "glibc",
            [{"introduced": "0"}, {"fixed": next_point_release(glibc)}],
            severity=[{"type": "CVSS_V3", "score": HIGH_VECTOR}],
        ),
        record(  # fixed in an earlier point release, already installed: must not match
            "TEST-DEB-0002", "Debian:12", "glibc", [{"introduced": "0"}, {"fixed": "2.36-9+deb12u1"}]
        ),
        record(  # another Debian release: must not match on bookworm
            "TEST-DEB-0003", "Debian:11", "glibc", [{"introduced": "0"}, {"fixed": next_point_release(glibc)}]
        ),
        record(  # no fix yet: matches, and --ignore-unfixed hides it
            "TEST-DEB-0004",
            "Debian:12",
            "zlib",
            [{"introduced": "0"}],
            severity=[{"type": "CVSS_V3", "score": LOW_VECTOR}],
        ),
        record(  # exactly the installed version is the fix: must not match
            "TEST-DEB-0005", "Debian:12", "tar", [{"introduced": "0"}, {"fixed": tar}]
        ),
    )


def write_advisories(directory: Path, expected: ExpectedPackages) -> Path:
    """One OSV JSON file per advisory, as an OSV export directory; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for advisory in (*LANGUAGE_ADVISORIES, *debian_advisories(expected)):
        (directory / f"{advisory['id']}.json").write_text(json.dumps(advisory, indent=2), encoding="utf-8")
    return directory


def import_test_database(directory: Path, expected: ExpectedPackages) -> str:
    """A SQLite advisory database holding the advisories above, loaded by the real `db import` use case."""
    from regwarden.service.database import import_advisories

    url = f"sqlite:///{directory / 'advisories.db'}"
    import_advisories(write_advisories(directory / "osv", expected), db_url=url)
    return url
