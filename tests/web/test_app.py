"""The web app through HTTP: login, roles on every route, CSRF, headers, audit, pages, API."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from .conftest import USERS, csrf_of, login

SEED_ID = "seed-case"
PATIENT_ROUTES = [
    "/patients",
    f"/patients/{SEED_ID}",
    f"/patients/{SEED_ID}/summary",
    "/api/v1/patients",
    f"/api/v1/patients/{SEED_ID}",
    f"/api/v1/patients/{SEED_ID}/assessment",
    f"/api/v1/patients/{SEED_ID}/advice",
]


CLINICIAN_ROUTES = ["/patients/new", "/import", f"/export/deidentified?patient_id={SEED_ID}"]
ADMIN_ROUTES = ["/audit", "/export/deidentified"]


@pytest.mark.parametrize(
    "route",
    [
        *PATIENT_ROUTES,
        *CLINICIAN_ROUTES,
        *ADMIN_ROUTES,
        "/evidence",
        "/cohort",
        f"/patients/{SEED_ID}/simulations/0123abcd",
        "/import/0123abcd",
    ],
)
def test_every_patient_route_needs_a_login(app_client: TestClient, route: str) -> None:
    response = app_client.get(route)
    if route.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 303
        assert response.headers["location"] == "/login"


@pytest.mark.parametrize(
    ("role", "route", "allowed"),
    [
        *[(role, route, role != "viewer") for role in USERS for route in CLINICIAN_ROUTES],
        *[(role, route, role == "admin") for role in USERS for route in ADMIN_ROUTES],
        *[
            (role, route, True)
            for role in ("viewer", "clinician", "admin")
            for route in PATIENT_ROUTES
        ],
    ],
)
def test_authorization_matrix(app_client: TestClient, role: str, route: str, allowed: bool) -> None:
    assert login(app_client, role) == 303
    response = app_client.get(route)
    assert (response.status_code == 200) is allowed, response.text[:200]
    if not allowed:
        assert response.status_code == 403


def test_wrong_password_is_refused_and_rate_limited(fresh_client: TestClient) -> None:
    assert login(fresh_client, "viewer", "wrong password!!") == 401
    assert login(fresh_client, "viewer", "wrong password!!") == 401
    assert login(fresh_client, "viewer", "wrong password!!") == 401
    # the fourth try is refused even with the right password
    assert login(fresh_client, "viewer") == 429


def test_login_without_csrf_token_is_refused(fresh_client: TestClient) -> None:
    response = fresh_client.post(
        "/login", data={"username": "viewer", "password": "x", "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_security_headers(app_client: TestClient) -> None:
    response = app_client.get("/login")
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no CDN
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers  # not served over TLS
    assert "httponly" in response.headers["set-cookie"].lower()


def test_patient_page_shows_course_and_advice_and_is_audited(app_client: TestClient) -> None:
    login(app_client, "viewer")
    page = app_client.get(f"/patients/{SEED_ID}")
    assert page.status_code == 200
    assert "lanreotide" in page.text
    assert "177Lu-DOTATATE" in page.text
    assert 'id="timeline-data"' in page.text
    assert "does not make the decision" in page.text
    assert "<script>" not in page.text  # no inline script (CSP)
    login(app_client, "admin")
    audit = app_client.get("/audit").text
    assert "read patient" in audit
    assert SEED_ID in audit
    assert "viewer" in audit


def test_new_patient_form_shows_field_errors_and_saves_valid_input(
    fresh_client: TestClient,
) -> None:
    login(fresh_client, "clinician")
    token = csrf_of(fresh_client)
    form = {
        "csrf_token": token,
        "record_id": "web-case-1",
        "sex": "female",
        "diagnosed": "2020-05-01",
        "site": "pancreas_tail",
        "differentiation": "well",
        "ki67_percent": "120",
        "functioning_syndrome": "none",
    }
    bad = fresh_client.post("/patients/new", data=form)
    assert bad.status_code == 422
    assert 'id="ki67_percent-error"' in bad.text
    assert "120" in bad.text
    good = fresh_client.post("/patients/new", data={**form, "ki67_percent": "4"})
    assert good.status_code == 303
    assert good.headers["location"] == "/patients/web-case-1"
    assert "web-case-1" in fresh_client.get("/patients").text


def test_form_post_without_csrf_is_refused(fresh_client: TestClient) -> None:
    login(fresh_client, "clinician")
    response = fresh_client.post("/patients/new", data={"record_id": "x"})
    assert response.status_code == 403


def test_api_write_needs_csrf_header_and_reports_problems(fresh_client: TestClient) -> None:
    login(fresh_client, "clinician")
    case = {
        "netline_case": 1,
        "id": "api-1",
        "index_date": "2020-01-01",
        "patient": {"id": "p", "sex": "male"},
        "primary": {"site": "pancreas_body", "histology": {"ki67_percent": 250}},
    }
    assert fresh_client.post("/api/v1/patients", json=case).status_code == 403
    token = csrf_of(fresh_client)
    response = fresh_client.post("/api/v1/patients", json=case, headers={"X-CSRF-Token": token})
    assert response.status_code == 422
    fields = [p["field"] for p in response.json()["problems"]]
    assert "primary.histology.ki67_percent" in fields


def test_viewer_cannot_write_through_the_api(fresh_client: TestClient) -> None:
    login(fresh_client, "viewer")
    token = csrf_of(fresh_client)
    response = fresh_client.post("/api/v1/patients", json={}, headers={"X-CSRF-Token": token})
    assert response.status_code == 403


def test_pdf_summary_has_the_course(app_client: TestClient) -> None:
    login(app_client, "viewer")
    response = app_client.get(f"/patients/{SEED_ID}/summary.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Tumour-board summary" in text
    assert "lanreotide" in text


def test_logout_ends_the_session(fresh_client: TestClient) -> None:
    login(fresh_client, "viewer")
    token = csrf_of(fresh_client)
    assert fresh_client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert fresh_client.get("/patients").status_code == 303


def test_unknown_patient_is_404(app_client: TestClient) -> None:
    login(app_client, "viewer")
    assert app_client.get("/patients/nobody").status_code == 404
    assert app_client.get("/api/v1/patients/nobody").status_code == 404


def test_evidence_browser_shows_verification_and_searches(app_client: TestClient) -> None:
    login(app_client, "viewer")
    page = app_client.get("/evidence")
    assert page.status_code == 200
    assert "NETTER-1" in page.text
    assert "(unverified)" in page.text  # recalled statements are marked
    hits = app_client.get("/evidence", params={"q": "everolimus"})
    assert "RADIANT-3" in hits.text


def test_cohort_dashboard_shows_table1_km_and_pathways(app_client: TestClient) -> None:
    login(app_client, "viewer")
    page = app_client.get("/cohort")
    assert page.status_code == 200
    assert "Table 1" in page.text
    assert 'src="data:image/png;base64,' in page.text
    assert "Kaplan-Meier" in page.text
    bad = app_client.get("/cohort", params={"endpoint": "nonsense"})
    assert bad.status_code == 422


def test_import_runs_in_the_background_and_is_audited(fresh_client: TestClient) -> None:
    import time

    from .conftest import SEED

    login(fresh_client, "clinician")
    token = csrf_of(fresh_client)
    text = SEED.read_text(encoding="utf-8").replace("id: seed-case", "id: imported-case", 1)
    response = fresh_client.post(
        "/import",
        data={"csrf_token": token},
        files={"file": ("imported.yaml", text.encode(), "application/yaml")},
    )
    assert response.status_code == 303
    status_url = response.headers["location"]
    for _ in range(600):
        page = fresh_client.get(status_url).text
        if "done" in page or "refused" in page:
            break
        time.sleep(0.1)
    assert "1 added" in page, page
    assert "imported-case" in fresh_client.get("/patients").text
    bad = fresh_client.post(
        "/import",
        data={"csrf_token": token},
        files={"file": ("bad.yaml", b"netline_case: 1\nid: x\n", "application/yaml")},
    )
    for _ in range(600):
        page = fresh_client.get(bad.headers["location"]).text
        if "refused" in page or "done" in page:
            break
        time.sleep(0.1)
    assert "nothing was imported" in page


def test_patient_page_links_use_the_registry_key(app_client: TestClient) -> None:
    login(app_client, "viewer")
    page = app_client.get(f"/patients/{SEED_ID}").text
    for link in (f"/patients/{SEED_ID}/summary", f"/patients/{SEED_ID}/summary.pdf"):
        assert f'href="{link}"' in page
        assert app_client.get(link).status_code == 200


FORM_FILES: dict[str, list[tuple[str, tuple[str, bytes, str]]]] = {
    "/import": [("file", ("a.yaml", b"x: 1", "application/yaml"))],
    "/import/redcap": [
        ("dictionary", ("d.csv", b"a", "text/csv")),
        ("records", ("r.csv", b"a", "text/csv")),
    ],
    "/import/omop": [("tables", ("person.csv", b"a", "text/csv"))],
    f"/patients/{SEED_ID}/simulations": [],
}


@pytest.mark.parametrize(
    ("role", "route", "needed"),
    [
        (role, route, needed)
        for role in USERS
        for route, needed in (
            ("/import", "clinician"),
            ("/import/redcap", "clinician"),
            ("/import/omop", "clinician"),
            (f"/patients/{SEED_ID}/simulations", "viewer"),
        )
    ],
)
def test_authorization_matrix_of_forms(
    app_client: TestClient, role: str, route: str, needed: str
) -> None:
    """Every new form checks the role first, then the CSRF token: nothing runs without both."""
    assert login(app_client, role) == 303
    files = FORM_FILES[route] or None
    response = app_client.post(route, data={"csrf_token": "forged"}, files=files)
    assert response.status_code == 403, response.text[:200]
    allowed = USERS[role].allows(USERS[needed])
    expected = "CSRF" if allowed else "role"
    assert expected in response.json()["detail"]


@pytest.mark.parametrize(
    "route", ["/patients", "/import", "/export/deidentified", "/nowhere", "/static/netline.css"]
)
def test_security_headers_on_every_answer(app_client: TestClient, route: str) -> None:
    login(app_client, "admin")
    response = app_client.get(route)
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    private = route.startswith(("/patients", "/import", "/export"))
    assert (response.headers.get("cache-control") == "no-store") is private
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_hsts_only_over_tls() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from netline.web.security.headers import SecurityHeaders

    inner = Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))])
    for https in (True, False):
        with TestClient(SecurityHeaders(inner, https=https)) as client:
            response = client.get("/")
        assert response.text == "ok"
        assert ("strict-transport-security" in response.headers) is https
