"""deploy/admission renders with `kubectl kustomize` (offline) into what a cluster needs: the webhook configuration
(failurePolicy Fail, sideEffects None, v1 reviews, the control plane and regwarden's own namespace left out, the CA
injected by cert-manager), its TLS set-up, and a Deployment whose arguments, ports, secret and policy agree with
them; the shipped policy loads with regwarden's own parser and its timeout answers before the API server gives up."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from regwarden.cli.app import app
from regwarden.signing.admission_policy import load_admission_policy
from regwarden.web.admission import ADMISSION_PATH
from tests.signing import pki

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "admission"


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], dict[str, Any]]:
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is not installed: run `make system-deps` (Debian's kubernetes-client)")
    result = subprocess.run(["kubectl", "kustomize", str(DEPLOY)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    objects = [document for document in yaml.safe_load_all(result.stdout) if document]
    return {(obj["kind"], _base_name(obj)): obj for obj in objects}


def _base_name(obj: dict[str, Any]) -> str:
    name: str = obj["metadata"]["name"]
    # A generated ConfigMap's name ends in a content hash (it differs between kustomize versions).
    return name.rsplit("-", 1)[0] if obj["kind"] == "ConfigMap" else name


def test_the_kustomization_renders_every_object_in_the_regwarden_namespace(
    rendered: dict[tuple[str, str], dict[str, Any]],
) -> None:
    assert set(rendered) == {
        ("Namespace", "regwarden"),
        ("ServiceAccount", "regwarden-admission"),
        ("ConfigMap", "regwarden-admission-policy"),
        ("Deployment", "regwarden-admission"),
        ("Service", "regwarden-admission"),
        ("PodDisruptionBudget", "regwarden-admission"),
        ("Issuer", "regwarden-selfsigned"),
        ("Certificate", "regwarden-admission-ca"),
        ("Issuer", "regwarden-admission-ca"),
        ("Certificate", "regwarden-admission"),
        ("ValidatingWebhookConfiguration", "regwarden-admission"),
    }
    namespaced = [key for key in rendered if key[0] not in ("Namespace", "ValidatingWebhookConfiguration")]
    assert {rendered[key]["metadata"]["namespace"] for key in namespaced} == {"regwarden"}


def test_the_webhook_configuration_fails_closed_on_v1_reviews_with_the_ca_from_cert_manager(
    rendered: dict[tuple[str, str], dict[str, Any]],
) -> None:
    configuration = rendered[("ValidatingWebhookConfiguration", "regwarden-admission")]
    assert configuration["metadata"]["annotations"] == {
        "cert-manager.io/inject-ca-from": "regwarden/regwarden-admission"
    }
    [webhook] = configuration["webhooks"]
    assert (webhook["failurePolicy"], webhook["sideEffects"], webhook["admissionReviewVersions"]) == (
        "Fail", "None", ["v1"],
    )  # fmt: skip
    assert webhook["timeoutSeconds"] == 10 and webhook["matchPolicy"] == "Equivalent"
    assert webhook["clientConfig"] == {
        "service": {"name": "regwarden-admission", "namespace": "regwarden", "path": ADMISSION_PATH, "port": 443}
    }
    assert webhook["namespaceSelector"] == {
        "matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn",
             "values": ["kube-system", "regwarden", "cert-manager"]}
        ]
    }  # fmt: skip
    resources = {
        (group, resource)
        for rule in webhook["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        if rule["operations"] == ["CREATE", "UPDATE"] and rule["scope"] == "Namespaced"
    }
    assert resources == {
        ("", "pods"), ("", "pods/ephemeralcontainers"), ("", "replicationcontrollers"),
        ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"),
        ("batch", "jobs"), ("batch", "cronjobs"),
    }  # fmt: skip


def test_cert_manager_issues_the_serving_certificate_for_the_service_the_webhook_calls(
    rendered: dict[tuple[str, str], dict[str, Any]],
) -> None:
    serving = rendered[("Certificate", "regwarden-admission")]["spec"]
    service = rendered[("Service", "regwarden-admission")]
    assert set(serving["dnsNames"]) == {
        f"{service['metadata']['name']}.regwarden.svc",
        f"{service['metadata']['name']}.regwarden.svc.cluster.local",
    }
    assert serving["issuerRef"] == {"name": "regwarden-admission-ca", "kind": "Issuer"}
    assert rendered[("Issuer", "regwarden-admission-ca")]["spec"] == {"ca": {"secretName": "regwarden-admission-ca"}}
    ca = rendered[("Certificate", "regwarden-admission-ca")]["spec"]
    assert (ca["isCA"], ca["secretName"], ca["issuerRef"]["name"]) == (True, "regwarden-admission-ca",
                                                                       "regwarden-selfsigned")  # fmt: skip
    assert rendered[("Issuer", "regwarden-selfsigned")]["spec"] == {"selfSigned": {}}
    volumes = rendered[("Deployment", "regwarden-admission")]["spec"]["template"]["spec"]["volumes"]
    assert {"name": "tls", "secret": {"secretName": serving["secretName"]}} in volumes


def test_the_deployment_runs_serve_admission_with_options_it_has_on_the_port_the_service_targets(
    rendered: dict[tuple[str, str], dict[str, Any]],
) -> None:
    deployment = rendered[("Deployment", "regwarden-admission")]["spec"]
    pod = deployment["template"]["spec"]
    [container] = pod["containers"]
    first, second, *options = container["args"]
    assert (first, second) == ("serve", "admission")
    known = {opt for param in _command(first, second).params for opt in param.opts}
    assert {option.split("=", 1)[0] for option in options} <= known
    arguments = dict(option.split("=", 1) for option in options)
    assert arguments["--listen"] == "0.0.0.0:8443"
    assert container["ports"] == [{"name": "https", "containerPort": 8443}]
    service = rendered[("Service", "regwarden-admission")]["spec"]
    assert service["ports"] == [{"name": "https", "port": 443, "targetPort": "https"}]
    assert service["selector"] == deployment["selector"]["matchLabels"] == deployment["template"]["metadata"]["labels"]
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    assert (
        arguments["--tls-cert"] == f"{mounts['tls']}/tls.crt" and arguments["--tls-key"] == f"{mounts['tls']}/tls.key"
    )
    assert arguments["--policy"] == f"{mounts['policy']}/admission-policy.yaml"
    policy_volume = next(v for v in pod["volumes"] if v["name"] == "policy")
    assert policy_volume["configMap"]["name"].startswith("regwarden-admission-policy-")
    probes = (container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"])
    assert {(probe["path"], probe["port"], probe["scheme"]) for probe in probes} == {("/healthz", "https", "HTTPS")}
    assert deployment["replicas"] == 2
    assert rendered[("PodDisruptionBudget", "regwarden-admission")]["spec"]["minAvailable"] == 1
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_the_shipped_policy_loads_and_answers_before_the_api_server_gives_up(
    rendered: dict[tuple[str, str], dict[str, Any]], tmp_path: Path
) -> None:
    data = rendered[("ConfigMap", "regwarden-admission-policy")]["data"]
    for name, text in data.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    # The trust store is the user's own ConfigMap, mounted where the policy says; stand in a root for it here.
    source = yaml.safe_load(data["admission-policy.yaml"])
    store = tmp_path / "truststore" / "x509" / "ca" / "release"
    store.mkdir(parents=True)
    (store / "root.pem").write_bytes(pki.root("Release Root").pem)
    source["signatures"]["trustStore"] = str(tmp_path / "truststore")
    (tmp_path / "admission-policy.yaml").write_text(yaml.safe_dump(source), encoding="utf-8")
    policy = load_admission_policy(tmp_path / "admission-policy.yaml")
    [webhook] = rendered[("ValidatingWebhookConfiguration", "regwarden-admission")]["webhooks"]
    assert policy.timeout < webhook["timeoutSeconds"]
    assert policy.failure_policy.value == webhook["failurePolicy"]
    assert policy.signatures is not None and policy.registries == (
        "myregistry.azurecr.io", "mcr.microsoft.com/oss/kubernetes/*",
    )  # fmt: skip
    deployment = rendered[("Deployment", "regwarden-admission")]["spec"]["template"]["spec"]
    mounts = {m["name"]: m["mountPath"] for m in deployment["containers"][0]["volumeMounts"]}
    shipped_store = yaml.safe_load(data["admission-policy.yaml"])["signatures"]["trustStore"]
    assert mounts["truststore"] == f"{shipped_store}/x509/ca/release"


def _command(*words: str) -> Any:
    command: Any = typer.main.get_group(app)
    for word in words:
        command = command.get_command(None, word)
    return command
