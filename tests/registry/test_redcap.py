"""REDCap import: data dictionary + records export (repeating instruments) via a mapping file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netline.cli import app
from netline.errors import InvalidInputError, InvalidRecordError
from netline.records import CaseRecord, SystemicTherapy
from netline.registry import open_registry
from netline.registry.redcap import read_redcap, template_dictionary

ROOT = Path(__file__).resolve().parents[2]
REDCAP = ROOT / "examples" / "registry" / "redcap"
DICTIONARY, RECORDS, MAPPING = (
    REDCAP / "data_dictionary.csv",
    REDCAP / "records.csv",
    REDCAP / "mapping.yaml",
)


def _rows() -> list[dict[str, str]]:
    with RECORDS.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_example_project_imports_with_repeating_instruments(seed_record: CaseRecord) -> None:
    items, _ = read_redcap(DICTIONARY, RECORDS, MAPPING)
    records = {r.patient.id: r for _, r in items if isinstance(r, CaseRecord)}
    assert len(records) == len(items) == 21
    seed = records["seed-case"]
    assert seed.primary.site == seed_record.primary.site
    assert seed.primary.histology is not None
    assert seed.primary.histology.ki67_percent == 10.0
    assert [m.organ for m in seed.metastases] == [m.organ for m in seed_record.metastases]
    assert [(t.agent, t.start, t.stop) for t in seed.of_type(SystemicTherapy)] == [
        (t.agent, t.start, t.stop) for t in seed_record.of_type(SystemicTherapy)
    ]


def test_template_dictionary_matches_the_bundled_project(tmp_path: Path) -> None:
    written = template_dictionary(MAPPING, tmp_path / "dd.csv")
    assert written.read_text() == DICTIONARY.read_text()


def test_bad_value_is_named_by_row_and_field(tmp_path: Path) -> None:
    rows = _rows()
    index = next(
        i for i, r in enumerate(rows) if r["redcap_repeat_instrument"] == "systemic_therapy"
    )
    rows[index]["tx_agent"] = "aspirin"
    records = _write(tmp_path / "records.csv", rows)
    items, _ = read_redcap(DICTIONARY, records, MAPPING)
    errors = [e for _, e in items if isinstance(e, InvalidRecordError)]
    assert len(errors) == 1
    message = str(errors[0])
    assert f"row {index + 2}, field tx_agent" in message
    assert "'aspirin'" in message
    with open_registry(tmp_path / "reg.duckdb") as reg:
        report = reg.import_records(items, source=str(records), keep_valid=True)
    assert len(report.added) == 20
    assert len(report.refused) == 1


def test_mapping_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        MAPPING.read_text().replace("ki67_percent: ki67_percent", "ki67_percent: ki67")
    )
    with pytest.raises(
        InvalidInputError, match=r"fields\.primary\.histology\.ki67_percent: got 'ki67'"
    ):
        read_redcap(DICTIONARY, RECORDS, mapping)


def test_project_codes_are_translated_by_the_mapping(tmp_path: Path) -> None:
    rows = _rows()
    for row in rows:
        row["sex"] = {"male": "1", "female": "2"}.get(row["sex"], row["sex"])
    records = _write(tmp_path / "records.csv", rows)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        MAPPING.read_text().replace(
            "patient.sex: sex", "patient.sex: {field: sex, values: {'1': male, '2': female}}"
        )
    )
    items, _ = read_redcap(DICTIONARY, records, mapping)
    assert all(isinstance(r, CaseRecord) for _, r in items)


def test_redcap_import_from_the_command_line(tmp_path: Path) -> None:
    store = tmp_path / "reg.duckdb"
    args = ["registry", "import", str(store), str(RECORDS), "--format", "redcap"]
    result = CliRunner().invoke(
        app, [*args, "--dictionary", str(DICTIONARY), "--mapping", str(MAPPING)]
    )
    assert result.exit_code == 0, result.output
    assert "21 added" in result.output
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--dictionary and --mapping" in result.output


# ---------------------------------------------------------------- longitudinal projects

LONGITUDINAL = REDCAP / "longitudinal"
L_DICTIONARY, L_RECORDS, L_MAPPING = (
    LONGITUDINAL / "data_dictionary.csv",
    LONGITUDINAL / "records.csv",
    LONGITUDINAL / "mapping.yaml",
)


def _longitudinal_rows() -> list[dict[str, str]]:
    with L_RECORDS.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_longitudinal_example_imports_events_and_repeating_events() -> None:
    items, _ = read_redcap(L_DICTIONARY, L_RECORDS, L_MAPPING)
    records = {r.patient.id: r for _, r in items if isinstance(r, CaseRecord)}
    assert len(records) == len(items) == 21
    classic, _ = read_redcap(DICTIONARY, RECORDS, MAPPING)
    (seed_classic,) = [
        r for _, r in classic if isinstance(r, CaseRecord) and r.id == "redcap-seed-case"
    ]
    # the same patient entered as events (baseline, repeating treatment and imaging events,
    # follow-up) gives the same record as the classic project with repeating instruments
    seed = records["seed-case"]
    assert seed.model_dump(exclude={"events"}) == seed_classic.model_dump(exclude={"events"})
    assert sorted(seed.events, key=repr) == sorted(seed_classic.events, key=repr)
    assert seed.patient.last_follow_up is not None  # from the follow_up_arm_1 event


def test_longitudinal_template_dictionary_matches_the_bundled_project(tmp_path: Path) -> None:
    written = template_dictionary(L_MAPPING, tmp_path / "dd.csv")
    assert written.read_text() == L_DICTIONARY.read_text()


def test_an_event_not_in_the_mapping_is_named_by_row(tmp_path: Path) -> None:
    rows = _longitudinal_rows()
    rows[4]["redcap_event_name"] = "week_12_arm_2"
    items, _ = read_redcap(L_DICTIONARY, _write(tmp_path / "r.csv", rows), L_MAPPING)
    errors = [e for _, e in items if isinstance(e, InvalidInputError)]
    (error,) = errors
    (problem,) = error.problems
    assert problem.location == "row 6, field redcap_event_name"
    assert problem.value == "week_12_arm_2"
    assert "baseline_arm_1" in problem.expected


def test_a_bad_value_in_a_repeating_event_names_row_event_and_field(tmp_path: Path) -> None:
    rows = _longitudinal_rows()
    index = next(i for i, r in enumerate(rows) if r["redcap_event_name"] == "treatment_arm_1")
    rows[index]["tx_start"] = "2019-02-30"
    items, _ = read_redcap(L_DICTIONARY, _write(tmp_path / "r.csv", rows), L_MAPPING)
    (error,) = [e for _, e in items if isinstance(e, InvalidInputError)]
    locations = [p.location for p in error.problems]
    assert any(f"row {index + 2}, field tx_start" in loc for loc in locations), locations


def test_a_field_recorded_twice_with_different_values_names_both_rows(tmp_path: Path) -> None:
    rows = _longitudinal_rows()
    follow = next(i for i, r in enumerate(rows) if r["redcap_event_name"] == "follow_up_arm_1")
    rows[follow]["ki67_percent"] = "55"  # baseline row of seed-case says 10.0
    items, _ = read_redcap(L_DICTIONARY, _write(tmp_path / "r.csv", rows), L_MAPPING)
    (error,) = [e for _, e in items if isinstance(e, InvalidInputError)]
    (problem,) = error.problems
    assert problem.location == f"row {follow + 2}, field ki67_percent"
    assert "row 2, field ki67_percent" in problem.expected


def test_the_cli_imports_the_longitudinal_example(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("registry", "import", str(tmp_path / "r.duckdb"), str(L_RECORDS)),
            *("--format", "redcap", "--dictionary", str(L_DICTIONARY), "--mapping", str(L_MAPPING)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "21 added" in result.output
