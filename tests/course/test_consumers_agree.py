"""Every consumer of the course reports the same lines (issue 9): assess, advise, the rows API.

``netline assess`` shows :func:`netline.course.derive_course`; decision support reads
:func:`netline.course.patient_line_rows`; the replay takes what was done next from the same
lines. Random record
histories, built as case files, must give the same lines, end reasons and outcomes through
both, because both are the one engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netline.advice.state import record_as_of
from netline.course import derive_course, patient_line_rows
from netline.records import parse_case

HEADER = """
netline_case: 1
id: random
index_date: 2018-01-01
patient: {id: random, sex: female, birth_date: 1960-01-01, last_follow_up: 2026-01-01}
primary: {site: pancreas_body, diagnosed: 2018-01-01}
events:
"""
AGENTS = ["lanreotide", "octreotide_lar", "everolimus", "sunitinib", "capecitabine"]
BASE = dt.date(2019, 1, 1)


@st.composite
def case_texts(draw: Any) -> str:
    lines = []
    for i in range(draw(st.integers(1, 5))):
        agent = draw(st.sampled_from(AGENTS))
        start = BASE + dt.timedelta(days=draw(st.integers(0, 1500)))
        stop = start + dt.timedelta(days=draw(st.integers(1, 400)))
        reason = draw(st.sampled_from(["completed", "toxicity", "progression", "other"]))
        lines.append(
            f"  - {{id: t{i}, type: systemic_therapy, agent: {agent}, start: {start}, "
            f"stop: {stop}, reason_stopped: {reason}}}"
        )
    for j in range(draw(st.integers(0, 3))):
        when = BASE + dt.timedelta(days=draw(st.integers(30, 1800)))
        status = draw(st.sampled_from(["responding", "stable", "progressing"]))
        lines.append(f"  - {{id: s{j}, type: disease_status, date: {when}, status: {status}}}")
    return HEADER + "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=case_texts())
def test_assess_and_rows_agree(text: str) -> None:
    record = parse_case(text)
    course = derive_course(record)
    rows = patient_line_rows(record).lines
    assert [
        (r["line"], r["label"], r["start"], r["end"], r["end_reason"], r["pfs_days"]) for r in rows
    ] == [
        (line.number, line.label, line.start, line.end, line.end_reason, line.pfs.days)
        for line in course.lines
    ]


def test_advise_reports_the_course_end_reasons() -> None:
    """The issue's reproduction: assess said new_line/completed, advise completed/toxicity."""
    from netline.advice.state import decision_state

    record = parse_case(
        HEADER + "  - {id: lan, type: systemic_therapy, agent: lanreotide, start: 2019-02-01,"
        " stop: 2020-12-01, reason_stopped: completed}\n"
        "  - {id: eve, type: systemic_therapy, agent: everolimus, start: 2020-01-01,"
        " stop: 2020-04-01, reason_stopped: toxicity}\n"
    )
    state = decision_state(record, dt.date(2021, 1, 1))
    course = derive_course(record)
    assert [(p.label, p.end_reason) for p in state.lines] == [
        (line.label, line.end_reason) for line in course.lines
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=case_texts())
def test_assess_advise_and_replay_agree(text: str) -> None:
    from netline.advice import advise, replay

    record = parse_case(text)
    course = derive_course(record)
    expected = [
        (line.label, line.start, line.end, line.ongoing, line.end_reason, line.best_response)
        for line in course.lines
        if line.kind == "systemic"
    ]
    state = advise(record).state
    assert [
        (p.label, p.start, p.end, p.ongoing, p.end_reason, p.best_response) for p in state.lines
    ] == expected
    for step in replay(record).steps:
        seen = step.advice.state.lines
        cut = derive_course(record_as_of(record, step.point.date))
        assert [(p.label, p.start, p.end_reason) for p in seen] == [
            (line.label, line.start, line.end_reason)
            for line in cut.lines
            if line.kind == "systemic"
        ]
