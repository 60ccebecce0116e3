"""One patient's lines as plain rows, for callers that want dictionaries (advice, replay).

The rows come from the one course engine (:func:`~netline.course.derive_course`, a batch of
one): the same lines, end reasons and outcomes that ``netline assess`` and a registry get.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from netline.course.model import AssessmentPoint, CourseSummary
from netline.course.rules import LineRules
from netline.course.summary import course_and_rows
from netline.records.model import CaseRecord

__all__ = ["PatientLines", "patient_line_rows"]


@dataclass(frozen=True, slots=True)
class PatientLines:
    """The lines of one patient as plain rows, with what they were derived from.

    Attributes
    ----------
    lines : list of dict
        One row per line: every field of :class:`~netline.course.Line` (``line``, ``kind``,
        ``label``, ``start``, ``end``, ``ongoing``, ``end_reason``, ``agents``, ``backbone``,
        ``cycles``, ``best_response``, ``best_response_source``, ``clinician_status``,
        ``first_progression``, ``pfs_days``, ``pfs_event``, ``pfs_reason``, ``ttnt_days``,
        ...) and ``episodes``, the episode ids of the line.
    episodes : dict of int to dict
        The therapy episodes by episode id (``agent``, ``agent_class``, ``cycles``,
        ``reason_stopped``, ``start``, ``stop`` ...).
    assessments : tuple of AssessmentPoint
        Every assessment of the record, whatever its source.
    death, last_follow_up : date or None
    rules : LineRules
    course : CourseSummary
        The derived course the rows were read from.
    """

    lines: list[dict[str, Any]]
    episodes: dict[int, dict[str, Any]]
    assessments: tuple[AssessmentPoint, ...]
    death: dt.date | None
    last_follow_up: dt.date | None
    rules: LineRules
    course: CourseSummary


def patient_line_rows(record: CaseRecord, rules: LineRules | None = None) -> PatientLines:
    """Derive one patient's lines of therapy as rows (the course engine, a batch of one).

    Parameters
    ----------
    record : CaseRecord
        The patient's clinical record (cut at the decision date by the caller, if any).
    rules : LineRules, optional
        Line-of-therapy rules; the documented defaults when omitted.

    Returns
    -------
    PatientLines
        The lines as rows with dates, the episodes and assessments they come from.
    """
    rules = rules or LineRules()
    course, rows, followup = course_and_rows(record, rules)
    episodes = {int(str(row["episode_id"])): row for row in rows["episodes"]}
    by_event = {str(row["event_id"]): int(str(row["episode_id"])) for row in rows["episodes"]}
    lines = []
    for line in course.lines:
        row: dict[str, Any] = {
            "line": line.number,
            "kind": line.kind,
            "label": line.label,
            "agents": list(line.agents),
            "backbone": list(line.backbone),
            "start": line.start,
            "end": line.end,
            "ongoing": line.ongoing,
            "end_reason": line.end_reason,
            "cycles": line.cycles,
            "clinical_trial": line.clinical_trial,
            "best_response": line.best_response,
            "best_response_source": line.best_response_source,
            "best_response_date": line.best_response_date,
            "best_response_confirmed": line.best_response_confirmed,
            "clinician_status": line.clinician_status,
            "first_progression": line.first_progression,
            "pfs_days": line.pfs.days,
            "pfs_event": line.pfs.event,
            "pfs_reason": line.pfs.reason,
            "ttnt_days": line.ttnt.days,
            "ttnt_event": line.ttnt.event,
            "ttnt_reason": line.ttnt.reason,
            "episodes": sorted(by_event[e] for e in line.episode_ids if e in by_event),
        }
        lines.append(row)
    death = followup["death"]
    last = followup["last_follow_up"]
    return PatientLines(
        lines=lines,
        episodes=episodes,
        assessments=tuple(
            AssessmentPoint(
                date=a["date"],
                response=a["response"],
                progression=bool(a["progression"]),
                source=str(a["source"]),
                event_id=a["event_id"],
                note=a.get("note"),
            )
            for a in rows["assessments"]
        ),
        death=death if isinstance(death, dt.date) else None,
        last_follow_up=last if isinstance(last, dt.date) else None,
        rules=rules,
        course=course,
    )
