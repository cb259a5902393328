"""Which workloads are production: the naming default and configured rules, from tables of cases."""

from __future__ import annotations

import pytest

from regwarden.inventory.environment import (
    EnvironmentRules,
    decide_environment,
    load_environment_rules,
    non_production_word,
)
from regwarden.model.errors import BadInputError
from regwarden.model.workload import Environment, Workload

PROD, NON_PROD = Environment.PRODUCTION, Environment.NON_PRODUCTION


def workload(cluster: str = "aks-weu-01", namespace: str = "payments", **labels: str) -> Workload:
    return Workload(cluster, namespace, "Deployment", "api", "api", "acr.io/api:1", None, labels=labels)


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("payments-dev", "dev"),
        ("qa", "qa"),
        ("staging.eu", "staging"),
        ("aks-dev01", "dev"),
        ("team_sandbox", "sandbox"),
        ("TEST", "test"),
        ("paymentsDev", "dev"),
        ("integration-test-2", "test"),
        ("devices", None),
        ("latest", None),
        ("contest", None),
        ("qasim", None),
        ("development", None),
        ("preprod", None),
        ("uat", None),
        ("tests", None),
        ("", None),
    ],
)
def test_non_production_words_are_whole_words(name: str, word: str | None) -> None:
    assert non_production_word(name) == word


@pytest.mark.parametrize(
    ("cluster", "namespace", "environment", "rule"),
    [
        ("aks-weu-01", "payments-dev", NON_PROD, "namespace 'payments-dev' holds the word 'dev'"),
        ("aks-weu-01", "qa", NON_PROD, "namespace 'qa' holds the word 'qa'"),
        ("aks-staging.eu", "payments", NON_PROD, "cluster 'aks-staging.eu' holds the word 'staging'"),
        ("aks-test", "shop-dev", NON_PROD, "namespace 'shop-dev' holds the word 'dev'"),
        ("aks-weu-01", "devices", PROD, None),
        ("aks-latest", "contest", PROD, None),
    ],
)
def test_naming_default(cluster: str, namespace: str, environment: Environment, rule: str | None) -> None:
    decision = decide_environment(workload(cluster, namespace))
    assert decision.environment is environment
    assert decision.rule == (
        rule
        or f"no rule matched and neither namespace '{namespace}' nor cluster '{cluster}' holds dev, test, qa, "
        "staging or sandbox as a word"
    )


CONFIG = {
    "rules": [
        {"match": {"cluster": "aks-prod-*"}, "environment": "production"},
        {"match": {"cluster": "aks-shared", "namespace": "team-*"}, "environment": "non-production"},
        {"match": {"label": "env=prod*"}, "environment": "production"},
        {"match": {"label": "ephemeral"}, "environment": "non-production"},
    ]
}


@pytest.mark.parametrize(
    ("cluster", "namespace", "labels", "environment", "rule"),
    [
        # the first matching rule wins, even over a name that holds 'dev'
        ("aks-prod-weu", "payments-dev", {}, PROD, "config rule 1: cluster matches 'aks-prod-*'"),
        ("AKS-PROD-WEU", "shop", {}, PROD, "config rule 1: cluster matches 'aks-prod-*'"),
        ("aks-prod-weu", "x", {"ephemeral": "yes"}, PROD, "config rule 1: cluster matches 'aks-prod-*'"),
        (
            "aks-shared",
            "team-blue",
            {"env": "production"},
            NON_PROD,
            "config rule 2: cluster matches 'aks-shared' and namespace matches 'team-*'",
        ),
        ("aks-shared", "payments", {"env": "production"}, PROD, "config rule 3: label env=prod*"),
        ("aks-qa", "payments", {"env": "prod"}, PROD, "config rule 3: label env=prod*"),
        ("aks-shared", "payments", {"env": "Prod"}, PROD, None),  # label values are case-sensitive
        ("aks-shared", "payments", {"ephemeral": ""}, NON_PROD, "config rule 4: label ephemeral"),
        (
            "aks-shared",
            "team-blue-dev",
            {},
            NON_PROD,
            "config rule 2: cluster matches 'aks-shared' and namespace matches 'team-*'",
        ),
        ("aks-other", "shop-dev", {}, NON_PROD, "namespace 'shop-dev' holds the word 'dev'"),
    ],
)
def test_configured_rules_first_match_wins(
    cluster: str, namespace: str, labels: dict[str, str], environment: Environment, rule: str | None
) -> None:
    decision = decide_environment(workload(cluster, namespace, **labels), load_environment_rules(CONFIG))
    assert decision.environment is environment
    if rule is not None:
        assert decision.rule == rule
    else:
        assert decision.rule.startswith("no rule matched")


def test_loading_gives_frozen_ordered_rules() -> None:
    rules = load_environment_rules(CONFIG)
    assert [
        (r.position, r.environment, r.cluster, r.namespace, str(r.label) if r.label else None) for r in rules.rules
    ] == [
        (1, PROD, "aks-prod-*", None, None),
        (2, NON_PROD, "aks-shared", "team-*", None),
        (3, PROD, None, None, "env=prod*"),
        (4, NON_PROD, None, None, "ephemeral"),
    ]
    with pytest.raises(AttributeError):
        rules.rules = ()  # type: ignore[misc]


@pytest.mark.parametrize("section", [None, {}, {"rules": []}, {"rules": None}])
def test_no_rules_means_the_default_alone(section: object) -> None:
    assert load_environment_rules(section) == EnvironmentRules()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ([], "environments: expected a mapping with one key, rules"),
        ({"rule": []}, "environments: expected a mapping with one key, rules"),
        ({"rules": {"match": {}}}, "environments.rules: expected a list of rules"),
        ({"rules": ["production"]}, "environments.rules[1]: expected exactly the keys match and environment"),
        ({"rules": [{"match": {"cluster": "a"}}]}, "environments.rules[1]: expected exactly the keys"),
        (
            {"rules": [{"match": {"cluster": "a"}, "environment": "production", "why": "x"}]},
            "environments.rules[1]: expected exactly the keys",
        ),
        ({"rules": [{"match": {}, "environment": "production"}]}, "rules[1].match: expected one or more of cluster"),
        ({"rules": [{"match": {"node": "x"}, "environment": "production"}]}, "rules[1].match: expected one or more"),
        ({"rules": [{"match": "aks-*", "environment": "production"}]}, "rules[1].match: expected one or more"),
        ({"rules": [{"match": {"cluster": ""}, "environment": "production"}]}, "match.cluster: expected a non-empty"),
        ({"rules": [{"match": {"namespace": 3}, "environment": "production"}]}, "match.namespace: expected a non-em"),
        (
            {"rules": [{"match": {"label": "=prod"}, "environment": "production"}]},
            "match.label: expected KEY or KEY=VALUE",
        ),
        (
            {"rules": [{"match": {"cluster": "a"}, "environment": "prod"}]},
            "environments.rules[1].environment: 'prod' is not one of production, non-production",
        ),
    ],
)
def test_bad_config_is_bad_input(section: object, message: str) -> None:
    with pytest.raises(BadInputError) as caught:
        load_environment_rules(section)
    assert message in str(caught.value)
