#!/usr/bin/env bash
# `make demo`: the main jobs on the bundled sample data, with no network and no setup beyond the venv.
# RW may name another regwarden executable (the tests point it at the venv running them).
set -euo pipefail
cd "$(dirname "$0")/.."
RW=${RW:-.venv/bin/regwarden}
SAMPLE=samples/demo.oci.tar
SAMPLE_NEXT=samples/demo-1.1.oci.tar
ADVISORIES=samples/advisories
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/advisories.db # the demo's own database, deleted at exit: the user's default database is never touched

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; }
note() { printf '\n%s\n' "$*"; }

# Runs a command whose exit code 1 means "the gate failed": the demo shows the findings and carries on.
# Any other failure stops the demo. The exit code is left in $status for the explanation that follows.
gated() {
  status=0
  "$RW" "$@" || status=$?
  [ "$status" -le 1 ] || exit "$status"
}

step "Inspect the bundled sample image" "$RW inspect oci-archive:$SAMPLE"
$RW inspect "oci-archive:$SAMPLE"

step "SBOM of the sample image: every package and the layer that added it" "$RW sbom oci-archive:$SAMPLE"
$RW sbom "oci-archive:$SAMPLE"

step "Load the bundled advisory snapshot into a demo database" "$RW db import $ADVISORIES --db $DB"
$RW db import "$ADVISORIES" --db "$DB"
note "The snapshot holds real OSV records from the PyPA and GitHub advisory databases, frozen in 2024
(CC-BY 4.0, see $ADVISORIES/NOTICE). The database's age counts from this import, so it is not reported as
stale; for today's advisories use \`regwarden db update\` instead."

SCAN=(scan "oci-archive:$SAMPLE" --db "$DB" --fail-on high)
step "Scan the sample image and gate on high severity" "$RW ${SCAN[*]}"
gated "${SCAN[@]}"
note "The scan gate would have failed a CI run (exit $status): 15 findings, 6 of them counted at or above high.
CVE-2021-33503 is \"unrated\": the only record that matched urllib3 1.24.1 carries no severity, and regwarden
counts an unrated vulnerability as critical rather than guessing it low. The snapshot has no Debian records, so
the 2 Debian packages are reported as not checked, never as clean."

DIFF=(diff "oci-archive:$SAMPLE" "oci-archive:$SAMPLE_NEXT")
step "What changed in the next build (1.1)" "$RW ${DIFF[*]}"
$RW "${DIFF[@]}"

SCAN_NEXT=(scan "oci-archive:$SAMPLE_NEXT" --db "$DB" --fail-on high)
step "Scan build 1.1: what the upgrade fixed" "$RW ${SCAN_NEXT[*]}"
gated "${SCAN_NEXT[@]}"
note "The upgrade fixed 14 of the 15 findings and the gate passes (exit $status). One medium finding is left:
Jinja2 3.1.3 is affected by CVE-2024-34064, fixed in 3.1.4, which is below the high gate."

AUDIT=(audit acr --config samples/acr/posture.yaml --from samples/acr/weak-registry.json
       --from samples/acr/hardened-registry.json --hide-passed)
step "Audit a weak and a hardened ACR export against the baseline" "$RW ${AUDIT[*]}"
gated "${AUDIT[@]}"
note "The audit gate would have failed a CI run (exit $status): shopacr has high and critical findings."

# == Inventory ======================================================================================================
# Next steps go here: sync both sample builds into "$DB" and ask which images a CVE affects (`regwarden sync`,
# `regwarden affected CVE-2024-34064`), offline, with the same database and samples as above. "$WORK" is removed
# when the script exits.
