"""deploy/kubernetes renders with `kubectl kustomize` (offline) into what each overlay promises: every pod under the
restricted Pod Security Standard (non-root, no privilege escalation, every capability dropped, seccomp
RuntimeDefault, a read-only root filesystem with only /tmp and /home/regwarden writable, resources set), commands
and options regwarden has, a broker URL and a config file regwarden's own parsers accept, and in Azure, workload
identity for every pod that calls Azure."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from regwarden.cli.app import app
from regwarden.jobs.broker import broker_from_environ
from regwarden.service.job_settings import JobSettings
from regwarden.service.settings import load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
OVERLAYS = ("self-hosted", "azure")
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
RESTRICTED_VOLUMES = {"configMap", "secret", "emptyDir", "projected", "downwardAPI", "persistentVolumeClaim"}
REGWARDEN_WORKLOADS = {"regwarden-worker", "regwarden-beat", "regwarden-api", "regwarden-migrate"}

Objects = dict[tuple[str, str], dict[str, Any]]


def render(overlay: str) -> Objects:
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is not installed: run `make system-deps` (Debian's kubernetes-client)")
    result = subprocess.run(
        ["kubectl", "kustomize", str(DEPLOY / "overlays" / overlay)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    objects = [document for document in yaml.safe_load_all(result.stdout) if document]
    return {(obj["kind"], _base_name(obj)): obj for obj in objects}


def _base_name(obj: dict[str, Any]) -> str:
    name: str = obj["metadata"]["name"]
    # A generated ConfigMap's name ends in a content hash (it differs between kustomize versions).
    return name.rsplit("-", 1)[0] if obj["kind"] == "ConfigMap" else name


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> tuple[str, Objects]:
    return request.param, render(request.param)


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    template: dict[str, Any] = spec["template"]["spec"]
    return template


def workloads(objects: Objects) -> dict[str, dict[str, Any]]:
    return {name: obj for (kind, name), obj in objects.items() if kind in POD_KINDS}


def test_each_overlay_renders_exactly_its_objects() -> None:
    common = {
        ("ServiceAccount", "regwarden"),
        ("ConfigMap", "regwarden-config"),
        ("ConfigMap", "regwarden-env"),
        ("Job", "regwarden-migrate"),
        ("Deployment", "regwarden-worker"),
        ("Deployment", "regwarden-beat"),
        ("Deployment", "regwarden-api"),
        ("Service", "regwarden-api"),
        ("Namespace", "regwarden"),
    }
    assert set(render("self-hosted")) == common | {
        ("Deployment", "regwarden-redis"),
        ("Service", "regwarden-redis"),
        ("NetworkPolicy", "regwarden-redis"),
    }
    admission = {
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
    assert set(render("azure")) == common | admission


def test_the_namespace_enforces_the_restricted_pod_security_standard(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    labels = objects[("Namespace", "regwarden")]["metadata"]["labels"]
    assert {key: labels[key] for key in labels if key.startswith("pod-security")} == {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    namespaced = [
        obj for (kind, _), obj in objects.items() if kind not in ("Namespace", "ValidatingWebhookConfiguration")
    ]
    assert {obj["metadata"]["namespace"] for obj in namespaced} == {"regwarden"}


def test_every_pod_is_restricted_read_only_and_sized(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    for name, obj in workloads(objects).items():
        pod = pod_spec(obj)
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] != 0, name
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert not any(pod.get(key) for key in ("hostNetwork", "hostPID", "hostIPC")), name
        assert {key for volume in pod.get("volumes", []) for key in volume if key != "name"} <= RESTRICTED_VOLUMES
        for container in pod["containers"] + pod.get("initContainers", []):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"]["drop"] == ["ALL"] and "add" not in security["capabilities"], name
            assert not security.get("privileged", False), name
            resources = container["resources"]
            assert set(resources["requests"]) == {"cpu", "memory"} and "memory" in resources["limits"], name


def test_regwarden_pods_write_only_to_tmp_and_home(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    for name, obj in workloads(objects).items():
        if name not in REGWARDEN_WORKLOADS:
            continue
        pod = pod_spec(obj)
        empty = {volume["name"] for volume in pod["volumes"] if "emptyDir" in volume}
        [container] = pod["containers"]
        writable = {mount["mountPath"] for mount in container["volumeMounts"] if mount["name"] in empty}
        assert writable == {"/tmp", "/home/regwarden"}, name
        read_only = [mount for mount in container["volumeMounts"] if mount["name"] not in empty]
        assert all(mount.get("readOnly") for mount in read_only), name


def test_each_container_runs_a_regwarden_command_with_options_it_has(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    commands = {}
    for name, obj in workloads(objects).items():
        if name not in REGWARDEN_WORKLOADS:
            continue
        [container] = pod_spec(obj)["containers"]
        assert container["image"].startswith("regwarden:"), name
        words = [arg for arg in container["args"] if not arg.startswith("-")]
        command = _command(words)
        known = {opt for param in command.params for opt in param.opts}
        assert {arg.split("=", 1)[0] for arg in container["args"] if arg.startswith("-")} <= known, name
        commands[name] = " ".join(words)
    assert commands == {
        "regwarden-worker": "worker",
        "regwarden-beat": "beat",
        "regwarden-api": "serve",
        "regwarden-migrate": "db migrate",
    }


def test_the_store_the_broker_and_the_config_are_what_regwarden_reads(
    overlay: tuple[str, Objects], tmp_path: Path
) -> None:
    name, objects = overlay
    environment = objects[("ConfigMap", "regwarden-env")]["data"]
    broker = broker_from_environ(JobSettings(), environment)
    assert broker is not None
    assert broker.transport == {"self-hosted": "redis", "azure": "azureservicebus"}[name]
    if name == "self-hosted":
        service = objects[("Service", "regwarden-redis")]["spec"]
        assert broker.url == f"redis://regwarden-redis:{service['ports'][0]['port']}/0"
    config = tmp_path / "config.yaml"
    config.write_text(objects[("ConfigMap", "regwarden-config")]["data"]["config.yaml"], encoding="utf-8")
    settings = load_settings(config)
    assert settings.jobs.claim_ttl.total_seconds() == 60 and settings.interval.total_seconds() == 300
    for workload, obj in workloads(objects).items():
        if workload not in REGWARDEN_WORKLOADS:
            continue
        [container] = pod_spec(obj)["containers"]
        env = {item["name"]: item for item in container.get("env", [])}
        assert env["REGWARDEN_DB"]["valueFrom"] == {"secretKeyRef": {"name": "regwarden-database", "key": "url"}}
        sources = [next(iter(source.values()))["name"] for source in container.get("envFrom", [])]
        if workload != "regwarden-migrate":
            assert sources[0].startswith("regwarden-env-") and sources[1:] == ["regwarden-secrets"], workload
    api = pod_spec(objects[("Deployment", "regwarden-api")])["containers"][0]
    assert "REGWARDEN_CONFIG" not in {item["name"] for item in api["env"]}  # rounds are beat's, never the server's


def test_one_beat_at_a_time_and_workers_finish_their_jobs_on_shutdown(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    beat = objects[("Deployment", "regwarden-beat")]["spec"]
    assert (beat["replicas"], beat["strategy"]) == (1, {"type": "Recreate"})
    worker = objects[("Deployment", "regwarden-worker")]["spec"]
    assert worker["replicas"] >= 2 and worker["template"]["spec"]["terminationGracePeriodSeconds"] >= 60
    api = objects[("Deployment", "regwarden-api")]["spec"]["template"]["spec"]["containers"][0]
    probes = {api[probe]["httpGet"]["path"] for probe in ("readinessProbe", "livenessProbe")}
    assert probes == {"/healthz"}
    service = objects[("Service", "regwarden-api")]["spec"]
    assert service["ports"][0]["targetPort"] in {port["name"] for port in api["ports"]}


def test_in_azure_every_pod_that_calls_azure_uses_workload_identity() -> None:
    objects = render("azure")
    for account in ("regwarden", "regwarden-admission"):
        annotations = objects[("ServiceAccount", account)]["metadata"]["annotations"]
        assert set(annotations) == {"azure.workload.identity/client-id"}, account
    labelled = {
        name
        for name, obj in workloads(objects).items()
        if obj["spec"]["template"]["metadata"]["labels"].get("azure.workload.identity/use") == "true"
    }
    assert labelled == {"regwarden-worker", "regwarden-beat", "regwarden-api", "regwarden-admission"}
    assert all(
        pod_spec(obj)["serviceAccountName"] in ("regwarden", "regwarden-admission")
        for obj in workloads(objects).values()
    )


def _command(words: list[str]) -> Any:
    command: Any = typer.main.get_group(app)
    for word in words:
        command = command.get_command(None, word)
    return command
