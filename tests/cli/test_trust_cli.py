"""`regwarden sign`, `referrers` and `verify` against the real registry (CNCF distribution: no referrers API,
so signatures go through the `sha256-<hex>` tag schema), with keys and certificates made here."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from regwarden.model.image import Descriptor
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import RegistryClient
from regwarden.oci.upload import put_manifest, upload_blob
from regwarden.signing import cosign
from tests.cli.cli_support import assert_clean_failure, invoke, invoke_json
from tests.signing import pki
from tests.support.registry import RunningRegistry, push

pytestmark = pytest.mark.registry
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo.oci.tar"


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A signing key, its chain (leaf, intermediate, root), a trust store and a policy file."""
    directory = tmp_path_factory.mktemp("trust")
    root = pki.root("CI Root")
    middle = pki.intermediate(root, "CI Intermediate")
    signer = pki.leaf(middle, "ci-signer")
    (directory / "signer.key").write_bytes(signer.key_pem)
    (directory / "chain.pem").write_bytes(signer.pem + middle.pem + root.pem)
    store = directory / "truststore" / "x509" / "ca" / "ci"
    store.mkdir(parents=True)
    (store / "root.pem").write_bytes(root.pem)
    trust_policy = {
        "version": "1.0",
        "trustPolicies": [
            {
                "name": "ci",
                "registryScopes": ["*"],
                "signatureVerification": {"level": "strict"},
                "trustStores": ["ca:ci"],
                "trustedIdentities": ["x509.subject: C=US, ST=WA, O=regwarden-test, CN=ci-signer"],
            }
        ],
    }
    (directory / "trustpolicy.json").write_text(json.dumps(trust_policy))
    cosign_key = pki.new_key("ec256")
    (directory / "cosign.key").write_bytes(pki.Issued(cosign_key, root.cert).key_pem)
    public = cosign_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (directory / "cosign.pub").write_bytes(public)
    policy = {
        "notation": {"trustPolicy": "trustpolicy.json", "trustStore": "truststore"},
        "cosign": [{"name": "release-key", "registryScopes": ["*"], "publicKeys": ["cosign.pub"]}],
    }
    (directory / "policy.yaml").write_text(json.dumps(policy))
    return directory


def _image(registry: RunningRegistry, repo: str) -> str:
    reference = f"{registry.host}/{repo}:1.0"
    push(f"oci-archive:{SAMPLE}", reference, "oci")
    return reference


def test_sign_then_referrers_then_verify_through_the_tag_schema(registry: RunningRegistry, material: Path) -> None:
    image = _image(registry, "trust/signed")
    signed = invoke_json(
        ["sign", image, "--key", str(material / "signer.key"), "--cert", str(material / "chain.pem"), "--insecure"]
    )
    assert signed["indexed_by"] == "tag-schema"
    listed = invoke_json(["referrers", image, "--insecure"])
    assert listed["digest"] == signed["digest"]
    assert [(a["artifact_type"], a["digest"], a["source"]) for a in listed["attached"]] == [
        ("application/vnd.cncf.notary.signature", signed["signature"], "referrers")
    ]
    assert set(listed["attached"][0]["annotations"]) == {
        "io.cncf.notary.x509chain.thumbprint#S256",
        "org.opencontainers.image.created",
    }
    result = invoke_json(["verify", image, "--policy", str(material / "trustpolicy.json"), "--insecure"])
    assert (result["passed"], result["reason"], result["policy"]) == (True, None, "ci")
    assert [(s["kind"], s["passed"], s["signer"]) for s in result["signatures"]] == [
        ("notation-jws", True, "CN=ci-signer,O=regwarden-test,ST=WA,C=US")
    ]
    by_digest = invoke(
        [
            "verify",
            f"{registry.host}/trust/signed@{signed['digest']}",
            "--policy",
            str(material / "policy.yaml"),
            "--insecure",
        ]
    )
    assert by_digest.code == 0, by_digest.stderr
    assert "verification: PASS" in by_digest.stdout


def test_a_second_signature_joins_the_tag_schema_index(registry: RunningRegistry, material: Path) -> None:
    image = _image(registry, "trust/twice")
    first = invoke_json(
        ["sign", image, "--key", str(material / "signer.key"), "--cert", str(material / "chain.pem"), "--insecure"]
    )
    second = invoke_json(
        [
            "sign",
            image,
            "--key",
            str(material / "signer.key"),
            "--cert",
            str(material / "chain.pem"),
            "--insecure",
            "--expiry",
            "2099-01-01T00:00:00Z",
        ]
    )
    listed = invoke_json(["referrers", image, "--insecure"])
    assert {a["digest"] for a in listed["attached"]} == {first["signature"], second["signature"]}


def test_an_unsigned_image_fails_verification_with_exit_1(registry: RunningRegistry, material: Path) -> None:
    image = _image(registry, "trust/unsigned")
    outcome = invoke(["verify", image, "--policy", str(material / "trustpolicy.json"), "--insecure", "-o", "json"])
    assert outcome.code == 1
    assert json.loads(outcome.stdout)["reason"] == "no-signature"
    assert "verification failed: no-signature" in outcome.stderr


def test_a_signature_from_an_untrusted_chain_fails_with_its_reason(
    registry: RunningRegistry, material: Path, tmp_path: Path
) -> None:
    image = _image(registry, "trust/stranger")
    stranger_root = pki.root("Stranger Root")
    stranger = pki.leaf(stranger_root, "ci-signer")
    (tmp_path / "k.pem").write_bytes(stranger.key_pem)
    (tmp_path / "c.pem").write_bytes(stranger.pem + stranger_root.pem)
    invoke_json(["sign", image, "--key", str(tmp_path / "k.pem"), "--cert", str(tmp_path / "c.pem"), "--insecure"])
    outcome = invoke(["verify", image, "--policy", str(material / "trustpolicy.json"), "--insecure", "-o", "json"])
    assert outcome.code == 1
    result = json.loads(outcome.stdout)
    assert result["reason"] == "untrusted-certificate"
    assert [c["outcome"] for c in result["signatures"][0]["checks"]] == ["passed", "failed"]


def _push_cosign_signature(registry: RunningRegistry, repo: str, digest: str, key: ec.EllipticCurvePrivateKey) -> str:
    payload = cosign.simplesigning_payload(f"{registry.host}/{repo}", digest)
    signature = base64.b64encode(key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    with RegistryClient(registry.host, insecure=True) as client:
        config = b"{}"
        for blob, media_type in (
            (config, "application/vnd.oci.image.config.v1+json"),
            (payload, cosign.SIMPLESIGNING_MEDIA_TYPE),
        ):
            upload_blob(client, repo, Descriptor(media_type, compute_digest(blob), len(blob)), io.BytesIO(blob))
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": compute_digest(config),
                "size": 2,
            },
            "layers": [
                {
                    "mediaType": cosign.SIMPLESIGNING_MEDIA_TYPE,
                    "digest": compute_digest(payload),
                    "size": len(payload),
                    "annotations": {cosign.SIGNATURE_ANNOTATION: signature},
                }
            ],
        }
        data = json.dumps(manifest).encode()
        tag = "sha256-" + digest.split(":")[1] + ".sig"
        return put_manifest(client, repo, tag, data, "application/vnd.oci.image.manifest.v1+json")


def test_a_cosign_sig_tag_is_listed_and_verified_with_the_policys_key(
    registry: RunningRegistry, material: Path
) -> None:
    image = _image(registry, "trust/cosigned")
    digest = invoke_json(["referrers", image, "--insecure"])["digest"]
    key = serialization.load_pem_private_key((material / "cosign.key").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signature_digest = _push_cosign_signature(registry, "trust/cosigned", digest, key)
    listed = invoke_json(["referrers", image, "--insecure"])
    tag = "sha256-" + digest.split(":")[1] + ".sig"
    assert [(a["digest"], a["source"], a["tag"], a["artifact_type"]) for a in listed["attached"]] == [
        (signature_digest, "cosign-tag", tag, cosign.SIMPLESIGNING_MEDIA_TYPE)
    ]
    result = invoke_json(["verify", image, "--policy", str(material / "policy.yaml"), "--insecure"])
    assert [(s["kind"], s["passed"], s["signer"], s["policy"]) for s in result["signatures"]] == [
        ("cosign", True, "key cosign.pub", "release-key")
    ]
    notation_only = invoke(
        ["verify", image, "--policy", str(material / "trustpolicy.json"), "--insecure", "-o", "json"]
    )
    assert notation_only.code == 1
    assert json.loads(notation_only.stdout)["signatures"][0]["reason"] == "no-applicable-policy"


def test_bad_input_is_a_clean_error_with_exit_3(material: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"version": "1.0", "trustPolicies": [{"name": "x"}]}')
    outcome = invoke(["verify", "127.0.0.1:1/x:1", "--policy", str(tmp_path / "bad.json"), "--insecure"])
    assert_clean_failure(outcome, 3, "x: registryScopes must hold at least one repository")
    local = invoke(["verify", f"oci-archive:{SAMPLE}", "--policy", str(material / "policy.yaml")])
    assert_clean_failure(local, 3, "signatures are read from a registry")
    chain_as_key = invoke(
        ["sign", "127.0.0.1:1/x:1", "--key", str(material / "chain.pem"), "--cert", str(material / "chain.pem")]
    )
    assert_clean_failure(chain_as_key, 3, "is not a PEM private key")
    expiry = invoke(
        [
            "sign",
            "127.0.0.1:1/x:1",
            "--key",
            str(material / "signer.key"),
            "--cert",
            str(material / "chain.pem"),
            "--expiry",
            "soon",
        ]
    )
    assert_clean_failure(expiry, 3, "--expiry: 'soon' is not an RFC 3339 time")


def test_a_listed_signature_that_cannot_be_read_is_an_error_not_a_missing_signature(
    registry: RunningRegistry, material: Path
) -> None:
    image = _image(registry, "trust/vanished")
    signed = invoke_json(
        ["sign", image, "--key", str(material / "signer.key"), "--cert", str(material / "chain.pem"), "--insecure"]
    )
    with RegistryClient(registry.host, insecure=True) as client:
        client.delete_manifest("trust/vanished", signed["signature"])
    outcome = invoke(["verify", image, "--policy", str(material / "trustpolicy.json"), "--insecure"])
    assert_clean_failure(outcome, 7, signed["signature"])
