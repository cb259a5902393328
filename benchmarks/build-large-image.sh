#!/usr/bin/env bash
# Build a LARGE real image (~1.2 GB uncompressed: ~620 dpkg, ~56 PyPI and ~700 npm packages) for benchmarks.
# Not run by the tests. Output ($REGWARDEN_BENCH_IMAGES, default <repo>/.cache/bench-images):
#   oci/                 OCI layout with ref `large`
#   large.docker.tar     docker-archive (the `docker save` format), image name regwarden-bench/large:latest
#   large.oci.tar        oci-archive
# Needs: mmdebstrap umoci skopeo, python3.11 with pip, node + npm; network to Debian, PyPI and npm. Root.
# Top-level versions are pinned; npm's transitive versions can drift, so record the printed sha256 sums with any
# benchmark result.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${REGWARDEN_BENCH_IMAGES:-$REPO/.cache/bench-images}
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  if [ -x "$REPO/.venv/bin/python" ]; then PYTHON=$REPO/.venv/bin/python; else PYTHON=python3; fi
fi
export SOURCE_DATE_EPOCH=1735689600
CREATED=2025-01-01T00:00:00Z
SITE=usr/local/lib/python3.11/site-packages
TAR_OPTS=(--sort=name --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH
  --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
DEBIAN_PACKAGES=python3,python3-pip,python3-venv,nodejs,npm,openjdk-17-jre-headless,curl,wget,git,ca-certificates,\
openssh-client,gnupg,less,vim-tiny,procps,iproute2,iputils-ping,netbase,unzip,xz-utils,bzip2,file,jq,sqlite3,\
libpq5,libxml2,libxslt1.1,libssl3,libffi8,imagemagick-6.q16,ghostscript,fonts-dejavu-core,perl,make,tzdata,locales
PYPI_PACKAGES=(django==3.2.0 flask==1.1.1 jinja2==2.11.3 markupsafe==2.0.1 werkzeug==1.0.1 itsdangerous==1.1.0
  click==8.0.3 requests==2.25.0 urllib3==1.26.5 numpy==1.26.4 pandas==2.1.4 boto3==1.34.0 pyyaml==6.0.1
  sqlalchemy==1.4.0 cryptography==41.0.0 pillow==10.0.0 lxml==4.9.3 celery==5.2.3 redis==4.0.0
  psycopg2-binary==2.9.9 pytest==7.0.0 gunicorn==20.0.4)
NPM_PACKAGES=(express@4.17.1 lodash@4.17.20 react@17.0.1 react-dom@17.0.1 webpack@5.0.0 axios@0.21.0
  moment@2.29.1 typescript@4.1.2 eslint@7.15.0 jest@26.6.3 @babel/core@7.12.9)

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
started=$SECONDS

# layer 0: Debian bookworm minbase plus runtimes and tools
mmdebstrap --variant=minbase --include="$DEBIAN_PACKAGES" --format=tar bookworm "$W/layer0-debian.tar" </dev/null

# layer 1: PyPI packages where an image has them, console scripts with an image-local shebang
mkdir -p "$W/py/$SITE" "$W/py/usr/local/bin"
"$PYTHON" -m pip install --quiet --no-compile --no-cache-dir --disable-pip-version-check --no-warn-conflicts \
  --target "$W/py/$SITE" "${PYPI_PACKAGES[@]}"
if [ -d "$W/py/$SITE/bin" ]; then
  mv "$W/py/$SITE/bin/"* "$W/py/usr/local/bin/" && rmdir "$W/py/$SITE/bin"
  sed -i '1s|^#!.*python.*$|#!/usr/bin/python3|' "$W/py/usr/local/bin/"*
fi
tar -C "$W/py" "${TAR_OPTS[@]}" -cf "$W/layer1-python.tar" usr

# layer 2: npm packages in /app/node_modules
mkdir -p "$W/node/app"
echo '{"name":"regwarden-bench-large","version":"1.0.0","private":true}' >"$W/node/app/package.json"
(cd "$W/node/app" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error --save-exact \
  "${NPM_PACKAGES[@]}")
tar -C "$W/node" "${TAR_OPTS[@]}" -cf "$W/layer2-node.tar" app

# the image: umoci compresses the layers; then the archives
L=$W/oci
umoci init --layout "$L"
umoci new --image "$L:large"
umoci raw add-layer --image "$L:large" --history.created $CREATED \
  --history.created_by "mmdebstrap --variant=minbase --include=<${DEBIAN_PACKAGES//,/ }> bookworm" "$W/layer0-debian.tar"
umoci raw add-layer --image "$L:large" --history.created $CREATED \
  --history.created_by "pip install --target /$SITE ${PYPI_PACKAGES[*]}" "$W/layer1-python.tar"
umoci raw add-layer --image "$L:large" --history.created $CREATED \
  --history.created_by "npm install --ignore-scripts ${NPM_PACKAGES[*]}" "$W/layer2-node.tar"
umoci config --image "$L:large" --created $CREATED --no-history --os linux --architecture amd64 \
  --config.cmd /bin/bash --config.workingdir /app \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.label org.opencontainers.image.title=regwarden-bench-large
umoci gc --layout "$L"
chmod 644 "$L/index.json"

mkdir -p "$OUT"
rm -rf "$OUT/oci" "$OUT/large.docker.tar" "$OUT/large.oci.tar"
skopeo copy --quiet "oci:$L:large" "oci:$OUT/oci:large"
skopeo copy --quiet "oci:$L:large" "docker-archive:$OUT/large.docker.tar:regwarden-bench/large:latest"
skopeo copy --quiet "oci:$L:large" "oci:$W/archive:large"
tar -C "$W/archive" "${TAR_OPTS[@]}" -cf "$OUT/large.oci.tar" blobs index.json oci-layout

echo "uncompressed layers:"
du -ch "$W"/layer*.tar | sed 's/^/  /'
echo "packages: dpkg $(tar -xOf "$W/layer0-debian.tar" ./var/lib/dpkg/status | grep -c '^Package: ')," \
  "python $(find "$W/py/$SITE" -maxdepth 1 -name '*.dist-info' | wc -l)," \
  "npm $(python3 -c 'import json, sys; print(sum("node_modules/" in k for k in json.load(sys.stdin)["packages"]))' \
    <"$W/node/app/node_modules/.package-lock.json")"
(cd "$OUT" && sha256sum large.docker.tar large.oci.tar)
echo "built in $((SECONDS - started)) s into $OUT"
