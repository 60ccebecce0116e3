"""One hand-built history per line-of-therapy rule, with the lines it must give.

Modelled on TreatmentPatterns' logical test cases: each case isolates one rule (or one
boundary of it). All cases of one rule set run through the engine together, as one cohort.
Days count from 2020-01-01.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from netline.course import LineRules, derive_lines

from .histories import BASE, Ep, History, tables_of
from .oracle import oracle

EPOCH = dt.date(1970, 1, 1)
DEFAULT = LineRules()
WITH_STOP_REASON = LineRules(assessment_sources=frozenset({"recist", "recorded", "stop_reason"}))
SURGERY_LINES = LineRules(procedures_as_lines=frozenset({"surgery"}))
LOCAL_LINES = LineRules(procedures_as_lines=frozenset({"local_therapy"}))


@dataclass
class Case:
    id: str
    rule: str
    history: History
    labels: list[str]
    checks: dict[int, dict[str, Any]] = field(default_factory=dict)
    rules: LineRules = DEFAULT


def d(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


LU = "lu177_dotatate"
CASES = [
    # -- regimen window and combinations
    Case("single", "one agent is one line", History([Ep("lanreotide", 0, 300)]), ["lanreotide"]),
    Case(
        "combo_same_day",
        "agents started together form one regimen",
        History([Ep("capecitabine", 0, 200), Ep("temozolomide", 0, 200)]),
        ["capecitabine + temozolomide"],
    ),
    Case(
        "combo_in_window",
        "an agent started within the regimen window joins the regimen",
        History([Ep("capecitabine", 0, 200), Ep("temozolomide", 20, 200)]),
        ["capecitabine + temozolomide"],
    ),
    Case(
        "window_boundary",
        "day 28 is still inside the regimen window",
        History([Ep("capecitabine", 0, 200), Ep("temozolomide", 28, 200)]),
        ["capecitabine + temozolomide"],
    ),
    Case(
        "addition_after_window",
        "adding a non-SSA agent after the window opens a line and cuts the previous one",
        History([Ep("capecitabine", 0, 200), Ep("temozolomide", 29, 200)]),
        ["capecitabine", "temozolomide"],
        {1: {"end": d(29), "end_reason": "new_line"}, 2: {"start": d(29)}},
    ),
    Case(
        "switch_in_window",
        "a switch inside the regimen window stays in the line (Merck convention)",
        History([Ep("everolimus", 0, 10, reason="toxicity"), Ep("sunitinib", 20, 300)]),
        ["everolimus + sunitinib"],
    ),
    Case(
        "window_chain_anchor",
        "the window is anchored at the line start, not at the previous agent",
        History(
            [
                Ep("capecitabine", 0, 400),
                Ep("temozolomide", 20, 400),
                Ep("everolimus", 40, 400),
            ]
        ),
        ["capecitabine + temozolomide", "everolimus"],
    ),
    Case(
        "window_chain_new_anchor",
        "an agent within the window of a new line joins that line",
        History([Ep("everolimus", 0, 400), Ep("sunitinib", 40, 400), Ep("capecitabine", 60, 400)]),
        ["everolimus", "capecitabine + sunitinib"],
    ),
    Case(
        "window_chain_two_passes",
        "chains of window decisions resolve in order",
        History(
            [
                Ep("everolimus", 0, 400),
                Ep("sunitinib", 20, 400),
                Ep("capecitabine", 40, 400),
                Ep("temozolomide", 50, 400),
            ]
        ),
        ["everolimus + sunitinib", "capecitabine + temozolomide"],
    ),
    # -- somatostatin analogue backbone
    Case(
        "ssa_backbone_addition",
        "a non-SSA agent added to a running SSA opens a line carrying the SSA as backbone",
        History([Ep("lanreotide", 0, 600), Ep("everolimus", 200, 600)]),
        ["lanreotide", "everolimus + lanreotide"],
        {
            1: {"end": d(200), "end_reason": "new_line", "backbone": []},
            2: {"backbone": ["lanreotide"], "agents": ["everolimus", "lanreotide"]},
        },
    ),
    Case(
        "ssa_backbone_after_pd",
        "after progression the continued SSA is part of the new line",
        History(
            [Ep("lanreotide", 0, 600), Ep("everolimus", 200, 600)],
            assessments=[(100, "SD", "recist"), (190, "PD", "recist")],
        ),
        ["lanreotide", "everolimus + lanreotide"],
        {1: {"end_reason": "progression", "pfs_days": 190, "pfs_event": True}},
    ),
    Case(
        "ssa_backbone_prrt",
        "PRRT started on a running SSA is 'PRRT + SSA'",
        History(
            [Ep("lanreotide", 0, 700), Ep(LU, 320, 488, cycles=4)],
            assessments=[(300, "PD", "recorded")],
        ),
        ["lanreotide", "177Lu-DOTATATE x4 + lanreotide"],
        {2: {"cycles": 4, "backbone": ["lanreotide"]}},
    ),
    Case(
        "ssa_added_to_line",
        "an SSA added to a running non-SSA line joins it",
        History([Ep("everolimus", 0, 400), Ep("lanreotide", 100, 400)]),
        ["everolimus"],
        {1: {"agents": ["everolimus", "lanreotide"]}},
    ),
    Case(
        "ssa_substitution",
        "switching SSA (lanreotide to octreotide) without progression keeps the line",
        History([Ep("lanreotide", 0, 300), Ep("octreotide_lar", 314, 600)]),
        ["lanreotide"],
        {1: {"agents": ["lanreotide", "octreotide_lar"], "end": d(600)}},
    ),
    Case(
        "ssa_reintroduced_after_pd",
        "an SSA re-introduced after documented progression is a new line",
        History(
            [Ep("lanreotide", 0, 300), Ep("lanreotide", 330, 600)],
            assessments=[(300, "PD", "recorded")],
        ),
        ["lanreotide", "lanreotide"],
    ),
    Case(
        "ssa_short_pause",
        "the same SSA restarted within the gap is the same line",
        History([Ep("lanreotide", 0, 300), Ep("lanreotide", 360, 600)]),
        ["lanreotide"],
        {1: {"end": d(600)}},
    ),
    Case(
        "ssa_long_gap",
        "the same SSA restarted after more than the gap is a new line",
        History([Ep("lanreotide", 0, 300), Ep("lanreotide", 400, 600)]),
        ["lanreotide", "lanreotide"],
    ),
    Case(
        "backbone_outlasts_partner",
        "a line whose partner stops continues while its backbone SSA runs",
        History(
            [
                Ep("lanreotide", 0, 900, reason="patient_choice"),
                Ep("everolimus", 200, 400, reason="toxicity"),
            ]
        ),
        ["lanreotide", "everolimus + lanreotide"],
        {1: {"end": d(200)}, 2: {"end": d(900), "end_reason": "patient_choice"}},
    ),
    Case(
        "switch_to_ssa",
        "stopping a non-SSA agent and starting an SSA is a class switch",
        History([Ep("everolimus", 0, 200, reason="toxicity"), Ep("lanreotide", 214, 500)]),
        ["everolimus", "lanreotide"],
        {1: {"end_reason": "toxicity"}},
    ),
    # -- PRRT
    Case(
        "prrt_cycles_one_line",
        "PRRT cycles at the planned interval are one line",
        History([Ep(LU, t, t) for t in (0, 56, 112, 168)]),
        ["177Lu-DOTATATE x4"],
        {1: {"cycles": 4, "start": d(0), "end": d(168)}},
    ),
    Case(
        "prrt_delayed_cycle",
        "a cycle delayed within the label's limit stays in the course",
        History([Ep(LU, t, t) for t in (0, 56, 196, 252)]),
        ["177Lu-DOTATATE x4"],
    ),
    Case(
        "prrt_retreatment_gap",
        "PRRT retreatment years later is a new line",
        History([Ep(LU, t, t) for t in (0, 56, 112, 168, 900, 956)]),
        ["177Lu-DOTATATE x4", "177Lu-DOTATATE x2"],
    ),
    Case(
        "prrt_retreatment_after_pd",
        "PRRT after progression is a new line even within the cycle interval",
        History(
            [Ep(LU, t, t) for t in (0, 56, 112, 168, 300, 356)],
            assessments=[(250, "PD", "recist")],
        ),
        ["177Lu-DOTATATE x4", "177Lu-DOTATATE x2"],
    ),
    Case(
        "prrt_single_episode",
        "one PRRT episode with four cycles, within a trial, completed",
        History([Ep(LU, 0, 168, cycles=4, reason="completed", trial=True)]),
        ["177Lu-DOTATATE x4"],
        {1: {"cycles": 4, "clinical_trial": True, "end_reason": "completed"}},
    ),
    Case(
        "prrt_interval_too_long",
        "radioligand cycles more than the maximum interval apart are two courses",
        History([Ep(LU, t, t) for t in (0, 56, 256)]),
        ["177Lu-DOTATATE x2", "177Lu-DOTATATE x1"],
    ),
    # -- class switches and additions
    Case(
        "class_switch",
        "a switch of agent class opens a line",
        History([Ep("everolimus", 0, 200, reason="toxicity"), Ep("sunitinib", 214, 500)]),
        ["everolimus", "sunitinib"],
        {1: {"end_reason": "toxicity"}},
    ),
    Case(
        "within_class_substitution",
        "a switch within a class without progression keeps the line",
        History([Ep("sunitinib", 0, 200, reason="toxicity"), Ep("cabozantinib", 214, 500)]),
        ["sunitinib"],
        {1: {"agents": ["cabozantinib", "sunitinib"]}},
    ),
    Case(
        "within_class_after_pd",
        "a switch within a class after progression opens a line",
        History(
            [Ep("sunitinib", 0, 200), Ep("cabozantinib", 214, 500)],
            assessments=[(195, "PD", "recist")],
        ),
        ["sunitinib", "cabozantinib"],
    ),
    Case(
        "within_class_addition",
        "an agent of a class already running does not open a line",
        History([Ep("temozolomide", 0, 400), Ep("streptozocin", 60, 400)]),
        ["temozolomide"],
    ),
    Case(
        "class_given_long_ago",
        "a class last given more than the gap ago counts as new again",
        History([Ep("everolimus", 0, 100), Ep("sunitinib", 100, 300), Ep("everolimus", 320, 500)]),
        ["everolimus", "sunitinib", "everolimus"],
    ),
    # -- gap rule
    Case(
        "restart_after_gap",
        "the same agent restarted after more than 90 days is a new line",
        History([Ep("everolimus", 0, 200), Ep("everolimus", 300, 500)]),
        ["everolimus", "everolimus"],
        {1: {"end": d(200)}},
    ),
    Case(
        "restart_within_gap",
        "the same agent restarted within 90 days continues the line",
        History([Ep("everolimus", 0, 200), Ep("everolimus", 280, 500)]),
        ["everolimus"],
    ),
    Case(
        "gap_boundary",
        "a gap of exactly 90 days does not open a line",
        History([Ep("everolimus", 0, 200), Ep("everolimus", 290, 500)]),
        ["everolimus"],
    ),
    Case(
        "gap_same_class",
        "a same-class agent after more than the gap is a new line",
        History([Ep("sunitinib", 0, 200), Ep("pazopanib", 320, 500)]),
        ["sunitinib", "pazopanib"],
    ),
    # -- progression sources
    Case(
        "pd_recist",
        "RECIST progression before a restart opens a line",
        History(
            [Ep("everolimus", 0, 200), Ep("everolimus", 230, 400)],
            assessments=[(200, "PD", "recist")],
        ),
        ["everolimus", "everolimus"],
    ),
    Case(
        "pd_clinician",
        "clinician-recorded progression opens a line",
        History(
            [Ep("lanreotide", 0, 300), Ep("lanreotide", 310, 600)],
            assessments=[(290, "progressing", "clinician")],
        ),
        ["lanreotide", "lanreotide"],
    ),
    Case(
        "pd_recorded",
        "a recorded response of PD opens a line",
        History(
            [Ep("lanreotide", 0, 300), Ep("lanreotide", 310, 600)],
            assessments=[(290, "PD", "recorded")],
        ),
        ["lanreotide", "lanreotide"],
    ),
    Case(
        "pd_same_day",
        "progression documented on the day a therapy starts precedes it",
        History(
            [Ep("lanreotide", 0, 300), Ep("lanreotide", 310, 600)],
            assessments=[(310, "PD", "recorded")],
        ),
        ["lanreotide", "lanreotide"],
        {1: {"pfs_days": 310, "pfs_event": True}},
    ),
    Case(
        "pd_before_first_line",
        "progression before the first therapy changes nothing",
        History(
            [Ep("lanreotide", 0, 300)],
            assessments=[(-10, "PD", "recist"), (100, "SD", "recist")],
        ),
        ["lanreotide"],
        {1: {"pfs_event": False, "pfs_days": 100, "pfs_reason": "censored_last_assessment"}},
    ),
    Case(
        "stop_reason_ignored",
        "a therapy stopped for progression is not an assessment by default",
        History(
            [Ep("lanreotide", 0, 300, reason="progression"), Ep("lanreotide", 330, 600)],
            assessments=[(300, "PD", "stop_reason")],
        ),
        ["lanreotide"],
    ),
    Case(
        "stop_reason_opt_in",
        "with 'stop_reason' among the sources it is progression",
        History(
            [Ep("lanreotide", 0, 300, reason="progression"), Ep("lanreotide", 330, 600)],
            assessments=[(300, "PD", "stop_reason")],
        ),
        ["lanreotide", "lanreotide"],
        rules=WITH_STOP_REASON,
    ),
    # -- procedures
    Case(
        "surgery_not_a_line",
        "by default a surgery is an event, not a line",
        History(
            [Ep("lanreotide", 0, 300, reason="surgery"), Ep("lanreotide", 330, 600)],
            procedures=[(301, "surgery", "partial_hepatectomy")],
        ),
        ["lanreotide"],
    ),
    Case(
        "surgery_as_line",
        "with surgery counted, it is a line and the next therapy opens another",
        History(
            [Ep("lanreotide", 0, 300, reason="surgery"), Ep("lanreotide", 330, 600)],
            procedures=[(301, "surgery", "partial_hepatectomy")],
        ),
        ["lanreotide", "partial hepatectomy", "lanreotide"],
        {2: {"kind": "surgery", "end_reason": "procedure"}, 1: {"end_reason": "surgery"}},
        rules=SURGERY_LINES,
    ),
    Case(
        "local_therapy_as_line",
        "with local therapy counted, TACE cuts the running line",
        History([Ep("everolimus", 0, 400)], procedures=[(200, "local_therapy", "tace")]),
        ["everolimus", "tace"],
        {1: {"end": d(200)}, 2: {"kind": "local_therapy"}},
        rules=LOCAL_LINES,
    ),
    # -- outcomes
    Case(
        "death_on_line",
        "death during a line is a PFS event and ends the line",
        History([Ep("lanreotide", 0, 250)], death=250),
        ["lanreotide"],
        {1: {"pfs_days": 250, "pfs_reason": "death", "end_reason": "death", "os_days": 250}},
    ),
    Case(
        "censor_at_next_line",
        "PFS is censored at the last assessment before the next line; death later is not "
        "an event of the earlier line",
        History(
            [Ep("everolimus", 0, 200, reason="toxicity"), Ep("sunitinib", 214, 400)],
            assessments=[(150, "SD", "recist")],
            death=400,
        ),
        ["everolimus", "sunitinib"],
        {
            1: {
                "pfs_days": 150,
                "pfs_event": False,
                "pfs_reason": "censored_next_line",
                "ttnt_days": 214,
                "ttnt_reason": "next_line",
            },
            2: {"pfs_days": 186, "pfs_reason": "death", "ttnt_days": 186, "ttnt_reason": "death"},
        },
    ),
    Case(
        "no_assessment",
        "without any assessment PFS is censored at the line start",
        History([Ep("lanreotide", 0, 300)]),
        ["lanreotide"],
        {1: {"pfs_days": 0, "pfs_event": False, "pfs_reason": "censored_no_assessment"}},
    ),
    Case(
        "sd_too_early",
        "stable disease before 6 weeks is not evaluable",
        History([Ep("lanreotide", 0, 300)], assessments=[(30, "SD", "recist")]),
        ["lanreotide"],
        {1: {"best_response": "NE"}},
    ),
    Case(
        "best_of_several",
        "the best response wins over earlier ones",
        History(
            [Ep("lanreotide", 0, 300)],
            assessments=[(30, "SD", "recist"), (90, "PR", "recist"), (150, "SD", "recist")],
        ),
        ["lanreotide"],
        {1: {"best_response": "PR", "best_response_date": d(90)}},
    ),
    Case(
        "response_after_pd_ignored",
        "best response is read until progression",
        History(
            [Ep("everolimus", 0, 400)],
            assessments=[(60, "SD", "recist"), (120, "PD", "recist"), (180, "PR", "recist")],
        ),
        ["everolimus"],
        {1: {"best_response": "SD", "pfs_days": 120, "end_reason": "progression"}},
    ),
    Case(
        "response_window_surgery",
        "best response is read until a surgery",
        History(
            [Ep("everolimus", 0, 400)],
            assessments=[(60, "SD", "recist"), (150, "CR", "recist")],
            procedures=[(100, "surgery", "partial_hepatectomy")],
        ),
        ["everolimus"],
        {1: {"best_response": "SD"}},
    ),
    Case(
        "ongoing",
        "a line without a stop is ongoing until the last follow-up",
        History([Ep("lanreotide", 0, None)], last_follow_up=700),
        ["lanreotide"],
        {1: {"ongoing": True, "end": d(700), "end_reason": "ongoing", "ttnt_event": False}},
    ),
    Case(
        "source_tie_break",
        "a recorded PR beats a clinician 'responding' on the same day",
        History(
            [Ep("lanreotide", 0, 300)],
            assessments=[(90, "responding", "clinician"), (90, "PR", "recorded")],
        ),
        ["lanreotide"],
        {1: {"best_response": "PR", "best_response_source": "recorded"}},
    ),
    Case(
        "clinician_response",
        "clinician-recorded 'responding' is kept as the clinician's status, not a RECIST category",
        History([Ep("lanreotide", 0, 300)], assessments=[(90, "responding", "clinician")]),
        ["lanreotide"],
        {1: {"best_response": None, "clinician_status": "responding"}},
    ),
]


def _derive(rules: LineRules) -> tuple[Any, Any]:
    cases = [case for case in CASES if case.rules == rules]
    tables = tables_of({case.id: case.history for case in cases})
    return tables, derive_lines(tables, rules)


@pytest.fixture(scope="module")
def derived() -> dict[LineRules, dict[str, list[dict[str, Any]]]]:
    out: dict[LineRules, dict[str, list[dict[str, Any]]]] = {}
    for rules in {case.rules for case in CASES}:
        _, course = _derive(rules)
        rows: dict[str, list[dict[str, Any]]] = {}
        for row in course.lines.to_pylist():
            rows.setdefault(row["patient_id"], []).append(row)
        out[rules] = rows
    return out


def test_table_has_forty_cases_with_unique_ids() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, derived: dict[LineRules, dict[str, list[dict[str, Any]]]]) -> None:
    lines = derived[case.rules].get(case.id, [])
    assert [line["label"] for line in lines] == case.labels, case.rule
    assert [line["line"] for line in lines] == list(range(1, len(lines) + 1))
    for number, expected in case.checks.items():
        line = lines[number - 1]
        for key, value in expected.items():
            assert line[key] == value, f"L{number}.{key} ({case.rule})"


@pytest.mark.parametrize(
    "rules", sorted({case.rules for case in CASES}, key=repr), ids=lambda r: repr(r)[:40]
)
def test_oracle_agrees_on_the_table(rules: LineRules) -> None:
    tables, course = _derive(rules)
    lines, patients, episode_lines = oracle(tables, rules)
    assert course.lines.to_pylist() == lines
    assert course.patients.to_pylist() == patients
    assert course.episode_lines.to_pylist() == episode_lines
