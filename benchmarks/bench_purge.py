"""Purge: plan a synthetic registry of 100,000 manifests (target < 2 s), apply a plan against the real local registry
(target ≥ 200 deletions/s), and check the rules against the `acr purge` model on the same synthetic registry.

The synthetic registry (seeded, so every run plans the same thing): 200 repositories of 500 manifests; 1-2 tags on
three manifests in four, the rest untagged; one in twenty an index listing two or three untagged platform
manifests; one in thirty a signature referring to another; 2 % locked manifests, 1 % locked tags; times spread over
a year; 1 % of the digests running, 1 % pulled this week. The plan is `--filter '.*:.*' --ago 30d --keep 3
--untagged` (and a retention policy); each is timed `--runs` times, the median reported.

Equivalence: on the same registry with its referrers taken out (`acr purge` leaves those to ACR), the rules alone
(before the safety pass) must select exactly the tags and manifests tests/lifecycle/acr_reference.py, an independent
model of acr-cli's purge, deletes. The full plan is then compared with the rules: what the safety pass held back.

Apply: `--deletions` images pushed to `--repositories` repositories of a registry of our own (CNCF distribution,
filesystem storage), planned and deleted by the service with `--concurrency` workers, the journal written as in
production; the rate counts the apply only (the plan is timed apart). Distribution looks through every tag of a
repository on each delete by digest, so its own cost grows with tags per repository (25 here).

    .venv/bin/python benchmarks/bench_purge.py [--runs 3] [--deletions 1000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from regwarden.lifecycle.acr_rules import select_by_filter
from regwarden.lifecycle.filters import parse_filter, select_repositories
from regwarden.lifecycle.graph import RepositoryGraph
from regwarden.lifecycle.plan import plan_purge, plan_retention
from regwarden.lifecycle.policy import parse_policy
from regwarden.model.catalog import ManifestListing
from regwarden.model.image import Descriptor
from regwarden.model.purge import Protections, PurgeCriteria, PurgePlan, RepositoryContents, TagListing
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import RegistryClient
from regwarden.oci.upload import put_manifest, upload_blob

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.lifecycle.acr_reference and tests.support.registry, as the tests use them

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
CRITERIA = PurgeCriteria((".*:.*",), timedelta(days=30), keep=3, untagged=True)
POLICY = {
    "rules": [
        {"repositories": "**", "retain": {"latest_pushed": 10}},
        {"repositories": "**", "tags": "release-*", "retain": "always"},
        {"repositories": "team-1*/**", "untagged": True, "retain": {"pushed_within": "90d"}},
    ]
}


def synthetic_registry(repositories: int, per_repository: int, seed: int = 7) -> list[RepositoryContents]:
    rng = random.Random(seed)
    return [_repository(rng, f"team-{r % 20}/app-{r}", per_repository) for r in range(repositories)]


def _repository(rng: random.Random, name: str, count: int) -> RepositoryContents:
    manifests: list[ManifestListing] = []
    tags: list[TagListing] = []
    subjects: dict[str, str] = {}
    position = 0
    while len(manifests) < count:
        position += 1
        digest = _digest(name, position)
        age = rng.uniform(0, 365)
        stamp = (NOW - timedelta(days=age)).isoformat()
        locked = rng.random() < 0.02
        children: tuple[str, ...] = ()
        if rng.random() < 0.05:
            children = tuple(_digest(name, position * 1000 + n) for n in range(rng.randint(2, 3)))
            manifests += [ManifestListing(name, child, (), OCI_MANIFEST, stamp, stamp) for child in children]
        kind = OCI_INDEX if children else rng.choice((OCI_MANIFEST, OCI_MANIFEST, DOCKER_MANIFEST))
        names = _tags(rng, position) if rng.random() < 0.75 else ()
        if manifests and rng.random() < 1 / 30:
            subjects[digest], names, kind = rng.choice(manifests).digest, (), OCI_MANIFEST
        manifests.append(
            ManifestListing(
                name,
                digest,
                names,
                kind,
                stamp,
                stamp,
                references=children,
                delete_enabled=not locked,
                write_enabled=True,
            )
        )
        for tag in names:
            tag_age = max(0.0, age - rng.uniform(0, 20))
            tags.append(TagListing(tag, digest, NOW - timedelta(days=tag_age), rng.random() >= 0.01, True))
    kept = manifests[:count]
    listed = {manifest.digest for manifest in kept}
    tags = [tag for tag in tags if tag.digest in listed]
    subjects = {referrer: subject for referrer, subject in subjects.items() if referrer in listed}
    return RepositoryContents(name, tuple(kept), tuple(tags), True, subjects)


def _tags(rng: random.Random, position: int) -> tuple[str, ...]:
    first = rng.choice(("release", "build", "dev", "pr")) + f"-{position}"
    return (first, f"sha-{position:x}") if rng.random() < 0.3 else (first,)


def _digest(repository: str, position: int) -> str:
    return "sha256:" + hashlib.sha256(f"{repository}/{position}".encode()).hexdigest()


def protections(contents: list[RepositoryContents], seed: int = 11) -> Protections:
    rng = random.Random(seed)
    digests = [m.digest for item in contents for m in item.manifests]
    running = dict.fromkeys(rng.sample(digests, len(digests) // 100), ("aks-prod/shop/Deployment/app",))
    pulled = {d: NOW - timedelta(days=2) for d in rng.sample(digests, len(digests) // 100)}
    return Protections(running=running, pulled=pulled)


def timed(runs: int, work: Callable[[], PurgePlan]) -> tuple[str, PurgePlan]:
    """Median wall and CPU seconds over `runs` (CPU: what the plan costs, whatever else the machine runs)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        result = None
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    assert result is not None
    return f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU (median of {runs})", result


def bench_plan(runs: int) -> list[RepositoryContents]:
    contents = synthetic_registry(200, 500)
    shield = protections(contents)
    total = sum(len(item.manifests) for item in contents)
    seconds, plan = timed(runs, lambda: plan_purge("synthetic", contents, CRITERIA, shield, NOW))
    policy_seconds, kept = timed(
        runs, lambda: plan_retention("synthetic", contents, parse_policy(POLICY, "policy"), shield, NOW)
    )
    held = Counter(r.kind.value for k in plan.kept if k.held for r in k.reasons)
    removed = sum(len(a.tags) for a in plan.untags)
    print(f"plan, --filter '.*:.*' --ago 30d --keep 3 --untagged: {total:,} manifests in {seconds}")
    print(f"  {len(plan.deletions):,} deletions, {removed:,} tags removed, {len(plan.kept):,} kept, held: {dict(held)}")
    print(f"plan, retention policy: {total:,} manifests in {policy_seconds}, {len(kept.deletions):,} deletions")
    return contents


def check_equivalence(contents: list[RepositoryContents]) -> None:
    from tests.lifecycle.acr_reference import acr_purge

    filters = [parse_filter(text) for text in CRITERIA.filters]
    chosen = {s.repository: s for s in select_repositories(filters, [c.repository for c in contents])}
    tags = manifests = mismatches = 0
    for item in contents:
        plain = _without_referrers(item)
        selection = select_by_filter(RepositoryGraph(plain), chosen[item.repository].tag_pattern, CRITERIA, NOW)
        expected = acr_purge(plain, ".*", NOW - CRITERIA.ago, CRITERIA.keep, True, False)
        found_tags = {(d, t) for d, names in selection.untag.items() for t in names}
        tags, manifests = tags + len(expected.tags), manifests + len(expected.manifests)
        mismatches += len(found_tags ^ expected.tags) + len(set(selection.delete) ^ expected.manifests)
    print(
        f"acr purge equivalence (referrers taken out): {len(contents)} repositories, acr purge deletes {tags:,} "
        f"tags and {manifests:,} manifests; the rules select the same, {mismatches} differences"
    )
    full = plan_purge("synthetic", [_without_referrers(c) for c in contents], CRITERIA, Protections(), NOW)
    held = sum(1 for k in full.kept if k.held)
    print(
        f"  planned whole with no protections: {len(full.deletions):,} deletions, {held:,} held back by the safety "
        "pass (what acr purge alone would delete: children of locked indexes, manifests with locked tags)"
    )


def _without_referrers(item: RepositoryContents) -> RepositoryContents:
    referrers = set(item.subjects)
    manifests = tuple(m for m in item.manifests if m.digest not in referrers)
    tags = tuple(t for t in item.tags if t.digest not in referrers)
    return replace(item, manifests=manifests, tags=tags, subjects={})


def bench_apply(deletions: int, repositories: int, concurrency: int) -> None:
    from tests.support.registry import start_registry, stop_registry

    from regwarden.service.images import ImageOptions
    from regwarden.service.purge import PurgeRequest, plan_registry
    from regwarden.service.purge_apply import ApplyOptions, apply_plan
    from regwarden.store import open_store

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        registry = start_registry(root / "registry")
        try:
            with RegistryClient(registry.host, insecure=True) as client:
                start = time.perf_counter()
                push_many(client, deletions, repositories)
                print(
                    f"apply: {deletions} images pushed to {repositories} repositories in "
                    f"{time.perf_counter() - start:.1f} s"
                )
                request = PurgeRequest(
                    criteria=PurgeCriteria(("bench/.*:.*",), timedelta(days=7)),
                    image=ImageOptions(insecure=True),
                    concurrency=concurrency,
                )
                options = ApplyOptions(journal=root / "journal.jsonl", workers=concurrency)
                with open_store(f"sqlite:///{root / 'db.sqlite'}") as store:
                    wall, cpu = time.perf_counter(), time.process_time()
                    planned = plan_registry(store, registry.host, request, client, datetime.now(UTC))
                    plan_wall, plan_cpu = time.perf_counter() - wall, time.process_time() - cpu
                    cpu = time.process_time()
                    report = apply_plan(store, planned, options)
                    apply_cpu = time.process_time() - cpu
            rate = len(report.results) / report.seconds
            print(
                f"apply: {len(report.results)} deletions in {report.seconds:.2f} s = {rate:.0f} deletions/s "
                f"({concurrency} workers, journaled), {report.count_failed()} not done; regwarden's CPU "
                f"{1000 * apply_cpu / len(report.results):.2f} ms per deletion; the plan before it "
                f"{plan_wall:.1f} s ({plan_cpu:.1f} s CPU)"
            )
        finally:
            stop_registry(registry)


def push_many(client: RegistryClient, count: int, repositories: int) -> None:
    """`count` tagged images built 60 days ago, spread over `repositories`: a config of their own, one shared layer."""
    layer = Descriptor("application/vnd.oci.image.layer.v1.tar", compute_digest(b"layer"), 5)
    for n in range(repositories):
        upload_blob(client, f"bench/app-{n}", layer, io.BytesIO(b"layer"))

    def push(n: int) -> None:
        repository = f"bench/app-{n % repositories}"
        body = {"architecture": "amd64", "os": "linux", "created": (NOW - timedelta(days=60)).isoformat(), "n": n}
        config_data = json.dumps(body).encode()
        config = Descriptor("application/vnd.oci.image.config.v1+json", compute_digest(config_data), len(config_data))
        upload_blob(client, repository, config, io.BytesIO(config_data))
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": _descriptor(config),
            "layers": [_descriptor(layer)],
        }
        put_manifest(client, repository, f"v{n}", json.dumps(manifest).encode(), OCI_MANIFEST)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(push, range(count)))


def _descriptor(descriptor: Descriptor) -> dict[str, object]:
    return {"mediaType": descriptor.media_type, "digest": descriptor.digest, "size": descriptor.size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--deletions", type=int, default=1000)
    parser.add_argument("--repositories", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip-plan", action="store_true", help="only the apply benchmark")
    parser.add_argument("--skip-apply", action="store_true", help="only the plan benchmark and the equivalence")
    arguments = parser.parse_args()
    if not arguments.skip_plan:
        contents = bench_plan(arguments.runs)
        check_equivalence(contents)
    if not arguments.skip_apply:
        bench_apply(arguments.deletions, arguments.repositories, arguments.concurrency)


if __name__ == "__main__":
    main()
