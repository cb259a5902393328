# The only entry point: make demo | make test | make lint | make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve-demo test lint bench install system-deps test-images image clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Debian packages the real-component tests need (registry, skopeo, umoci, mmdebstrap, ...); no-op when present.
system-deps:
	bash scripts/install-system-deps.sh

## Real test images built from Debian, PyPI and npm packages; cached under .cache/test-images.
test-images: system-deps $(STAMP)
	bash tests/images/build.sh

demo: $(STAMP)
	bash scripts/demo.sh

## The demo's data in a kept database, a local user (demo / regwarden-demo), and the dashboard on 127.0.0.1:8080.
serve-demo: $(STAMP)
	bash scripts/serve-demo.sh

## regwarden's own container image (buildah from a Debian base made here, no daemon; cached in .cache/image), then
## regwarden scans itself: its SBOM (CycloneDX) and a scan against the advisory database (--db / REGWARDEN_DB).
image: system-deps $(STAMP)
	bash scripts/build-image.sh
	$(BIN)/regwarden sbom oci-archive:.cache/image/regwarden.oci.tar -o cyclonedx-json \
		--output-file .cache/image/regwarden.cdx.json
	$(BIN)/regwarden scan oci-archive:.cache/image/regwarden.oci.tar --fail-on critical

test: system-deps $(STAMP) test-images
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: system-deps $(STAMP) test-images
	bash benchmarks/run.sh

clean:
	rm -rf $(VENV) .cache .mypy_cache .ruff_cache .pytest_cache
