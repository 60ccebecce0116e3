"""The store: created on first use, versioned, idempotent, audited, refusing bad files whole."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from netline.errors import InvalidInputError
from netline.records import CaseRecord, dump_case
from netline.registry import ImportRefusedError, open_registry
from netline.registry._schema import SCHEMA_VERSION, TABLES

from .conftest import write_cases


def test_store_is_created_on_first_use_with_its_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "reg.duckdb"
    with open_registry(path) as reg:
        assert reg.schema_version == SCHEMA_VERSION
        assert set(reg.counts()) == set(TABLES)
        assert reg.counts()["records"] == 0
    assert path.exists()
    with open_registry(path) as reg:  # reopening migrates nothing
        assert reg.table("netline_meta").num_rows == 4


def test_store_from_a_newer_netline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reg.duckdb"
    open_registry(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE netline_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(InvalidInputError, match=f"at most {SCHEMA_VERSION}"):
        open_registry(path)


def test_foreign_duckdb_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(InvalidInputError, match="other tables"):
        open_registry(path)


def test_import_is_idempotent(tmp_path: Path, case_folder: Path) -> None:
    with open_registry(tmp_path / "reg.duckdb") as reg:
        first = reg.import_case_files(case_folder, who="tester")
        assert len(first.added) == 21
        before = reg.snapshot()
        again = reg.import_case_files(case_folder, who="tester")
        assert again.added == ()
        assert again.changed == ()
        assert len(again.unchanged) == 21
        after = reg.snapshot()
    for table in TABLES:
        if table != "imports":
            assert after[table] == before[table], table


def test_records_round_trip_through_the_store(
    tmp_path: Path, case_folder: Path, seed_record: CaseRecord
) -> None:
    with open_registry(tmp_path / "reg.duckdb") as reg:
        reg.import_case_files(case_folder)
        (stored,) = reg.records(["seed-case"])
    assert stored == seed_record


def test_changed_record_replaces_the_old_one_with_an_audit_row(
    tmp_path: Path, case_folder: Path, seed_record: CaseRecord
) -> None:
    with open_registry(tmp_path / "reg.duckdb") as reg:
        reg.import_case_files(case_folder, who="alice")
        assert reg.table("followup").num_rows == 21
        data = seed_record.model_dump(mode="json")
        data["primary"]["histology"]["ki67_percent"] = 15.0
        changed = CaseRecord.model_validate(data)
        path = case_folder / "seed-case.yaml"
        dump_case(changed, path)
        report = reg.import_case_files(path, who="bob")
        assert report.changed == ("seed-case",)
        (stored,) = reg.records(["seed-case"])
        assert stored.primary.histology is not None
        assert stored.primary.histology.ki67_percent == 15.0
        facts = {r["patient_id"]: r for r in reg.facts().to_pylist()}
        assert facts["seed-case"]["ki67_percent"] == 15.0
        assert reg.counts()["records"] == 21
        assert reg.table("followup").num_rows == 21  # replaced, not duplicated
        rows = reg.audit("seed-case")
    assert [r["action"] for r in rows] == ["added", "changed"]
    last = rows[-1]
    assert last["who"] == "bob"
    assert last["source_file"] == str(path)
    assert last["changed_at"] is not None
    assert last["changes"] == [
        {"field": "primary.histology.ki67_percent", "old": 10.0, "new": 15.0}
    ]


def _bad_files(folder: Path) -> tuple[Path, Path]:
    bad_value = folder / "bad-ki67.yaml"
    text = (
        (folder / "seed-case.yaml").read_text().replace("ki67_percent: 10.0", "ki67_percent: 120")
    )
    text = text.replace("id: seed-case", "id: seed-bad")
    bad_value.write_text(text)
    bad_yaml = folder / "broken.json"
    bad_yaml.write_text(json.dumps({"id": "x"}))
    return bad_value, bad_yaml


def test_a_file_with_errors_refuses_the_whole_import(tmp_path: Path, case_folder: Path) -> None:
    bad_value, bad_yaml = _bad_files(case_folder)
    with open_registry(tmp_path / "reg.duckdb") as reg:
        before = reg.snapshot()
        with pytest.raises(ImportRefusedError) as caught:
            reg.import_case_files(case_folder)
        assert reg.snapshot() == before
    message = str(caught.value)
    assert f"{bad_value}: primary.histology.ki67_percent: got 120.0" in message or (
        f"{bad_value}: primary.histology.ki67_percent: got 120" in message
    )
    assert f"{bad_yaml}: patient" in message
    assert "Nothing was imported" in message


def test_keep_valid_imports_the_rest_and_lists_the_refused(
    tmp_path: Path, case_folder: Path
) -> None:
    bad_value, bad_yaml = _bad_files(case_folder)
    with open_registry(tmp_path / "reg.duckdb") as reg:
        report = reg.import_case_files(case_folder, keep_valid=True)
        assert reg.counts()["records"] == 21
        assert reg.table("imports").to_pylist()[0]["refused"] == 2
    assert {r.where for r in report.refused} == {str(bad_value), str(bad_yaml)}
    text = report.render("text")
    assert "2 refused" in text
    assert "ki67_percent" in text
    assert json.loads(report.render("json"))["refused"][0]["problems"]
    with pytest.raises(ValueError, match="format"):
        report.render("pdf")


def test_two_files_with_one_patient_id_are_refused(
    tmp_path: Path, synthetic_records: list[CaseRecord]
) -> None:
    folder = write_cases(tmp_path / "a", synthetic_records[:2])
    dump_case(synthetic_records[0], folder / "copy.yaml")
    with (
        open_registry(tmp_path / "reg.duckdb") as reg,
        pytest.raises(ImportRefusedError, match="a patient id not already used by"),
    ):
        reg.import_case_files(folder)


def test_missing_path_is_named(tmp_path: Path) -> None:
    with (
        open_registry(tmp_path / "reg.duckdb") as reg,
        pytest.raises(InvalidInputError, match="an existing case file or folder"),
    ):
        reg.import_case_files(tmp_path / "nope")


def test_unknown_table_is_named(tmp_path: Path) -> None:
    with (
        open_registry(tmp_path / "reg.duckdb") as reg,
        pytest.raises(InvalidInputError, match="one of netline_meta"),
    ):
        reg.table("patients")


def test_store_columns_match_the_course_tables(tmp_path: Path, case_folder: Path) -> None:
    from netline.course.tables import (
        ASSESSMENT_COLUMNS,
        EPISODE_COLUMNS,
        FOLLOWUP_COLUMNS,
        PROCEDURE_COLUMNS,
    )

    with open_registry(tmp_path / "reg.duckdb") as reg:
        for name, columns in (
            ("episodes", EPISODE_COLUMNS),
            ("assessments", ASSESSMENT_COLUMNS),
            ("followup", FOLLOWUP_COLUMNS),
            ("procedures", PROCEDURE_COLUMNS),
        ):
            assert reg.table(name).column_names == ["patient_id", *columns], name


def test_a_version_1_store_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    """The migration path: a store written with schema 1 opens as the current version."""
    import duckdb

    from netline.registry._schema import MIGRATIONS

    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    for statement in MIGRATIONS[1]:  # type: ignore[union-attr]
        con.execute(statement)
    con.execute("INSERT INTO netline_meta VALUES ('schema_version', '1')")
    con.close()
    with open_registry(path) as reg:
        assert reg.schema_version == SCHEMA_VERSION
        columns = {row[0] for row in reg._con.execute("DESCRIBE assessments").fetchall()}
        assert "note" in columns
