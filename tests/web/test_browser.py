"""The tumour-board app in a real browser: Playwright driving Debian's Chromium headless.

Screenshots of every page are kept under ``build/test-artifacts/web/`` (ignored by git).
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from pypdf import PdfReader

from netline.records import CaseRecord
from netline.registry import open_registry
from netline.web.app import create_app
from netline.web.patients import RegistryRepository
from netline.web.security.accounts import Role
from netline.web.settings import WebSettings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "test-artifacts" / "web"
REDCAP = ROOT / "examples" / "registry" / "redcap"
PASSWORD = "browser test password"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seed_record: CaseRecord) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = WebSettings(
        registry=tmp / "registry.duckdb",
        accounts=tmp / "web.duckdb",
        public_url=url,
        simulation_model=ROOT / "examples" / "models" / "pnet-evidence.yaml",
        simulation_patients=200,
        simulation_draws=10,
        redcap_mapping=REDCAP / "mapping.yaml",
    )
    patients = RegistryRepository(open_registry(settings.registry))
    patients.save(seed_record, "test set-up")
    app = create_app(settings, patients)
    app.state.netline.accounts.add_user("clinician", PASSWORD, Role.CLINICIAN)
    # Build the seed case's page once before the browser arrives (the app caches views).
    seed_id = seed_record.patient.id
    app.state.netline.views.get((seed_id, patients.version(seed_id)), lambda: patients.get(seed_id))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    yield url
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(base_url=server, accept_downloads=True)
        context.set_default_timeout(120_000)  # shared 2-core machines: the services can be slow
        yield context.new_page()
        context.close()
        browser.close()


def _shot(page: object, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_a_clinician_works_through_the_app(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto("/patients")
    expect(page).to_have_url(re.compile(r"/login$"))  # redirected to the login
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    _shot(page, "01-login")
    page.get_by_label("User name").fill("clinician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    _shot(page, "02-patients")

    page.get_by_role("link", name="seed-case").click()
    expect(page.get_by_role("heading", name="Lines of therapy")).to_be_visible()
    expect(page.locator("#timeline[data-rendered=true]")).to_have_count(1, timeout=20_000)
    expect(page.get_by_text("177Lu-DOTATATE").first).to_be_visible()
    expect(
        page.get_by_role("heading", name="Options for the next step", exact=False)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Labs", exact=True)).to_be_visible()
    expect(page.locator("#labs")).to_contain_text("icg r15")
    expect(page.get_by_role("heading", name="Toxicity", exact=True)).to_be_visible()
    _shot(page, "03-patient")

    # simulated sequences run in the background; the page stays usable meanwhile
    page.get_by_role("button", name="Simulate remaining sequences").click()
    expect(page.locator("#simulation-state")).to_be_visible()
    expect(page.locator("#timeline[data-rendered=true]")).to_have_count(1, timeout=20_000)
    expect(page.locator("#simulation-state")).to_contain_text("done", timeout=120_000)
    expect(page.locator("#simulated-sequences")).to_contain_text("prrt")
    expect(page.locator("#simulation-statement")).to_contain_text("not a recommendation")
    _shot(page, "03b-simulation")

    pdf_link = page.get_by_role("link", name="PDF", exact=True)
    with page.expect_download() as download_info:
        pdf_link.click()
    pdf = Path(download_info.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Tumour-board summary" in text
    assert "lanreotide" in text

    page.get_by_role("link", name="New patient").click()
    page.get_by_label("Case id").fill("browser-case-1")
    page.get_by_label("Date of diagnosis").fill("2021-03-04")
    page.get_by_label("Ki-67 (%)").fill("250")
    page.get_by_role("button", name="Save patient").click()
    error = page.locator("#ki67_percent-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("250")
    _shot(page, "04-field-error")
    page.get_by_label("Ki-67 (%)").fill("3")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_role("heading", name="browser-case-1")).to_be_visible()
    _shot(page, "05-new-patient")

    bundle = sorted((ROOT / "examples" / "registry" / "fhir").glob("syn-*.json"))[0]
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("File", exact=True).set_input_files(str(bundle))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-state")).to_contain_text("done")
    expect(page.locator("#import-report")).to_contain_text("1 added")
    _shot(page, "06-import")

    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Data dictionary (CSV)").set_input_files(str(REDCAP / "data_dictionary.csv"))
    page.get_by_label("Records (CSV)").set_input_files(str(REDCAP / "records.csv"))
    page.get_by_role("button", name="Import REDCap export").click()
    expect(page.locator("#import-state")).to_contain_text("done")
    expect(page.locator("#import-report")).to_contain_text("added")
    _shot(page, "06b-redcap-import")

    page.get_by_role("link", name="Cohort").click()
    expect(page.get_by_role("heading", name="Table 1")).to_be_visible()
    expect(page.get_by_alt_text("Kaplan-Meier curves", exact=False)).to_be_visible()
    _shot(page, "07-cohort")
    assert not [e for e in errors if "Content Security Policy" in e], errors
