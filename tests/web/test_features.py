"""Patient page labs, toxicity and simulations; REDCap and OMOP import; de-identified export."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from netline.clinical import ctcae_grade
from netline.records import CaseRecord, record_from_data
from netline.web import omop_import

from .conftest import REDCAP, csrf_of, login, wait_for

SEED_ID = "seed-case"


def _with_labs(seed: CaseRecord) -> CaseRecord:
    data: dict[str, Any] = seed.model_dump(mode="json", exclude_none=True)
    data["id"] = data["patient"]["id"] = "lab-case"
    data["events"].append(
        {
            "type": "labs",
            "date": "2020-03-02",
            "results": [
                # CTCAE v5.0 platelet count decreased: < 75-50 × 10⁹/L is grade 2 (74 → 2)
                {"analyte": "platelets", "value": 74, "unit": "10^9/L", "lower_limit": 150},
                # ALT > 3-5 × ULN is grade 2 (150 U/L with ULN 40 = 3.75 × ULN)
                {"analyte": "alt", "value": 150, "unit": "U/L", "upper_limit": 40},
                {"analyte": "creatinine", "value": 88.4, "unit": "umol/L"},
            ],
        }
    )
    data["events"].append(
        {
            "type": "adverse_event",
            "date": "2020-03-02",
            "term": "thrombocytopenia",
            "grade": 2,
            "attributed_to": "lu177_dotatate",
        }
    )
    return record_from_data(data, source="test")


def test_patient_page_shows_labs_with_units_and_ctcae_grades(
    fresh_client: TestClient, seed_record: CaseRecord
) -> None:
    record = _with_labs(seed_record)
    fresh_client.app.state.netline.patients.save(record, "test")  # type: ignore[attr-defined]
    login(fresh_client, "viewer")
    page = fresh_client.get("/patients/lab-case").text
    labs = page[page.index('id="labs"') : page.index('id="tox-h"')]
    # the oracle is the calculator itself: the page shows its grade, it does not grade
    assert str(ctcae_grade("platelet_count_decreased", 74, lln=150).value) == "grade 2"
    assert "74 10^9/L" in labs
    assert "grade 2 (platelet count decreased, CTCAE v5.0)" in labs
    assert "grade 2 (alanine aminotransferase increased, CTCAE v5.0)" in labs
    # creatinine is stored in mg/dL (reported in umol/L) and needs the ULN to be graded
    assert "1 mg/dL" in labs
    assert "88.4 umol/L" in labs
    assert "not gradable" in labs
    toxicity = page[page.index('id="toxicity"') :]
    assert "thrombocytopenia" in toxicity
    assert "grade 2" in toxicity
    assert "lu177_dotatate" in toxicity


def test_seed_page_lists_its_lab_and_no_adverse_events(app_client: TestClient) -> None:
    login(app_client, "viewer")
    page = app_client.get(f"/patients/{SEED_ID}").text
    assert "icg r15" in page
    assert "3.3 %" in page
    assert "No adverse events recorded." in page


def test_simulation_runs_in_the_background_and_shows_its_summary(
    fresh_client: TestClient,
) -> None:
    login(fresh_client, "viewer")  # running a simulation reads the record; it writes nothing
    token = csrf_of(fresh_client)
    assert fresh_client.post(f"/patients/{SEED_ID}/simulations", data={}).status_code == 422
    assert (
        fresh_client.post(
            f"/patients/{SEED_ID}/simulations", data={"csrf_token": "forged"}
        ).status_code
        == 403
    )
    started = fresh_client.post(f"/patients/{SEED_ID}/simulations", data={"csrf_token": token})
    assert started.status_code == 303
    match = re.search(r"simulation=([0-9a-f]+)", started.headers["location"])
    assert match is not None
    job = match[1]
    # a second click while it runs shows the same job instead of starting another
    again = fresh_client.post(f"/patients/{SEED_ID}/simulations", data={"csrf_token": token})
    if "simulation=" in again.headers["location"]:
        assert (
            job in again.headers["location"]
            or "done" in fresh_client.get(f"/patients/{SEED_ID}/simulations/{job}").text
        )
    # the page stays usable while the job runs: it renders with the job's progress
    page = fresh_client.get(started.headers["location"])
    assert page.status_code == 200
    assert 'id="simulation-state"' in page.text
    fragment = wait_for(fresh_client, f"/patients/{SEED_ID}/simulations/{job}")
    assert "<strong>done</strong>" in fragment, fragment
    assert "In silico" in fragment
    assert "not a recommendation" in fragment
    assert 'id="simulated-sequences"' in fragment
    assert "ssa &gt; everolimus &gt; sunitinib &gt; prrt" in fragment
    assert "95 % interval" in fragment
    assert "lanreotide &gt; lu177_dotatate &gt; lanreotide" in fragment  # the lines so far
    assert "clarinet (trial figure from the knowledge base)" in fragment  # the model's sources
    assert "data-poll" not in fragment  # finished: the script stops polling
    # another user does not see it
    login(fresh_client, "clinician")
    assert fresh_client.get(f"/patients/{SEED_ID}/simulations/{job}").status_code == 404
    login(fresh_client, "admin")
    assert fresh_client.get(f"/patients/{SEED_ID}/simulations/{job}").status_code == 200
    assert "simulate patient" in fresh_client.get("/audit").text


def test_jobs_belong_to_their_app(app_client: TestClient, fresh_client: TestClient) -> None:
    login(fresh_client, "clinician")
    token = csrf_of(fresh_client)
    started = fresh_client.post(
        "/import",
        data={"csrf_token": token},
        files={"file": ("bad.yaml", b"netline_case: 1\nid: x\n", "application/yaml")},
    )
    url = started.headers["location"]
    assert "nothing was imported" in wait_for(fresh_client, url)
    login(app_client, "clinician")
    assert app_client.get(url).status_code == 404  # the other app has no such job


def _redcap_files(mapping: bool = True) -> dict[str, tuple[str, bytes, str]]:
    files = {
        "dictionary": (
            "data_dictionary.csv",
            (REDCAP / "data_dictionary.csv").read_bytes(),
            "text/csv",
        ),
        "records": ("records.csv", (REDCAP / "records.csv").read_bytes(), "text/csv"),
    }
    if mapping:
        files["mapping"] = (
            "mapping.yaml",
            (REDCAP / "mapping.yaml").read_bytes(),
            "application/yaml",
        )
    return files


@pytest.mark.parametrize("with_mapping", [True, False])
def test_redcap_import_runs_in_the_background(fresh_client: TestClient, with_mapping: bool) -> None:
    login(fresh_client, "clinician")
    token = csrf_of(fresh_client)
    started = fresh_client.post(
        "/import/redcap", data={"csrf_token": token}, files=_redcap_files(with_mapping)
    )
    assert started.status_code == 303, started.text[:300]
    page = wait_for(fresh_client, started.headers["location"])
    assert "<strong>done</strong>" in page, page
    assert re.search(r"[1-9]\d* added", page), page
    login(fresh_client, "admin")
    audit = fresh_client.get("/audit").text
    assert "REDCap records.csv" in audit


def test_redcap_import_with_a_wrong_mapping_names_the_field_and_imports_nothing(
    fresh_client: TestClient,
) -> None:
    login(fresh_client, "clinician")
    token = csrf_of(fresh_client)
    before = fresh_client.get("/api/v1/patients").json()
    files = _redcap_files()
    bad = (REDCAP / "mapping.yaml").read_text(encoding="utf-8") + "\n"
    bad = bad.replace("record_id:", "record_id: no_such_field\n_old_record_id:", 1)
    files["mapping"] = ("mapping.yaml", bad.encode(), "application/yaml")
    started = fresh_client.post("/import/redcap", data={"csrf_token": token}, files=files)
    page = wait_for(fresh_client, started.headers["location"])
    assert "<strong>refused</strong>" in page
    assert "nothing was imported" in page
    assert "no_such_field" in page
    assert fresh_client.get("/api/v1/patients").json() == before


def test_redcap_import_refuses_other_file_types(fresh_client: TestClient) -> None:
    login(fresh_client, "clinician")
    token = csrf_of(fresh_client)
    files = _redcap_files()
    files["records"] = ("records.exe", b"MZ", "application/octet-stream")
    response = fresh_client.post("/import/redcap", data={"csrf_token": token}, files=files)
    assert response.status_code == 400


def test_omop_upload_without_an_importer_says_so(
    fresh_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(omop_import, "_importer", lambda: None)
    login(fresh_client, "clinician")
    assert "OMOP import is not available in this version" in fresh_client.get("/import").text
    token = csrf_of(fresh_client)
    response = fresh_client.post(
        "/import/omop",
        data={"csrf_token": token},
        files=[("tables", ("person.csv", b"person_id\n1\n", "text/csv"))],
    )
    assert response.status_code == 501
    assert "OMOP import is not available in this version of netline" in response.text


def test_omop_upload_goes_through_the_adapter(
    fresh_client: TestClient, monkeypatch: pytest.MonkeyPatch, seed_record: CaseRecord
) -> None:
    seen: list[list[str]] = []
    record = seed_record.model_copy(
        update={"id": "omop-1", "patient": seed_record.patient.model_copy(update={"id": "omop-1"})}
    )

    def read_omop(
        folder: Any, *, progress: bool | None = None
    ) -> tuple[list[tuple[str, Any]], str]:
        assert progress is False  # never a progress bar on the server's stderr
        seen.append(sorted(p.name for p in folder.iterdir()))
        return [("person.csv person 1", record)], "OMOP test tables"

    monkeypatch.setattr(omop_import, "_importer", lambda: read_omop)
    login(fresh_client, "clinician")
    token = csrf_of(fresh_client)
    started = fresh_client.post(
        "/import/omop",
        data={"csrf_token": token},
        files=[
            ("tables", ("person.csv", b"person_id\n1\n", "text/csv")),
            ("tables", ("episode.csv", b"episode_id\n1\n", "text/csv")),
        ],
    )
    page = wait_for(fresh_client, started.headers["location"])
    assert "<strong>done</strong>" in page, page
    assert "1 added" in page
    assert seen == [["episode.csv", "person.csv"]]


def _download(client: TestClient, query: str = "") -> Any:
    response = client.get(f"/export/deidentified{query}")
    assert response.status_code == 200, response.text[:200]
    assert response.headers["content-disposition"].startswith("attachment;")
    return response.json()


def test_deidentified_export_of_one_patient_and_of_the_registry(
    fresh_client: TestClient, seed_record: CaseRecord
) -> None:
    login(fresh_client, "clinician")
    one = _download(fresh_client, f"?patient_id={SEED_ID}")
    text = json.dumps(one)
    assert SEED_ID not in text
    assert seed_record.id not in text
    patient = one["records"][0]["patient"]
    assert "birth_date" not in patient
    assert "birth_year" not in patient
    assert isinstance(patient["age_at_index_years"], int)
    assert one["records"][0]["id"].startswith("deid-")
    assert fresh_client.get("/export/deidentified").status_code == 403  # bulk needs an admin
    login(fresh_client, "admin")
    everything = _download(fresh_client)
    assert len(everything["records"]) == 1
    assert everything["records"][0]["id"] == one["records"][0]["id"]  # stable pseudonym
    audit = fresh_client.get("/audit").text
    assert "export deidentified" in audit
    assert "whole registry" in audit


def test_a_damaged_deidentification_secret_stops_the_export(fresh_client: TestClient) -> None:
    # Never export with an empty or short key: every pseudonym would be computable.
    secret_file = fresh_client.app.state.netline.settings.deid_secret_file  # type: ignore[attr-defined]
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    secret_file.write_text("", encoding="ascii")
    login(fresh_client, "clinician")
    response = fresh_client.get(f"/export/deidentified?patient_id={SEED_ID}")
    assert response.status_code == 503
    assert "secret of this server is damaged" in response.text
    assert "Traceback" not in response.text
    assert str(secret_file) not in response.text
