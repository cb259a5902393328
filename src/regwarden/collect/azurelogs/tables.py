"""The columns of the three tables as the Azure Monitor table references document them (name → type).

ContainerRegistryLoginEvents, ContainerRegistryRepositoryEvents and AzureActivity, with the types the Log Analytics
query API reports (`string`, `datetime`, `int`, `real`, `dynamic`). Readers use them to coerce CSV text, the alert
rule tests to check that every column a generated query names exists with the type it is compared as.
"""

from __future__ import annotations

from collections.abc import Mapping

from regwarden.model.audit import AuditTable

_STANDARD = {
    "_BilledSize": "real",
    "_IsBillable": "string",
    "_ResourceId": "string",
    "_SubscriptionId": "string",
    "SourceSystem": "string",
    "TenantId": "string",
    "TimeGenerated": "datetime",
    "Type": "string",
}
"""Columns every table has (Azure Monitor's standard columns)."""

_REGISTRY_COMMON = {
    "CallerIpAddress": "string",
    "Category": "string",
    "CorrelationId": "string",
    "DurationMs": "string",
    "Identity": "string",
    "LoginServer": "string",
    "OperationName": "string",
    "Region": "string",
    "ResultDescription": "string",
    "ResultType": "string",
    "UserAgent": "string",
}

LOGIN_COLUMNS: Mapping[str, str] = {**_STANDARD, **_REGISTRY_COMMON, "JwtId": "string"}

REPOSITORY_COLUMNS: Mapping[str, str] = {
    **_STANDARD,
    **_REGISTRY_COMMON,
    "ArtifactType": "string",
    "Digest": "string",
    "MediaType": "string",
    "Repository": "string",
    "Size": "int",
    "Tag": "string",
    "UserTenantId": "string",
}

ACTIVITY_COLUMNS: Mapping[str, str] = {
    **_STANDARD,
    "ActivityStatus": "string",
    "ActivityStatusValue": "string",
    "ActivitySubstatus": "string",
    "ActivitySubstatusValue": "string",
    "Authorization": "string",
    "Authorization_d": "dynamic",
    "Caller": "string",
    "CallerIpAddress": "string",
    "Category": "string",
    "CategoryValue": "string",
    "Claims": "string",
    "Claims_d": "dynamic",
    "CorrelationId": "string",
    "EventDataId": "string",
    "EventSubmissionTimestamp": "datetime",
    "Hierarchy": "string",
    "HTTPRequest": "string",
    "Level": "string",
    "OperationId": "string",
    "OperationName": "string",
    "OperationNameValue": "string",
    "Properties": "string",
    "Properties_d": "dynamic",
    "Resource": "string",
    "ResourceGroup": "string",
    "ResourceId": "string",
    "ResourceProvider": "string",
    "ResourceProviderValue": "string",
    "SubscriptionId": "string",
}

COLUMNS: Mapping[AuditTable, Mapping[str, str]] = {
    AuditTable.LOGIN: LOGIN_COLUMNS,
    AuditTable.REPOSITORY: REPOSITORY_COLUMNS,
    AuditTable.ACTIVITY: ACTIVITY_COLUMNS,
}

ACTIVITY_CATEGORIES = frozenset(
    {
        "administrative",
        "security",
        "servicehealth",
        "alert",
        "recommendation",
        "policy",
        "autoscale",
        "resourcehealth",
    }
)
"""Activity Log categories (`CategoryValue`, or `category` in an archive): records of any of them are activities."""
