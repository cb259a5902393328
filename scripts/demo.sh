#!/usr/bin/env bash
# `make demo`: the main jobs on the bundled sample data, with no network and no setup beyond the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
RW=.venv/bin/regwarden
SAMPLE=samples/demo.oci.tar

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; }

step "Inspect the bundled sample image" "$RW inspect oci-archive:$SAMPLE"
$RW inspect "oci-archive:$SAMPLE"

step "SBOM of the sample image: every package and the layer that added it" "$RW sbom oci-archive:$SAMPLE"
$RW sbom "oci-archive:$SAMPLE"

AUDIT=(audit acr --config samples/acr/posture.yaml --from samples/acr/weak-registry.json
       --from samples/acr/hardened-registry.json --hide-passed)
step "Audit a weak and a hardened ACR export against the baseline" "$RW ${AUDIT[*]}"
# Exit code 1 means findings at or above --fail-on (the gate); the demo shows them and carries on.
status=0
$RW "${AUDIT[@]}" || status=$?
[ "$status" -le 1 ] || exit "$status"
printf '\nThe audit gate would have failed a CI run (exit %s): shopacr has high and critical findings.\n' "$status"
