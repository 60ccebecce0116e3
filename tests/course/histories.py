"""Small hand-built histories for the course-engine tests (days from 2020-01-01)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from netline.course.tables import CourseTables
from netline.records.vocabulary import agent_info

BASE = dt.date(2020, 1, 1)


def day(n: int | None) -> dt.date | None:
    return None if n is None else BASE + dt.timedelta(days=n)


@dataclass
class Ep:
    agent: str
    start: int
    stop: int | None
    cycles: int | None = None
    reason: str | None = None
    trial: bool = False
    agent_class: str | None = None  # default: the vocabulary's class of the agent


@dataclass
class History:
    """One patient: episodes, assessments (day, response, source), procedures, follow-up."""

    episodes: list[Ep]
    assessments: list[tuple[int, str, str]] = field(default_factory=list)
    procedures: list[tuple[int, str, str]] = field(default_factory=list)
    death: int | None = None
    last_follow_up: int = 3000
    diagnosis: int = -400
    first_metastasis: int | None = -200


def tables_of(
    histories: dict[str, History],
    patient_ids: Mapping[str, object] | None = None,
    episode_offset: int = 0,
) -> CourseTables:
    """Build the engine's tables; ``patient_ids`` renames patients (e.g. to integers) and
    ``episode_offset`` is added to every episode and procedure id."""
    episodes: list[dict[str, object]] = []
    assessments: list[dict[str, object]] = []
    procedures: list[dict[str, object]] = []
    followup: list[dict[str, object]] = []
    for name, h in histories.items():
        pid = name if patient_ids is None else patient_ids[name]
        for i, ep in enumerate(h.episodes):
            episodes.append(
                {
                    "patient_id": pid,
                    "episode_id": episode_offset + i,
                    "event_id": f"e{i}",
                    "agent": ep.agent,
                    "agent_class": ep.agent_class or agent_info(ep.agent).agent_class.value,
                    "start": day(ep.start),
                    "stop": day(ep.stop),
                    "cycles": ep.cycles,
                    "reason_stopped": ep.reason,
                    "clinical_trial": ep.trial,
                }
            )
        for d, response, source in h.assessments:
            progression = response in ("PD", "progressing")
            assessments.append(
                {
                    "patient_id": pid,
                    "date": day(d),
                    "response": response,
                    "progression": progression,
                    "source": source,
                    "event_id": None,
                }
            )
        for j, (d, kind, procedure) in enumerate(h.procedures):
            procedures.append(
                {
                    "patient_id": pid,
                    "procedure_id": episode_offset + j,
                    "event_id": f"p{j}",
                    "date": day(d),
                    "kind": kind,
                    "procedure": procedure,
                    "intent": None,
                    "margin": None,
                    "pathological_complete_response": None,
                    "organs": "liver",
                }
            )
        followup.append(
            {
                "patient_id": pid,
                "diagnosis": day(h.diagnosis),
                "first_metastasis": day(h.first_metastasis),
                "death": day(h.death),
                "last_follow_up": day(h.death if h.death is not None else h.last_follow_up),
            }
        )
    return CourseTables.from_rows(episodes, assessments, followup, procedures)
