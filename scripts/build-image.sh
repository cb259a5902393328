#!/usr/bin/env bash
# Build regwarden's own container image, without any container daemon:
#
#   1. a Debian bookworm root filesystem (mmdebstrap minbase + python3, python3-venv, ca-certificates);
#   2. regwarden's wheel, built from this tree, installed into /opt/regwarden (a venv) with its dependencies pinned
#      to the versions of .venv (what the tests ran), bytecode compiled ahead (the root filesystem is read-only at
#      run time), pip removed afterwards;
#   3. a user regwarden (uid/gid 65532) whose home /home/regwarden, with /tmp, is the only place it writes;
#   4. committed by buildah (vfs storage in a scratch directory) as an OCI archive, with its config: user 65532,
#      entrypoint regwarden, HOME, labels.
#
# Output ($REGWARDEN_IMAGE_DIR, default <repo>/.cache/image):
#   regwarden.oci.tar   the image (oci-archive, ref regwarden:VERSION)
#   expected.json       its packages as dpkg-query and pip list see them inside the image, never as regwarden does
#   build.log, .stamp   what the last build printed; the hash of its inputs (a rebuild is skipped when it matches)
#
# Needs (Debian 12, as root): mmdebstrap buildah, python3 with pip (.venv); network to the Debian mirror and PyPI.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=${REGWARDEN_IMAGE_DIR:-$REPO/.cache/image}
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
UID_GID=65532
DEBIAN_PACKAGES=python3,python3-venv,ca-certificates

version() {
  "$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' \
    "$REPO/pyproject.toml"
}

inputs_hash() { # what goes into the wheel (every file under src/, as pip packs it) and the pinned dependencies
  (cd "$REPO" && find src pyproject.toml README.md LICENSE scripts/build-image.sh -type f -not -name '*.pyc' -print0 |
    sort -z | xargs -0 sha256sum && "$PYTHON" -m pip list --format=freeze --exclude-editable) | sha256sum | cut -d' ' -f1
}

need_tools() {
  local missing=() tool
  for tool in mmdebstrap buildah tar sha256sum; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build-image.sh: missing tools: ${missing[*]} (Debian: apt-get install mmdebstrap buildah)" >&2
    exit 2
  fi
  [ "$(id -u)" -eq 0 ] || { echo "build-image.sh: run as root (mmdebstrap's root mode, buildah)" >&2; exit 2; }
}

build_wheel() {
  "$PYTHON" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$W/dist" "$REPO"
  # The image gets exactly the versions the tests ran with (a constraint installs nothing by itself); the image's
  # own Python resolves the rest (environment markers are its, not this machine's). This machine's CA bundle goes
  # along for the download only (a TLS-inspecting proxy), and is removed with the wheel.
  "$PYTHON" -m pip list --format=freeze --exclude-editable >"$W/dist/constraints.txt"
  cp /etc/ssl/certs/ca-certificates.crt "$W/dist/download-ca.pem"
}

build_rootfs() {
  local venv=/opt/regwarden wheel in_image=(chroot "\$1" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root)
  wheel=$(cd "$W/dist" && echo regwarden-*.whl)
  mmdebstrap --variant=minbase --include="$DEBIAN_PACKAGES" --format=directory \
    --customize-hook="copy-in $W/dist /tmp" \
    --customize-hook="${in_image[*]} python3 -m venv $venv" \
    --customize-hook="${in_image[*]} $venv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check \
      --cert /tmp/dist/download-ca.pem --constraint /tmp/dist/constraints.txt /tmp/dist/$wheel" \
    --customize-hook="${in_image[*]} $venv/bin/python -m pip uninstall --quiet --yes pip" \
    --customize-hook="${in_image[*]} $venv/bin/python -m compileall -q -j 0 $venv" \
    --customize-hook="${in_image[*]} groupadd --gid $UID_GID regwarden" \
    --customize-hook="${in_image[*]} useradd --uid $UID_GID --gid $UID_GID --home-dir /home/regwarden \
      --no-create-home --shell /usr/sbin/nologin regwarden" \
    --customize-hook="mkdir -p \"\$1\"/home/regwarden && chown $UID_GID:$UID_GID \"\$1\"/home/regwarden" \
    --customize-hook="rm -rf \"\$1\"/tmp/dist \"\$1\"/var/lib/apt/lists/* \"\$1\"/var/cache/apt/* \"\$1\"/var/log/*" \
    bookworm "$W/rootfs" </dev/null
}

write_expected() { # by dpkg and pip inside the image: the truth the image's SBOM is compared with
  chroot "$W/rootfs" dpkg-query -W -f '${Package}\t${Version}\n' >"$W/dpkg.tsv"
  chroot "$W/rootfs" /opt/regwarden/bin/python -c '
import importlib.metadata as m, json, sys
json.dump(sorted([d.metadata["Name"], d.version] for d in m.distributions()), sys.stdout)' >"$W/python.json"
  # Debian's python3-venv brings pip and setuptools as wheel files (for `python3 -m venv`): packages in the image too.
  (cd "$W/rootfs/usr/share/python-wheels" && ls -- *.whl) >"$W/wheels.txt"
  "$PYTHON" - "$W/dpkg.tsv" "$W/python.json" "$W/wheels.txt" "$W/expected.json" "$(version)" <<'PY'
import json, sys
dpkg = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
python = json.load(open(sys.argv[2]))
wheels = [name.split("-")[:2] for name in open(sys.argv[3]).read().split()]
document = {"version": sys.argv[5], "uid": 65532, "dpkg": sorted(dpkg), "python": python, "wheel_files": wheels}
json.dump(document, open(sys.argv[4], "w"), indent=1)
PY
}

commit_image() {
  local storage=(--root "$W/storage" --runroot "$W/run" --storage-driver vfs) tag container
  tag="regwarden:$(version)"
  tar -C "$W/rootfs" --sort=name --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -cf "$W/rootfs.tar" .
  container=$(buildah "${storage[@]}" from scratch)
  buildah "${storage[@]}" add "$container" "$W/rootfs.tar" /
  buildah "${storage[@]}" config \
    --user "$UID_GID:$UID_GID" --workingdir /home/regwarden \
    --entrypoint '["/opt/regwarden/bin/regwarden"]' --cmd '["--help"]' \
    --env PATH=/opt/regwarden/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env HOME=/home/regwarden --env PYTHONDONTWRITEBYTECODE=1 --env PYTHONUNBUFFERED=1 \
    --volume /home/regwarden --port 8080 \
    --label org.opencontainers.image.title=regwarden \
    --label org.opencontainers.image.version="$(version)" \
    --label org.opencontainers.image.licenses=Apache-2.0 \
    --label org.opencontainers.image.description="Container image pipeline security: ACR posture, SBOMs, vulnerabilities, inventory" \
    --os linux --arch amd64 --created-by "scripts/build-image.sh" "$container"
  buildah "${storage[@]}" commit --quiet --format oci --timestamp "$SOURCE_DATE_EPOCH" --rm "$container" \
    "oci-archive:$W/regwarden.oci.tar:$tag" >/dev/null
}

build() {
  W=$OUT.partial
  rm -rf "$W" && mkdir -p "$W"
  local start=$SECONDS step
  for step in build_wheel build_rootfs write_expected commit_image; do
    local began=$SECONDS
    $step
    echo "build-image.sh: $step took $((SECONDS - began)) s"
  done
  rm -rf "$W/rootfs" "$W/rootfs.tar" "$W/storage" "$W/run" "$W/dist" "$W/dpkg.tsv" "$W/python.json" "$W/wheels.txt"
  echo "$1" >"$W/.stamp"
  rm -rf "$OUT" && mv "$W" "$OUT"
  echo "build-image.sh: $OUT/regwarden.oci.tar ($(du -h "$OUT/regwarden.oci.tar" | cut -f1)) in $((SECONDS - start)) s"
}

main() {
  local want
  want=$(inputs_hash)
  mkdir -p "$(dirname "$OUT")"
  exec 9>"$OUT.lock"
  flock 9
  if [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$want" ]; then
    echo "build-image.sh: $OUT is up to date"
    return 0
  fi
  need_tools
  set +e
  (set -e && build "$want") 2>&1 | tee "$OUT.build.log"
  local rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    echo "build-image.sh: FAILED (exit $rc); the log above is kept in $OUT.build.log" >&2
    rm -rf "$OUT.partial"
    exit 1
  fi
  mv "$OUT.build.log" "$OUT/build.log"
}

main "$@"
