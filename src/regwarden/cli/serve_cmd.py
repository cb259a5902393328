"""`regwarden serve`: the dashboard, the JSON API, the ingest endpoints and registry webhooks, and the
background jobs, in one process (uvicorn) on 127.0.0.1:8080 by default; `--admission-policy` and `--quarantine` mount
the admission and the ACR quarantine webhooks into it. `serve admission` and `serve quarantine` serve one webhook
alone (they are also `serve-admission`, deprecated, and `quarantine serve`).

Secrets come from the environment only: REGWARDEN_OIDC_CLIENT_SECRET, REGWARDEN_ACR_WEBHOOK_SECRET,
REGWARDEN_DISTRIBUTION_WEBHOOK_SECRET, REGWARDEN_QUARANTINE_SECRET. The access log is the server's own (method, path
without query, status, time): an OIDC callback's code or a search is never written to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import admission_cmd, options, quarantine_cmd
from regwarden.model.access import Role

if TYPE_CHECKING:
    from contextlib import ExitStack

    import uvicorn

    from regwarden.cli.serve_mounts import QuarantineOptions
    from regwarden.web.settings import ServerSettings

app = typer.Typer()

ADMISSION_POLICY = typer.Option(
    None,
    "--admission-policy",
    help="Also answer the Kubernetes admission webhook (POST /admission/validate) with this policy file, as `serve "
    "admission` does; needs --tls-cert/--tls-key (the API server calls webhooks over HTTPS) or --behind-tls-proxy.",
)
QUARANTINE = typer.Option(
    False,
    "--quarantine",
    help="Also take ACR's quarantine webhook (POST /acr/quarantine, secret in REGWARDEN_QUARANTINE_SECRET) and run "
    "its worker here, as `serve quarantine` does.",
)
QUARANTINE_REGISTRY = typer.Option(
    [], "--quarantine-registry", help="With --quarantine: an ACR login server whose webhook it takes (repeatable)."
)
QUARANTINE_FAIL_ON = typer.Option(
    "high", "--quarantine-fail-on", help="With --quarantine: the gate fails on a finding at least this severe."
)
QUARANTINE_SIGNATURE_POLICY = typer.Option(
    None,
    "--quarantine-signature-policy",
    help="With --quarantine: a verification policy (as `verify --policy`) the pushed digest must verify under too.",
)
QUARANTINE_TRUST_STORE = typer.Option(
    None, "--quarantine-trust-store", help="The Notary Project trust store of --quarantine-signature-policy."
)
QUARANTINE_SECRET_HEADER = typer.Option(
    "Authorization",
    "--quarantine-secret-header",
    help="With --quarantine: the header ACR sends the secret in (`Authorization: Bearer SECRET`, or a custom one).",
)


@app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
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
    tls_reload: float = typer.Option(
        30.0, "--tls-reload-interval", help="Seconds between looks for a renewed --tls-cert/--tls-key (no restart)."
    ),
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
    admission_policy: Path | None = ADMISSION_POLICY,
    quarantine: bool = QUARANTINE,
    quarantine_registry: list[str] = QUARANTINE_REGISTRY,
    quarantine_fail_on: str = QUARANTINE_FAIL_ON,
    quarantine_secret_header: str = QUARANTINE_SECRET_HEADER,
    quarantine_signature_policy: Path | None = QUARANTINE_SIGNATURE_POLICY,
    quarantine_trust_store: Path | None = QUARANTINE_TRUST_STORE,
) -> None:
    """Serve the dashboard and the API (sign-in required); background jobs run in the same process.

    `serve admission` and `serve quarantine` serve one webhook alone; --admission-policy and --quarantine mount
    them here, under the same TLS, outside the dashboard's sign-in (each checks its own caller)."""
    if ctx.invoked_subcommand is not None:
        _refuse_server_options(ctx)
        return
    from regwarden.cli.serve_mounts import QuarantineOptions

    settings = _settings(
        db, config_file, public_url or _default_url(host, port, tls_cert is not None), behind_tls_proxy,
        oidc_issuer, oidc_client_id, oidc_default_role, oidc_ca_file, jobs, advisory_update, insecure,
    )  # fmt: skip
    tls_ok = (tls_cert is not None and tls_key is not None) or behind_tls_proxy
    _check_mounts(admission_policy, quarantine, quarantine_registry, tls_ok)
    _check_signature(quarantine, quarantine_signature_policy, quarantine_trust_store)
    worker = QuarantineOptions(
        tuple(quarantine_registry), quarantine_fail_on, quarantine_secret_header, quarantine_signature_policy,
        quarantine_trust_store,
    )  # fmt: skip
    tls = _Tls(tls_cert, tls_key, tls_reload)
    _run(settings, (host, port), tls, admission_policy, worker if quarantine else None)


def _run(
    settings: ServerSettings,
    address: tuple[str, int],
    tls: _Tls,
    admission_policy: Path | None,
    quarantine: QuarantineOptions | None,
) -> None:
    from contextlib import ExitStack

    import uvicorn

    from regwarden.cli.serve_mounts import mounts
    from regwarden.cli.stop_on_sigterm import sigterm_ends_cleanly
    from regwarden.web.app import create_app
    from regwarden.web.logs import configure_logging

    with ExitStack() as stack:
        store, mounted = mounts(stack, settings, admission_policy, quarantine)
        configure_logging()
        config = uvicorn.Config(
            create_app(settings, store, mounts=mounted), host=address[0], port=address[1], access_log=False,
            log_config=None, ssl_certfile=tls.cert_file, ssl_keyfile=tls.key_file, server_header=False,
        )  # fmt: skip
        _reload_certificate(stack, config, tls)
        typer.echo(f"regwarden: serving on {settings.public_url} (database {settings.db_url or 'default'})", err=True)
        with sigterm_ends_cleanly():
            uvicorn.Server(config).run()


@dataclass(frozen=True)
class _Tls:
    cert: Path | None
    key: Path | None
    reload_interval: float

    @property
    def cert_file(self) -> str | None:
        return str(self.cert) if self.cert else None

    @property
    def key_file(self) -> str | None:
        return str(self.key) if self.key else None


def _reload_certificate(stack: ExitStack, config: uvicorn.Config, tls: _Tls) -> None:
    """A renewed certificate (cert-manager rewrites the Secret) is served without a restart: the admission webhook
    mounted here must not start failing the API server's calls the day the old one expires."""
    if tls.cert is None or tls.key is None:
        return
    from regwarden.web.tls_reload import CertificateReloader

    config.load()
    assert config.ssl is not None
    reloader = CertificateReloader(config.ssl, tls.cert, tls.key, tls.reload_interval, _log)
    reloader.start()
    stack.callback(reloader.stop)


def _log(line: str) -> None:
    typer.echo(f"regwarden: {line}", err=True)


def _refuse_server_options(ctx: typer.Context) -> None:
    """`serve --port 1 admission` would drop --port without a word: the subcommands take their own options."""
    from regwarden.model.errors import BadInputError

    given = [
        param.opts[0]
        for param in ctx.command.params
        if param.name and getattr(ctx.get_parameter_source(param.name), "name", "") == "COMMANDLINE"
    ]
    if given:
        raise BadInputError(
            f"{', '.join(given)}: options of `serve` itself; give `serve {ctx.invoked_subcommand}` its options after "
            "its name"
        )


def _check_signature(quarantine: bool, policy: Path | None, trust_store: Path | None) -> None:
    from regwarden.model.errors import BadInputError

    if policy is not None and not quarantine:
        raise BadInputError("--quarantine-signature-policy: only with --quarantine")
    if trust_store is not None and policy is None:
        raise BadInputError("--quarantine-trust-store belongs to --quarantine-signature-policy, which was not given")


def _check_mounts(admission_policy: Path | None, quarantine: bool, registries: list[str], tls: bool) -> None:
    from regwarden.model.errors import BadInputError

    if admission_policy is not None and not tls:
        raise BadInputError(
            "--admission-policy: the API server calls admission webhooks over HTTPS only: give --tls-cert and "
            "--tls-key (or --behind-tls-proxy when TLS ends in front of this server)"
        )
    if registries and not quarantine:
        raise BadInputError("--quarantine-registry: only with --quarantine")
    if quarantine and not registries:
        raise BadInputError("--quarantine: name the registries it serves with --quarantine-registry HOST")


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


app.command("admission")(admission_cmd.serve_admission)
app.command("quarantine")(quarantine_cmd.serve)
