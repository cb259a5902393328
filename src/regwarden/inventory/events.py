"""What an event says: one production workload newly affected by a vulnerability, or no longer affected.

Events are facts written once, in the transaction that opens or closes the exposure (store/exposures.py), so the
same change never raises two events. The store makes `dedupe_key` unique with the moment of the change: an
exposure that closes and opens again is a new fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from regwarden.model.inventory import Exposure

AFFECTED = "workload.affected"
RESOLVED = "workload.resolved"
AUDIT_FINDING = "audit.finding"
"""A detection fired on a registry's audit logs (`logs analyze`); its payload names the detection and evidence."""
ADMISSION_DENIED = "admission.denied"
"""The admission webhook refused an object (in audit mode: would have); the payload names each image and reason."""
EVENT_KINDS = (AFFECTED, RESOLVED, AUDIT_FINDING, ADMISSION_DENIED)


@dataclass(frozen=True)
class NewEvent:
    kind: str
    dedupe_key: str
    summary: str
    payload: Mapping[str, object]


def exposure_event(exposure: Exposure, opened: bool) -> NewEvent:
    """The event of an exposure opening (`workload.affected`) or closing (`workload.resolved`)."""
    workload, component = exposure.workload, exposure.component
    where = f"{workload.kind} {workload.namespace}/{workload.name} ({workload.cluster}), container {workload.container}"
    package = f"{component.package} {component.version}"
    if opened:
        fixed = f", fixed in {', '.join(component.fixed)}" if component.fixed else ", no fix yet"
        severity = f" ({component.severity})" if component.severity else ""
        summary = f"{exposure.vuln_id}{severity} affects {workload.environment} {where}: {package}{fixed}"
    else:
        summary = f"{exposure.vuln_id} no longer affects {where}: {package}"
    payload: dict[str, object] = {
        "vulnerability": {"id": exposure.vuln_id, "severity": component.severity, "fixed": list(component.fixed)},
        "workload": {
            "cluster": workload.cluster,
            "namespace": workload.namespace,
            "kind": workload.kind,
            "name": workload.name,
            "container": workload.container,
            "environment": workload.environment,
            "environment_rule": workload.environment_rule,
        },
        "image": {"reference": workload.image, "digest": component.digest},
        "package": {"name": component.package, "version": component.version, "purl": component.purl},
    }
    kind = AFFECTED if opened else RESOLVED
    key = f"{kind}:{exposure.workload_id}:{exposure.vuln_id}:{exposure.package_id}:{component.digest}"
    return NewEvent(kind, key, summary, payload)
