"""The per-patient path gives the engine's lines (used where latency matters: advise)."""

from __future__ import annotations

from pathlib import Path

from netline.course import derive_course, patient_line_rows
from netline.records import load_case

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
