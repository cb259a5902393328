"""The Notary Project trust policy document: its rules, its verification levels, and which statement applies."""

from __future__ import annotations

from typing import Any

import pytest

from regwarden.signing.identity import parse_identity
from regwarden.signing.trust_policy import Action, TrustPolicyError, parse_trust_policy

SPEC_EXAMPLE = {
    "version": "1.0",
    "trustPolicies": [
        {
            "name": "wabbit-networks-images",
            "registryScopes": [
                "registry.acme-rockets.io/software/net-monitor",
                "registry.acme-rockets.io/software/net-logger",
            ],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:wabbit-networks"],
            "trustedIdentities": ["x509.subject: C=US, ST=WA, L=Seattle, O=wabbit-networks.io, OU=Security Tools"],
        },
        {
            "name": "unsigned-image",
            "registryScopes": ["registry.wabbit-networks.io/software/unsigned/net-utils"],
            "signatureVerification": {"level": "skip"},
        },
        {
            "name": "use-expired-image",
            "registryScopes": ["registry.acme-rockets.io/software/legacy/metrics"],
            "signatureVerification": {"level": "strict", "override": {"expiry": "log", "revocation": "skip"}},
            "trustStores": ["ca:acme-rockets"],
            "trustedIdentities": ["*"],
        },
        {
            "name": "global-policy-for-all-other-images",
            "registryScopes": ["*"],
            "signatureVerification": {"level": "audit"},
            "trustStores": ["ca:acme-rockets", "ca:acme-rockets-ca2"],
            "trustedIdentities": [
                "x509.subject: C=US, ST=WA, L=Seattle, O=acme-rockets.io, OU=Finance, CN=SecureBuilder"
            ],
        },
    ],
}


def test_the_specifications_example_selects_exact_scopes_before_the_global_one() -> None:
    document = parse_trust_policy(SPEC_EXAMPLE)
    chosen = {
        uri: document.select(uri).name  # type: ignore[union-attr]
        for uri in (
            "registry.acme-rockets.io/software/net-monitor",
            "registry.wabbit-networks.io/software/unsigned/net-utils",
            "registry.acme-rockets.io/software/legacy/metrics",
            "docker.io/library/alpine",
        )
    }
    assert chosen == {
        "registry.acme-rockets.io/software/net-monitor": "wabbit-networks-images",
        "registry.wabbit-networks.io/software/unsigned/net-utils": "unsigned-image",
        "registry.acme-rockets.io/software/legacy/metrics": "use-expired-image",
        "docker.io/library/alpine": "global-policy-for-all-other-images",
    }


def test_levels_and_overrides_decide_each_check() -> None:
    statements = {s.name: s for s in parse_trust_policy(SPEC_EXAMPLE).statements}
    checks = ("integrity", "authenticity", "authenticTimestamp", "expiry", "revocation")
    table = {name: tuple(statements[name].action(c).value for c in checks) for name in statements}
    assert table == {
        "wabbit-networks-images": ("enforce",) * 5,
        "unsigned-image": ("skip",) * 5,
        "use-expired-image": ("enforce", "enforce", "enforce", "log", "skip"),
        "global-policy-for-all-other-images": ("enforce", "log", "log", "log", "log"),
    }
    assert statements["use-expired-image"].action("expiry") is Action.LOG


def test_no_statement_applies_without_a_global_scope() -> None:
    document = parse_trust_policy({**SPEC_EXAMPLE, "trustPolicies": SPEC_EXAMPLE["trustPolicies"][:1]})
    assert document.select("docker.io/library/alpine") is None


def _with(**changes: Any) -> dict[str, Any]:
    base = {
        "name": "p",
        "registryScopes": ["r.example/app"],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:s"],
        "trustedIdentities": ["*"],
    }
    return {"version": "1.0", "trustPolicies": [{**base, **changes}]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": "2.0", "trustPolicies": []}, "version must be"),
        (_with(registryScopes=[]), "at least one repository"),
        (_with(registryScopes=["*", "r.example/app"]), "only scope"),
        (_with(registryScopes=["r.example/*"]), "may not contain"),
        (_with(signatureVerification={"level": "lenient"}), "level must be one of"),
        (
            _with(signatureVerification={"level": "strict", "override": {"integrity": "log"}}),
            "cannot override 'integrity'",
        ),
        (_with(signatureVerification={"level": "skip", "override": {"expiry": "log"}}), "cannot be customized"),
        (_with(registryScopes=["*"], signatureVerification={"level": "skip"}), "global scope"),
        (_with(trustStores=["ca"]), "must be TYPE:NAME"),
        (_with(trustStores=["tsa:only"]), "at least one ca: or signingAuthority:"),
        (_with(trustedIdentities=[]), "trustedIdentities must hold"),
        (_with(trustedIdentities=["*", "x509.subject: C=US, ST=WA, O=x"]), "only trusted identity"),
        (_with(trustedIdentities=["x509.subject: C=US, O=x"]), "at least C, ST"),
        (_with(trustedIdentities=["CN=builder"]), "must start with"),
    ],
)
def test_documents_that_break_the_specification_are_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(TrustPolicyError, match=message):
        parse_trust_policy(document)


def test_duplicate_scopes_across_statements_are_refused() -> None:
    first = _with()["trustPolicies"][0]
    with pytest.raises(TrustPolicyError, match="is in both"):
        parse_trust_policy({"version": "1.0", "trustPolicies": [first, {**first, "name": "q"}]})


def test_identities_unescape_commas_and_accept_s_for_state() -> None:
    assert parse_identity(r"x509.subject: C=US, S=WA, O=Acme\, Inc., CN=builder") == {
        "C": "US",
        "ST": "WA",
        "O": "Acme, Inc.",
        "CN": "builder",
    }
