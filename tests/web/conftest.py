"""A web app over a temporary registry with the seed case and three users, one per role."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from netline.records import CaseRecord, load_case
from netline.registry import open_registry
from netline.web.app import create_app
from netline.web.patients import RegistryRepository
from netline.web.security.accounts import Role
from netline.web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-case.yaml"
MODEL = ROOT / "examples" / "models" / "pnet-evidence.yaml"
REDCAP = ROOT / "examples" / "registry" / "redcap"
PASSWORD = "correct horse battery"
USERS = {"viewer": Role.VIEWER, "clinician": Role.CLINICIAN, "admin": Role.ADMIN}


@pytest.fixture(scope="session")
def seed_record() -> CaseRecord:
    return load_case(SEED)


def _seed_converter(record: CaseRecord) -> Any:
    def convert(prefetch: Mapping[str, Any]) -> CaseRecord:
        return record

    return convert


def _client(tmp_path: Path, seed_record: CaseRecord) -> Iterator[TestClient]:
    settings = WebSettings(
        registry=tmp_path / "registry.duckdb",
        accounts=tmp_path / "web.duckdb",
        public_url="http://testserver",
        login_attempts=3,
        simulation_model=MODEL,
        simulation_patients=200,
        simulation_draws=10,
        redcap_mapping=REDCAP / "mapping.yaml",
    )
    patients = RegistryRepository(open_registry(settings.registry))
    patients.save(seed_record, "test set-up")
    app = create_app(settings, patients, prefetch_converter=_seed_converter(seed_record))
    accounts = app.state.netline.accounts
    for name, role in USERS.items():
        accounts.add_user(name, PASSWORD, role)
    with TestClient(app, follow_redirects=False) as client:
        yield client
    accounts.close()
    patients.registry.close()


@pytest.fixture(scope="module")
def app_client(
    tmp_path_factory: pytest.TempPathFactory, seed_record: CaseRecord
) -> Iterator[TestClient]:
    """One app for the read-only tests of a module (services run once per record)."""
    yield from _client(tmp_path_factory.mktemp("web"), seed_record)


@pytest.fixture
def fresh_client(tmp_path: Path, seed_record: CaseRecord) -> Iterator[TestClient]:
    """A new app for a test that changes state (rate limits, sessions, patients)."""
    yield from _client(tmp_path, seed_record)


def login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    """Log in through the form; returns the status code of the POST."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token[1]}
    )
    return response.status_code


def csrf_of(client: TestClient) -> str:
    """The CSRF token shown on a signed-in page."""
    page = client.get("/patients")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return token[1]


def wait_for(client: TestClient, url: str, done: tuple[str, ...] = ("done", "refused")) -> str:
    """Poll a job page until it shows one of ``done``; return the page (at most 60 s)."""
    import time

    page = ""
    for _ in range(600):
        page = client.get(url).text
        if any(f"<strong>{word}</strong>" in page for word in done):
            return page
        time.sleep(0.1)
    raise AssertionError(f"job did not finish: {page[-500:]}")
