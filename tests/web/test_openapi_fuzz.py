"""The API fuzzed from its own OpenAPI document (schemathesis): for every operation, generated requests never get
a 5xx, and every response matches the status codes, content types and schemas the document declares."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from regwarden.model.access import Scope
from regwarden.service.api_tokens import issue_token
from regwarden.store import open_store
from regwarden.web.app import create_app
from tests.support.live_server import free_port, live_server
from tests.web.conftest import settings_for

DOCUMENT: dict[str, Any] = create_app(settings_for("sqlite:///unused.db")).openapi()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = [(path, method) for path, methods in DOCUMENT["paths"].items() for method in methods]
EXAMPLES = 15


@pytest.fixture(scope="module")
def fuzz_server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    copy = tmp_path_factory.mktemp("fuzz") / "demo.db"
    shutil.copyfile(demo_template, copy)
    db = f"sqlite:///{copy}"
    with open_store(db) as store:
        token = issue_token(store, "admin", "fuzz", frozenset(Scope), actor="test").secret
    port = free_port()
    with live_server(settings_for(db, public_url=f"http://127.0.0.1:{port}"), port) as url:
        yield url, token


def test_every_api_operation_is_in_the_document() -> None:
    assert len(OPERATIONS) >= 24
    assert ("/api/v1/images", "get") in OPERATIONS and ("/api/v1/triage", "post") in OPERATIONS


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_api_answers_generated_requests_as_documented(fuzz_server: tuple[str, str], path: str, method: str) -> None:
    url, token = fuzz_server
    strategy = SCHEMA[path][method].as_strategy()

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answer(case: schemathesis.Case) -> None:
        # An SBOM body is only described as a JSON object (its formats are other standards' schemas), so a
        # schema-valid body may still be refused with 400: that one heuristic check is left out, every other runs.
        case.call_and_validate(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance]
        )

    answer()
