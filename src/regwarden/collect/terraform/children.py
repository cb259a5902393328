"""A registry's own sub-resources in Terraform → model objects: scope maps, tokens (+ passwords), webhooks,
tasks and private endpoints.

Each parser takes one `TfResource` and the origin. Linking a child to its registry is the caller's job
(terraform/mapping.py); linking a token to its scope map or password resource happens here, through `Index`.
"""

from __future__ import annotations

import base64
import binascii

from regwarden.collect.coerce import to_bool, to_str
from regwarden.collect.terraform.common import Reader, TfResource, Unknown, blocks, enabled_word, lookup
from regwarden.collect.terraform.index import Index, resource_id, resource_name
from regwarden.model.arm_id import fold_id
from regwarden.model.registry import (
    PrivateEndpointConnection,
    RegistryTask,
    ScopeMap,
    TaskTrigger,
    Token,
    TokenPassword,
    Value,
    Webhook,
)

SCOPE_MAP = "azurerm_container_registry_scope_map"
TOKEN = "azurerm_container_registry_token"
TOKEN_PASSWORD = "azurerm_container_registry_token_password"


def parse_scope_map(resource: TfResource, origin: str) -> ScopeMap:
    reader = Reader(resource, origin)
    raw = lookup(resource.values, "actions")
    path = reader.path("actions")
    actions: Value[tuple[str, ...]]
    if isinstance(raw, list) and all(isinstance(a, str) for a in raw):
        actions = Value.explicit(tuple(raw), path, origin)
    else:
        reason = raw.reason if isinstance(raw, Unknown) else f"expected a list of actions, got {raw!r}"
        actions = Value.unresolved(path, reason, origin)
    return ScopeMap(resource_name(resource), resource_id(resource), actions)


def parse_token(resource: TfResource, origin: str, index: Index) -> Token:
    reader = Reader(resource, origin)
    return Token(
        name=resource_name(resource),
        status=reader.read(("enabled",), "enabled", enabled_word(False), "a boolean"),
        scope_map_id=_scope_map_id(reader, index),
        passwords=_passwords(resource, origin, index),
    )


def _scope_map_id(reader: Reader, index: Index) -> Value[str]:
    path = reader.path("scope_map_id")
    value = reader.read(("scope_map_id",), None, to_str, "a resource id")
    if value.known:
        return value
    # Unknown until apply, but the expression names the scope map resource: its name is what matters.
    for reference in reader.resource.refs_of_type("scope_map_id", SCOPE_MAP):
        for scope_map in index.by_base(reference):
            return Value.explicit(f"{resource_id(scope_map)}/{resource_name(scope_map)}", path, reader.origin)
    raw = lookup(reader.resource.values, "scope_map_id")
    if isinstance(raw, Unknown) and "/scopemaps/" in raw.literal_tail.casefold():
        # `"${azurerm_container_registry.acr.id}/scopeMaps/_repositories_push"`: the map's name is literal.
        registries = sorted(reader.resource.references.get("scope_map_id", frozenset())) or [reader.resource.base]
        return Value.explicit(f"{registries[0]}.id{raw.literal_tail}", path, reader.origin)
    return value


def _passwords(token: TfResource, origin: str, index: Index) -> Value[tuple[TokenPassword, ...]]:
    path = f"{TOKEN_PASSWORD}.password1/password2"
    if not index.declared(TOKEN_PASSWORD):
        return Value.unavailable(path, "no token passwords declared in this configuration", origin)
    found: list[TokenPassword] = []
    holders = index.linked(
        TOKEN_PASSWORD, "container_registry_token_id", token.base, [fold_id(resource_id(token))], False
    )
    for holder in holders:
        reader = Reader(holder, origin)
        for slot in ("password1", "password2"):
            if blocks(holder.values, slot):
                # No expiry means the password never expires (DEFAULT None).
                expiry = reader.read((slot, 0, "expiry"), None, to_str, "an RFC 3339 time")
                found.append(TokenPassword(slot, expiry))
    return Value.explicit(tuple(found), path, origin)


def parse_webhook(resource: TfResource, origin: str) -> Webhook:
    reader = Reader(resource, origin)
    return Webhook(
        resource_name(resource),
        reader.read(("service_uri",), None, to_str, "a URI"),
        reader.read(("status",), "enabled", to_str, "a string"),
    )


def parse_task(resource: TfResource, origin: str) -> RegistryTask:
    reader = Reader(resource, origin)
    return RegistryTask(
        name=resource_name(resource),
        status=reader.read(("enabled",), "Enabled", enabled_word(True), "a boolean"),
        triggers=_triggers(resource),
        command=_command(reader),
    )


def _triggers(resource: TfResource) -> tuple[TaskTrigger, ...]:
    found: list[TaskTrigger] = []
    timers = blocks(resource.values, "timer_trigger")
    for timer in timers if not isinstance(timers, Unknown) else []:
        if to_bool(lookup(timer, "enabled")) is not False:
            found.append(TaskTrigger("timer", to_str(lookup(timer, "schedule"))))
    sources = blocks(resource.values, "source_trigger")
    found.extend(TaskTrigger("sourceTrigger") for _ in (sources if not isinstance(sources, Unknown) else []))
    if blocks(resource.values, "base_image_trigger"):
        found.append(TaskTrigger("baseImageTrigger"))
    return tuple(found)


def _command(reader: Reader) -> Value[str]:
    values = reader.resource.values
    if blocks(values, "encoded_step"):
        content = reader.read(("encoded_step", 0, "task_content"), None, to_str, "task content")
        if content.known and content.value is not None:
            return Value.explicit(_decode(content.value), content.path, reader.origin)
        return content
    if blocks(values, "docker_step"):
        dockerfile = reader.text("docker_step", 0, "dockerfile_path") or "Dockerfile"
        return Value.explicit(f"docker build -f {dockerfile}", reader.path("docker_step"), reader.origin)
    if blocks(values, "file_step"):
        return Value.unavailable(
            reader.path("file_step", 0, "task_file_path"),
            "the task file's content is not in the input",
            reader.origin,
        )
    return Value.unavailable(reader.path("encoded_step"), "the task declares no step", reader.origin)


def _decode(content: str) -> str:
    """azurerm accepts task_content raw or base64-encoded; show the YAML either way."""
    try:
        return base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return content


def parse_private_endpoint(
    endpoint: TfResource, connection: int, origin: str, planned_fqdns: tuple[str, ...]
) -> PrivateEndpointConnection:
    """One `private_service_connection` of an `azurerm_private_endpoint` that targets the registry.

    `planned_fqdns` stand in for `custom_dns_configs` while those are not known (before apply).
    """
    reader = Reader(endpoint, origin)
    manual = reader.read(("private_service_connection", connection, "is_manual_connection"), False, to_bool, "bool")
    path = reader.path("private_service_connection", connection, "is_manual_connection")
    status: Value[str]
    if not manual.known:
        status = Value.unresolved(path, manual.reason or "unknown", origin)
    else:
        # An automatic connection is approved on creation; a manual one waits for the registry owner.
        status = Value("Pending" if manual.value else "Approved", manual.source, path, origin)
    configs = blocks(endpoint.values, "custom_dns_configs")
    # Computed: unknown in a plan, unwritten in source; only a state (or a refreshed plan) lists them.
    pending = lookup(endpoint.values, "custom_dns_configs") is None or isinstance(configs, Unknown)
    fqdns: list[str] = list(planned_fqdns) if pending else []
    for config in configs if not isinstance(configs, Unknown) else []:
        fqdn = lookup(config, "fqdn")
        if isinstance(fqdn, str):
            fqdns.append(fqdn)
    return PrivateEndpointConnection(
        name=resource_name(endpoint),
        status=status,
        private_endpoint_id=resource_id(endpoint),
        location=reader.text("location"),
        dns_fqdns=tuple(fqdns),
    )
