"""OMOP CDM v5.4 import: round trip of the synthetic cohort and the seed case, bad rows, CLI."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from netline.cli.registry import registry_app
from netline.records import (
    CaseRecord,
    DiseaseStatus,
    Imaging,
    LabPanel,
    LocalTherapy,
    Surgery,
    SystemicTherapy,
)
from netline.registry import ImportRefusedError, open_registry, select_cohort
from netline.registry.omop import export_records
from netline.registry.omop_import import import_omop, read_omop


def carried(record: CaseRecord) -> dict[str, Any]:
    """The facts of a record that OMOP carries (see docs/registry.md, "What OMOP cannot carry")."""
    patient, primary = record.patient, record.primary
    histology = primary.histology

    def stop(t: SystemicTherapy) -> Any:
        if t.stop is not None:
            return t.stop
        ongoing = t.reason_stopped is not None and t.reason_stopped.value == "ongoing"
        return t.until if t.cycles and not ongoing and t.until > t.start else None

    return {
        "patient": (
            patient.id,
            patient.sex,
            patient.birth_date,
            None if patient.birth_date else patient.birth_year,
            patient.death_date,
            patient.cause_of_death,
            patient.last_follow_up,
        ),
        "primary": (
            primary.site,
            primary.diagnosed,
            primary.functioning_syndrome,
            histology.ki67_percent if histology else None,
        ),
        "metastases": sorted((m.organ, m.found) for m in record.metastases),
        "therapies": sorted(
            (t.agent, t.start, stop(t), t.reason_stopped, tuple(t.cycles))
            for t in record.of_type(SystemicTherapy)
        ),
        "surgery": sorted((s.date, s.procedure, tuple(s.organs)) for s in record.of_type(Surgery)),
        "local": sorted((x.date, x.modality, x.organ) for x in record.of_type(LocalTherapy)),
        "imaging": sorted(
            (
                i.date,
                i.modality,
                i.recorded_response or "",
                tuple(i.organs_involved),
                tuple(i.organs_clear),
                i.new_lesions,
                i.new_lesions_equivocal,
                i.non_target_progression,
                i.sstr_uptake_score,
                tuple(
                    (x.id, x.organ, x.diameter_mm, x.target, x.new, x.equivocal, x.lymph_node)
                    for x in i.lesions
                ),
            )
            for i in record.of_type(Imaging)
        ),
        "labs": sorted(
            (p.date, r.analyte, r.value, r.unit, r.lower_limit, r.upper_limit)
            for p in record.of_type(LabPanel)
            for r in p.results
        ),
        "status": sorted((s.date, s.status, tuple(s.basis)) for s in record.of_type(DiseaseStatus)),
    }


@pytest.fixture
def cohort_records(
    synthetic_records: list[CaseRecord], seed_record: CaseRecord
) -> list[CaseRecord]:
    return [*synthetic_records, seed_record]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_keeps_every_field_omop_carries(
    tmp_path: Path, cohort_records: list[CaseRecord], fmt: Any
) -> None:
    export_records(cohort_records, tmp_path / "omop", fmt)
    items, _ = read_omop(tmp_path / "omop")
    back = {item.patient.id: item for _, item in items if isinstance(item, CaseRecord)}
    assert len(back) == len(items) == len(cohort_records)
    for record in cohort_records:
        expected, found = carried(record), carried(back[record.patient.id])
        for part in expected:
            assert found[part] == expected[part], (record.patient.id, part)


def test_lines_and_their_outcomes_survive_the_round_trip(
    tmp_path: Path, cohort_records: list[CaseRecord]
) -> None:
    with open_registry(tmp_path / "a.duckdb") as reg:
        reg.import_records(((r.id, r) for r in cohort_records), source="cases")
        before = select_cohort(reg).lines
        from netline.registry.omop import export_omop

        export_omop(reg, tmp_path / "omop")
    with open_registry(tmp_path / "b.duckdb") as reg:
        report = import_omop(reg, tmp_path / "omop")
        after = select_cohort(reg).lines
    assert len(report.added) == len(cohort_records)
    columns = [
        *("patient_id", "line", "label", "start", "end", "end_reason", "cycles"),
        *("best_response", "pfs_days", "pfs_event", "ttnt_days", "os_days", "os_event"),
    ]
    key = ["patient_id", "line"]
    assert (
        before[columns]
        .sort_values(key)
        .reset_index(drop=True)
        .astype(str)
        .equals(after[columns].sort_values(key).reset_index(drop=True).astype(str))
    )


def _rewrite(path: Path, line: int, column: str, value: str) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[line - 2][column] = value
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_bad_row_refuses_the_whole_folder_naming_file_line_field_value(
    tmp_path: Path, cohort_records: list[CaseRecord]
) -> None:
    folder = tmp_path / "omop"
    export_records(cohort_records, folder)
    _rewrite(folder / "drug_exposure.csv", 3, "drug_exposure_start_date", "2019-13-45")
    with open_registry(tmp_path / "r.duckdb") as reg:
        before = reg.snapshot()
        with pytest.raises(ImportRefusedError) as caught:
            import_omop(reg, folder)
        assert reg.snapshot() == before
    text = str(caught.value)
    assert "drug_exposure.csv line 3, field drug_exposure_start_date" in text
    assert "2019-13-45" in text
    assert "YYYY-MM-DD" in text


def test_keep_valid_imports_the_other_persons_and_reports_the_bad_one(
    tmp_path: Path, cohort_records: list[CaseRecord]
) -> None:
    folder = tmp_path / "omop"
    export_records(cohort_records, folder)
    # a stop reason that is not netline's: the record check names the row and field
    _rewrite(folder / "drug_exposure.csv", 2, "stop_reason", "fed up")
    with open_registry(tmp_path / "r.duckdb") as reg:
        report = import_omop(reg, folder, keep_valid=True)
    assert len(report.added) == len(cohort_records) - 1
    (refused,) = report.refused
    (problem,) = refused.problems
    assert "drug_exposure.csv line 2" in problem.location
    assert "reason_stopped" in problem.location
    assert problem.value == "fed up"


def test_rows_of_unknown_persons_and_a_missing_primary_are_errors(tmp_path: Path) -> None:
    folder = tmp_path / "omop"
    folder.mkdir()
    (folder / "person.csv").write_text(
        "person_id,gender_concept_id,year_of_birth,person_source_value\n1,8532,1960,p-one\n"
    )
    (folder / "death.csv").write_text("person_id,death_date\n7,2020-01-01\n")
    items, _ = read_omop(folder)
    messages = [str(item) for _, item in items]
    assert any("death.csv line 2, field person_id" in m and "'7'" in m for m in messages)
    assert any("NET primary tumour" in m and "person.csv line 2" in m for m in messages)


def test_concept_ids_and_icdo3_codes_of_other_sources_are_recognised(tmp_path: Path) -> None:
    """A foreign CDM: ICD-O-3 condition code, RxNorm concept id, LOINC chromogranin A."""
    folder = tmp_path / "omop"
    folder.mkdir()
    (folder / "person.csv").write_text(
        "person_id,gender_concept_id,year_of_birth,month_of_birth,day_of_birth\n10,8507,1955,3,2\n"
    )
    (folder / "condition_occurrence.csv").write_text(
        "person_id,condition_concept_id,condition_start_date,condition_source_value\n"
        "10,0,2015-05-01,8240/3-C25.2\n10,201820,2016-01-01,E11.9\n"
    )
    (folder / "drug_exposure.csv").write_text(
        "person_id,drug_concept_id,drug_exposure_start_date,drug_exposure_end_date,"
        "drug_source_value\n10,19011440,2016-02-01,2016-09-30,AFINITOR 10MG\n"
        "10,1503297,2016-02-01,2016-09-30,metformin\n"
    )
    (folder / "measurement.csv").write_text(
        "person_id,measurement_concept_id,measurement_date,value_as_number,"
        "measurement_source_value,unit_source_value\n10,0,2016-01-15,150,9811-1,ng/mL\n"
    )
    items, _ = read_omop(folder)
    ((_, record),) = items
    assert isinstance(record, CaseRecord)
    assert record.patient.id == "omop-10"
    assert record.patient.sex.value == "male"
    assert record.primary.site.value == "pancreas_tail"
    (therapy,) = record.of_type(SystemicTherapy)  # metformin is not a NET agent: left out
    assert therapy.agent.value == "everolimus"
    assert str(therapy.stop) == "2016-09-30"
    (panel,) = record.of_type(LabPanel)
    assert panel.results[0].analyte.value == "chromogranin_a"


def test_the_cli_imports_an_omop_folder(tmp_path: Path, cohort_records: list[CaseRecord]) -> None:
    export_records(cohort_records, tmp_path / "omop", "parquet")
    store = tmp_path / "r.duckdb"
    result = CliRunner().invoke(registry_app, ["import", str(store), str(tmp_path / "omop")])
    assert result.exit_code == 0, result.output
    assert f"{len(cohort_records)} added" in result.output
    missing = CliRunner().invoke(
        registry_app, ["import", str(store), str(tmp_path), "--format", "omop"]
    )
    assert missing.exit_code != 0
    assert "person.csv or person.parquet" in str(missing.exception or missing.output)


def test_a_bad_parquet_row_is_named_by_its_row_number(
    tmp_path: Path, cohort_records: list[CaseRecord]
) -> None:
    import pandas as pd  # type: ignore[import-untyped]

    folder = tmp_path / "omop"
    export_records(cohort_records, folder, "parquet")
    frame = pd.read_parquet(folder / "measurement.parquet")
    values = frame["value_as_number"]
    frame["value_as_number"] = [None if pd.isna(v) else str(v) for v in values]
    frame.loc[4, "value_as_number"] = "high"
    frame.loc[4, "measurement_source_value"] = "chromogranin_a"
    frame.to_parquet(folder / "measurement.parquet", index=False)
    items, _ = read_omop(folder)
    messages = [str(item) for _, item in items if not isinstance(item, CaseRecord)]
    assert len(messages) == 1
    assert "measurement.parquet row 5, field value_as_number: got 'high'" in messages[0]
