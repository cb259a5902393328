#!/usr/bin/env bash
# Install the Debian packages the tests, the fixture images and the demo need: only those missing, non-interactively.
set -euo pipefail
# docker-registry: the real OCI registry; skopeo/umoci/mmdebstrap: build and push the real test images;
# apache2-utils: htpasswd for the basic-auth registry; golang-go: compiles the Go binaries the Go cataloger reads;
# postgresql: the store's PostgreSQL tier; redis-server: the job broker of the worker tests; buildah: regwarden's
# own container image (scripts/build-image.sh); time: peak-RSS
# measurements in benchmarks; chromium: the dashboard's browser tests (Playwright drives Debian's Chromium, it
# cannot download its own); wrk: the server's load benchmark.
needed=(docker-registry skopeo umoci mmdebstrap apache2-utils jq golang-go postgresql redis-server buildah time chromium wrk)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js and npm build the npm layer of the test images; many machines have them outside dpkg.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# kubectl renders the deploy/ manifests offline in the tests (`kubectl kustomize`): Debian's kubernetes-client,
# unless a kubectl is installed another way.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
