"""Batched writes: the store holds the same rows whether records come in one import or one by one.

The store derives every patient's facts and course tables for a whole import at once; these
tests check that this gives, column by column, what importing each record alone gives, and
that the facts are those of :func:`netline.assess` (the oracle here: the whole assessment,
which the store no longer runs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from netline.assessment import assess
from netline.records import CaseRecord, load_case
from netline.registry import open_registry
from netline.registry._facts import FACT_SCHEMA, STAGE_EDITION, facts_row, facts_table
from netline.registry._schema import COURSE_TABLES
from netline.registry.datasets import demo_records

from .conftest import ROOT

#: Columns that name the import or the moment of writing, which differ by design between
#: one import and many.
_PER_IMPORT = {"import_id", "audit_id", "imported_at", "changed_at"}


def _published() -> list[CaseRecord]:
    return [load_case(path) for path in sorted((ROOT / "examples").glob("*.yaml"))]


def _oracle(record: CaseRecord) -> dict[str, Any]:
    """The facts as the whole assessment gives them."""
    assessment = assess(record, lines=False)
    grade = assessment.grade
    staging = assessment.staging.get(STAGE_EDITION)
    group = None if staging is None else staging.value.stage_group
    return {
        "diagnosis": assessment.diagnosis_date,
        "age_at_diagnosis": assessment.age_at_diagnosis,
        "grade": None if grade is None else str(grade.value.value),
        "stage": None if group is None else str(group.value),
    }


@pytest.mark.parametrize("source", ["demo", "published"])
def test_facts_are_those_of_the_assessment(source: str) -> None:
    records = demo_records(80, seed=11) if source == "demo" else _published()
    for record in records:
        row = facts_row(record)
        assert {k: row[k] for k in ("diagnosis", "age_at_diagnosis", "grade", "stage")} == (
            _oracle(record)
        ), record.patient.id
    assert any(facts_row(r)["grade"] for r in records)
    assert any(facts_row(r)["stage"] for r in records)


def test_facts_without_a_birth_date_have_no_age(seed_record: CaseRecord) -> None:
    patient = seed_record.patient.model_copy(update={"birth_date": None, "birth_year": None})
    record = seed_record.model_copy(update={"patient": patient})
    row = facts_row(record)
    assert row["age_at_diagnosis"] is None
    assert row["diagnosis"] == _oracle(record)["diagnosis"] is not None


def test_facts_table_has_the_store_types_even_when_a_column_is_all_empty() -> None:
    records = [r for r in demo_records(40, seed=3) if facts_row(r)["grade"] is None][:3]
    assert records
    table = facts_table(records)
    assert table.schema == FACT_SCHEMA
    assert table.column("grade").null_count == len(records)
    assert facts_table([]).schema == FACT_SCHEMA


def _columns(reg: Any) -> dict[str, dict[str, list[object]]]:
    """Every table but ``imports``, sorted by its rows, as columns (per-import columns left out)."""
    out: dict[str, dict[str, list[object]]] = {}
    for name in ("records", "patient_facts", *COURSE_TABLES, "audit"):
        table = reg.table(name)
        keep = [c for c in table.column_names if c not in _PER_IMPORT]
        rows = sorted((tuple(r[c] for c in keep) for r in table.to_pylist()), key=repr)
        out[name] = {c: [row[i] for row in rows] for i, c in enumerate(keep)}
    return out


def _changed(record: CaseRecord) -> CaseRecord:
    sex = type(record.patient.sex)("female" if record.patient.sex.value == "male" else "male")
    return record.model_copy(update={"patient": record.patient.model_copy(update={"sex": sex})})


def test_batched_import_equals_one_record_at_a_time(
    tmp_path: Path, seed_record: CaseRecord
) -> None:
    records = [*demo_records(30, seed=3), *_published()]
    changed = [_changed(r) for r in records[::4]]
    with (
        open_registry(tmp_path / "batch.duckdb") as batch,
        open_registry(tmp_path / "single.duckdb") as single,
    ):
        batch.import_records([(f"f{i}", r) for i, r in enumerate(records)], source="s", who="t")
        for i, record in enumerate(records):
            single.import_records([(f"f{i}", record)], source="s", who="t")
        assert _columns(batch) == _columns(single)
        batch.import_records([(f"g{i}", r) for i, r in enumerate(changed)], source="s", who="t")
        for i, record in enumerate(changed):
            single.import_records([(f"g{i}", record)], source="s", who="t")
        batched, one_by_one = _columns(batch), _columns(single)
        assert batched == one_by_one
        assert batched["audit"]["action"].count("changed") == len(changed)
        changes = [json.loads(str(c)) for c in batched["audit"]["changes"] if c != "[]"]
        assert all(c[0]["field"] == "patient.sex" for c in changes)
        assert len(batched["records"]["patient_id"]) == len(records)
