"""`regwarden promote SRC DST` (any registry) and `regwarden quarantine serve | list` (ACR's quarantine webhook;
`quarantine serve` is also `regwarden serve quarantine`, and `regwarden serve --quarantine` mounts the same worker).

Exit codes: 0 promoted (or the worker stopped cleanly), 1 the gate failed (nothing promoted), 3 bad input,
4 a registry was unreachable, 5 authentication, 6 the destination did not end up with SRC's digest, 8 no advisory
database.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from regwarden.model.finding import Severity
    from regwarden.service.gate_signature import SignatureRequirement
    from regwarden.service.images import ImageOptions
    from regwarden.service.quarantine_gate import GateOptions
    from regwarden.service.quarantine_worker import QuarantineWorker
    from regwarden.service.scan import ScanOptions
    from regwarden.store import Store

app = typer.Typer(help="ACR's quarantine: a worker that scans each pushed image and sets Passed or Failed.")


class ResultFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FAIL_ON = typer.Option("high", "--fail-on", help="The gate fails on a finding at least this severe.")
IGNORE_FILE = typer.Option(None, "--ignore-file", help="Accepted risks (YAML), as `scan --ignore-file`.")
VEX = typer.Option([], "--vex", help="OpenVEX document whose statements suppress findings (repeatable).")
POSTURE_FROM = typer.Option(
    [],
    "--posture-from",
    help="Registry export (az acr show, ARM) the registry must also pass `audit acr` with (repeatable).",
)
POSTURE_CONFIG = typer.Option(None, "--posture-config", help="The audit's config file, as `audit acr --config`.")
POSTURE_RECORDED = typer.Option(
    None,
    "--posture-recorded",
    help="Registry name whose newest recorded audit (`audit acr --record`, in --db) must hold no failing rule at "
    "or above high.",
)
SIGNATURE_POLICY = typer.Option(
    None,
    "--signature-policy",
    help="Verification policy (as `verify --policy`): the pushed digest's signatures must satisfy it too.",
)
TRUST_STORE = typer.Option(
    None, "--trust-store", help="Notary Project trust store of --signature-policy (default: the policy's)."
)


def promote(
    source: str = typer.Argument(..., help="The image to promote: REGISTRY/QUARANTINE-REPO:TAG or @DIGEST."),
    destination: str = typer.Argument(
        ..., help="Where to: REGISTRY/RELEASE-REPO[:TAG]; without a tag, SRC's tag (or its digest)."
    ),
    require_pass: bool = typer.Option(
        False, "--require-pass", help="Scan every platform first; promote only when the gate passes."
    ),
    fail_on: str = FAIL_ON,
    ignore_file: Path | None = IGNORE_FILE,
    vex: list[Path] = VEX,
    posture_from: list[Path] = POSTURE_FROM,
    posture_config: Path | None = POSTURE_CONFIG,
    posture_recorded: str | None = POSTURE_RECORDED,
    signature_policy: Path | None = SIGNATURE_POLICY,
    trust_store: Path | None = TRUST_STORE,
    referrers: bool = typer.Option(
        True,
        "--referrers/--no-referrers",
        help="Also copy the image's referrers (signatures, SBOMs, attestations) and cosign tags, digests unchanged.",
    ),
    output: ResultFormat = typer.Option(ResultFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Copy an image to a release repository with its digest (every platform of an index) and its referrers
    (signatures, SBOMs), once it passes the gate: the scan, and the signature and posture conditions given."""
    from regwarden.service.images import ImageOptions
    from regwarden.service.promote import PromoteOptions
    from regwarden.service.promote import promote as run_promote

    image = ImageOptions(insecure=insecure, username=username, password=password, timeout=timeout)
    if (signature_policy is not None or posture_recorded) and not require_pass:
        from regwarden.model.errors import BadInputError

        raise BadInputError("--signature-policy and --posture-recorded are conditions of the gate: give --require-pass")
    posture = (posture_from, posture_config)
    signature = (signature_policy, trust_store)
    gate = _gate(fail_on, db, ignore_file, vex, posture, image, signature=signature, recorded=posture_recorded)
    report = run_promote(source, destination, PromoteOptions(require_pass, gate, image, referrers=referrers))
    warnings = dict.fromkeys(w for i in (report.gate.images if report.gate else ()) for w in i.warnings)
    for warning in warnings:
        typer.echo(f"regwarden: warning: {warning}", err=True)
    if output is ResultFormat.JSON:
        from regwarden.report.quarantine_json import render_promote_json

        options.write_output(render_promote_json(report), output_file)
    else:
        from regwarden.report.quarantine_table import render_promote_table

        options.write_output(render_promote_table(report), output_file)
    if not report.copied:
        typer.echo(f"regwarden: gate failed: {report.source} was not promoted", err=True)
        raise typer.Exit(1)


def _scan_options(
    fail_on: str, db: str | None, ignore_file: Path | None, vex: list[Path], image: ImageOptions
) -> ScanOptions:
    from regwarden.service.scan import ScanOptions

    return ScanOptions(
        image=image, db_url=db, fail_on=parse_severity(fail_on), ignore_file=ignore_file, vex_files=tuple(vex)
    )


def parse_severity(text: str) -> Severity:
    from regwarden.model.errors import BadInputError
    from regwarden.model.finding import Severity

    try:
        return Severity.parse(text)
    except ValueError as error:
        raise BadInputError(f"--fail-on: {error}") from None


SECRET_ENV = "REGWARDEN_QUARANTINE_SECRET"


@app.command("serve")
def serve(
    registry: list[str] = typer.Option(
        ..., "--registry", help="An ACR login server whose quarantine webhook this worker takes (repeatable)."
    ),
    listen: str = typer.Option("127.0.0.1:8088", "--listen", help="HOST:PORT to listen on."),
    secret_env: str = typer.Option(
        SECRET_ENV, "--secret-env", help="Environment variable holding the webhook's shared secret (16+ characters)."
    ),
    secret_header: str = typer.Option(
        "Authorization",
        "--secret-header",
        help="Header ACR sends the secret in: `Authorization: Bearer SECRET`, or any custom header with the bare "
        "secret (az acr webhook create --headers).",
    ),
    fail_on: str = FAIL_ON,
    ignore_file: Path | None = IGNORE_FILE,
    vex: list[Path] = VEX,
    posture_from: list[Path] = POSTURE_FROM,
    posture_config: Path | None = POSTURE_CONFIG,
    posture_recorded: str | None = POSTURE_RECORDED,
    signature_policy: Path | None = SIGNATURE_POLICY,
    trust_store: Path | None = TRUST_STORE,
    catalog: bool = typer.Option(True, "--catalog/--no-catalog", help="Record each checked image in the inventory."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="Serve HTTPS with this certificate (PEM)."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="The certificate's private key (PEM)."),
    poll: float = typer.Option(10.0, "--poll", help="Seconds between looks for due checks (retries, missed ones)."),
    db: str | None = options.DB,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Take ACR's quarantine webhook: scan each pushed image, set its quarantineState Passed or Failed."""
    import os

    from regwarden.lifecycle.quarantine import check_secret
    from regwarden.service.images import ImageOptions

    host, port = _listen_address(listen)
    secret = check_secret(os.environ.get(secret_env, ""))
    image = ImageOptions(insecure=insecure, username=username, password=password, timeout=timeout)
    posture = (posture_from, posture_config)
    signature = (signature_policy, trust_store)
    gate = _gate(fail_on, db, ignore_file, vex, posture, image, signature=signature, recorded=posture_recorded)
    _serve(registry, gate, image, catalog, db, poll, (host, port), (secret, secret_header), (tls_cert, tls_key))


@app.command("list")
def list_checks(
    limit: int = typer.Option(100, "--limit", help="How many of the newest checks to show."),
    output: ResultFormat = typer.Option(ResultFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
) -> None:
    """The quarantine worker's records: each pushed manifest, its state, and why."""
    from regwarden.store import open_store

    with open_store(db) as store:
        checks = store.quarantine.recent(limit)
    if output is ResultFormat.JSON:
        from regwarden.report.quarantine_json import render_checks_json

        options.write_output(render_checks_json(checks), output_file)
    else:
        from regwarden.report.quarantine_table import render_checks_table

        options.write_output(render_checks_table(checks), output_file)


def _gate(
    fail_on: str,
    db: str | None,
    ignore_file: Path | None,
    vex: list[Path],
    posture: tuple[list[Path], Path | None],
    image: ImageOptions,
    *,
    signature: tuple[Path | None, Path | None] = (None, None),
    recorded: str | None = None,
) -> GateOptions:
    """The gate the flags describe; a policy or posture export that cannot be read fails here, before any check."""
    from regwarden.service.quarantine_gate import GateOptions, check_gate_options

    scan = _scan_options(fail_on, db, ignore_file, vex, image)
    gate = GateOptions(
        scan, tuple(posture[0]), posture_config=posture[1], posture_recorded=recorded, signature=_signature(*signature)
    )
    check_gate_options(gate)
    return gate


def _signature(policy: Path | None, trust_store: Path | None) -> SignatureRequirement | None:
    from regwarden.model.errors import BadInputError
    from regwarden.service.gate_signature import SignatureRequirement
    from regwarden.signing.policy import load_policy

    if policy is None:
        if trust_store is not None:
            raise BadInputError("--trust-store belongs to --signature-policy, which was not given")
        return None
    return SignatureRequirement(load_policy(policy, trust_store))


def worker_gate(fail_on: str, db: str | None, image: ImageOptions) -> GateOptions:
    """The gate of a worker mounted into `regwarden serve`: findings at or above `fail_on`, nothing else."""
    return _gate(fail_on, db, None, [], ([], None), image)


def quarantine_worker(
    store: Store, registries: list[str], gate: GateOptions, image: ImageOptions, catalog: bool, poll: float
) -> QuarantineWorker:
    """The worker `quarantine serve` runs and `serve --quarantine` mounts (warns when it can only wait)."""
    from regwarden.service.quarantine import WorkerSettings
    from regwarden.service.quarantine_gate import registry_clients
    from regwarden.service.quarantine_worker import QuarantineWorker

    settings = WorkerSettings(frozenset(r.strip().lower() for r in registries), gate, catalog=catalog)
    if store.advisories.is_empty():
        typer.echo("regwarden: warning: the advisory database is empty: checks wait, then fail", err=True)
    return QuarantineWorker(store, settings, registry_clients(image), poll_seconds=poll, log=_log)


def _serve(
    registries: list[str],
    gate: GateOptions,
    image: ImageOptions,
    catalog: bool,
    db: str | None,
    poll: float,
    address: tuple[str, int],
    auth: tuple[str, str],
    tls: tuple[Path | None, Path | None],
) -> None:
    import uvicorn

    from regwarden.cli.stop_on_sigterm import sigterm_ends_cleanly
    from regwarden.store import open_store
    from regwarden.web.quarantine import WebhookAuth, create_quarantine_app

    with open_store(db) as store:
        worker = quarantine_worker(store, registries, gate, image, catalog, poll)
        app = create_quarantine_app(worker, WebhookAuth(*auth))
        typer.echo(f"regwarden: quarantine worker on {address[0]}:{address[1]} for {', '.join(registries)}", err=True)
        with sigterm_ends_cleanly():
            uvicorn.run(
                app,
                host=address[0],
                port=address[1],
                log_level="warning",
                ssl_certfile=str(tls[0]) if tls[0] else None,
                ssl_keyfile=str(tls[1]) if tls[1] else None,
            )
    typer.echo("regwarden: quarantine worker stopped", err=True)


def _log(line: str) -> None:
    typer.echo(f"regwarden: {line}", err=True)


def _listen_address(text: str) -> tuple[str, int]:
    from regwarden.model.errors import BadInputError

    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise BadInputError(f"--listen: expected HOST:PORT (e.g. 127.0.0.1:8088), got {text!r}")
    return host.strip("[]"), int(port)
