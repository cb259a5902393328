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
REGISTRY_PID=
trap 'if [ -n "$REGISTRY_PID" ]; then kill "$REGISTRY_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
DB=$WORK/advisories.db # the demo's own database, deleted at exit: the user's default database is never touched

# A throwaway registry on loopback (Debian's docker-registry), for the steps that need one; its data is in $WORK.
start_registry() {
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$WORK/registry"
  printf 'version: 0.1\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp: {addr: "127.0.0.1:%s"}\nlog: {level: error}\n' \
    "$WORK/registry/data" "$port" >"$WORK/registry/config.yml"
  docker-registry serve "$WORK/registry/config.yml" >"$WORK/registry/log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  REGISTRY=127.0.0.1:$port
  # The registry is on loopback: never through a proxy the environment names (httpx would use it for any host).
  export NO_PROXY="127.0.0.1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1${no_proxy:+,$no_proxy}"
}

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
note "The scan gate would have failed a CI run (exit $status): 13 findings, 6 of them counted at or above high.
CVE-2021-33503 is \"unrated\": the only record that matched urllib3 1.24.1 carries no severity, and regwarden
counts an unrated vulnerability as critical rather than guessing it low. The snapshot has no Debian records, so
the 2 Debian packages are reported as not checked, never as clean."

DIFF=(diff "oci-archive:$SAMPLE" "oci-archive:$SAMPLE_NEXT")
step "What changed in the next build (1.1)" "$RW ${DIFF[*]}"
$RW "${DIFF[@]}"

SCAN_NEXT=(scan "oci-archive:$SAMPLE_NEXT" --db "$DB" --fail-on high)
step "Scan build 1.1: what the upgrade fixed" "$RW ${SCAN_NEXT[*]}"
gated "${SCAN_NEXT[@]}"
note "The upgrade fixed all 13 findings and the gate passes (exit $status) — as far as the snapshot knows."

AUDIT=(audit acr --config samples/acr/posture.yaml --from samples/acr/weak-registry.json
       --from samples/acr/hardened-registry.json --hide-passed)
step "Audit a weak and a hardened ACR export against the baseline" "$RW ${AUDIT[*]}"
gated "${AUDIT[@]}"
note "The audit gate would have failed a CI run (exit $status): shopacr has high and critical findings."

# == Inventory and impact ==========================================================================================
IMAGE_REPO=regwardendemo.azurecr.io/shop/web
step "Record both builds in the inventory, as CI does right after a push" \
  "$RW inventory add oci-archive:$SAMPLE --repo $IMAGE_REPO --tag 1.0 --db $DB"
$RW inventory add "oci-archive:$SAMPLE" --repo "$IMAGE_REPO" --tag 1.0 --db "$DB"
$RW inventory add "oci-archive:$SAMPLE_NEXT" --repo "$IMAGE_REPO" --tag 1.1 --db "$DB"

step "What runs where: two sample AKS clusters, as \`kubectl get pods -A -o json\` prints them" \
  "$RW sync k8s --from samples/cluster/aks-prod.json --cluster aks-prod-weu --no-catalog --db $DB"
$RW sync k8s --from samples/cluster/aks-prod.json --cluster aks-prod-weu --no-catalog --db "$DB"
$RW sync k8s --from samples/cluster/aks-dev.json --cluster aks-dev-weu --no-catalog --db "$DB"
note "--no-catalog because the clusters' other workloads run images of a registry that does not exist; against a
real one, regwarden fetches and catalogs every running digest it has not seen. Production is decided by the
default rule (a namespace or cluster named dev, test, qa, staging or sandbox is not production) unless a config
file says otherwise, and every report says which rule decided."

step "The inventory: every image, its findings, and who runs it" "$RW inventory list --db $DB"
$RW inventory list --db "$DB"

step "Two advisories arrive (published after the snapshot)" "$RW db import samples/advisory-update --db $DB"
$RW db import samples/advisory-update --db "$DB"
note "Nothing was scanned again: regwarden re-matched only the packages these advisories name, and each production
workload that became affected is an event (kept in an outbox for the configured webhooks: \`regwarden events\`)."

step "Which production services are affected by CVE-2024-34064?" "$RW affected CVE-2024-34064 --db $DB"
gated affected CVE-2024-34064 --db "$DB"
note "Exit $status: production is affected, so a script or an on-call rota can act on it. Running workloads come
first (production before the rest), then catalogued images that run nowhere."

step "Where does a vulnerable urllib3 still run?" "$RW where 'urllib3@<1.26.19' --db $DB"
$RW where 'urllib3@<1.26.19' --db "$DB"

# == Lifecycle ======================================================================================================
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
  start_registry
  skopeo copy -q --dest-tls-verify=false "oci-archive:$SAMPLE" "docker://$REGISTRY/shop/web:1.0"
  skopeo copy -q --dest-tls-verify=false "oci-archive:$SAMPLE_NEXT" "docker://$REGISTRY/shop/web:1.1"
  step "Purge everything in shop/ older than a day, as acr purge would (a dry run, with the inventory)" \
    "$RW purge $REGISTRY --filter 'shop/.*:.*' --ago 1d --untagged --insecure --db $DB"
  $RW purge "$REGISTRY" --filter 'shop/.*:.*' --ago 1d --untagged --insecure --db "$DB"
  note "Both builds match the rules, and both are held back: the inventory knows they run in aks-prod-weu. A purge
never deletes a running, locked or protected digest; --apply acts, journaled and resumable (docs/lifecycle.md)."
else
  note "(Purge skipped: it needs a registry, and Debian's docker-registry and skopeo are not installed here;
\`make test\` installs them.)"
fi

# == Audit logs ====================================================================================================
LOGS=(logs analyze samples/logs/registry-events.json samples/logs/activity.jsonl --db "$DB" --fail-on critical)
step "Audit logs: one night in the registry's login, repository and activity logs (synthetic sample)" \
  "$RW logs analyze samples/logs/registry-events.json samples/logs/activity.jsonl --db $DB --fail-on critical"
gated "${LOGS[@]}"
note "Exit $status: a digest that runs in aks-prod-weu was deleted (the inventory above knows what runs). Every
finding is stored with its evidence and queued as an audit.finding event for the configured webhooks; the same
detections can run inside Azure as log search alert rules (one of twelve shown: the running digests come from the
inventory):"
$RW logs alert-rules -o bicep --db "$DB" | sed -n '/^resource rwLog004/,/^}/p'


# == Jobs ==========================================================================================================
step "The same work as a keyed job: in-process here, on Celery workers when REGWARDEN_BROKER is set" \
  "$RW jobs submit sync-cluster --from samples/cluster/aks-dev.json --cluster aks-dev-weu --no-catalog --db $DB"
$RW jobs submit sync-cluster --from samples/cluster/aks-dev.json --cluster aks-dev-weu --no-catalog --db "$DB"
$RW jobs --all --db "$DB" | tail -n 1
note "Each sync, catalog, advisory update and delivery is a job keyed by what it does, so two workers never do it
twice; \`regwarden worker\` and \`regwarden beat\` run them at scale (docs/scale.md)."

# == The server and dashboard =======================================================================================
note "To see all of the above in the dashboard, run the one command below: it loads this demo's data into a kept
database (.cache/serve-demo), adds a local user and serves http://127.0.0.1:8080 until Ctrl-C.

    make serve-demo          # then sign in as demo / regwarden-demo"
