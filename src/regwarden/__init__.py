"""regwarden: secure a container image pipeline, ACR first and any OCI registry."""

__version__ = "0.1.0"
