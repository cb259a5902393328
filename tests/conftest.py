"""Session-wide fixtures: the real registries (tests/support/registry.py) and the real test images
(tests/support/images.py)."""

pytest_plugins = ["tests.support.registry", "tests.support.images"]
