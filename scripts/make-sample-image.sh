#!/usr/bin/env bash
# Build the small real images `make demo` scans (committed; rerun only to refresh them):
#
#   make-sample-image.sh [1.0]   samples/demo.oci.tar      the demo app as first shipped
#   make-sample-image.sh 1.1     samples/demo-1.1.oci.tar  the next build: dependencies upgraded, idna added
#
#   layer 1  Debian bookworm amd64 busybox-static + base-files, extracted (mmdebstrap, dpkg-deb), with the dpkg database
#            a normal install leaves (status + info/*.list/*.md5sums, written from the .debs' control data).
#            1.1 reuses 1.0's layer 1 byte for byte (read back from samples/demo.oci.tar, or BASE=FILE), as a rebuild
#            on a pinned base image would, so a diff of the two builds shows only the application's changes.
#   layer 2  /usr/local/lib/python3.11/site-packages: the version's PyPI packages (pip --target)
#            /app/node_modules/lodash: the version's lodash package.json and LICENSE (from `npm pack`)
#
# Needs: umoci skopeo python3 (pip) npm, network to PyPI and npm; for 1.0 also mmdebstrap dpkg-deb, the Debian
# mirror and root. Reproducible for a fixed Debian archive state: timestamps come from SOURCE_DATE_EPOCH, tars are
# sorted and owner-free, layers are compressed by umoci (deterministic) and the archive is tarred here, not by skopeo.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=${1:-1.0}
case "$VERSION" in
  1.0)
    PY_PACKAGES=(urllib3==1.24.1 jinja2==2.10 MarkupSafe==2.1.5)
    LODASH=4.17.15
    APP_HISTORY="pip install --target urllib3==1.24.1 jinja2==2.10; npm pack lodash@4.17.15"
    DEFAULT_OUT=$REPO/samples/demo.oci.tar
    ;;
  1.1)
    PY_PACKAGES=(urllib3==1.26.20 jinja2==3.1.3 MarkupSafe==2.1.5 idna==3.10)
    LODASH=4.17.21
    APP_HISTORY="pip install --target urllib3==1.26.20 jinja2==3.1.3 idna==3.10; npm pack lodash@4.17.21"
    DEFAULT_OUT=$REPO/samples/demo-1.1.oci.tar
    BASE=${BASE:-$REPO/samples/demo.oci.tar}
    ;;
  *)
    echo "usage: $0 [1.0|1.1]" >&2
    exit 2
    ;;
esac
OUT=${OUT:-$DEFAULT_OUT}
PYTHON=${PYTHON:-python3}
[ -x "$REPO/.venv/bin/python" ] && [ "$PYTHON" = python3 ] && PYTHON=$REPO/.venv/bin/python
export SOURCE_DATE_EPOCH=1735689600 # 2025-01-01T00:00:00Z
CREATED=2025-01-01T00:00:00Z
SITE=usr/local/lib/python3.11/site-packages
TAR_OPTS=(--sort=name --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH
  --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

os_layer() {
  mkdir -p "$W/debs"
  # base-files (for /etc/os-release) is fetched with mmdebstrap's own apt config but without its dependencies
  # (awk -> libc6 would triple the size); dpkg will record it as installed all the same.
  mmdebstrap --variant=extract --include=busybox-static --skip=download/empty \
    --extract-hook="sync-out /var/cache/apt/archives $W/debs" \
    --extract-hook="cd '$W/debs' && APT_CONFIG=\"\$MMDEBSTRAP_APT_CONFIG\" apt-get download -q base-files" \
    --format=directory bookworm "$W/os" </dev/null
  dpkg-deb -x "$W/debs"/base-files_*.deb "$W/os"
  python3 "$REPO/tests/images/ocitool.py" deb-status "$W/os" "$W/debs"/*.deb
  # keep only what the packages installed plus the dpkg database: no apt state, device nodes or host files
  rm -rf "$W/os/dev" "$W/os/etc/apt" "$W/os/var/lib/apt" "$W/os/var/cache" "$W/os/var/log" \
    "$W/os/etc/resolv.conf" "$W/os/etc/hostname" "$W/os/etc/fstab"
  tar -C "$W/os" "${TAR_OPTS[@]}" -cf "$W/layer-os.tar" .
}

base_layer_digest() { # the digest of layer 1 of the oci-archive $1
  python3 - "$1" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as archive:
    read = lambda name: json.load(archive.extractfile(name))
    manifest = read("blobs/sha256/" + read("index.json")["manifests"][0]["digest"].removeprefix("sha256:"))
print(manifest["layers"][0]["digest"].removeprefix("sha256:"))
PY
}

reused_os_layer() {
  [ -f "$BASE" ] || { echo "$BASE is missing: build 1.0 first (or set BASE=FILE)" >&2; exit 1; }
  tar -xOf "$BASE" "blobs/sha256/$(base_layer_digest "$BASE")" | gunzip >"$W/layer-os.tar"
  mkdir -p "$W/os" && tar -C "$W/os" -xf "$W/layer-os.tar" ./var/lib/dpkg # for the package list below
}

app_layer() {
  mkdir -p "$W/app/$SITE" "$W/app/app/node_modules/lodash" "$W/npm"
  "$PYTHON" -m pip install --quiet --no-compile --no-deps --no-cache-dir --disable-pip-version-check \
    --no-warn-conflicts --target "$W/app/$SITE" "${PY_PACKAGES[@]}"
  (cd "$W/npm" && npm pack --silent "lodash@$LODASH" >/dev/null)
  tar -C "$W/app/app/node_modules/lodash" --strip-components=1 -xzf "$W/npm/lodash-$LODASH.tgz" \
    package/package.json package/LICENSE
  printf '{\n  "name": "regwarden-demo",\n  "version": "%s.0",\n  "private": true,\n  "dependencies": %s\n}\n' \
    "$VERSION" "{\"lodash\": \"$LODASH\"}" >"$W/app/app/package.json"
  tar -C "$W/app" "${TAR_OPTS[@]}" -cf "$W/layer-app.tar" usr app
}

assemble() {
  local L=$W/oci
  umoci init --layout "$L"
  umoci new --image "$L:demo"
  umoci raw add-layer --image "$L:demo" --history.created $CREATED \
    --history.created_by "mmdebstrap --variant=extract --include=busybox-static bookworm; dpkg-deb -x base-files" \
    "$W/layer-os.tar"
  umoci raw add-layer --image "$L:demo" --history.created $CREATED --history.created_by "$APP_HISTORY" \
    "$W/layer-app.tar"
  umoci config --image "$L:demo" --created $CREATED --no-history --os linux --architecture amd64 \
    --config.cmd /bin/busybox --config.cmd sh --config.workingdir /app \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.label org.opencontainers.image.title=regwarden-demo \
    --config.label org.opencontainers.image.source=scripts/make-sample-image.sh
  umoci gc --layout "$L"
  skopeo copy --quiet "oci:$L:demo" "oci:$W/archive:demo" # a one-image layout: what an oci-archive holds
  mkdir -p "$(dirname "$OUT")"
  tar -C "$W/archive" "${TAR_OPTS[@]}" -cf "$OUT" blobs index.json oci-layout
}

if [ "$VERSION" = 1.0 ]; then os_layer; else reused_os_layer; fi
app_layer
assemble
if [ "$VERSION" != 1.0 ] && [ "$(base_layer_digest "$OUT")" != "$(base_layer_digest "$BASE")" ]; then
  echo "layer 1 of $OUT differs from $BASE's: the base was not reused byte for byte" >&2
  exit 1
fi
echo "wrote $OUT ($(du -h "$OUT" | cut -f1)), sha256 $(sha256sum "$OUT" | cut -d' ' -f1)"
python3 "$REPO/tests/images/ocitool.py" dpkg-list "$W/os" | python3 -c \
  'import json,sys; [print("  deb", p["name"], p["version"]) for p in json.load(sys.stdin)]'
