"""RW-ACR-022: a scheduled ACR task runs `acr purge`."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-022",
    slug="purge-scheduled",
    title="Purge scheduled",
    severity=Severity.LOW,
    category="supply-chain",
    rationale=(
        "Retention only removes untagged manifests; old tagged images stay pullable forever unless something "
        "purges them. A disabled task or a disabled timer does not count. No anchor checks this."
    ),
    remediation=Remediation(
        az=(
            "az acr task create --registry <registry> --name purge --cmd \"acr purge --filter '.*:.*' "
            '--ago 90d --untagged" --schedule "0 1 * * Sun" --context /dev/null'
        ),
        bicep=(
            "resource purge 'Microsoft.ContainerRegistry/registries/tasks@2019-06-01-preview' = { ... timerTriggers }"
        ),
        terraform=('resource "azurerm_container_registry_task" "purge" { timer_trigger { schedule = "0 1 * * Sun" } }'),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    tasks = registry.tasks
    if unknown := unknown_unless_known(tasks):
        return unknown
    unreadable = []
    for task in tasks.value or ():
        if task.status.known and text(task.status) == "disabled":
            continue
        if not any(t.kind == "timer" for t in task.triggers):
            continue
        if not task.command.known:
            unreadable.append(task.name)
        elif "acr purge" in str(task.command.value):
            return passed(f"task {task.name} runs acr purge on a timer", tasks, task.command)
    if unreadable:
        message = f"the command of scheduled tasks is not in the input: {', '.join(unreadable)}"
        return Check(Status.UNKNOWN, message, evidence(tasks))
    return failed("no enabled task with a timer trigger runs acr purge", tasks)


RULE = FunctionRule(META, check)
