"""Property-based tests of the REST API from its OpenAPI schema (schemathesis): no 5xx, ever."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from netline.records import CaseRecord
from netline.registry import open_registry
from netline.web.app import create_app
from netline.web.patients import RegistryRepository
from netline.web.security.accounts import Role
from netline.web.settings import WebSettings

PASSWORD = "schema test password"


@pytest.fixture(scope="module")
def signed_in(
    tmp_path_factory: pytest.TempPathFactory, seed_record: CaseRecord
) -> Iterator[tuple[Any, dict[str, str], dict[str, str]]]:
    tmp: Path = tmp_path_factory.mktemp("schema")
    settings_ = WebSettings(registry=tmp / "registry.duckdb", accounts=tmp / "web.duckdb")
    patients = RegistryRepository(open_registry(settings_.registry))
    patients.save(seed_record, "test set-up")
    app = create_app(settings_, patients)
    app.state.netline.accounts.add_user("clinician", PASSWORD, Role.CLINICIAN)
    with TestClient(app, follow_redirects=False) as client:
        form = client.get("/login").text
        login_token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert login_token is not None
        client.post(
            "/login",
            data={"username": "clinician", "password": PASSWORD, "csrf_token": login_token[1]},
        )
        page = client.get("/patients").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf is not None
        cookies = {"netline_session": client.cookies["netline_session"]}
        yield app, cookies, {"X-CSRF-Token": csrf[1]}


def test_no_server_error_on_any_operation(
    signed_in: tuple[Any, dict[str, str], dict[str, str]],
) -> None:
    """Every operation of the OpenAPI schema, with generated inputs, answers below 500."""
    app, cookies, headers = signed_in
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: Any) -> None:
            response = case.call(cookies=cookies, headers=headers)
            assert response.status_code < 500, (case.path, response.status_code, response.text)

        check()
