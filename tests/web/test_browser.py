"""The dashboard in a real browser (Playwright driving Debian's Chromium) on the demo's own data, loaded by
scripts/serve-demo.sh: sign-in, the overview, an image, a vulnerability, triage from the page; no console error
and no CSP violation on any page. Screenshots are kept in .cache/test-artifacts/dashboard (gitignored);
REGWARDEN_README_SCREENSHOTS=1 also writes the README's into docs/images."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.support.live_server import free_port, live_server
from tests.web.conftest import REPO, settings_for

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTEFACTS = REPO / ".cache" / "test-artifacts" / "dashboard"
README_IMAGES = REPO / "docs" / "images"
V10 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
V11 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo's database, loaded by the script `make serve-demo` runs (SERVE=0: load, do not serve)."""
    directory = tmp_path_factory.mktemp("serve-demo")
    env = {
        **os.environ,
        "SERVE": "0",
        "REGWARDEN_DEMO_DIR": str(directory),
        "RW": str(Path(sys.executable).parent / "regwarden"),
    }
    loaded = subprocess.run(
        ["bash", str(REPO / "scripts/serve-demo.sh")], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert loaded.returncode == 0, loaded.stderr
    return f"sqlite:///{directory / 'demo.db'}"


@pytest.fixture(scope="module")
def demo_url(demo_db: str) -> Iterator[str]:
    port = free_port()
    with live_server(settings_for(demo_db, public_url=f"http://127.0.0.1:{port}"), port) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda message: _problem(message, problems))
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert problems == []  # no script error, no CSP violation, no failed asset on any page the test opened


REFUSED_SIGN_IN = "the server responded with a status of 401"
"""The refused sign-in page itself is answered 401: Chromium logs that document status, which is expected."""


def _problem(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type in ("error", "warning") and REFUSED_SIGN_IN not in message.text:
        problems.append(message.text)


def _shot(page: Page, name: str, readme: bool = False) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    if readme and os.environ.get("REGWARDEN_README_SCREENSHOTS") == "1":
        README_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_IMAGES / f"dashboard-{name}.png"))


def _sign_in(page: Page, url: str, name: str = "demo", password: str = "regwarden-demo") -> None:
    page.goto(f"{url}/")
    expect(page).to_have_url(f"{url}/login?next=%2F")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_sign_in_refuses_a_wrong_password_then_opens_the_overview(page: Page, demo_url: str) -> None:
    _sign_in(page, demo_url, password="not the password")
    expect(page.get_by_role("alert")).to_have_text("wrong user name or password")
    _shot(page, "sign-in-refused")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "regwarden-demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{demo_url}/")
    expect(page.locator(".tile").first).to_contain_text("critical findings")
    expect(page.get_by_role("link", name="shopacr")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    production = page.locator("section", has_text="Production workloads affected now").locator("tbody tr")
    expect(production).to_have_count(3)
    _shot(page, "overview", readme=True)


def test_an_image_page_shows_findings_layers_and_the_diff_to_the_previous_build(page: Page, demo_url: str) -> None:
    _sign_in(page, demo_url)
    page.goto(f"{demo_url}/images?sort=risk")
    page.get_by_role("link", name="regwardendemo.azurecr.io/shop/web:1.0").click()
    expect(page).to_have_url(f"{demo_url}/images/{V10}")
    findings = page.locator("section", has_text="Findings (15)")
    expect(findings.locator("tbody tr")).to_have_count(15)
    expect(findings.get_by_role("row", name="CVE-2021-33503")).to_contain_text("1.26.5")
    expect(page.locator("section", has_text="Layers").locator("tbody tr")).to_have_count(2)
    expect(page.locator("#signatures")).to_contain_text("Not checked: no verification is recorded")
    _shot(page, "image-1.0")
    page.goto(f"{demo_url}/images/{V11}")
    diff = page.locator("section", has_text="Diff to the previous build of :latest")
    expect(diff).to_contain_text("Compared with")
    expect(diff.get_by_role("row", name="urllib3")).to_contain_text("1.26.20")
    _shot(page, "image", readme=True)


def test_a_vulnerability_page_says_where_it_runs_and_triage_is_recorded(page: Page, demo_url: str) -> None:
    _sign_in(page, demo_url)
    page.fill("header input[name=q]", "CVE-2020-8203")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo_url}/vulnerabilities/CVE-2020-8203")
    expect(page.locator(".verdict")).to_contain_text("Production is affected.")
    _shot(page, "vulnerability", readme=True)
    form = page.locator("form.triage-form")
    form.locator("select[name=scope]").select_option("image")
    form.locator("input[name=target]").fill(V10)
    form.locator("input[name=package]").fill("lodash")
    form.locator("select[name=state]").select_option("not_affected")
    form.locator("textarea[name=reason]").fill("lodash is only used by the build tooling")
    form.get_by_role("button", name="Record decision as demo").click()
    expect(page.get_by_role("status")).to_have_text("Recorded 1 decision(s), now covering 1 image package(s).")
    held = page.locator("section", has_text="Images that hold it")
    expect(held.locator("tr.triaged")).to_contain_text("not_affected (image)")
    expect(page.locator(".verdict")).to_contain_text("No production workload is affected.")
    _shot(page, "triaged")


def test_a_viewer_sees_no_triage_form(page: Page, demo_url: str, demo_db: str) -> None:
    from regwarden.model.access import Role
    from regwarden.service.accounts import add_user
    from regwarden.store import open_store

    with open_store(demo_db) as store:
        add_user(store, "watcher", Role.VIEWER, "a viewer password", actor="test")
    _sign_in(page, demo_url, "watcher", "a viewer password")
    page.goto(f"{demo_url}/vulnerabilities/CVE-2024-34064")
    expect(page.locator(".verdict")).to_be_visible()
    expect(page.locator("form.triage-form")).to_have_count(0)
