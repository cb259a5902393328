#!/usr/bin/env bash
# `make serve-demo`: the demo's data (scripts/demo.sh) loaded into a kept database, a local user, then
# `regwarden serve` on http://127.0.0.1:8080 until Ctrl-C. Offline; rebuilt from the samples on every run.
# REGWARDEN_DEMO_DIR moves the data (default .cache/serve-demo); PORT the port; SERVE=0 loads and stops (tests).
set -euo pipefail
cd "$(dirname "$0")/.."
RW=${RW:-.venv/bin/regwarden}
DIR=${REGWARDEN_DEMO_DIR:-.cache/serve-demo}
PORT=${PORT:-8080}
USER_NAME=demo
PASSWORD=regwarden-demo
REPO=regwardendemo.azurecr.io/shop/web
rm -rf "$DIR" && mkdir -p "$DIR"
DB=$DIR/demo.db
quiet() { "$@" >/dev/null; }

echo "loading the demo data into $DB ..."
quiet "$RW" db import samples/advisories --db "$DB"
# Both builds under their version tag and, one after the other, under `latest`: the image page shows the diff.
quiet "$RW" inventory add oci-archive:samples/demo.oci.tar --repo "$REPO" --tag 1.0 --db "$DB"
quiet "$RW" inventory add oci-archive:samples/demo.oci.tar --repo "$REPO" --tag latest --db "$DB"
quiet "$RW" inventory add oci-archive:samples/demo-1.1.oci.tar --repo "$REPO" --tag 1.1 --db "$DB"
quiet "$RW" inventory add oci-archive:samples/demo-1.1.oci.tar --repo "$REPO" --tag latest --db "$DB"
quiet "$RW" sync k8s --from samples/cluster/aks-prod.json --cluster aks-prod-weu --no-catalog --db "$DB"
quiet "$RW" sync k8s --from samples/cluster/aks-dev.json --cluster aks-dev-weu --no-catalog --db "$DB"
quiet "$RW" db import samples/advisory-update --db "$DB"
"$RW" audit acr --config samples/acr/posture.yaml --from samples/acr/weak-registry.json \
  --from samples/acr/hardened-registry.json --record --db "$DB" -o json >/dev/null || [ $? -eq 1 ]
echo "$PASSWORD" | quiet "$RW" users add "$USER_NAME" --role admin --display-name "Demo admin" --password-stdin --db "$DB"

[ "${SERVE:-1}" = 1 ] || exit 0
printf '\nSign in at http://127.0.0.1:%s as %s / %s (Ctrl-C stops the server)\n\n' "$PORT" "$USER_NAME" "$PASSWORD"
exec "$RW" serve --db "$DB" --port "$PORT" --no-advisory-update
