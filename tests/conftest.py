"""Session-wide fixtures: the real registries (tests/support/registry.py), the real test images
(tests/support/images.py) and the databases, SQLite and a real PostgreSQL (tests/support/databases.py)."""

pytest_plugins = ["tests.support.registry", "tests.support.images", "tests.support.databases"]
