"""Defects of issues 9 and 17 as tests: each failed before the one-engine course."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from netline.course import CourseTables, LineRules, derive_course, derive_lines, patient_line_rows
from netline.errors import InvalidInputError
from netline.records import parse_case

from .histories import Ep, History, tables_of
from .oracle import oracle

HEADER = """
netline_case: 1
id: {pid}
index_date: 2018-01-01
patient: {{id: {pid}, sex: female, birth_date: 1960-01-01, last_follow_up: 2022-06-01}}
primary: {{site: pancreas_body, diagnosed: 2018-01-01}}
events:
"""


def _case(pid: str, events: str) -> Any:
    return parse_case(HEADER.format(pid=pid) + events)


def _same_as_oracle(tables: CourseTables, rules: LineRules | None = None) -> Any:
    rules = rules or LineRules()
    course = derive_lines(tables, rules)
    lines, patients, episode_lines = oracle(tables, rules)
    assert course.lines.to_pylist() == lines
    assert course.patients.to_pylist() == patients
    assert course.episode_lines.to_pylist() == episode_lines
    return course


def test_lanreotide_plus_everolimus_end_reasons_agree_everywhere() -> None:
    """Issue 9: assess said L1 new_line / L2 completed, advise L1 completed / L2 toxicity."""
    record = _case(
        "repro",
        """
  - {id: lan, type: systemic_therapy, agent: lanreotide, start: 2019-02-01, stop: 2020-12-01,
     reason_stopped: completed}
  - {id: eve, type: systemic_therapy, agent: everolimus, start: 2020-01-01, stop: 2020-04-01,
     reason_stopped: toxicity}
""",
    )
    course = derive_course(record)
    assert [(line.label, line.end_reason) for line in course.lines] == [
        ("lanreotide", "new_line"),
        ("everolimus + lanreotide", "completed"),
    ]
    assert course.line(2).backbone == ("lanreotide",)
    rows = patient_line_rows(record).lines
    assert [(r["label"], r["end_reason"]) for r in rows] == [
        (line.label, line.end_reason) for line in course.lines
    ]


def test_no_silent_fallback_backend() -> None:
    tables = tables_of({"p": History([Ep("lanreotide", 0, 100)])})
    with pytest.raises(InvalidInputError, match="backend"):
        derive_lines(tables, backend="duckdb")


def test_confirmed_equivocal_lesion_dates_progression_back() -> None:
    """RECIST 1.1: an equivocal new lesion confirmed later is progression from its sighting."""
    record = _case(
        "equivocal",
        """
  - {id: base, type: imaging, date: 2019-01-10, modality: ct,
     lesions: [{id: a, organ: liver, diameter_mm: 30, target: true}]}
  - {id: lan, type: systemic_therapy, agent: lanreotide, start: 2019-02-01}
  - {id: s1, type: imaging, date: 2019-06-01, modality: ct,
     lesions: [{id: a, organ: liver, diameter_mm: 30}], new_lesions: true,
     new_lesions_equivocal: true}
  - {id: s2, type: imaging, date: 2019-09-01, modality: ct,
     lesions: [{id: a, organ: liver, diameter_mm: 31}], new_lesions: true}
""",
    )
    course = derive_course(record)
    line = course.line(1)
    assert line.first_progression == dt.date(2019, 6, 1)
    assert line.pfs.event is True
    assert line.pfs.days == (dt.date(2019, 6, 1) - dt.date(2019, 2, 1)).days
    backdated = [a for a in course.assessments if a.progression and a.source == "recist"]
    assert backdated
    assert backdated[0].note is not None
    assert "first sighting" in backdated[0].note


def test_unconfirmed_equivocal_lesion_is_not_progression() -> None:
    record = _case(
        "unconfirmed",
        """
  - {id: base, type: imaging, date: 2019-01-10, modality: ct,
     lesions: [{id: a, organ: liver, diameter_mm: 30, target: true}]}
  - {id: lan, type: systemic_therapy, agent: lanreotide, start: 2019-02-01}
  - {id: s1, type: imaging, date: 2019-06-01, modality: ct,
     lesions: [{id: a, organ: liver, diameter_mm: 30}], new_lesions: true,
     new_lesions_equivocal: true}
  - {id: s2, type: imaging, date: 2019-09-01, modality: ct,
     lesions: [{id: a, organ: liver, diameter_mm: 29}], new_lesions: false}
""",
    )
    course = derive_course(record)
    line = course.line(1)
    assert line.first_progression is None
    assert line.pfs.event is False
    assert line.best_response == "SD"
    notes = [a.note for a in course.assessments if a.date == dt.date(2019, 6, 1)]
    assert notes
    assert all(note is not None and "equivocal" in note for note in notes)


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize("kind", ["strings", "large_integers"])
def test_identifiers_any_string_or_integer_up_to_2_63(kind: str) -> None:
    """Issue 9: packed sort keys changed end reasons for episode ids of 10**6 and more."""
    big = 2**63 - 1
    cohort = {
        "a": History(
            [
                Ep("lanreotide", 0, 500, reason="completed"),
                Ep("everolimus", 100, 200, reason="toxicity"),
            ],
            assessments=[(150, "PR", "recorded")],
        ),
        "b": History([Ep("sunitinib", 0, 100), Ep("sunitinib", 50, 300, reason="toxicity")]),
    }
    ids = {"a": "patient/ä 1", "b": "patient-2"} if kind == "strings" else {"a": big, "b": big - 1}
    tables = tables_of(cohort, patient_ids=ids, episode_offset=big - 10)
    course = _same_as_oracle(tables)
    assert set(course.episode_lines.column("episode_id").to_pylist()) == {big - 10, big - 9}
    reasons = dict(
        zip(
            course.lines.column("label").to_pylist(),
            course.lines.column("end_reason").to_pylist(),
            strict=True,
        )
    )
    assert reasons["everolimus + lanreotide"] == "completed"
    assert reasons["sunitinib"] == "toxicity"


def test_one_hundred_distinct_agents_in_one_derivation() -> None:
    """Issue 9: agents were bit masks, at most 62 per derivation."""

    def agent(i: int, start: int) -> Ep:
        return Ep(f"agent_{i:03d}", start, start + 100, agent_class=f"class_{i:03d}")

    combination = History([agent(i, 0) for i in range(100)])
    chain = History([agent(i, 200 * i) for i in range(100)])
    tables = tables_of({"combination": combination, "chain": chain})
    course = _same_as_oracle(tables)
    rows = course.lines.to_pylist()
    together = [r for r in rows if r["patient_id"] == "combination"]
    assert len(together) == 1
    assert len(together[0]["agents"]) == 100
    assert len([r for r in rows if r["patient_id"] == "chain"]) == 100


def test_sixty_line_patient_is_linear() -> None:
    """Issue 17: one pass per link of the longest chain made long histories explode."""
    agents = ["sunitinib", "everolimus", "capecitabine", "temozolomide"]
    episodes = [Ep(agents[i % 4], 40 * i, 40 * i + 35) for i in range(60)]
    # a novel agent every 40 days, each one more than the regimen window after the last
    tables = tables_of({"long": History(episodes), "short": History([Ep("lanreotide", 0, 50)])})
    started = time.perf_counter()
    course = _same_as_oracle(tables)
    assert time.perf_counter() - started >= 0  # runs; timing is the benchmark's business
    lines = [r for r in course.lines.to_pylist() if r["patient_id"] == "long"]
    assert len(lines) == 60
    # chains inside the regimen window: every candidate depends on the previous one
    window = LineRules(regimen_window_days=100)
    _same_as_oracle(tables, window)


# --------------------------------------------------------------------------- claims-only data


def _switches() -> CourseTables:
    return tables_of(
        {
            "ssa": History([Ep("lanreotide", 0, 300), Ep("octreotide_lar", 330, 700)]),
            "tki": History([Ep("sunitinib", 0, 300), Ep("cabozantinib", 320, 600)]),
            "captem": History(
                [
                    Ep("capecitabine", 0, 200),
                    Ep("temozolomide", 0, 200),
                    Ep("streptozocin", 260, 400),
                    Ep("fluorouracil", 260, 400),
                ]
            ),
        }
    )


def test_claims_only_rules_allow_no_assessment_source() -> None:
    rules = LineRules(assessment_sources=frozenset())
    assert rules.switch_within_class_opens_line
    course = _same_as_oracle(_switches(), rules)
    counts: dict[object, int] = {}
    for row in course.lines.to_pylist():
        counts[row["patient_id"]] = counts.get(row["patient_id"], 0) + 1
        assert row["pfs_event"] is False  # nothing can show progression
    # a switch within a class opens a new line when no assessments exist (the default)
    assert counts == {"captem": 2, "ssa": 2, "tki": 2}
    assert "no assessment source" in rules.describe_pfs()


def test_claims_only_switch_rule_can_be_turned_off() -> None:
    rules = LineRules(assessment_sources=frozenset(), class_switch_opens_line="never")
    course = _same_as_oracle(_switches(), rules)
    assert course.lines.num_rows == 3  # each switch merged into one line
    with_assessments = LineRules()
    assert not with_assessments.switch_within_class_opens_line
    assert derive_lines(_switches(), with_assessments).lines.num_rows == 3


def test_from_frames_accepts_empty_pandas_assessments() -> None:
    """Issue 17: pandas makes the date column of an empty frame float; it was rejected."""
    tables = tables_of({"p": History([Ep("lanreotide", 0, 100)])})
    empty = pd.DataFrame(
        {
            "patient_id": pd.Series([], dtype=object),
            "date": pd.Series([], dtype=float),
            "response": pd.Series([], dtype=object),
            "progression": pd.Series([], dtype=bool),
            "source": pd.Series([], dtype=object),
        }
    )
    built = CourseTables.from_frames(
        tables.episodes.to_pandas(), empty, tables.followup.to_pandas()
    )
    assert built.assessments.num_rows == 0
    assert built.assessments.schema.field("date").type == pa.date32()
    assert derive_lines(built).lines.num_rows == 1


def test_bad_rows_named_clearly() -> None:
    tables = tables_of({"p": History([Ep("lanreotide", 0, 100)])})
    episodes = tables.episodes.set_column(
        tables.episodes.schema.get_field_index("start"),
        "start",
        pa.array([None], pa.date32()),
    )
    broken = CourseTables(episodes, tables.assessments, tables.followup, tables.procedures)
    with pytest.raises(InvalidInputError, match=r"episodes\[0\]\.start.*patient 'p'"):
        derive_lines(broken)
    orphan = tables_of({"q": History([Ep("lanreotide", 0, 100)])})
    mixed = CourseTables(orphan.episodes, tables.assessments, tables.followup, tables.procedures)
    with pytest.raises(InvalidInputError, match="patient listed in followup"):
        derive_lines(mixed)


def test_best_response_with_and_without_confirmation() -> None:
    """Issue 9: best response per line with and without confirmation, by the one RECIST rule.

    RECIST 1.1 (Eisenhauer 2009, section 4.4 and Table 3): a CR or PR counts for the confirmed
    best response only when a later assessment at least 4 weeks after confirms it; an
    unconfirmed PR counts as SD once the minimum SD interval is met; a PR after a CR means
    that disease reappeared (PD). Stable disease needs ``sd_min_days`` from the start.
    """
    ssa = [Ep("everolimus", 0, None)]
    cases = {
        "confirmed": [(60, "PR", "recist"), (100, "PR", "recist")],
        "unconfirmed": [(60, "PR", "recist"), (100, "SD", "recist")],
        "cr_then_pr": [(60, "CR", "recist"), (120, "PR", "recist")],
        "same_day": [(60, "PR", "recorded"), (60, "SD", "recist"), (100, "SD", "recist")],
        "early_sd": [(30, "SD", "recist")],
    }
    histories = {name: History(ssa, assessments=rows) for name, rows in cases.items()}
    course = _same_as_oracle(tables_of(histories))
    got = {
        row["patient_id"]: (
            row["best_response"],
            row["best_response_confirmed"],
            row["best_response_source"],
            row["best_response_date"],
        )
        for row in course.lines.to_pylist()
    }
    day60 = dt.date(2020, 1, 1) + dt.timedelta(days=60)
    day30 = dt.date(2020, 1, 1) + dt.timedelta(days=30)
    assert got == {
        "confirmed": ("PR", "PR", "recist", day60),
        "unconfirmed": ("PR", "SD", "recist", day60),
        "cr_then_pr": ("CR", "SD", "recist", day60),
        # one time point a day: the RECIST measurement outranks the recorded response
        "same_day": ("SD", "SD", "recist", day60),
        "early_sd": ("NE", "NE", "recist", day30),
    }


def test_one_patient_course_does_not_import_pandas() -> None:
    """Issue 9: ``netline assess`` imported pandas (about 0.3 s) through pyarrow's conversion
    of Python objects in ``tables_from_records`` and ``summarise``; the course needs none."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from netline.course import derive_course\n"
        "from netline.records import load_case\n"
        "derive_course(load_case('examples/seed-case.yaml'))\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_procedure_counted_as_line_needs_a_name() -> None:
    """A procedure counted as a line without a name was an Arrow index error (a traceback)."""
    tables = tables_of(
        {"p": History([Ep("lanreotide", 0, 400)], procedures=[(200, "surgery", "hepatectomy")])}
    )
    column = tables.procedures.schema.get_field_index("procedure")
    nameless = tables.procedures.set_column(column, "procedure", pa.array([None], pa.string()))
    broken = CourseTables(tables.episodes, tables.assessments, tables.followup, nameless)
    rules = LineRules(procedures_as_lines=frozenset({"surgery"}))
    with pytest.raises(InvalidInputError, match=r"procedures\[0\]\.procedure.*patient 'p'"):
        derive_lines(broken, rules)
    assert derive_lines(broken).lines.num_rows == 1  # not counted as a line: no name needed
