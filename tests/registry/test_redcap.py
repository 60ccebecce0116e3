"""REDCap import: data dictionary + records export (repeating instruments) via a mapping file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netline.cli import app
from netline.errors import InvalidInputError, InvalidRecordError
from netline.records import CaseRecord, Imaging, SystemicTherapy
from netline.registry import open_registry
from netline.registry.datasets import demo_records
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


def redcap_facts(record: CaseRecord) -> tuple[object, ...]:
    """The facts the example REDCap projects hold (see examples/registry/build.py)."""
    patient, primary = record.patient, record.primary
    return (
        patient.id,
        patient.sex,
        patient.birth_date,
        patient.death_date,
        patient.last_follow_up,
        primary.site,
        primary.diagnosed,
        primary.functioning_syndrome,
        primary.histology.ki67_percent if primary.histology else None,
        [(m.organ, m.found) for m in record.metastases],
        [(t.agent, t.start, t.stop, t.reason_stopped) for t in record.of_type(SystemicTherapy)],
        [(i.date, i.modality, i.recorded_response) for i in record.of_type(Imaging)],
    )


@pytest.fixture(scope="module")
def example_sources() -> dict[str, CaseRecord]:
    """The synthetic records the examples were built from (examples/registry/build.py)."""
    return {r.patient.id: r for r in demo_records(120, seed=2024)}


def test_example_project_imports_with_repeating_instruments(
    example_sources: dict[str, CaseRecord],
) -> None:
    items, _ = read_redcap(DICTIONARY, RECORDS, MAPPING)
    records = {r.patient.id: r for _, r in items if isinstance(r, CaseRecord)}
    assert len(records) == len(items) == 20
    for pid, record in records.items():
        assert redcap_facts(record) == redcap_facts(example_sources[pid])


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
    assert len(report.added) == 19
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
    assert "20 added" in result.output
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


def test_longitudinal_example_imports_events_and_repeating_events(
    example_sources: dict[str, CaseRecord],
) -> None:
    # each patient is entered as events: baseline (with metastases as a repeating
    # instrument), the repeating events treatment_arm_1 and imaging_arm_1, and follow-up
    items, _ = read_redcap(L_DICTIONARY, L_RECORDS, L_MAPPING)
    records = {r.patient.id: r for _, r in items if isinstance(r, CaseRecord)}
    assert len(records) == len(items) == 20
    for pid, record in records.items():
        assert redcap_facts(record) == redcap_facts(example_sources[pid])
    assert any(r.patient.last_follow_up for r in records.values())  # from follow_up_arm_1


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
    baseline = rows[0]["ki67_percent"]
    rows[follow]["ki67_percent"] = "55"  # the first patient's baseline row says otherwise
    items, _ = read_redcap(L_DICTIONARY, _write(tmp_path / "r.csv", rows), L_MAPPING)
    (error,) = [e for _, e in items if isinstance(e, InvalidInputError)]
    (problem,) = error.problems
    assert problem.location == f"row {follow + 2}, field ki67_percent"
    assert f"row 2, field ki67_percent ({baseline!r})" in problem.expected


def test_the_cli_imports_the_longitudinal_example(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("registry", "import", str(tmp_path / "r.duckdb"), str(L_RECORDS)),
            *("--format", "redcap", "--dictionary", str(L_DICTIONARY), "--mapping", str(L_MAPPING)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "20 added" in result.output
