"""Record -> long tables: RECIST time points, sources of assessments, checks of the tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from netline.clinical.recist import imaging_timepoints, select_targets
from netline.course import CourseTables, derive_lines, tables_from_records
from netline.errors import InvalidInputError
from netline.records import CaseRecord, Imaging, load_case

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-case.yaml"
D0 = dt.date(2020, 1, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def scan(n: int, *lesions: Any, **extra: Any) -> Imaging:
    return Imaging.model_validate(
        {
            "id": f"ct{n}",
            "date": day(n),
            "modality": extra.pop("modality", "ct"),
            "lesions": [
                {"id": i, "organ": "liver", "diameter_mm": d, **({"target": True} if t else {})}
                for i, d, t in lesions
            ],
            **extra,
        }
    )


def responses(scans: list[Imaging], starts: list[int]) -> list[tuple[int, str]]:
    points = imaging_timepoints(scans, [day(s) for s in starts])
    return [((p.date - D0).days, p.response) for p in points]


def test_recist_sequence_baseline_pr_nadir_pd() -> None:
    scans = [
        scan(-10, ("a", 30.0, True), ("b", 20.0, True)),  # baseline, 50 mm
        scan(90, ("a", 20.0, True), ("b", 14.0, True)),  # 34 mm: -32 % -> PR
        scan(180, ("a", 18.0, True), ("b", 12.0, True)),  # 30 mm: nadir
        scan(270, ("a", 24.0, True), ("b", 13.0, True)),  # 37 mm: +23 %, +7 mm -> PD
    ]
    assert responses(scans, [0]) == [(90, "PR"), (180, "PR"), (270, "PD")]


def test_recist_twenty_percent_but_under_five_mm_is_not_pd() -> None:
    scans = [scan(-5, ("a", 12.0, True)), scan(60, ("a", 10.0, True)), scan(120, ("a", 12.5, True))]
    assert responses(scans, [0]) == [(60, "SD"), (120, "SD")]


def test_recist_new_lesion_and_unmeasured_target() -> None:
    scans = [
        scan(-5, ("a", 30.0, True), ("b", 20.0, True)),
        scan(60, ("a", 29.0, True)),  # b not measured -> NE
        scan(120, new_lesions=True),  # no measurements, new lesion -> PD
    ]
    assert responses(scans, [0]) == [(60, "NE"), (120, "PD")]


def test_recist_baseline_resets_at_a_new_treatment() -> None:
    scans = [
        scan(-5, ("a", 40.0, True)),
        scan(100, ("a", 20.0, True)),  # PR vs 40
        scan(200, ("a", 26.0, True)),  # +30 %, +6 mm vs nadir 20 -> PD
        scan(300, ("a", 25.0, True)),  # new baseline 26 (scan on day 200): SD
    ]
    assert responses(scans, [0, 210]) == [(100, "PR"), (200, "PD"), (300, "SD")]


def test_recist_targets_chosen_when_not_flagged() -> None:
    baseline = scan(
        0, ("a", 50.0, False), ("b", 40.0, False), ("c", 30.0, False), ("d", 8.0, False)
    )
    assert [lesion.id for lesion in select_targets(baseline)] == ["a", "b"]  # 2 per organ
    follow = scan(90, ("a", 30.0, False), ("b", 25.0, False), ("c", 30.0, False), ("d", 8.0, False))
    # targets a+b: 90 -> 55 mm (-39 %): PR; non-targets c, d persist
    assert responses([baseline, follow], []) == [(90, "PR")]


def test_recist_only_ct_and_mri_are_measured() -> None:
    scans = [scan(-5, ("a", 30.0, True)), scan(60, ("a", 10.0, True), modality="srs")]
    assert responses(scans, [0]) == []


def test_seed_assessments_and_sources() -> None:
    tables = tables_from_records(load_case(SEED))
    rows = tables.assessments.to_pylist()
    sources = {(r["date"].isoformat(), r["source"]): r["response"] for r in rows}
    # the 2021 new lesion is reported as suspected: no RECIST response, not progression
    assert sources[("2021-05-16", "recist")] is None
    assert sources[("2021-05-16", "recorded")] is None
    notes = {r["note"] for r in rows if r["date"] == dt.date(2021, 5, 16)}
    assert all(note and "equivocal" in note for note in notes)
    assert not [r for r in rows if r["date"] == dt.date(2021, 5, 16) and r["progression"]]
    assert sources[("2019-12-16", "recorded")] == "PR"
    assert sources[("2021-12-16", "clinician")] == "responding"
    assert sources[("2019-02-01", "stop_reason")] == "PD"  # opt-in source
    follow = tables.followup.to_pylist()[0]
    assert follow["first_metastasis"] == dt.date(2015, 1, 1)
    assert follow["last_follow_up"] == dt.date(2023, 12, 1)
    procedures = tables.procedures.to_pylist()
    assert [p["procedure"] for p in procedures][-1] == "partial_hepatectomy"
    assert procedures[-1]["pathological_complete_response"] is True
    episodes = tables.episodes.to_pylist()
    assert [e["cycles"] for e in episodes] == [None, 4, None]
    assert episodes[1]["clinical_trial"] is True


def test_duplicate_patients_rejected() -> None:
    record = load_case(SEED)
    with pytest.raises(InvalidInputError, match="patient id"):
        tables_from_records([record, record])


def test_from_frames_checks_columns_and_types() -> None:
    good = tables_from_records(load_case(SEED))
    with pytest.raises(InvalidInputError, match=r"episodes\.agent"):
        CourseTables.from_frames(
            good.episodes.drop_columns(["agent"]), good.assessments, good.followup
        )
    bad_dates = good.episodes.set_column(
        good.episodes.schema.get_field_index("start"),
        "start",
        pa.array(["not a date"] * good.episodes.num_rows),
    )
    with pytest.raises(InvalidInputError, match=r"episodes\.start"):
        CourseTables.from_frames(bad_dates, good.assessments, good.followup)
    tables = CourseTables.from_frames(
        good.episodes.to_pandas(), good.assessments.to_pandas(), good.followup.to_pandas()
    )
    assert tables.procedures.num_rows == 0
    assert derive_lines(tables).lines.num_rows == 3


def test_parquet_round_trip_and_select(tmp_path: Path) -> None:
    record = load_case(SEED)
    other = CaseRecord.model_validate(
        record.model_dump() | {"id": "other", "patient": record.patient.model_dump() | {"id": "b"}}
    )
    tables = tables_from_records([record, other])
    tables.write_parquet(tmp_path / "t")
    again = CourseTables.read_parquet(tmp_path / "t")
    for name, table in tables.as_dict().items():
        assert again.as_dict()[name].equals(table)
    assert tables.select(["b"]).n_patients == 1
    assert set(tables.select(["b"]).episodes.column("patient_id").to_pylist()) == {"b"}


def test_from_rows_with_integer_ids() -> None:
    tables = CourseTables.from_rows(
        episodes=[
            {
                "patient_id": 1,
                "episode_id": 0,
                "agent": "everolimus",
                "agent_class": "mtor_inhibitor",
                "start": day(0),
                "stop": day(100),
            }
        ],
        assessments=[],
        followup=[{"patient_id": 1, "last_follow_up": day(400)}],
    )
    course = derive_lines(tables)
    assert course.lines.column("label").to_pylist() == ["everolimus"]
    assert course.lines.schema.field("patient_id").type == pa.int64()
    with pytest.raises(InvalidInputError):
        CourseTables.from_rows([], [], [])
