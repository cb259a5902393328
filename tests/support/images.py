"""Real test images built by tests/images/build.sh (owned by the image-fixture work)."""
