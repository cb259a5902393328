"""One log record (a parsed JSON object or CSV row) → `AuditEvent`, recognising its shape by its keys.

Shapes:
- Log Analytics rows (exports, query API, `az monitor log-analytics query`): the documented column names
  (`TimeGenerated`, `OperationName`, `Identity`, ... ; AzureActivity's `OperationNameValue`, `Caller`,
  `ActivityStatusValue`, `Properties_d`). The table is the row's `Type`, else an ACR `Category`, else the file's
  hint, else told by its columns.
- Storage-account archives of resource logs (Azure Monitor's common schema: `time`, `resourceId`, `operationName`,
  `category`, `resultType`, `resultDescription`, `callerIpAddress`, `identity`, `properties`), ACR's own fields
  (`loginServer`, `repository`, `tag`, `digest`, ...) read from `properties` or the top level, whatever their case.
- Activity Log archives (`insights-activity-logs`: the same common schema, `category` Administrative, Policy, ...,
  the caller in `caller` or `identity.claims`) and `az monitor activity-log list` output (`eventTimestamp`,
  `operationName.value`, `status.value`, `caller`).

A record of another table is None (counted as ignored); one that cannot be used raises `UnusableRecord`.
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from datetime import datetime
from typing import Any

from regwarden.collect.azurelogs.tables import ACTIVITY_CATEGORIES
from regwarden.collect.azurelogs.times import parse_time
from regwarden.model.audit import AuditEvent, AuditTable

_ACR_TABLES = {name: t for t in (AuditTable.LOGIN, AuditTable.REPOSITORY) for name in (t.value, t.value.casefold())}
_TABLES = {**{t.value: t for t in AuditTable}, **{t.value.casefold(): t for t in AuditTable}}
_ARCHIVE_STATUS = {"start": "Started", "success": "Succeeded", "failure": "Failed", "accept": "Accepted"}
_UNSET = (AuditEvent._field_defaults["status"], AuditEvent._field_defaults["properties"])
"""`status` and `properties` of an event that is not an activity."""
_CLAIM_KEYS = (
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    "name",
    "appid",
    "http://schemas.microsoft.com/identity/claims/objectidentifier",
)


class UnusableRecord(ValueError):
    """A record regwarden cannot use; the message is the reason, shared by every record with the same problem."""


def event_from_record(record: Mapping[str, Any], origin: str, hint: AuditTable | None = None) -> AuditEvent | None:
    if "TimeGenerated" in record:
        return _from_row(record, origin, hint)
    if "eventTimestamp" in record:
        return _from_event_data(record, origin)
    if "time" in record:
        return _from_archive(record, origin, hint)
    raise UnusableRecord("no TimeGenerated, time or eventTimestamp: not a log record")


def _from_row(row: Mapping[str, Any], origin: str, hint: AuditTable | None) -> AuditEvent | None:
    table = row_table(text(row.get("Type")), text(row.get("Category")), hint, row)
    if table is None:
        return None
    time = event_time(row.get("TimeGenerated"), "TimeGenerated")
    if table is AuditTable.ACTIVITY:
        operation = text(row.get("OperationNameValue")) or text(row.get("OperationName"))
        return AuditEvent(
            table,
            time,
            required(operation, "OperationNameValue"),
            identity=text(row.get("Caller")),
            caller_ip=text(row.get("CallerIpAddress")),
            resource_id=text(row.get("_ResourceId")) or text(row.get("ResourceId")),
            correlation_id=text(row.get("CorrelationId")),
            status=text(row.get("ActivityStatusValue")) or text(row.get("ActivityStatus")),
            properties=_dynamic(row.get("Properties_d")) or _dynamic(row.get("Properties")),
            origin=origin,
        )
    return AuditEvent(
        table,
        time,
        required(text(row.get("OperationName")), "OperationName"),
        identity=text(row.get("Identity")),
        caller_ip=text(row.get("CallerIpAddress")),
        result_type=text(row.get("ResultType")),
        result_description=text(row.get("ResultDescription")),
        resource_id=text(row.get("_ResourceId")),
        login_server=text(row.get("LoginServer")),
        repository=text(row.get("Repository")),
        tag=text(row.get("Tag")),
        digest=text(row.get("Digest")),
        media_type=text(row.get("MediaType")),
        user_agent=text(row.get("UserAgent")),
        correlation_id=text(row.get("CorrelationId")),
        origin=origin,
    )


def row_table(declared: str, category: str, hint: AuditTable | None, columns: Container[str]) -> AuditTable | None:
    """A Log Analytics row's table: its `Type`, else an ACR `Category`, else the file's hint, else its columns."""
    if declared:
        return _table_named(declared)
    acr = _ACR_TABLES.get(category.casefold())
    if acr is not None:
        return acr
    if hint is not None:
        return hint
    if "OperationNameValue" in columns or "ActivityStatusValue" in columns:
        return AuditTable.ACTIVITY
    if "Repository" in columns or "Digest" in columns:
        return AuditTable.REPOSITORY
    if "LoginServer" in columns or "JwtId" in columns:
        return AuditTable.LOGIN
    raise UnusableRecord("a row of no known table (no Type column, and columns of neither registry log)")


def _table_named(name: str) -> AuditTable | None:
    return _TABLES.get(name) or _TABLES.get(name.casefold())


def _from_archive(record: Mapping[str, Any], origin: str, hint: AuditTable | None) -> AuditEvent | None:
    get = record.get
    category = get("category")
    # The documented spelling first: no conversion or case folding for the usual record.
    table = _ACR_TABLES.get(category) if type(category) is str else None
    if table is None:
        category = text(category).casefold()
        table = _ACR_TABLES.get(category)
    if table is None and (category in ACTIVITY_CATEGORIES or hint is AuditTable.ACTIVITY):
        return _from_activity_archive(record, origin)
    if table is None:
        table = hint if hint in (AuditTable.LOGIN, AuditTable.REPOSITORY) else None
    if table is None:
        return None
    inner = _camel(get("properties")).get
    moment = parse_time(get("time"))
    if moment is None:
        raise UnusableRecord("time missing or not a timestamp")
    operation = get("operationName")
    operation = operation if type(operation) is str else text(operation)
    if not operation:
        raise UnusableRecord("operationName missing or empty")
    who = get("identity") if "identity" in record else inner("identity")
    found = (  # AuditEvent's fields from caller_ip to correlation_id
        get("callerIpAddress") or inner("callerIpAddress"),
        get("resultType") or inner("resultType"),
        get("resultDescription") or inner("resultDescription"),
        get("resourceId"),
        inner("loginServer") or get("loginServer"),
        inner("repository") or get("repository"),
        inner("tag") or get("tag"),
        inner("digest") or get("digest"),
        inner("mediaType") or get("mediaType"),
        inner("userAgent") or get("userAgent"),
        get("correlationId") or inner("correlationId"),
    )
    # Built positionally, with calls only for what is not text already: this runs once per archived record.
    return AuditEvent._make(
        (
            table,
            moment,
            operation,
            who if type(who) is str else _identity(who),
            *[value if type(value) is str else text(value) for value in found],
            *_UNSET,
            origin,
        )
    )


def _camel(value: object) -> Mapping[str, Any]:
    """ACR's fields in an archived record's `properties`, with camelCase keys whatever case the writer used
    (`LoginServer` → `loginServer`): checked on the first key, so the usual camelCase record costs nothing."""
    if not value or (type(value) is not dict and not isinstance(value, Mapping)):
        return {}
    first = next(iter(value))
    if not isinstance(first, str) or not first[:1].isupper():
        return value
    return {str(key)[:1].lower() + str(key)[1:]: item for key, item in value.items()}


def _from_activity_archive(record: Mapping[str, Any], origin: str) -> AuditEvent:
    result = text(record.get("resultType"))
    return AuditEvent(
        AuditTable.ACTIVITY,
        event_time(record.get("time"), "time"),
        required(text(record.get("operationName")), "operationName"),
        identity=text(record.get("caller")) or _identity(record.get("identity")),
        caller_ip=text(record.get("callerIpAddress")),
        result_type=result,
        resource_id=text(record.get("resourceId")),
        correlation_id=text(record.get("correlationId")),
        status=_ARCHIVE_STATUS.get(result.casefold(), result),
        properties=_dynamic(record.get("properties")),
        origin=origin,
    )


def _from_event_data(record: Mapping[str, Any], origin: str) -> AuditEvent:
    request = record.get("httpRequest")
    return AuditEvent(
        AuditTable.ACTIVITY,
        event_time(record.get("eventTimestamp"), "eventTimestamp"),
        required(_value(record.get("operationName")), "operationName.value"),
        identity=text(record.get("caller")),
        caller_ip=text(request.get("clientIpAddress")) if isinstance(request, Mapping) else "",
        resource_id=text(record.get("resourceId")),
        correlation_id=text(record.get("correlationId")),
        status=_value(record.get("status")),
        properties=_dynamic(record.get("properties")),
        origin=origin,
    )


def text(value: object) -> str:
    """A scalar as text: "" for null or absent; numbers as written; anything else as compact JSON."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _value(value: object) -> str:
    """`{"value": "...", "localizedValue": "..."}` (Activity Log list output) or plain text."""
    if isinstance(value, Mapping):
        return text(value.get("value"))
    return text(value)


def _identity(value: object) -> str:
    """Who acted: text as it is; from an identity object, the first claim or id that names someone."""
    if type(value) is str:
        return value
    if not isinstance(value, Mapping):
        return text(value)
    claims = value.get("claims")
    if isinstance(claims, Mapping):
        for key in _CLAIM_KEYS:
            if text(claims.get(key)):
                return text(claims[key])
    authorization = value.get("authorization")
    evidence = authorization.get("evidence") if isinstance(authorization, Mapping) else None
    if isinstance(evidence, Mapping) and text(evidence.get("principalId")):
        return text(evidence["principalId"])
    return text(value) if value else ""


def _dynamic(value: object) -> Mapping[str, object]:
    """A dynamic column: an object as it is, or JSON text of an object (CSV exports, `Properties`)."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def event_time(value: object, column: str) -> datetime:
    moment = parse_time(value)
    if moment is None:
        raise UnusableRecord(f"{column} missing or not a timestamp")
    return moment


def required(value: str, column: str) -> str:
    if not value:
        raise UnusableRecord(f"{column} missing or empty")
    return value
