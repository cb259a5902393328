"""`regwarden referrers | verify | sign`: what is attached to an image, whether its signatures satisfy a policy,
and a Notation signature pushed next to it.

Exit codes: 0 ok, 1 the policy is not met (verify), 3 bad input (policy, key, chain), 4 registry unreachable,
5 not authorized, 7 image not found.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from regwarden.model.trust import AttachedArtifact, VerificationResult


class TrustFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


IMAGE = typer.Argument(..., help="registry/repository:tag or registry/repository@sha256:…")
OUTPUT = typer.Option(TrustFormat.TABLE, "--output", "-o", help="Output format.")


def referrers(
    image: str = IMAGE,
    output: TrustFormat = OUTPUT,
    output_file: Path | None = options.OUTPUT_FILE,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """List the signatures, SBOMs and attestations attached to an image (referrers and cosign tags)."""
    from regwarden.report.trust_json import render_attached_json
    from regwarden.report.trust_table import render_attached_table
    from regwarden.service.images import ImageOptions
    from regwarden.service.trust import connect_for, list_attached

    reference, client = connect_for(image, ImageOptions.from_cli(None, insecure, username, password, timeout))
    with client:
        subject, attached = list_attached(client, reference)
    render = render_attached_json if output is TrustFormat.JSON else render_attached_table
    options.write_output(render(subject.reference, subject.descriptor.digest, attached), output_file)


def verify(
    image: str = IMAGE,
    policy: Path = typer.Option(
        ..., "--policy", help="Verification policy (YAML/JSON), or a Notary Project trustpolicy.json."
    ),
    trust_store: Path | None = typer.Option(
        None, "--trust-store", help="Notary Project trust store directory (default: the policy's, or truststore/)."
    ),
    offline: bool = typer.Option(False, "--offline", help="Never download CRLs; only those the policy names are used."),
    record: bool = typer.Option(
        False,
        "--record",
        help="Also store the result and the attached artifacts in the database (--db): the image's page shows them.",
    ),
    db: str | None = options.DB,
    output: TrustFormat = OUTPUT,
    output_file: Path | None = options.OUTPUT_FILE,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Verify an image's Notation and cosign signatures against a policy; exit 1 when it is not met."""
    from regwarden.report.trust_json import render_verification_json
    from regwarden.report.trust_table import render_verification_table
    from regwarden.service.images import ImageOptions
    from regwarden.service.trust import connect_for, list_attached, verify_image
    from regwarden.signing.policy import load_policy

    loaded = load_policy(policy, trust_store)
    reference, client = connect_for(image, ImageOptions.from_cli(None, insecure, username, password, timeout))
    with client:
        result = verify_image(reference, loaded, client, fetch_crl=(lambda _url: None) if offline else None)
        # Listed by digest: what was verified, even if the tag moved meanwhile.
        attached = list_attached(client, reference.with_digest(result.digest))[1] if record else None
    render = render_verification_json if output is TrustFormat.JSON else render_verification_table
    options.write_output(render(result), output_file)
    if attached is not None:
        _record(result, reference.name, attached, policy, db)
    if not result.passed:
        typer.echo(f"regwarden: verification failed: {result.reason}: {result.message}", err=True)
        raise typer.Exit(1)


def sign(
    image: str = IMAGE,
    key: Path = typer.Option(..., "--key", help="PEM private key (RSA 2048/3072/4096 or EC P-256/384/521)."),
    cert: Path = typer.Option(..., "--cert", help="PEM certificate chain: the key's certificate first, root last."),
    key_password: str | None = typer.Option(
        None, "--key-password", envvar="REGWARDEN_KEY_PASSWORD", help="Password of an encrypted key."
    ),
    expiry: str | None = typer.Option(
        None, "--expiry", help="Signature expiry, RFC 3339 (e.g. 2027-01-01T00:00:00Z); none by default."
    ),
    output: TrustFormat = OUTPUT,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Sign an image with a Notation JWS signature and push it as a referrer of the image."""
    import json

    from regwarden.service.images import ImageOptions
    from regwarden.service.sign import load_signing_key, sign_image
    from regwarden.service.trust import connect_for

    signing_key = load_signing_key(key, key_password)
    until = _parse_time(expiry) if expiry else None
    reference, client = connect_for(image, ImageOptions.from_cli(None, insecure, username, password, timeout))
    with client:
        outcome = sign_image(reference, signing_key, cert, client, expiry=until)
    if output is TrustFormat.JSON:
        document = {
            "reference": outcome.reference,
            "digest": outcome.subject_digest,
            "signature": outcome.signature_digest,
            "indexed_by": outcome.indexed_by,
        }
        options.write_output((json.dumps(document, indent=2) + "\n").encode(), None)
        return
    typer.echo(f"signed {outcome.reference} ({outcome.subject_digest})")
    typer.echo(f"signature {outcome.signature_digest}, found through the {outcome.indexed_by}")


def _record(
    result: VerificationResult, repository: str, attached: list[AttachedArtifact], policy: Path, db: str | None
) -> None:
    from regwarden.service.signature_record import record_verification
    from regwarden.store import open_store

    with open_store(db) as store:
        record_verification(store, result, repository, attached, policy)
    outcome = "passed" if result.passed else f"failed: {result.reason}"
    typer.echo(
        f"regwarden: recorded the verification of {result.digest} ({outcome}, {len(attached)} attached)", err=True
    )


def _parse_time(text: str) -> datetime:
    from regwarden.model.errors import BadInputError

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"--expiry: {text!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise BadInputError(f"--expiry: {text!r} needs a time zone (e.g. Z)")
    return moment
