"""The per-patient path gives the engine's lines (used where latency matters: advise)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from netline.course import (
    derive_course,
    derive_lines,
    patient_line_rows,
    summarise,
    tables_from_records,
)
from netline.records import load_case, parse_case

from .test_consumers_agree import case_texts

SEED = Path(__file__).parents[2] / "examples" / "seed-case.yaml"


def test_per_patient_lines_equal_the_engine_on_the_seed_case() -> None:
    record = load_case(SEED)
    engine = derive_course(record)
    fast = patient_line_rows(record)
    assert [
        (
            row["line"],
            row["start"],
            row["end"],
            tuple(row["agents"]),
            row["best_response"],
            row["pfs_days"],
            bool(row["pfs_event"]),
        )
        for row in fast.lines
    ] == [
        (
            line.number,
            line.start,
            line.end,
            line.agents,
            line.best_response,
            line.pfs.days,
            bool(line.pfs.event),
        )
        for line in engine.lines
    ]
    assert fast.last_follow_up == engine.outcomes.last_follow_up
    assert {a.source for a in fast.assessments} >= {"recorded", "clinician"}


EXAMPLES = sorted((SEED.parent).glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_one_patient_reads_its_rows_as_a_registry_reads_its_tables(path: Path) -> None:
    """``derive_course`` summarises from the record's own rows, a registry from its tables.

    Every field of the summary (lines, outcomes, procedures, assessments) is the same, for each
    published example, alone and as one patient of a registry of all of them.
    """
    records = [load_case(p) for p in EXAMPLES]
    record = load_case(path)
    alone = tables_from_records(record)
    registry = tables_from_records(records)
    expected = summarise(derive_lines(alone), alone, record.patient.id).to_dict()
    assert derive_course(record).to_dict() == expected
    assert summarise(derive_lines(registry), registry, record.patient.id).to_dict() == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=case_texts())
def test_random_histories_read_alike_from_rows_and_tables(text: str) -> None:
    record = parse_case(text)
    tables = tables_from_records(record)
    expected = summarise(derive_lines(tables), tables, record.patient.id)
    assert derive_course(record) == expected
