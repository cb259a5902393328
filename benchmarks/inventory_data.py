"""The synthetic inventory of bench_inventory.py: images, packages, workloads and OSV advisories, generated lazily.

Shaped like a real estate of container images, not like random data:
- every image is Debian 12, built on one of twelve point-release snapshots of a ~100-package base (Debian's own
  package names and sources; the versions move with `+deb12uN` as packages get updates, so images share most of
  their Debian packages);
- 200 repositories (a Python, Node or Java service each) with a fixed dependency set drawn from a few thousand
  PyPI, npm and Maven names by Zipf-like popularity; each build of a repository bumps some versions, so builds
  share most packages and tags have a history;
- about 100 packages per image, 10,000 images; a fifth of the repositories publish multi-arch indexes;
- 2,000 workloads in 3 clusters running the newest builds (some through the index digest);
- OSV records for Debian:12, PyPI, npm and Maven whose ranges are written against the versions the images hold
  (most fixed before the installed versions, some fixed by a later build, a few with no fix), most of them on
  packages the inventory does not hold, as in the real exports.

Nothing is kept whole in memory: an image's SBOM is rebuilt from (repository, build number) when needed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from packageurl import PackageURL

from regwarden.model.image import ImageConfig, ImageMetadata, Layer, Platform
from regwarden.model.package_names import pep503_name
from regwarden.model.sbom import LayerRef, Location, OperatingSystem, Package, PackageType, Sbom
from regwarden.model.workload import ClusterSnapshot, Workload
from regwarden.sbom.catalogers.dpkg import deb_purl
from regwarden.sbom.catalogers.npm import npm_purl

DEBIAN_12 = OperatingSystem("debian", "12", "Debian GNU/Linux 12 (bookworm)", "bookworm")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
"""The first build; builds spread over the 700 days after it."""
DAYS = 700
SNAPSHOTS = 12
"""Debian point releases over those days: an image is built on the snapshot of its day."""
MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"

# source, version at bookworm's release (always with a Debian revision), binary packages, updates over 12 releases
_DEBIAN = """
glibc 2.36-9 libc6,libc-bin 7
openssl 3.0.11-1 libssl3,openssl 8
systemd 252.17-1 libsystemd0,libudev1 5
perl 5.36.0-7 perl-base,perl,perl-modules-5.36,libperl5.36 3
bash 5.2.15-2 bash 1
coreutils 9.1-1 coreutils 0
dpkg 1.21.22-1 dpkg 2
apt 2.6.1-1 apt,libapt-pkg6.0 2
gcc-12 12.2.0-14 libgcc-s1,libstdc++6,gcc-12-base 0
zlib 1:1.2.13.dfsg-1 zlib1g 1
libzstd 1.5.4+dfsg2-5 libzstd1 0
xz-utils 5.4.1-0.2 liblzma5 1
bzip2 1.0.8-5 libbz2-1.0 0
tar 1.34+dfsg-1.2 tar 1
gzip 1.12-1 gzip 0
sed 4.9-1 sed 0
grep 3.8-5 grep 0
findutils 4.9.0-4 findutils 0
diffutils 1:3.8-4 diffutils 0
util-linux 2.38.1-5 util-linux,libblkid1,libmount1,libsmartcols1,libuuid1,mount,bsdutils,util-linux-extra 2
shadow 1:4.13+dfsg1-1 login,passwd 1
pam 1.5.2-6 libpam0g,libpam-modules,libpam-modules-bin,libpam-runtime 1
ncurses 6.4-4 libtinfo6,ncurses-base,ncurses-bin 1
e2fsprogs 1.47.0-2 e2fsprogs,libcom-err2,libext2fs2,libss2,logsave 0
libselinux 3.4-1 libselinux1 0
libsemanage 3.4-1 libsemanage2,libsemanage-common 0
libsepol 3.4-2.1 libsepol2 0
pcre2 10.42-1 libpcre2-8-0 0
libgcrypt20 1.10.1-3 libgcrypt20 0
libgpg-error 1.46-1 libgpg-error0 0
gnupg2 2.2.40-1.1 gpgv 1
lz4 1.9.4-1 liblz4-1 0
libcap2 1:2.66-4 libcap2 0
libcap-ng 0.8.3-1 libcap-ng0 0
acl 2.3.1-3 libacl1 0
attr 1:2.5.1-4 libattr1 0
audit 1:3.0.9-1 libaudit1,libaudit-common 0
gmp 2:6.2.1+dfsg1-1.1 libgmp10 0
nettle 3.8.1-2 libnettle8,libhogweed6 0
gnutls28 3.7.9-2 libgnutls30 3
p11-kit 0.24.1-2 libp11-kit0 0
libtasn1-6 4.19.0-2 libtasn1-6 1
libunistring 1.0-2 libunistring2 0
libidn2 2.3.3-1 libidn2-0 0
libffi 3.4.4-1 libffi8 0
xxhash 0.8.1-1 libxxhash0 0
debconf 1.5.82-1 debconf 0
debianutils 5.7-0.4 debianutils 0
base-files 12.4-1 base-files 6
base-passwd 3.6.1-1 base-passwd 0
hostname 3.23-1 hostname 0
init-system-helpers 1.65.2-1 init-system-helpers 0
sysvinit 3.06-4 sysvinit-utils 0
mawk 1.3.4.20200120-3.1 mawk 0
libmd 1.0.4-2 libmd0 0
adduser 3.134-1 adduser 0
debian-archive-keyring 2023.3-1 debian-archive-keyring 1
libxcrypt 1:4.4.33-2 libcrypt1 0
libseccomp 2.5.4-1 libseccomp2 0
tzdata 2024a-0 tzdata 5
ca-certificates 20230311-1 ca-certificates 1
curl 7.88.1-10 curl,libcurl4 5
nghttp2 1.52.0-1 libnghttp2-14 2
libssh2 1.10.0-3 libssh2-1 0
rtmpdump 2.4+20151223.gitfa8646d.1-2 librtmp1 0
krb5 1.20.1-2 libgssapi-krb5-2,libkrb5-3,libk5crypto3,libkrb5support0 2
keyutils 1.6.3-2 libkeyutils1 0
openldap 2.5.13+dfsg-5 libldap-2.5-0 1
cyrus-sasl2 2.1.28+dfsg-10 libsasl2-2,libsasl2-modules-db 0
db5.3 5.3.28+dfsg2-1 libdb5.3 0
libpsl 0.21.2-1 libpsl5 0
brotli 1.0.9-2 libbrotli1 0
sqlite3 3.40.1-2 libsqlite3-0 1
expat 2.5.0-1 libexpat1 2
readline 8.2-1.3 libreadline8,readline-common 0
netbase 6.4-1 netbase 0
libtirpc 1.3.3+ds-1 libtirpc3,libtirpc-common 0
libnsl 1.3.0-2 libnsl2 0
"""


@dataclass(frozen=True)
class DebianSource:
    name: str
    binaries: tuple[str, ...]
    versions: tuple[str, ...]
    """The source version at each snapshot (repeats where no update happened)."""


@cache
def debian_sources() -> tuple[DebianSource, ...]:
    rng = random.Random(12)
    sources = []
    for line in _DEBIAN.strip().splitlines():
        name, version, binaries, updates = line.split()
        steps = rng.sample(range(1, SNAPSHOTS), k=int(updates))
        versions = [_point_release(version, sum(1 for step in steps if step <= k)) for k in range(SNAPSHOTS)]
        sources.append(DebianSource(name, tuple(binaries.split(",")), tuple(versions)))
    return tuple(sources)


def _point_release(version: str, updates: int) -> str:
    return f"{version}+deb12u{updates}" if updates else version


@cache
def debian_binaries() -> tuple[tuple[str, DebianSource], ...]:
    """(binary package, its source), the essential ones first: every image has the first 55."""
    return tuple((binary, source) for source in debian_sources() for binary in source.binaries)


ESSENTIAL_DEBS = 55


# -- language packages ---------------------------------------------------------------------------------------------

_POPULAR = {
    "PyPI": (
        "requests",
        "urllib3",
        "certifi",
        "idna",
        "charset-normalizer",
        "setuptools",
        "six",
        "PyYAML",
        "python-dateutil",
        "Jinja2",
        "MarkupSafe",
        "click",
        "packaging",
        "attrs",
        "pydantic",
    ),
    "npm": (
        "lodash",
        "debug",
        "ms",
        "semver",
        "chalk",
        "tslib",
        "commander",
        "express",
        "qs",
        "minimist",
        "@babel/core",
        "axios",
        "follow-redirects",
        "uuid",
        "glob",
    ),
    "Maven": (
        "com.fasterxml.jackson.core:jackson-databind",
        "org.apache.logging.log4j:log4j-core",
        "org.slf4j:slf4j-api",
        "com.google.guava:guava",
        "org.springframework:spring-core",
        "org.yaml:snakeyaml",
        "commons-io:commons-io",
        "org.apache.commons:commons-lang3",
    ),
}
POOL = {"PyPI": 1500, "npm": 2500, "Maven": 800}
"""Names images draw their dependencies from (Zipf-like: the first are in most images of their stack)."""
ADVISORY_NAMES = 6000
"""Names advisories are written for: the pool above, and thousands more no image holds."""
_TYPES = {"PyPI": PackageType.PYPI, "npm": PackageType.NPM, "Maven": PackageType.MAVEN}


def language_name(ecosystem: str, index: int) -> str:
    popular = _POPULAR[ecosystem]
    if index < len(popular):
        return popular[index]
    if ecosystem == "PyPI":
        return f"pybench-{index:04d}"
    if ecosystem == "npm":
        return f"@bench/pkg-{index:04d}" if index % 7 == 0 else f"bench-pkg-{index:04d}"
    return f"org.bench{index % 40}:lib-{index:04d}"


@cache
def language_versions(ecosystem: str, index: int) -> tuple[str, ...]:
    """The published versions of a name, ascending: 3 to 8, as `major.minor.patch`."""
    rng = random.Random(f"{ecosystem}/{index}")
    major, minor, patch = rng.randint(0, 4), rng.randint(0, 9), 0
    versions = []
    for _ in range(rng.randint(3, 8)):
        versions.append(f"{major}.{minor}.{patch}")
        step = rng.random()
        if step < 0.15:
            major, minor, patch = major + 1, 0, 0
        elif step < 0.6:
            minor, patch = minor + 1, 0
        else:
            patch += 1
    return tuple(versions)


def _zipf_weights(count: int, offset: float = 2.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (i + offset) for i in range(count)))


def language_package(ecosystem: str, index: int, version: str, path: str, layer: LayerRef) -> Package:
    name = language_name(ecosystem, index)
    purl, cataloger = _language_purl(ecosystem, name, version)
    return Package(name, version, _TYPES[ecosystem], purl, cataloger, (Location(path, layer),), layer)


@cache  # as the catalogers spell them; cached because images share most packages
def _language_purl(ecosystem: str, name: str, version: str) -> tuple[str, str]:
    if ecosystem == "PyPI":
        return PackageURL("pypi", None, pep503_name(name), version).to_string(), "python-installed"
    if ecosystem == "npm":
        return npm_purl(name, version), "npm"
    group, artifact = name.split(":")
    return PackageURL("maven", group, artifact, version).to_string(), "java-archive"


@cache
def _deb_purl(binary: str, version: str) -> str:
    return deb_purl(binary, version, "amd64", DEBIAN_12)


def _path(ecosystem: str, name: str, version: str) -> str:
    if ecosystem == "PyPI":
        return f"/usr/local/lib/python3.11/site-packages/{name.replace('-', '_')}-{version}.dist-info/METADATA"
    if ecosystem == "npm":
        return f"/app/node_modules/{name}/package.json"
    return f"/app/lib/{name.split(':')[1]}-{version}.jar"


# -- repositories and builds --------------------------------------------------------------------------------------

REGISTRIES = ("benchprod.azurecr.io", "harbor.bench.example")
STACKS = (("PyPI", 0.4), ("npm", 0.4), ("Maven", 0.2))
TEAMS = ("payments", "orders", "catalog", "search", "identity", "billing", "shipping", "platform", "data", "web")


@dataclass(frozen=True)
class Repository:
    index: int
    registry: str
    name: str
    ecosystem: str
    debs: tuple[int, ...]
    """Indexes into debian_binaries()."""
    dependencies: tuple[int, ...]
    """Indexes into the ecosystem's name pool."""
    builds: int
    multi_arch: bool
    first_day: float


@dataclass(frozen=True)
class Build:
    repository: Repository
    number: int

    @property
    def digest(self) -> str:
        return _digest(f"{self.repository.name}#{self.number}")

    @property
    def index_digest(self) -> str | None:
        return _digest(f"{self.repository.name}#{self.number}#index") if self.repository.multi_arch else None

    @property
    def running_digest(self) -> str:
        """What a kubelet reports for it: the index's digest for a multi-arch tag."""
        return self.index_digest or self.digest

    @property
    def moment(self) -> datetime:
        repository = self.repository
        span = (DAYS - repository.first_day) / max(1, repository.builds - 1)
        return EPOCH + timedelta(days=repository.first_day + span * self.number)

    @property
    def tag(self) -> str:
        return f"{self.number // 20 + 1}.{self.number % 20}.0"

    @property
    def snapshot(self) -> int:
        return min(SNAPSHOTS - 1, int((self.moment - EPOCH).days * SNAPSHOTS / DAYS))


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def repositories(images: int = 10_000, count: int = 200, seed: int = 3) -> tuple[Repository, ...]:
    """`count` repositories holding `images` builds in all (a few busy ones, a long tail)."""
    rng = random.Random(seed)
    weights = [1.0 / (i + 8) for i in range(count)]
    floor = max(1, min(3, images // count))
    spread = images - floor * count
    builds = [floor + int(spread * w / sum(weights)) for w in weights]
    builds[0] += images - sum(builds)  # the busiest repository absorbs the rounding
    found = []
    for index in range(count):
        ecosystem = rng.choices([e for e, _ in STACKS], [w for _, w in STACKS])[0]
        extra = rng.randint(0, 20)
        debs = tuple(range(ESSENTIAL_DEBS)) + tuple(
            sorted(rng.sample(range(ESSENTIAL_DEBS, len(debian_binaries())), k=extra))
        )
        wanted = 100 - len(debs)
        cumulative = _zipf_weights(POOL[ecosystem])
        dependencies: set[int] = set()
        while len(dependencies) < wanted:
            dependencies.add(rng.choices(range(POOL[ecosystem]), cum_weights=cumulative)[0])
        team = TEAMS[index % len(TEAMS)]
        found.append(
            Repository(
                index,
                REGISTRIES[0] if index % 4 else REGISTRIES[1],
                f"{team}/service-{index:03d}",
                ecosystem,
                debs,
                tuple(sorted(dependencies)),
                builds[index],
                index % 5 == 0,
                rng.uniform(0, DAYS / 2),
            )
        )
    return tuple(found)


def builds(repos: Sequence[Repository]) -> Iterator[Build]:
    """Every build, oldest first across repositories (the order a registry would have seen them pushed)."""
    everything = [Build(repository, number) for repository in repos for number in range(repository.builds)]
    everything.sort(key=lambda build: (build.moment, build.repository.index))
    yield from everything


def sbom(build: Build) -> Sbom:
    repository = build.repository
    snapshot, progress = build.snapshot, (build.moment - EPOCH).days / DAYS
    base = LayerRef(0, _digest(f"debian-base-{snapshot}"))
    deps = LayerRef(1, _digest(f"{repository.name}#{build.number}#deps"))
    packages = []
    for position in repository.debs:
        binary, source = debian_binaries()[position]
        version = source.versions[snapshot]
        packages.append(
            Package(
                binary,
                version,
                PackageType.DEB,
                _deb_purl(binary, version),
                "dpkg",
                (Location("/var/lib/dpkg/status", base),),
                base,
                source_name=source.name,
                source_version=version,
                arch="amd64",
                epoch=int(version.split(":")[0]) if ":" in version else None,
            )
        )
    for dependency in repository.dependencies:
        version = _dependency_version(repository, dependency, progress)
        name = language_name(repository.ecosystem, dependency)
        path = _path(repository.ecosystem, name, version)
        packages.append(language_package(repository.ecosystem, dependency, version, path, deps))
    return Sbom(
        source=f"{repository.registry}/{repository.name}@{build.digest}",
        packages=tuple(packages),
        operating_system=DEBIAN_12,
        image_digest=build.digest,
        layers=(base, deps),
    )


def _dependency_version(repository: Repository, dependency: int, progress: float) -> str:
    """Newer builds hold newer versions; each repository upgrades each dependency at its own pace."""
    versions = language_versions(repository.ecosystem, dependency)
    lag = _lag(repository.index, dependency)
    return versions[min(len(versions) - 1, int((progress * 0.9 + lag * 0.35) * len(versions)))]


@cache
def _lag(repository: int, dependency: int) -> float:
    return random.Random(f"{repository}/{dependency}").random()


def metadata(build: Build) -> ImageMetadata:
    repository = build.repository
    layers = tuple(
        Layer(
            i,
            _digest(f"{build.digest}/layer/{i}"),
            30_000_000 // (i + 1),
            "application/vnd.oci.image.layer.v1.tar+gzip",
        )
        for i in range(2)
    )
    config = ImageConfig(
        os="linux",
        architecture="amd64",
        created=build.moment.isoformat().replace("+00:00", "Z"),
        user="10001",
        entrypoint=("/app/run",),
        labels={
            "org.opencontainers.image.source": f"https://git.bench.example/{repository.name}",
            "org.opencontainers.image.revision": hashlib.sha1(build.digest.encode()).hexdigest(),
        },
    )
    return ImageMetadata(
        reference=f"{repository.registry}/{repository.name}:{build.tag}",
        digest=build.digest,
        media_type=MEDIA_TYPE,
        platform=Platform("linux", "amd64"),
        config_digest=_digest(f"{build.digest}/config"),
        config=config,
        layers=layers,
        index_digest=build.index_digest,
    )


# -- workloads ------------------------------------------------------------------------------------------------------

CLUSTERS = (
    ("aks-prod-weu", 0.45, TEAMS),
    ("aks-prod-neu", 0.30, (*TEAMS, "payments-staging", "orders-staging", "search-qa")),
    ("aks-dev-weu", 0.25, TEAMS),
)
KINDS = (("Deployment", 0.8), ("StatefulSet", 0.1), ("DaemonSet", 0.04), ("CronJob", 0.06))


def clusters(repos: Sequence[Repository], count: int = 2_000, seed: int = 5) -> list[ClusterSnapshot]:
    """`count` containers over three clusters, running the newest build of a repository (or the one before)."""
    rng = random.Random(seed)
    running: dict[str, list[Workload]] = {name: [] for name, _, _ in CLUSTERS}
    weights = _zipf_weights(len(repos), offset=10)
    for number in range(count):
        cluster, _, namespaces = rng.choices(CLUSTERS, [share for _, share, _ in CLUSTERS])[0]
        repository = repos[rng.choices(range(len(repos)), cum_weights=weights)[0]]
        back = 0 if rng.random() < 0.85 else 1
        if cluster.startswith("aks-dev"):
            back = 0
        build = Build(repository, max(0, repository.builds - 1 - back))
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        running[cluster].append(
            Workload(
                cluster=cluster,
                namespace=rng.choice(namespaces),
                kind=kind,
                name=f"{repository.name.split('/')[1]}-{number:04d}",
                container="app",
                image=f"{repository.registry}/{repository.name}:{build.tag}",
                digest=build.running_digest,
                image_id=f"{repository.registry}/{repository.name}@{build.running_digest}",
                labels={"app.kubernetes.io/name": repository.name.split("/")[1]},
                pods=rng.randint(1, 6),
            )
        )
    return [ClusterSnapshot(name, tuple(found)) for name, found in running.items()]


# -- advisories ----------------------------------------------------------------------------------------------------

SHARES = {"Debian": 15_000, "PyPI": 8_000, "npm": 10_000, "Maven": 5_000}
"""Records per export (38,000): most on packages no image holds, as in the real exports."""
INVENTORY_DEBIAN_RECORDS = 1_500
"""Debian records on the ~80 sources the images hold (glibc, openssl, systemd get hundreds)."""
MODIFIED = datetime(2026, 11, 1, tzinfo=UTC)
VECTORS = (
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L",
)
_GHSA = "23456789cfghjmpqrvwx"


def ghsa(number: int, salt: str = "") -> str:
    digest = hashlib.sha256(f"{salt}{number}".encode()).digest()
    chars = [_GHSA[b % len(_GHSA)] for b in digest[:12]]
    return "GHSA-" + "-".join("".join(chars[i : i + 4]) for i in (0, 4, 8))


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def advisory_records(seed: int = 9) -> Iterator[tuple[str, dict[str, Any]]]:
    """(export ecosystem, OSV record) for every generated advisory, in a stable order."""
    rng = random.Random(seed)
    number = itertools.count(1)
    for ecosystem, total in SHARES.items():
        for _ in range(total):
            yield ecosystem, _record(ecosystem, next(number), rng)


def _record(ecosystem: str, number: int, rng: random.Random) -> dict[str, Any]:
    cve = f"CVE-{2018 + number % 8}-{20000 + number}"
    if ecosystem == "Debian":
        return _debian_record(number, cve, rng)
    index = rng.choices(range(ADVISORY_NAMES), cum_weights=_advisory_weights())[0]
    name = language_name(ecosystem, index)
    if ecosystem == "npm" and index >= POOL["npm"] and number % 4 == 0:
        # A malware report: every version of a name no image installs.
        return _osv(f"MAL-2025-{number}", [], f"Malicious code in {name}", ecosystem, name, [{"introduced": "0"}])
    events = _language_events(language_versions(ecosystem, index), rng)
    record = _osv(ghsa(number), [cve], f"{name}: benchmark advisory {number}", ecosystem, name, events)
    if ecosystem == "PyPI" and number % 5 < 2:
        # PyPI's GHSA and PYSEC records for one CVE: one finding with every id.
        record["id"], record["aliases"] = f"PYSEC-{2018 + number % 8}-{number}", [cve, ghsa(number)]
    record["severity"] = [{"type": "CVSS_V3", "score": rng.choice(VECTORS)}]
    return record


@cache
def _advisory_weights() -> list[float]:
    return _zipf_weights(ADVISORY_NAMES, offset=30)


def _language_events(versions: Sequence[str], rng: random.Random) -> list[dict[str, str]]:
    roll = rng.random()
    if roll < 0.50:
        return [{"introduced": "0"}, {"fixed": versions[0]}]  # fixed before every version images hold
    if roll < 0.53:
        return [{"introduced": versions[rng.randrange(len(versions))]}]  # no fix yet
    fixed = rng.randrange(1, len(versions))
    introduced = "0" if rng.random() < 0.6 else versions[rng.randrange(fixed)]
    closing = "last_affected" if roll > 0.95 else "fixed"
    return [
        {"introduced": introduced},
        {closing: versions[fixed - 1] if closing == "last_affected" else versions[fixed]},
    ]


def _debian_record(number: int, cve: str, rng: random.Random) -> dict[str, Any]:
    record_id = f"DEBIAN-{cve}"
    sources = debian_sources()
    if number <= INVENTORY_DEBIAN_RECORDS:
        source = sources[rng.choices(range(len(sources)), cum_weights=_zipf_weights(len(sources), 1.5))[0]]
        name, events = source.name, _debian_events(source, rng)
    else:
        name, events = f"srcpkg-{rng.randrange(2000):04d}", [{"introduced": "0"}, {"fixed": "1.0-1"}]
    record = _osv(record_id, [], f"{name}: {cve}", "Debian:12", name, events)
    record["upstream"] = [cve]
    if rng.random() < 0.5:
        record["affected"].append({"package": {"ecosystem": "Debian:11", "name": name}, "ranges": [_range(events)]})
    return record


def _debian_events(source: DebianSource, rng: random.Random) -> list[dict[str, str]]:
    """Mostly fixed before bookworm; a few unfixed (no-DSA, unimportant); some fixed by a point release."""
    roll = rng.random()
    updates = sorted(set(source.versions[1:]) - {source.versions[0]})
    if roll < 0.02:
        return [{"introduced": "0"}]
    if roll < 0.10 and updates:
        return [{"introduced": "0"}, {"fixed": rng.choice(updates)}]
    upstream, _, _ = source.versions[0].rpartition("-")
    return [{"introduced": "0"}, {"fixed": f"{upstream}-0.1"}]


def _range(events: list[dict[str, str]], kind: str = "ECOSYSTEM") -> dict[str, Any]:
    return {"type": kind, "events": events}


def _osv(
    record_id: str, aliases: list[str], summary: str, ecosystem: str, name: str, events: list[dict[str, str]]
) -> dict[str, Any]:
    kind = "SEMVER" if ecosystem == "npm" else "ECOSYSTEM"
    package: dict[str, str] = {"ecosystem": ecosystem, "name": name}
    return {
        "schema_version": "1.6.0",
        "id": record_id,
        "modified": stamp(MODIFIED),
        "published": "2025-06-01T00:00:00Z",
        "aliases": aliases,
        "summary": summary,
        "details": "Generated for the regwarden inventory benchmark.",
        "affected": [{"package": package, "ranges": [_range(events, kind)]}],
        "references": [{"type": "ADVISORY", "url": f"https://bench.example/advisories/{record_id}"}],
    }


def encoded(record: dict[str, Any]) -> tuple[str, bytes]:
    return record["id"], json.dumps(record).encode()


def new_advisory(number: int, tag: str, ecosystem: str = "npm", index: int = 0) -> dict[str, Any]:
    """A record no database holds yet (`tag` makes its ids unique) on a popular package: every version but the
    oldest is affected, the fix is a release no image holds yet."""
    name, versions = language_name(ecosystem, index), language_versions(ecosystem, index)
    major, minor, patch = versions[-1].split(".")
    events = [{"introduced": versions[1]}, {"fixed": f"{major}.{minor}.{int(patch) + 1}"}]
    unique = int(hashlib.sha256(f"{tag}/{number}".encode()).hexdigest()[:8], 16)
    cve = f"CVE-2026-{100_000 + unique % 900_000}"
    record = _osv(ghsa(number, tag), [cve], f"{name}: new advisory", ecosystem, name, events)
    record["modified"] = stamp(MODIFIED + timedelta(days=30, minutes=number))
    record["severity"] = [{"type": "CVSS_V3", "score": VECTORS[0]}]
    return record


def update_batch(
    run: int, *, held_only: bool = False, size: int = 1000, new_share: float = 0.1
) -> list[dict[str, Any]]:
    """What one database update brings: `size` records, most of them new revisions of stored ones (a new summary;
    for a quarter of them the fix moves to the next version), the rest new records. Odd and even runs give the
    two positions of each moved fix, so every run undoes what the run before it changed. The revised records are
    drawn from every stored one (most name packages no image holds, as in a real update), or with `held_only`
    only from those naming packages the images are built from (the worst case for re-matching)."""
    rng = random.Random(22 if held_only else 21)
    modified = stamp(MODIFIED + timedelta(days=40, hours=run))
    fresh = 0 if held_only else int(size * new_share)
    eligible = [n for n, (ecosystem, record) in enumerate(advisory_records()) if not held_only or _held(record)]
    stored = set(rng.sample(eligible, k=size - fresh))
    picked = [record for position, (_, record) in enumerate(advisory_records()) if position in stored]
    for position, record in enumerate(picked):
        record["modified"], record["summary"] = modified, f"{record['summary']} (revised, run {run})"
        if position % 4 == 0 and run % 2 == 1:
            _move_fix(record)
    new_rng = random.Random(f"new/{run}")
    for offset in range(fresh):
        ecosystem = new_rng.choices(list(SHARES), list(SHARES.values()))[0]
        record = _record(ecosystem, 100_000 * (run + 1) + offset, new_rng)
        record["modified"] = modified
        picked.append(record)
    return picked


def _held(record: dict[str, Any]) -> bool:
    """Whether a record names a package the images are built from (a Debian source, a dependency pool name)."""
    package = record["affected"][0]["package"]
    return package["name"] in _held_names(package["ecosystem"].partition(":")[0])


@cache
def _held_names(ecosystem: str) -> frozenset[str]:
    if ecosystem == "Debian":
        return frozenset(source.name for source in debian_sources())
    return frozenset(language_name(ecosystem, index) for index in range(POOL[ecosystem]))


def _move_fix(record: dict[str, Any]) -> None:
    """The fix moves to the next version the images hold (or an open range gets the newest as its fix)."""
    for entry in record["affected"]:
        versions = _versions_of(entry["package"]["ecosystem"], entry["package"]["name"])
        for affected_range in entry["ranges"]:
            events = affected_range["events"]
            fixed = next((e["fixed"] for e in events if "fixed" in e), None)
            if fixed is None and versions and "last_affected" not in str(events):
                affected_range["events"] = [*events, {"fixed": versions[-1]}]
            elif fixed in versions[:-1]:
                later = versions[versions.index(fixed) + 1]
                affected_range["events"] = [e if "fixed" not in e else {"fixed": later} for e in events]


def _versions_of(ecosystem: str, name: str) -> tuple[str, ...]:
    if ecosystem.startswith("Debian"):
        found = [source.versions for source in debian_sources() if source.name == name]
        return tuple(dict.fromkeys(found[0])) if found else ()
    index = _name_indexes(ecosystem).get(name)
    return language_versions(ecosystem, index) if index is not None else ()


@cache
def _name_indexes(ecosystem: str) -> dict[str, int]:
    return {language_name(ecosystem, index): index for index in range(ADVISORY_NAMES)}
