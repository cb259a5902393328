"""What `regwarden serve --admission-policy FILE` and `serve --quarantine` mount into the server (web/mounts.py).

Everything that can be wrong (the policy file, the quarantine secret, the gate's advisory database) is checked here,
before the server starts, so a mistake is a clear error and an exit code, not a failed start-up inside uvicorn.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from regwarden.service.quarantine_gate import GateOptions
    from regwarden.store import Store
    from regwarden.web.app import Mount
    from regwarden.web.settings import ServerSettings

QUARANTINE_SECRET_ENV = "REGWARDEN_QUARANTINE_SECRET"
ADMISSION_REGISTRY_TIMEOUT = 5.0
"""Seconds per registry request while deciding, as `serve admission` defaults to: the API server waits at most 10."""


@dataclass(frozen=True)
class QuarantineOptions:
    registries: tuple[str, ...]
    fail_on: str
    secret_header: str
    signature_policy: Path | None = None
    """As `quarantine serve --signature-policy`: the pushed digest must verify under it too."""
    trust_store: Path | None = None


def mounts(
    stack: ExitStack, settings: ServerSettings, admission_policy: Path | None, quarantine: QuarantineOptions | None
) -> tuple[Store | None, tuple[Mount, ...]]:
    """The mounts asked for, and the store the server is to share with the quarantine worker (None: the server opens
    its own at start, as without mounts). The store is closed when `stack` is."""
    found: list[Mount] = []
    if admission_policy is not None:
        found.append(_admission(admission_policy, settings))
    store = None
    if quarantine is not None:
        from regwarden.store import open_store

        store = stack.enter_context(open_store(settings.db_url))
        found.append(_quarantine(store, quarantine, settings))
    return store, tuple(found)


def _admission(policy: Path, settings: ServerSettings) -> Mount:
    from regwarden.service.admission import AdmissionSettings
    from regwarden.service.images import ImageOptions
    from regwarden.signing.admission_policy import load_admission_policy
    from regwarden.web.admission import ADMISSION_PATH
    from regwarden.web.mounts import admission_mount

    loaded = load_admission_policy(policy)
    image = ImageOptions(insecure=settings.insecure_registries, timeout=ADMISSION_REGISTRY_TIMEOUT)
    admission = AdmissionSettings(policy, None, settings.db_url, settings.config_file, image)
    typer.echo(f"regwarden: admission webhook on {settings.public_url}{ADMISSION_PATH}: {loaded.describe()}", err=True)
    return admission_mount(admission)


def _quarantine(store: Store, options: QuarantineOptions, settings: ServerSettings) -> Mount:
    from regwarden.cli.quarantine_cmd import quarantine_worker, worker_gate
    from regwarden.lifecycle.quarantine import check_secret
    from regwarden.model.errors import BadInputError
    from regwarden.service.images import ImageOptions
    from regwarden.web.mounts import quarantine_mount
    from regwarden.web.quarantine import WEBHOOK_PATH, WebhookAuth

    try:
        secret = check_secret(os.environ.get(QUARANTINE_SECRET_ENV, ""))
    except BadInputError as error:
        raise BadInputError(f"--quarantine: {QUARANTINE_SECRET_ENV}: {error}") from None
    image = ImageOptions(insecure=settings.insecure_registries)
    gate = _with_signature(worker_gate(options.fail_on, settings.db_url, image), options)
    worker = quarantine_worker(store, list(options.registries), gate, image, catalog=True, poll=10.0)
    registries = ", ".join(options.registries)
    typer.echo(f"regwarden: quarantine webhook on {settings.public_url}{WEBHOOK_PATH} for {registries}", err=True)
    return quarantine_mount(worker, WebhookAuth(secret, options.secret_header))


def _with_signature(gate: GateOptions, options: QuarantineOptions) -> GateOptions:
    if options.signature_policy is None:
        return gate
    from dataclasses import replace

    from regwarden.service.gate_signature import SignatureRequirement
    from regwarden.signing.policy import load_policy

    return replace(gate, signature=SignatureRequirement(load_policy(options.signature_policy, options.trust_store)))
