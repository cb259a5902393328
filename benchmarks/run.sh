#!/usr/bin/env bash
# `make bench`: every benchmark, same machine, same run. Results go to stdout; BENCHMARKS.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
echo "## Pull (regwarden vs skopeo)"; $PY benchmarks/bench_pull.py --runs 5
echo "## SBOM (regwarden vs Syft vs Trivy)"; bash benchmarks/peers.sh && $PY benchmarks/bench_sbom.py
echo "## Posture (regwarden vs Checkov)"; $PY benchmarks/bench_posture.py
echo "## Layer filesystem"; $PY benchmarks/bench_filesystem.py
echo "## Signature verification"; $PY benchmarks/bench_verify.py
echo "## Purge"; $PY benchmarks/bench_purge.py --runs 5
echo "## Admission webhook"; $PY benchmarks/bench_admission.py --duration 60
