"""The gate's recorded-posture condition: the registry's newest `audit acr --record` results, read from the
database, must hold no failing rule at or above a severity.

It is the stored counterpart of `--posture-from` (which audits the exports given, at each check): the audit is
run and recorded on its own schedule, and the gate only reads its newest run, naming when it was recorded so a
stale baseline shows. A registry with no recorded audit fails the condition: a posture nobody checked never passes.
"""

from __future__ import annotations

from datetime import UTC

from regwarden.model.errors import NotFoundError
from regwarden.model.finding import Severity
from regwarden.model.posture_record import RegistryPosture
from regwarden.model.quarantine import Condition


def recorded_posture_condition(db_url: str | None, registry_name: str, threshold: Severity) -> Condition:
    """The condition for `registry_name` (its Azure resource name, as `audit acr` records it)."""
    from regwarden.service.posture_history import registry_posture
    from regwarden.store import open_store

    name = f"recorded posture of {registry_name} (--fail-on {threshold.value})"
    with open_store(db_url) as store:
        try:
            posture, _ = registry_posture(store, registry_name)
        except NotFoundError as error:
            return Condition(name, False, str(error))
    return Condition(name, *_judge(posture, threshold))


def _judge(posture: RegistryPosture, threshold: Severity) -> tuple[bool, str]:
    when = f"run {posture.run_id} of {posture.recorded_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    failing = sorted(
        {r.rule_id for r in posture.failing if Severity.parse(r.severity).rank >= threshold.rank},
    )
    if failing:
        return False, f"{when}: {len(failing)} rule(s) fail: {', '.join(failing)}"
    return True, f"{when}: {len(posture.results)} rule result(s), none failing at or above {threshold.value}"
