"""A realistic Sbom for the format tests: what a scan of a Debian-based application image yields.

Every ecosystem regwarden catalogs is present, with the awkward cases the writers must keep: an epoch in a
deb version, an rpm epoch qualifier, a scoped npm name, a Maven group, the Go toolchain, a compound SPDX
expression and free-text licences, packages seen at several locations in several layers, unknowns with and
without a layer, and metadata. purls are built with packageurl exactly as the catalogers build them.
"""

from __future__ import annotations

from packageurl import PackageURL

from regwarden.model.sbom import LayerRef, Location, OperatingSystem, Package, PackageType, Sbom, Unknown

BASE = LayerRef(
    index=0,
    digest="sha256:1f3c7a9a3e3e54f8d1d0a1a3b4fb2c7b63b9e1ff5a1e8e5a3b06df4cfa6b8c11",
    diff_id="sha256:7a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
    created_by="/bin/sh -c #(nop) ADD file:b5e1a5b4e9d3 in / ",
)
RUNTIME = LayerRef(
    index=1,
    digest="sha256:2e4d6f8a0c1e3a5c7e9f1b3d5f7a9c1e3b5d7f9a1c3e5a7c9e1b3d5f7a9c1e3b",
    diff_id="sha256:8b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a",
    created_by="RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends python3-yaml",
)
APP = LayerRef(
    index=2,
    digest="sha256:3f5e7a9c1e3b5d7f9a1c3e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5a7c9e1b3d5f",
    diff_id=None,
    created_by="COPY /src /app # buildkit",
)
OS = OperatingSystem(
    id="debian",
    version_id="12",
    pretty_name="Debian GNU/Linux 12 (bookworm)",
    version_codename="bookworm",
)
DISTRO = {"distro": "debian-12"}


def _purl(type_: str, namespace: str | None, name: str, version: str, **qualifiers: str) -> str:
    return PackageURL(type_, namespace, name, version, qualifiers or None).to_string()


def _at(path: str, layer: LayerRef) -> Location:
    return Location(path, layer)


DPKG_STATUS = "/var/lib/dpkg/status"

PACKAGES: tuple[Package, ...] = (
    Package(
        name="libc6",
        version="2.36-9+deb12u4",
        type=PackageType.DEB,
        purl=_purl("deb", "debian", "libc6", "2.36-9+deb12u4", arch="amd64", **DISTRO),
        cataloger="dpkg",
        locations=(_at(DPKG_STATUS, BASE), _at("/usr/share/doc/libc6/copyright", BASE)),
        layer=BASE,
        licenses=("LGPL-2.1-or-later", "GPL-2.0-or-later"),
        source_name="glibc",
        source_version="2.36-9+deb12u4",
        arch="amd64",
        cpes=("cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*", "cpe:2.3:a:debian:libc6:2.36:*:*:*:*:*:*:*"),
    ),
    Package(
        name="passwd",
        version="1:4.13+dfsg1-1+b1",
        type=PackageType.DEB,
        purl=_purl("deb", "debian", "passwd", "1:4.13+dfsg1-1+b1", arch="amd64", **DISTRO),
        cataloger="dpkg",
        locations=(_at(DPKG_STATUS, BASE),),
        layer=BASE,
        licenses=("GPL-2+", "BSD-like (see /usr/share/doc/passwd/copyright)"),
        source_name="shadow",
        source_version="1:4.13+dfsg1-1",
        arch="amd64",
        epoch=1,
    ),
    Package(
        name="python3-yaml",
        version="6.0-3+b2",
        type=PackageType.DEB,
        purl=_purl("deb", "debian", "python3-yaml", "6.0-3+b2", arch="amd64", **DISTRO),
        cataloger="dpkg",
        locations=(_at(DPKG_STATUS, RUNTIME),),
        layer=RUNTIME,
        licenses=("MIT",),
        source_name="pyyaml",
        source_version="6.0-3",
        arch="amd64",
        metadata={"dpkg_status": "installed"},
    ),
    Package(
        name="musl",
        version="1.2.4-r2",
        type=PackageType.APK,
        purl=_purl("apk", "alpine", "musl", "1.2.4-r2", arch="x86_64", distro="alpine-3.19.1"),
        cataloger="apk",
        locations=(_at("/lib/apk/db/installed", BASE),),
        layer=BASE,
        licenses=("MIT",),
        source_name="musl",
        source_version="1.2.4-r2",
        arch="x86_64",
    ),
    Package(
        name="openssl-libs",
        version="3.0.7-27.el9",
        type=PackageType.RPM,
        purl=_purl("rpm", "redhat", "openssl-libs", "3.0.7-27.el9", arch="x86_64", epoch="1", distro="rhel-9.3"),
        cataloger="rpm",
        locations=(_at("/var/lib/rpm/rpmdb.sqlite", BASE),),
        layer=BASE,
        licenses=("ASL 2.0",),
        source_name="openssl",
        source_version="3.0.7-27.el9",
        arch="x86_64",
        epoch=1,
        metadata={"vendor": "Red Hat, Inc."},
    ),
    Package(
        name="PyYAML",
        version="6.0",
        type=PackageType.PYPI,
        purl=_purl("pypi", None, "pyyaml", "6.0"),
        cataloger="python-dist-info",
        locations=(_at("/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO", RUNTIME),),
        layer=RUNTIME,
        licenses=("MIT",),
        owned_by=_purl("deb", "debian", "python3-yaml", "6.0-3+b2", arch="amd64", **DISTRO),
    ),
    Package(
        name="@babel/core",
        version="7.23.2",
        type=PackageType.NPM,
        purl=_purl("npm", "@babel", "core", "7.23.2"),
        cataloger="npm-package-lock",
        locations=(
            _at("/app/package-lock.json", APP),
            _at("/app/node_modules/@babel/core/package.json", APP),
        ),
        layer=APP,
        licenses=("MIT",),
    ),
    Package(
        name="semver",
        version="6.3.1",
        type=PackageType.NPM,
        purl=_purl("npm", None, "semver", "6.3.1"),
        cataloger="npm-package-lock",
        locations=(_at("/app/node_modules/@babel/core/node_modules/semver/package.json", APP),),
        layer=APP,
        licenses=("ISC",),
    ),
    Package(
        name="semver",
        version="7.5.4",
        type=PackageType.NPM,
        purl=_purl("npm", None, "semver", "7.5.4"),
        cataloger="npm-package-lock",
        locations=(_at("/app/node_modules/semver/package.json", APP),),
        layer=APP,
        licenses=("ISC",),
    ),
    Package(
        name="org.apache.logging.log4j:log4j-core",
        version="2.14.1",
        type=PackageType.MAVEN,
        purl=_purl("maven", "org.apache.logging.log4j", "log4j-core", "2.14.1"),
        cataloger="java-archive",
        locations=(_at("/app/lib/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar", APP),),
        layer=APP,
        licenses=("Apache-2.0",),
        cpes=("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",),
        metadata={"source": "pom.properties"},
    ),
    Package(
        name="github.com/gorilla/mux",
        version="v1.8.0",
        type=PackageType.GOLANG,
        purl=_purl("golang", "github.com/gorilla", "mux", "v1.8.0"),
        cataloger="go-module-binary",
        locations=(_at("/usr/local/bin/server", APP),),
        layer=APP,
        metadata={"go_version": "go1.21.5", "GOOS": "linux"},
    ),
    Package(
        name="stdlib",
        version="1.21.5",
        type=PackageType.GO_STDLIB,
        purl=_purl("golang", None, "stdlib", "1.21.5"),
        cataloger="go-module-binary",
        locations=(_at("/usr/local/bin/server", APP),),
        layer=APP,
        licenses=("BSD-3-Clause",),
    ),
    Package(
        name="serde",
        version="1.0.193",
        type=PackageType.CARGO,
        purl=_purl("cargo", None, "serde", "1.0.193"),
        cataloger="rust-cargo-auditable",
        locations=(_at("/usr/local/bin/indexer", APP),),
        layer=APP,
        licenses=("MIT OR Apache-2.0",),
    ),
    Package(
        name="rack",
        version="2.2.8",
        type=PackageType.GEM,
        purl=_purl("gem", None, "rack", "2.2.8"),
        cataloger="ruby-gemspec",
        locations=(_at("/usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.8.gemspec", APP),),
        layer=APP,
        licenses=("MIT",),
    ),
    Package(
        name="monolog/monolog",
        version="3.5.0",
        type=PackageType.COMPOSER,
        purl=_purl("composer", "monolog", "monolog", "3.5.0"),
        cataloger="php-composer-installed",
        locations=(_at("/app/vendor/composer/installed.json", APP),),
        layer=APP,
        licenses=("MIT",),
    ),
    Package(
        name="Newtonsoft.Json",
        version="13.0.3",
        type=PackageType.NUGET,
        purl=_purl("nuget", None, "Newtonsoft.Json", "13.0.3"),
        cataloger="dotnet-deps",
        locations=(_at("/app/api/Api.deps.json", APP),),
        layer=APP,
        licenses=("MIT",),
    ),
)

UNKNOWNS = (
    Unknown(
        path="/var/lib/dpkg/status.d/broken",
        reason="paragraph at line 7: no Package or Version field",
        cataloger="dpkg",
        layer=BASE,
    ),
    Unknown(
        path="/app/lib/corrupt.jar",
        reason="not a zip archive: bad central directory",
        cataloger="java-archive",
    ),
    Unknown(path="/usr/local/bin/stripped", reason="Go binary without build information"),
)

SBOM = Sbom(
    source="registry.example.com/shop/api:1.4.2",
    packages=PACKAGES,
    unknowns=UNKNOWNS,
    operating_system=OS,
    image_digest="sha256:9c2f1a0e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a",
    layers=(BASE, RUNTIME, APP),
    tool_version="0.1.0",
    created="2024-05-01T12:00:00+00:00",
)
