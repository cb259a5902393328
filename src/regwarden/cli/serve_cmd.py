"""`regwarden serve`: the dashboard, the JSON API, the ingest endpoints and registry webhooks, and the
background jobs, in one process (uvicorn) on 127.0.0.1:8080 by default.

Secrets come from the environment only: REGWARDEN_OIDC_CLIENT_SECRET, REGWARDEN_ACR_WEBHOOK_SECRET,
REGWARDEN_DISTRIBUTION_WEBHOOK_SECRET. The access log is the server's own (method, path without query, status,
time): an OIDC callback's code or a search is never written to it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options
from regwarden.model.access import Role

if TYPE_CHECKING:
    from regwarden.web.settings import ServerSettings


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", help="Port to listen on."),
    db: str | None = options.DB,
    config_file: Path | None = options.CONFIG,
    public_url: str | None = typer.Option(
        None, "--public-url", help="How browsers reach the server (https://… turns on Secure cookies and HSTS)."
    ),
    behind_tls_proxy: bool = typer.Option(False, "--behind-tls-proxy", help="TLS ends at a proxy in front."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="Serve HTTPS with this certificate (PEM)."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="The certificate's private key (PEM)."),
    oidc_issuer: str | None = typer.Option(
        None, "--oidc-issuer", help="OIDC issuer, e.g. https://login.microsoftonline.com/TENANT/v2.0."
    ),
    oidc_client_id: str | None = typer.Option(None, "--oidc-client-id", help="The app registration's client id."),
    oidc_default_role: Role | None = typer.Option(
        None, "--oidc-default-role", help="Role of first-time OIDC users nobody added (default: refuse them)."
    ),
    oidc_ca_file: Path | None = typer.Option(None, "--oidc-ca-file", help="CA bundle for the provider's TLS."),
    jobs: bool = typer.Option(True, "--jobs/--no-jobs", help="Run watch rounds, push ingest and summaries here."),
    insecure: bool = typer.Option(
        False, "--insecure", help="Plain HTTP / unverified TLS when cataloguing pushed images (local registries)."
    ),
    advisory_update: bool = typer.Option(
        True, "--advisory-update/--no-advisory-update", help="Watch rounds start with `db update`."
    ),
) -> None:
    """Serve the dashboard and the API (sign-in required); background jobs run in the same process."""
    import uvicorn

    from regwarden.web.app import create_app
    from regwarden.web.logs import configure_logging

    settings = _settings(
        db, config_file, public_url or _default_url(host, port, tls_cert is not None), behind_tls_proxy,
        oidc_issuer, oidc_client_id, oidc_default_role, oidc_ca_file, jobs, advisory_update, insecure,
    )  # fmt: skip
    configure_logging()
    typer.echo(f"regwarden: serving on {settings.public_url} (database {settings.db_url or 'default'})", err=True)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        server_header=False,
    )


def _settings(
    db: str | None,
    config_file: Path | None,
    public_url: str,
    behind_tls_proxy: bool,
    oidc_issuer: str | None,
    oidc_client_id: str | None,
    oidc_default_role: Role | None,
    oidc_ca_file: Path | None,
    jobs: bool,
    advisory_update: bool,
    insecure: bool,
) -> ServerSettings:
    from regwarden.model.errors import BadInputError
    from regwarden.web.settings import OidcSettings, ServerSettings, WebhookSecrets

    oidc = None
    if oidc_issuer or oidc_client_id:
        secret = os.environ.get("REGWARDEN_OIDC_CLIENT_SECRET", "")
        if not (oidc_issuer and oidc_client_id and secret):
            raise BadInputError(
                "OIDC needs --oidc-issuer, --oidc-client-id and REGWARDEN_OIDC_CLIENT_SECRET in the environment"
            )
        oidc = OidcSettings(oidc_issuer, oidc_client_id, secret, oidc_default_role, ca_file=oidc_ca_file)
    webhooks = WebhookSecrets(
        os.environ.get("REGWARDEN_ACR_WEBHOOK_SECRET") or None,
        os.environ.get("REGWARDEN_DISTRIBUTION_WEBHOOK_SECRET") or None,
    )
    return ServerSettings(
        db_url=db, public_url=public_url, behind_tls_proxy=behind_tls_proxy, oidc=oidc, webhooks=webhooks,
        jobs=jobs, config_file=config_file, update_advisories=advisory_update, insecure_registries=insecure,
    )  # fmt: skip


def _default_url(host: str, port: int, tls: bool) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"
