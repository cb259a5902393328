#!/usr/bin/env bash
# Build the real test images regwarden is tested against, without any container daemon.
#
# Output ($REGWARDEN_TEST_IMAGES, default <repo>/.cache/test-images):
#   oci/                OCI image layout, refs: base, pyapp-1.0, pyapp-1.0-rc1, pyapp-1.1, pyapp-1.1-zstd,
#                       busybox-arm64, multi (index: linux/amd64 -> pyapp-1.1, linux/arm64/v8 -> busybox-arm64)
#   archives/           {base,pyapp-1.0,pyapp-1.1}.{oci,docker}.tar  (oci-archive and docker-archive)
#   layers/             the uncompressed layer tars, for tests that read layers directly
#   expected.json       package sets computed here by dpkg-query, pip and npm — never by regwarden
#   build.log           what the last build printed;  .stamp  hash of the inputs (all work is skipped when it matches)
#
# Needs (Debian 12): mmdebstrap umoci skopeo dpkg-deb, python3 with pip, node + npm, flock.
# Network: the Debian mirror, PyPI and the npm registry. Runs as root (mmdebstrap's root mode).
# Reproducible for a fixed mirror state: SOURCE_DATE_EPOCH pins every timestamp, tars are sorted and owner-free,
# Python and npm versions are pinned (constraints.txt, package-lock.json). Debian's own archive moves with point
# releases, so `base` changes when bookworm does; expected.json always describes what was actually built.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${REGWARDEN_TEST_IMAGES:-$REPO/.cache/test-images}
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  if [ -x "$REPO/.venv/bin/python" ]; then PYTHON=$REPO/.venv/bin/python; else PYTHON=python3; fi
fi
export SOURCE_DATE_EPOCH=1735689600 # 2025-01-01T00:00:00Z
CREATED=2025-01-01T00:00:00Z
SITE=usr/local/lib/python3.11/site-packages
PY_PACKAGES=(requests==2.20.0 urllib3==1.24.1 pyyaml==5.3 jinja2==2.10)
TAR_OPTS=(--sort=name --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH
  --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)

inputs_hash() {
  (cd "$HERE" && cat build.sh ocitool.py constraints.txt npm/package.json npm/package-lock.json \
    npm-1.1/package.json npm-1.1/package-lock.json) | sha256sum | cut -d' ' -f1
}

need_tools() {
  local missing=() tool
  for tool in mmdebstrap umoci skopeo dpkg-deb dpkg-query node npm flock tar sha256sum; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  "$PYTHON" -m pip --version >/dev/null 2>&1 || missing+=("pip for $PYTHON")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: missing tools: ${missing[*]} (Debian: apt-get install mmdebstrap umoci skopeo nodejs npm)" >&2
    exit 2
  fi
}

# ---- layer 0: Debian bookworm minbase; the dpkg database is kept aside for expected.json
build_base_layer() {
  mmdebstrap --variant=minbase --format=tar bookworm "$W/layers/base.tar" </dev/null
  mkdir -p "$W/roots/base"
  tar -C "$W/roots/base" -xf "$W/layers/base.tar" ./var/lib/dpkg
}

# ---- layer 1: old Python packages (pip's own --report is the expected list)
build_python_layer() {
  local root=$W/work/py
  mkdir -p "$root/$SITE" "$root/usr/local/bin"
  "$PYTHON" -m pip install --quiet --no-compile --no-cache-dir --disable-pip-version-check --no-warn-conflicts \
    --target "$root/$SITE" --constraint "$HERE/constraints.txt" --report "$W/work/pip-report.json" \
    "${PY_PACKAGES[@]}"
  # pip puts console scripts under the target; move them where an image has them, with an image-local shebang
  if [ -d "$root/$SITE/bin" ]; then
    mv "$root/$SITE/bin/"* "$root/usr/local/bin/" && rmdir "$root/$SITE/bin"
    sed -i '1s|^#!.*python.*$|#!/usr/bin/python3|' "$root/usr/local/bin/"*
  fi
  tar -C "$root" "${TAR_OPTS[@]}" -cf "$W/layers/python.tar" usr
}

# ---- layer 2: old npm packages under /app/node_modules, exactly as locked
npm_install() { # $1 = dir holding package.json + package-lock.json
  (cd "$1" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
}

build_npm_layer() {
  mkdir -p "$W/work/node/app"
  cp "$HERE/npm/package.json" "$HERE/npm/package-lock.json" "$W/work/node/app/"
  npm_install "$W/work/node/app"
  tar -C "$W/work/node" "${TAR_OPTS[@]}" -cf "$W/layers/node.tar" app
}

# ---- layer 3: deletions through OCI whiteouts, and the npm manifests rewritten without minimist
build_whiteout_layer() {
  local wh=$W/work/wh
  mkdir -p "$wh/$SITE" "$wh/app/node_modules" "$wh/etc" "$wh/usr/share/doc" "$W/work/node-1.1/app"
  touch "$wh/$SITE/.wh.yaml" "$wh/$SITE/.wh.pyyaml-5.3.dist-info" "$wh/app/node_modules/.wh.minimist" \
    "$wh/etc/.wh.motd" "$wh/usr/share/doc/.wh..wh..opq" # opaque: hides every lower-layer file in /usr/share/doc
  cp "$HERE/npm-1.1/package.json" "$HERE/npm-1.1/package-lock.json" "$W/work/node-1.1/app/"
  npm_install "$W/work/node-1.1/app"
  cp "$HERE/npm-1.1/package.json" "$HERE/npm-1.1/package-lock.json" "$wh/app/"
  cp "$W/work/node-1.1/app/node_modules/.package-lock.json" "$wh/app/node_modules/"
  tar -C "$wh" "${TAR_OPTS[@]}" -cf "$W/layers/whiteouts.tar" usr app etc
}

# ---- the linux/arm64/v8 member of `multi`: busybox-static for arm64, extracted (no emulation needed)
build_arm64_layer() {
  local root=$W/work/arm64 debs=$W/work/arm64-debs
  mkdir -p "$debs"
  mmdebstrap --variant=extract --architectures=arm64 --include=busybox-static --skip=download/empty \
    --extract-hook="sync-out /var/cache/apt/archives $debs" --format=directory bookworm "$root" </dev/null
  # extract does not configure packages, so write the dpkg database a normal install would have left
  python3 "$HERE/ocitool.py" deb-status "$root" "$debs"/*.deb
  rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*_Packages "$root/dev"
  tar -C "$root" "${TAR_OPTS[@]}" -cf "$W/layers/busybox-arm64.tar" .
  mkdir -p "$W/roots/busybox-arm64" && cp -a "$root/var" "$W/roots/busybox-arm64/"
}

hist() { echo --history.created "$CREATED" --history.created_by; }

assemble_layout() {
  local L=$W/oci
  umoci init --layout "$L"
  umoci new --image "$L:base"
  umoci raw add-layer --image "$L:base" $(hist) "mmdebstrap --variant=minbase bookworm" "$W/layers/base.tar"
  umoci config --image "$L:base" --created $CREATED --no-history --os linux --architecture amd64 \
    --config.cmd /bin/bash --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.label org.opencontainers.image.title=regwarden-fixture-base \
    --config.label org.opencontainers.image.version=bookworm
  umoci raw add-layer --image "$L:base" --tag pyapp-1.0 $(hist) \
    "pip install --target /$SITE ${PY_PACKAGES[*]}" "$W/layers/python.tar"
  umoci raw add-layer --image "$L:pyapp-1.0" $(hist) "npm ci (lodash@4.17.15 minimist@1.2.0 axios@0.21.0)" \
    "$W/layers/node.tar"
  umoci config --image "$L:pyapp-1.0" --created $CREATED --no-history --config.workingdir /app \
    --config.label org.opencontainers.image.title=regwarden-fixture-pyapp \
    --config.label org.opencontainers.image.version=1.0
  # rc1: the same layers under another label, so another manifest digest (becomes untagged once :rc moves on)
  umoci config --image "$L:pyapp-1.0" --tag pyapp-1.0-rc1 --created $CREATED --no-history \
    --config.label org.opencontainers.image.version=1.0-rc1
  umoci raw add-layer --image "$L:pyapp-1.0" --tag pyapp-1.1 $(hist) \
    "whiteouts: yaml, pyyaml dist-info, minimist, /etc/motd; opaque /usr/share/doc" "$W/layers/whiteouts.tar"
  umoci config --image "$L:pyapp-1.1" --created $CREATED --no-history \
    --config.label org.opencontainers.image.version=1.1
  umoci gc --layout "$L"
  # zstd layers: skopeo reuses blobs already in the destination, so recompress into a scratch layout first
  skopeo copy --quiet --dest-compress --dest-compress-format zstd "oci:$L:pyapp-1.1" "oci:$W/work/zstd:pyapp-1.1-zstd"
  skopeo copy --quiet "oci:$W/work/zstd:pyapp-1.1-zstd" "oci:$L:pyapp-1.1-zstd"
  python3 "$HERE/ocitool.py" add-image "$L" busybox-arm64 "$W/layers/busybox-arm64.tar" --arch arm64 --variant v8 \
    --created $CREATED --created-by "mmdebstrap --variant=extract --architectures=arm64 --include=busybox-static"
  python3 "$HERE/ocitool.py" add-index "$L" multi linux/amd64=pyapp-1.1 linux/arm64/v8=busybox-arm64
  chmod 644 "$L/index.json" # umoci writes it 0600
}

write_archives() { # $1 = layout ref
  local ref=$1
  mkdir -p "$W/archives"
  # an oci-archive is a tar of a one-image layout; skopeo stamps it with the current time, so tar it ourselves
  skopeo copy --quiet "oci:$W/oci:$ref" "oci:$W/work/archive-$ref:$ref"
  tar -C "$W/work/archive-$ref" "${TAR_OPTS[@]}" -cf "$W/archives/$ref.oci.tar" blobs index.json oci-layout
  skopeo copy --quiet "oci:$W/oci:$ref" "docker-archive:$W/archives/$ref.docker.tar:regwarden-fixture/$ref:latest"
}

write_expected() {
  local pip=$W/work/pip-report.json lock=app/node_modules/.package-lock.json
  cat >"$W/work/expected-spec.json" <<EOF
{
  "images": {
    "base": {"platform": "linux/amd64", "dpkg_root": "$W/roots/base"},
    "pyapp-1.0": {"platform": "linux/amd64", "dpkg_root": "$W/roots/base", "pip_report": "$pip",
                  "npm_lock": "$W/work/node/$lock", "npm_prefix": "/app"},
    "pyapp-1.0-rc1": {"platform": "linux/amd64", "dpkg_root": "$W/roots/base", "pip_report": "$pip",
                      "npm_lock": "$W/work/node/$lock", "npm_prefix": "/app"},
    "pyapp-1.1": {"platform": "linux/amd64", "dpkg_root": "$W/roots/base", "pip_report": "$pip",
                  "pip_drop": ["pyyaml"], "npm_lock": "$W/work/node-1.1/$lock", "npm_prefix": "/app"},
    "pyapp-1.1-zstd": {"platform": "linux/amd64", "dpkg_root": "$W/roots/base", "pip_report": "$pip",
                       "pip_drop": ["pyyaml"], "npm_lock": "$W/work/node-1.1/$lock", "npm_prefix": "/app"},
    "busybox-arm64": {"platform": "linux/arm64/v8", "dpkg_root": "$W/roots/busybox-arm64"}
  },
  "indexes": {"multi": {"linux/amd64": "pyapp-1.1", "linux/arm64/v8": "busybox-arm64"}}
}
EOF
  python3 "$HERE/ocitool.py" expected "$W/expected.json" "$W/work/expected-spec.json"
}

build_language_layers() {
  build_python_layer
  build_npm_layer
  build_whiteout_layer
}

# Run each "function [arg]" concurrently (they write disjoint files), then print their logs in order; the slow
# steps are network-bound, so this roughly halves a cold build.
in_parallel() {
  local pids=() logs=() step log rc=0 i
  for step in "$@"; do
    log="$W/logs/${step// /-}.log"
    (
      started=$SECONDS
      $step
      echo "build.sh: '$step' took $((SECONDS - started)) s"
    ) >"$log" 2>&1 &
    pids+=($!) logs+=("$log")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || rc=1
    cat "${logs[$i]}"
  done
  return $rc
}

build() {
  W=$OUT.partial
  rm -rf "$W" && mkdir -p "$W/layers" "$W/work" "$W/roots" "$W/logs"
  local start=$SECONDS
  in_parallel build_base_layer build_arm64_layer build_language_layers
  assemble_layout
  in_parallel "write_archives base" "write_archives pyapp-1.0" "write_archives pyapp-1.1"
  write_expected
  rm -rf "$W/work" "$W/roots" "$W/logs"
  echo "$1" >"$W/.stamp"
  rm -rf "$OUT" && mv "$W" "$OUT"
  echo "build.sh: test images built in $((SECONDS - start)) s into $OUT"
}

main() {
  local want
  want=$(inputs_hash)
  mkdir -p "$(dirname "$OUT")"
  # Several pytest workers may ask at once: one builds, the others wait and then find the stamp.
  exec 9>"$OUT.lock"
  flock 9
  if [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$want" ]; then
    echo "build.sh: $OUT is up to date"
    return 0
  fi
  need_tools
  # not `if ! build ...`: bash would then ignore errexit inside build and carry on past a failed step
  set +e
  (set -e && build "$want") 2>&1 | tee "$OUT.build.log"
  local rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    echo "build.sh: FAILED (exit $rc); the log above is kept in $OUT.build.log" >&2
    exit 1
  fi
  mv "$OUT.build.log" "$OUT/build.log"
}

main "$@"
