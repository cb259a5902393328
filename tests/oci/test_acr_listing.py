"""ACR's metadata listings through the real RegistryClient, against a local HTTPS server speaking ACR's wire format.

The fake (tests/support/fake_acr.py) serves testdata/acr_metadata.json in ACR's documented JSON, pages it with
`Link` headers, and runs ACR's token flow; tests make it fail, expire tokens or page in small steps.
"""

from __future__ import annotations

import copy
import json
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.oci.acr import auth_for_registry
from regwarden.oci.acr_listing import AcrTag, acr_manifests, acr_repositories, acr_tags
from regwarden.oci.auth import RegistryAuth, UnauthorizedError
from regwarden.oci.client import RegistryClient, RegistryUnreachableError
from regwarden.oci.credentials import Credentials
from regwarden.oci.listing import AcrListing, OciListing, listing_for
from regwarden.oci.retry import RetryPolicy
from tests.support.fake_acr import FakeAadCredential, FakeAcr, FakeAcrServer
from tests.support.registry import LocalServer, Reply, SelfSignedCert, make_self_signed

METADATA = Path(__file__).parent / "testdata" / "acr_metadata.json"
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
WEB_15 = "sha256:26b4e2f1b31a023b7389d80fe879ef39a603cbb63a592b5d847aee09abe4d097"
WEB_14 = "sha256:2fb2479f46d277d3a57c7e9fe9a13ddc3538ac54d50dea0a52ee787931f29f38"
WEB_OLD = "sha256:c87e834be088e607661b3c526fbb4f8f7f579bb45078473158728ee89250ba86"
API = "sha256:de4d0b270b1a31ddf36ef66d73b6280262f130caebfe23a8bff999a8c483162b"
API_AMD64 = "sha256:48a35ceb9f9de99cbdefe6b228a1a14a232e9e96ff5c5459b1d28c16a39863a4"
API_ARM64 = "sha256:cf080f143d9a8982aa386aa02f38c2fa7d340e250ac216591481d0799e4aa961"
DEBUG = "sha256:8fe6ad790fcebd346fff444b4bb51e4171c8074d3155a2a2db5718f5d8393db8"
MANIFESTS_PATH = "/acr/v1/shop/web/_manifests"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    return make_self_signed(tmp_path_factory.mktemp("fake-acr-tls"))


@pytest.fixture(scope="module")
def server(tls: SelfSignedCert) -> Iterator[FakeAcrServer]:
    with FakeAcrServer(tls) as running:
        yield running


@pytest.fixture
def acr(server: FakeAcrServer) -> FakeAcr:
    return server.use(FakeAcr.from_file(METADATA))


def connect(acr: FakeAcr, tls: SelfSignedCert, auth: RegistryAuth | None = None) -> RegistryClient:
    """The real client as regwarden builds it for an ACR: AAD sign-in exchanged for ACR tokens."""
    auth = auth or auth_for_registry(acr.host, None, azure_credential=FakeAadCredential())
    verify = ssl.create_default_context(cafile=tls.cert_path)
    return RegistryClient(acr.host, auth=auth, verify=verify, retry=FAST_RETRY)


def paths(acr: FakeAcr, prefix: str) -> list[str]:
    return [call for call in acr.calls if call.split(" ")[1].startswith(prefix)]


def test_repositories_follow_link_pagination(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client:
        assert acr_repositories(client, page_size=3) == ["archive/empty", "shop/api", "shop/web", "tools/debug"]
    assert paths(acr, "/acr/v1/_catalog") == [
        "GET /acr/v1/_catalog?n=3",  # 401: the challenge names registry:catalog:*
        "GET /acr/v1/_catalog?n=3",
        "GET /acr/v1/_catalog?last=shop%2Fweb&n=3&orderby=",
    ]
    assert set(acr.access_tokens.values()) == {"registry:catalog:*"}


def test_manifests_include_untagged_ones_with_every_attribute(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client:
        listings = acr_manifests(client, "shop/web", order_by="timedesc", page_size=2)
    common = {"repository": "shop/web", "architecture": "amd64", "os": "linux", "read_enabled": True}
    assert listings == [
        ManifestListing(
            digest=WEB_15,
            tags=("1.5", "latest"),
            media_type=OCI_MANIFEST,
            created="2025-03-16T12:00:00.9876543Z",
            last_updated="2025-03-16T12:00:00.9876543Z",
            size=48211337,
            delete_enabled=True,
            write_enabled=True,
            list_enabled=True,
            quarantine_state="Passed",
            **common,  # type: ignore[arg-type]
        ),
        ManifestListing(
            digest=WEB_14,
            tags=("1.4",),
            media_type=OCI_MANIFEST,
            created="2025-03-14T09:26:53.5897932Z",
            last_updated="2025-03-15T10:00:00.0000000Z",
            size=48109870,
            delete_enabled=False,
            write_enabled=False,
            list_enabled=True,
            **common,  # type: ignore[arg-type]
        ),
        ManifestListing(
            digest=WEB_OLD,
            tags=(),
            media_type=DOCKER_MANIFEST,
            created="2025-02-01T08:00:00.0000000Z",
            last_updated="2025-02-01T08:00:00.0000000Z",
            size=47998001,
            delete_enabled=True,
            write_enabled=True,
            list_enabled=True,
            **common,  # type: ignore[arg-type]
        ),
    ]
    assert [call for call in paths(acr, MANIFESTS_PATH) if "last=" in call] == [
        f"GET {MANIFESTS_PATH}?last={WEB_14.replace(':', '%3A')}&n=2&orderby=timedesc"
    ]


def test_oldest_first_ordering(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client:
        listings = acr_manifests(client, "shop/web", order_by="timeasc")
    assert [listing.digest for listing in listings] == [WEB_OLD, WEB_14, WEB_15]


def test_an_index_names_its_children_which_are_listed_untagged(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client:
        listings = {listing.digest: listing for listing in AcrListing(client).manifests("shop/api")}
    assert set(listings) == {API, API_AMD64, API_ARM64}
    index = listings[API]
    assert (index.media_type, index.tags, index.references, index.architecture) == (
        OCI_INDEX,
        ("2.0",),
        (API_AMD64, API_ARM64),
        None,
    )
    children = {(d, listings[d].tags, listings[d].architecture, listings[d].references) for d in (API_AMD64, API_ARM64)}
    assert children == {(API_AMD64, (), "amd64", ()), (API_ARM64, (), "arm64", ())}


def test_quarantined_and_read_locked_manifest(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client:
        (listing,) = acr_manifests(client, "tools/debug")
    assert (listing.digest, listing.quarantine_state, listing.read_enabled, listing.list_enabled) == (
        DEBUG,
        "Failed",
        False,
        False,
    )


def test_tags_with_times_and_locks(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client:
        tags = acr_tags(client, "shop/web", order_by="timeasc", page_size=2)
    unlocked = {"delete_enabled": True, "write_enabled": True, "read_enabled": True, "list_enabled": True}
    assert tags == [
        AcrTag(
            "shop/web",
            "1.4",
            WEB_14,
            "2025-03-14T09:26:53.6000000Z",
            "2025-03-14T09:26:53.6000000Z",
            delete_enabled=False,
            write_enabled=False,
            read_enabled=True,
            list_enabled=True,
        ),
        AcrTag("shop/web", "1.5", WEB_15, "2025-03-16T12:00:01.0000000Z", "2025-03-16T12:00:01.0000000Z", **unlocked),
        AcrTag(
            "shop/web", "latest", WEB_15, "2025-02-01T08:00:00.1000000Z", "2025-03-16T12:00:01.1000000Z", **unlocked
        ),
    ]
    assert set(acr.access_tokens.values()) == {"repository:shop/web:metadata_read"}


def test_empty_repository_lists_nothing(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client:
        assert (acr_manifests(client, "archive/empty"), acr_tags(client, "archive/empty")) == ([], [])


def test_token_expiring_mid_listing_is_renewed(acr: FakeAcr, tls: SelfSignedCert) -> None:
    acr.expire_tokens_after = 1  # the first page is served, then every token goes stale
    credential = FakeAadCredential()
    with connect(acr, tls, auth_for_registry(acr.host, None, azure_credential=credential)) as client:
        digests = [listing.digest for listing in acr_manifests(client, "shop/web", page_size=1)]
    assert digests == [WEB_15, WEB_14, WEB_OLD]  # the fake's default order: by digest
    calls = [call.split("?")[0] for call in acr.calls]
    # challenge, exchange, token, page 1, page 2 refused, new token (same refresh token), page 2, page 3
    assert calls == [
        f"GET {MANIFESTS_PATH}",
        "POST /oauth2/exchange",
        "POST /oauth2/token",
        f"GET {MANIFESTS_PATH}",
        f"GET {MANIFESTS_PATH}",
        "POST /oauth2/token",
        f"GET {MANIFESTS_PATH}",
        f"GET {MANIFESTS_PATH}",
    ]
    assert credential.calls == 1


def test_refresh_token_credentials_and_client_side_expiry(acr: FakeAcr, tls: SelfSignedCert) -> None:
    """`az acr login --expose-token` style: a refresh token as the identity token, no Azure AD at all."""
    acr.access_lifetime = 2  # the client trusts it for 1 s (it renews early)
    auth = RegistryAuth(Credentials(identity_token=acr.issue_refresh_token()))
    with connect(acr, tls, auth) as client:
        assert acr_repositories(client) == ["archive/empty", "shop/api", "shop/web", "tools/debug"]
        time.sleep(1.2)
        assert len(acr_tags(client, "tools/debug")) == 1
        assert len(acr_tags(client, "tools/debug")) == 1
    assert [call.split("?")[0] for call in acr.calls].count("POST /oauth2/token") == 2
    assert "POST /oauth2/exchange" not in [call.split("?")[0] for call in acr.calls]


def test_server_error_then_success_is_retried(acr: FakeAcr, tls: SelfSignedCert) -> None:
    acr.fail_next = [500]
    with connect(acr, tls) as client:
        assert len(acr_manifests(client, "shop/web")) == 3
    assert len(paths(acr, MANIFESTS_PATH)) == 3  # challenge, the 500, the retry


def test_registry_that_keeps_failing_is_unreachable(acr: FakeAcr, tls: SelfSignedCert) -> None:
    acr.fail_next = [503, 503, 503]
    with connect(acr, tls) as client, pytest.raises(RegistryUnreachableError, match="kept answering HTTP 503"):
        acr_manifests(client, "shop/web")


def test_unknown_repository_is_not_found(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client, pytest.raises(NotFoundError, match="ACR manifests of shop/nope"):
        acr_manifests(client, "shop/nope")


def test_refused_refresh_token_is_unauthorized(acr: FakeAcr, tls: SelfSignedCert) -> None:
    auth = RegistryAuth(Credentials(identity_token="a-refresh-token-acr-never-issued"))
    with connect(acr, tls, auth) as client, pytest.raises(UnauthorizedError):
        acr_repositories(client)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(digest="sha256:short"), r"manifests\[0\].digest: invalid digest 'sha256:short'"),
        (lambda m: m.update(tags="1.5"), r"manifests\[0\].tags must be a list of strings"),
        (lambda m: m.update(imageSize=-5), r"manifests\[0\].imageSize must be a non-negative integer"),
        (lambda m: m["changeableAttributes"].update(deleteEnabled="yes"), r"deleteEnabled must be true or false"),
        (lambda m: m.update(references=[{"os": "linux"}]), r"references\[0\].digest must be a non-empty string"),
    ],
)
def test_malformed_answers_are_bad_input(
    server: FakeAcrServer, tls: SelfSignedCert, change: object, message: str
) -> None:
    content = json.loads(METADATA.read_text())["repositories"]
    broken = copy.deepcopy(content)
    change(broken["tools/debug"]["manifests"][0])  # type: ignore[operator]
    fake = server.use(FakeAcr(broken))
    with connect(fake, tls) as client, pytest.raises(BadInputError, match=message):
        acr_manifests(client, "tools/debug")


def test_next_page_on_another_host_is_refused() -> None:
    """A registry must not be able to send the client's token elsewhere by naming another host's next page."""
    link = '<https://elsewhere.example/acr/v1/_catalog?last=a>; rel="next"'
    reply = Reply(200, b'{"repositories": ["a"]}', {"Content-Type": "application/json", "Link": link})
    with LocalServer(lambda request: reply) as server, RegistryClient(server.host, insecure=True) as client:
        with pytest.raises(BadInputError, match=r"pointed the next page at another host"):
            acr_repositories(client)
        assert len(server.requests) == 1


def test_bad_order_is_a_usage_error(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with connect(acr, tls) as client, pytest.raises(ValueError, match="order_by must be one of"):
        acr_tags(client, "shop/web", order_by="newest")


@pytest.mark.parametrize(
    ("registry", "acr_flag", "expected"),
    [
        ("contoso.azurecr.io", None, AcrListing),
        ("contoso.azurecr.cn", None, AcrListing),
        ("127.0.0.1:5000", None, OciListing),
        ("127.0.0.1:5000", True, AcrListing),
        ("contoso.azurecr.io", False, OciListing),
    ],
)
def test_listing_for_picks_by_host_unless_told(registry: str, acr_flag: bool | None, expected: type) -> None:
    with RegistryClient(registry) as client:
        listing = listing_for(client, acr=acr_flag)
    assert type(listing) is expected
    assert listing.supports_untagged is (expected is AcrListing)
