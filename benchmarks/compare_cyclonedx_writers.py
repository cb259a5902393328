"""CycloneDX JSON: regwarden's direct writer against cyclonedx-python-lib's, on the SBOM of real images.

For each image the SBOM is built once; then both writers render that same SBOM: report/cyclonedx.py (what
`regwarden sbom -o cyclonedx-json` writes) and cyclonedx-python-lib's JSON outputter over the Bom that
report/cyclonedx_xml.py builds (what regwarden wrote before). Prints whether the bytes are identical, whether the
documents are equal once parsed, and each writer's best time. Exits 1 if any document differs.

    .venv/bin/python benchmarks/compare_cyclonedx_writers.py                 # the test images
    .venv/bin/python benchmarks/compare_cyclonedx_writers.py .cache/bench-images/large.docker.tar
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion

from regwarden.model.sbom import Sbom
from regwarden.report.cyclonedx import render_cyclonedx_json
from regwarden.report.cyclonedx_xml import build_bom
from regwarden.service import images as service

REPO = Path(__file__).resolve().parents[1]
TEST_IMAGES = REPO / ".cache" / "test-images" / "archives"
RUNS = 3


def library_json(sbom: Sbom) -> bytes:
    outputter = make_outputter(build_bom(sbom), OutputFormat.JSON, SchemaVersion.V1_6)
    return outputter.output_as_string(indent=2).encode() + b"\n"


def best_of(render: Callable[[Sbom], bytes], sbom: Sbom) -> tuple[bytes, float]:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        output = render(sbom)
        timings.append(time.perf_counter() - started)
    return output, min(timings)


def compare(archive: Path) -> bool:
    sbom = service.build_sbom(f"docker-archive:{archive}", service.ImageOptions())
    sbom = dataclasses.replace(sbom, created=sbom.created or "2025-01-01T00:00:00+00:00")  # one clock for both
    ours, our_time = best_of(render_cyclonedx_json, sbom)
    theirs, their_time = best_of(library_json, sbom)
    same_document = json.loads(ours) == json.loads(theirs)
    print(
        f"{archive.name}: {len(sbom.packages)} packages, {len(ours):,} bytes; identical bytes: {ours == theirs}, "
        f"equal documents: {same_document}; direct writer {our_time * 1000:.0f} ms, "
        f"cyclonedx-python-lib {their_time * 1000:.0f} ms (best of {RUNS})"
    )
    return same_document


def main(argv: Sequence[str]) -> None:
    archives = [Path(arg) for arg in argv] or sorted(TEST_IMAGES.glob("*.docker.tar"))
    if not archives:
        raise SystemExit(f"no images: build them with `make test-images` ({TEST_IMAGES})")
    results = [compare(archive) for archive in archives]
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
