"""Decision support for the tumour board: options at a decision point, ordered with reasons.

:func:`advise` reads a patient's record as it stood on a date, evaluates every option (each
systemic therapy and regimen of the knowledge base, surveillance, liver-directed therapy and
liver surgery) for eligibility, guideline fit, evidence, sequencing and toxicity, and orders
them with the reason for the order. :func:`replay` walks a course decision point by decision
point, setting netline's options beside what was done. Every statement cites its
knowledge-base references with their verification status; what the record does not hold is
reported as unknown and lowers the confidence. netline supports the tumour board; it does not
replace it.

Examples
--------
>>> import datetime as dt
>>> from netline.records import load_case
>>> from netline.advice import advise, render_text
>>> advice = advise(load_case("examples/seed-case.yaml"), at=dt.date(2019, 2, 1))  # doctest: +SKIP
>>> print(render_text(advice))  # doctest: +SKIP
"""

from netline.advice.advice import NOTICE, ORDERING_RULES, Advice, advise
from netline.advice.options import EvidenceItem, GuidelineMatch, OptionAssessment
from netline.advice.render import (
    render_html,
    render_markdown,
    render_replay_html,
    render_replay_text,
    render_text,
)
from netline.advice.replay import DecisionPoint, Replay, ReplayStep, decision_points, replay
from netline.advice.setting import DiseaseSetting, classify_setting
from netline.advice.state import DecisionState, decision_state, record_as_of
from netline.advice.surgery import SurgeryAssessment

__all__ = [
    "NOTICE",
    "ORDERING_RULES",
    "Advice",
    "DecisionPoint",
    "DecisionState",
    "DiseaseSetting",
    "EvidenceItem",
    "GuidelineMatch",
    "OptionAssessment",
    "Replay",
    "ReplayStep",
    "SurgeryAssessment",
    "advise",
    "classify_setting",
    "decision_points",
    "decision_state",
    "record_as_of",
    "render_html",
    "render_markdown",
    "render_replay_html",
    "render_replay_text",
    "render_text",
    "replay",
]
