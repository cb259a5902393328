"""How `regwarden serve` is set up: where the store is, how it is reached, sign-in, webhooks, background jobs.

Secrets (the OIDC client secret, webhook secrets) come from the environment, never from arguments; they are held
here as given and never logged or rendered (`__repr__` hides them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from regwarden.model.access import Role


@dataclass(frozen=True)
class OidcSettings:
    """Microsoft Entra ID (or any OIDC provider): discovery at `{issuer}/.well-known/openid-configuration`."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    default_role: Role | None = None
    """Role of a first-time OIDC user nobody added; None: only users an admin added may sign in."""
    scopes: str = "openid profile email"
    ca_file: Path | None = None
    """Extra CA bundle for the provider's TLS (a private provider); None: the system's."""


@dataclass(frozen=True)
class WebhookSecrets:
    """Shared secrets for registry push webhooks. ACR sends custom headers configured on the webhook
    (`Authorization: Bearer SECRET`); CNCF distribution sends the headers of its `notifications.endpoints`."""

    acr: str | None = field(default=None, repr=False)
    distribution: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RateLimits:
    logins_per_minute: int = 10
    """Failed and successful sign-ins per client address and per user name."""
    webhooks_per_minute: int = 600
    ingest_per_minute: int = 120


@dataclass(frozen=True)
class ServerSettings:
    db_url: str | None = None
    public_url: str = "http://127.0.0.1:8080"
    """How browsers reach the server: https:// turns on Secure cookies and HSTS."""
    behind_tls_proxy: bool = False
    """TLS ends at a proxy in front: treat the server as https (Secure cookies, HSTS) whatever the URL says."""
    session_ttl: timedelta = timedelta(hours=8)
    oidc: OidcSettings | None = None
    webhooks: WebhookSecrets = field(default_factory=WebhookSecrets)
    rate_limits: RateLimits = field(default_factory=RateLimits)
    jobs: bool = True
    """Run the background jobs (watch rounds, webhook ingest, summaries) in this process."""
    config_file: Path | None = None
    """The regwarden config file `watch` reads (registries, clusters, webhooks): with one, the server runs
    watch rounds at its interval."""
    insecure_registries: bool = False
    """Plain HTTP and unverified TLS when cataloguing pushed images (`serve --insecure`, for local registries)."""
    update_advisories: bool = True
    """Watch rounds start with `db update` (off for air-gapped installs that `db import`)."""
    summary_interval: timedelta = timedelta(minutes=5)
    """How often the risk summaries behind the image and vulnerability lists are recomputed, besides at once
    after a change the server made or a push it catalogued (on the benchmark inventory one takes ~12 s of CPU)."""

    @property
    def https(self) -> bool:
        return self.behind_tls_proxy or self.public_url.startswith("https://")
