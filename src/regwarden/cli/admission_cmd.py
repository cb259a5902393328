"""`regwarden serve admission`: the Kubernetes validating admission webhook, over HTTPS (uvicorn). `serve-admission`
is its former spelling, kept hidden and deprecated for manifests that still use it; `regwarden serve
--admission-policy FILE` mounts the same route into the dashboard's server.

The policy file is read and checked before the server starts (a mistake is exit 3, not a traceback); the TLS
certificate and key are required (the API server calls webhooks over HTTPS only) and reloaded when cert-manager
renews them. Registry access is as for every registry command: --username/--password or the environment, docker's
config, or Azure AD (workload identity, managed identity) for an ACR.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from regwarden.cli import options
from regwarden.model.admission import AdmissionMode

if TYPE_CHECKING:
    from regwarden.service.admission import AdmissionSettings


def serve_admission(
    policy: Path = typer.Option(..., "--policy", help="The admission policy file (YAML; see docs/admission.md)."),
    tls_cert: Path = typer.Option(
        ..., "--tls-cert", help="The server's certificate (PEM), e.g. cert-manager's tls.crt."
    ),
    tls_key: Path = typer.Option(..., "--tls-key", help="Its private key (PEM), e.g. cert-manager's tls.key."),
    listen: str = typer.Option("127.0.0.1:8443", "--listen", help="HOST:PORT to listen on (in a pod: 0.0.0.0:8443)."),
    mode: AdmissionMode | None = typer.Option(
        None, "--mode", help="enforce (deny) or audit (allow and warn); overrides the policy file's mode."
    ),
    db: str | None = options.DB,
    config_file: Path | None = options.CONFIG,
    deliver: bool = typer.Option(
        True, "--deliver/--no-deliver", help="Deliver admission events to the config's webhooks from this process."
    ),
    tls_reload: float = typer.Option(30.0, "--tls-reload-interval", help="Seconds between looks for a renewed cert."),
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = typer.Option(5.0, "--timeout", help="Per-request registry timeout in seconds."),
) -> None:
    """Serve the Kubernetes admission webhook: admit only images the policy allows (signed, scanned, ...)."""
    from regwarden.cli.quarantine_cmd import _listen_address
    from regwarden.service.admission import AdmissionSettings
    from regwarden.service.images import ImageOptions
    from regwarden.signing.admission_policy import load_admission_policy

    host, port = _listen_address(listen)
    _check_readable(tls_cert, "--tls-cert")
    _check_readable(tls_key, "--tls-key")
    loaded = load_admission_policy(policy)
    image = ImageOptions(insecure=insecure, username=username, password=password, timeout=timeout)
    settings = AdmissionSettings(policy, mode, db, config_file, image, deliver)
    typer.echo(
        f"regwarden: admission webhook on https://{host}:{port}/admission/validate: {loaded.describe()}", err=True
    )
    _run(settings, host, port, (tls_cert, tls_key), tls_reload)


@functools.wraps(serve_admission)
def serve_admission_deprecated(**values: Any) -> None:
    typer.echo("regwarden: warning: `serve-admission` is deprecated: use `regwarden serve admission` (same options)",
               err=True)  # fmt: skip
    serve_admission(**values)


def _run(settings: AdmissionSettings, host: str, port: int, tls: tuple[Path, Path], reload_interval: float) -> None:
    import uvicorn

    from regwarden.cli.stop_on_sigterm import sigterm_ends_cleanly
    from regwarden.web.admission import admission_app
    from regwarden.web.tls_reload import CertificateReloader

    config = uvicorn.Config(
        admission_app(settings), host=host, port=port, ssl_certfile=str(tls[0]), ssl_keyfile=str(tls[1]),
        log_level="warning", access_log=False, server_header=False, timeout_graceful_shutdown=10,
    )  # fmt: skip
    config.load()
    assert config.ssl is not None
    reloader = CertificateReloader(config.ssl, tls[0], tls[1], reload_interval, _log)
    reloader.start()
    try:
        with sigterm_ends_cleanly():
            uvicorn.Server(config).run()
    finally:
        reloader.stop()
    typer.echo("regwarden: admission webhook stopped", err=True)


def _check_readable(path: Path, option: str) -> None:
    from regwarden.model.errors import BadInputError

    try:
        path.read_bytes()
    except OSError as error:
        raise BadInputError(f"{option}: cannot read {path}: {error.strerror}") from None


def _log(line: str) -> None:
    typer.echo(f"regwarden: {line}", err=True)
