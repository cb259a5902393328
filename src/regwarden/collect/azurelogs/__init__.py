"""Adapters for Azure audit logs: ACR's ContainerRegistryLoginEvents and ContainerRegistryRepositoryEvents and the
AzureActivity log, from Log Analytics exports (JSON, CSV, query API responses), storage-account archives, Activity
Log exports, and live workspace queries. `AuditLogReader` is the entry point."""

from regwarden.collect.azurelogs.reader import AuditLogReader

__all__ = ["AuditLogReader"]
