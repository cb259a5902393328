#!/usr/bin/env bash
# Build samples/demo.oci.tar: the small real image `make demo` scans (committed; rerun only to refresh it).
#
#   layer 1  Debian bookworm amd64 busybox-static + base-files, extracted (mmdebstrap, dpkg-deb), with the dpkg database
#            a normal install leaves (status + info/*.list/*.md5sums, written from the .debs' control data)
#   layer 2  /usr/local/lib/python3.11/site-packages: urllib3 1.24.1, Jinja2 2.10, MarkupSafe 2.1.5 (pip --target)
#            /app/node_modules/lodash: lodash 4.17.15's package.json and LICENSE (from `npm pack`)
#
# Needs: mmdebstrap umoci skopeo dpkg-deb python3 (pip) npm; network to the Debian mirror, PyPI and npm. Root.
# Reproducible for a fixed Debian archive state: timestamps come from SOURCE_DATE_EPOCH, tars are sorted and
# owner-free, layers are compressed by umoci (deterministic) and the archive is tarred here, not by skopeo.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$REPO/samples/demo.oci.tar}
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

app_layer() {
  mkdir -p "$W/app/$SITE" "$W/app/app/node_modules/lodash" "$W/npm"
  "$PYTHON" -m pip install --quiet --no-compile --no-deps --no-cache-dir --disable-pip-version-check \
    --no-warn-conflicts --target "$W/app/$SITE" urllib3==1.24.1 jinja2==2.10 MarkupSafe==2.1.5
  (cd "$W/npm" && npm pack --silent lodash@4.17.15 >/dev/null)
  tar -C "$W/app/app/node_modules/lodash" --strip-components=1 -xzf "$W/npm/lodash-4.17.15.tgz" \
    package/package.json package/LICENSE
  printf '{\n  "name": "regwarden-demo",\n  "version": "1.0.0",\n  "private": true,\n  "dependencies": %s\n}\n' \
    '{"lodash": "4.17.15"}' >"$W/app/app/package.json"
  tar -C "$W/app" "${TAR_OPTS[@]}" -cf "$W/layer-app.tar" usr app
}

assemble() {
  local L=$W/oci
  umoci init --layout "$L"
  umoci new --image "$L:demo"
  umoci raw add-layer --image "$L:demo" --history.created $CREATED \
    --history.created_by "mmdebstrap --variant=extract --include=busybox-static bookworm; dpkg-deb -x base-files" \
    "$W/layer-os.tar"
  umoci raw add-layer --image "$L:demo" --history.created $CREATED \
    --history.created_by "pip install --target urllib3==1.24.1 jinja2==2.10; npm pack lodash@4.17.15" \
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

os_layer
app_layer
assemble
echo "wrote $OUT ($(du -h "$OUT" | cut -f1)), sha256 $(sha256sum "$OUT" | cut -d' ' -f1)"
python3 "$REPO/tests/images/ocitool.py" dpkg-list "$W/os" | python3 -c \
  'import json,sys; [print("  deb", p["name"], p["version"]) for p in json.load(sys.stdin)]'
