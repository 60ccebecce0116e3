"""Property tests on random histories: structure of the lines, survival sanity, and agreement
between the columnar engine and the row-by-row reference statement of the rules."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netline._jit import forced
from netline.course import LineRules, derive_lines
from netline.course import _arrays as arrays

from .histories import BASE, Ep, History, tables_of
from .oracle import oracle

EPOCH = dt.date(1970, 1, 1)
AGENTS = [
    "lanreotide",
    "octreotide_lar",
    "everolimus",
    "sunitinib",
    "cabozantinib",
    "capecitabine",
    "temozolomide",
    "lu177_dotatate",
]
RESPONSES = {
    "recist": ["CR", "PR", "SD", "PD", "NE", "non-CR/non-PD"],
    "recorded": ["PR", "SD", "PD"],
    "clinician": ["responding", "stable", "progressing", "NED", "mixed"],
    "stop_reason": ["PD"],
}


@st.composite
def histories(draw: Any) -> History:
    n = draw(st.integers(0, 6))
    episodes = []
    for _ in range(n):
        agent = draw(st.sampled_from(AGENTS))
        start = draw(st.integers(0, 1200))
        if agent == "lu177_dotatate" and draw(st.booleans()):
            stop: int | None = start
        elif draw(st.integers(0, 9)) == 0:
            stop = None
        else:
            stop = start + draw(st.integers(0, 400))
        reason = draw(st.sampled_from([None, "progression", "toxicity", "completed"]))
        episodes.append(Ep(agent, start, stop, reason=None if stop is None else reason))
    assessments = []
    for _ in range(draw(st.integers(0, 8))):
        source = draw(st.sampled_from(sorted(RESPONSES)))
        assessments.append(
            (draw(st.integers(-50, 1700)), draw(st.sampled_from(RESPONSES[source])), source)
        )
    procedures = [
        (draw(st.integers(0, 1600)), kind, "partial_hepatectomy" if kind == "surgery" else "tace")
        for kind in draw(st.lists(st.sampled_from(["surgery", "local_therapy"]), max_size=2))
    ]
    last_event = max(
        [e.stop or e.start for e in episodes]
        + [a[0] for a in assessments]
        + [p[0] for p in procedures]
        + [0]
    )
    end = last_event + draw(st.integers(0, 300))
    dead = draw(st.booleans())
    return History(
        episodes,
        assessments,
        procedures,
        death=end if dead else None,
        last_follow_up=end,
        diagnosis=-draw(st.integers(0, 2000)),
        first_metastasis=draw(st.one_of(st.none(), st.integers(-1000, 500))),
    )


rules_strategy = st.builds(
    LineRules,
    regimen_window_days=st.sampled_from([0, 14, 28, 60]),
    restart_gap_days=st.sampled_from([30, 90, 180]),
    prrt_max_interval_days=st.sampled_from([84, 168]),
    procedures_as_lines=st.sampled_from(
        [frozenset(), frozenset({"surgery"}), frozenset({"surgery", "local_therapy"})]
    ),
    assessment_sources=st.sampled_from(
        [
            frozenset({"recist", "recorded", "clinician"}),
            frozenset({"recist"}),
            frozenset({"recist", "recorded", "clinician", "stop_reason"}),
            frozenset(),
        ]
    ),
    class_switch_opens_line=st.sampled_from(["claims_only", "never", "always"]),
    next_therapy_procedures=st.sampled_from(
        [frozenset(), frozenset({"surgery"}), frozenset({"surgery", "local_therapy"})]
    ),
    pfs_censor_at_next_line=st.booleans(),
    pfs_censor_date=st.sampled_from(["last_assessment", "last_follow_up"]),
    response_window_ends_at_procedure=st.booleans(),
)


def _day(value: dt.date) -> int:
    return (value - EPOCH).days


def _check_structure(cohort: dict[str, History], course: Any, rules: LineRules) -> None:
    lines_by_patient: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in course.lines.to_pylist():
        lines_by_patient[row["patient_id"]].append(row)
    episode_lines = course.episode_lines.to_pylist()
    # every therapy episode belongs to exactly one line
    keys = [(r["patient_id"], r["episode_id"]) for r in episode_lines]
    expected = [(pid, i) for pid, h in cohort.items() for i in range(len(h.episodes))]
    assert sorted(keys) == sorted(expected)
    line_of = {(r["patient_id"], r["episode_id"]): r["line"] for r in episode_lines}
    for pid, history in cohort.items():
        lines = lines_by_patient.get(pid, [])
        assert [line["line"] for line in lines] == list(range(1, len(lines) + 1))
        for earlier, later in itertools.pairwise(lines):
            assert earlier["start"] <= later["start"]  # ordered
            assert earlier["end"] <= later["start"]  # no overlap of lines
        for i, ep in enumerate(history.episodes):
            own = lines[line_of[(pid, i)] - 1]
            assert ep.agent in own["agents"]
            assert own["start"] <= BASE + dt.timedelta(days=ep.start)
            # an SSA running across a later line start is that line's backbone
            stop = ep.stop if ep.stop is not None else history.last_follow_up
            for line in lines[line_of[(pid, i)] :]:
                inside = ep.start < _day(line["start"]) - _day(BASE) < stop
                ssa = ep.agent in ("lanreotide", "octreotide_lar")
                if ssa and inside and line["kind"] == "systemic":
                    assert ep.agent in line["backbone"]
        progression_days = {
            BASE + dt.timedelta(days=d)
            for d, response, source in history.assessments
            if response in ("PD", "progressing") and source in rules.assessment_sources
        }
        death = None if history.death is None else BASE + dt.timedelta(days=history.death)
        for line in lines:
            assert line["start"] <= line["end"]
            assert 0 <= line["pfs_days"] <= line["os_days"]  # PFS <= OS
            assert line["ttnt_days"] <= line["os_days"]
            assert line["duration_days"] >= 0
            event_day = line["start"] + dt.timedelta(days=line["pfs_days"])
            if line["pfs_event"]:
                assert line["pfs_reason"] in ("progression", "death")
                if line["pfs_reason"] == "progression":
                    assert event_day in progression_days
                else:
                    assert event_day == death
            else:  # censoring is never an event
                assert line["pfs_reason"].startswith("censored")
                assert event_day not in progression_days or event_day == line["start"]
            assert line["os_event"] == (death is not None)


def _check_oracle(tables: Any, course: Any, rules: LineRules) -> None:
    """Every output column of every table equals the row-by-row oracle's."""
    lines, patients, episode_lines = oracle(tables, rules)
    assert course.lines.to_pylist() == lines
    assert course.patients.to_pylist() == patients
    assert course.episode_lines.to_pylist() == episode_lines


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    cohort=st.lists(histories(), min_size=1, max_size=10).map(
        lambda hs: {f"p{i}": h for i, h in enumerate(hs)}
    ),
    rules=st.one_of(st.just(LineRules()), rules_strategy),
)
@pytest.mark.parametrize("mode", ["python", "compiled"])
def test_random_histories(mode: str, cohort: dict[str, History], rules: LineRules) -> None:
    # both execution modes of the loop kernels (netline._jit) against the oracle, so that a
    # difference between numba and Python (overflow, dtype, NaN) cannot hide; each as it runs
    # in use: uncompiled with a patient's small Python paths (codes, takes, labels, sorts of
    # at most PYTHON_ROWS values), compiled with a registry's NumPy and Arrow paths
    tables = tables_of(cohort)
    python_rows = arrays.PYTHON_ROWS if mode == "python" else -1
    with forced(mode), mock.patch.object(arrays, "PYTHON_ROWS", python_rows):
        course = derive_lines(tables, rules)
    _check_structure(cohort, course, rules)
    _check_oracle(tables, course, rules)
