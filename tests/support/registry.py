"""Real registry processes for tests (owned by the OCI client work)."""
