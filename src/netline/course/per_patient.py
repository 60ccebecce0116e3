"""One patient's lines by the row-by-row statement of the rules, for low-latency callers.

The columnar engine (:func:`~netline.course.derive_course`) is the one that serves registries;
on a single patient it spends about half a second building and compiling its queries. The
decision-support engine needs the lines of one patient in well under a millisecond, so this
module runs the same rules through the per-patient statement in ``_reference`` that the tests
and the benchmark compare with the engine (identical lines on the seed case and on synthetic
cohorts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from netline.course._reference import patient_lines
from netline.course.model import AssessmentPoint
from netline.course.rules import LineRules
from netline.course.tables import _record_rows
from netline.records.model import CaseRecord

__all__ = ["PatientLines", "patient_line_rows"]

_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class PatientLines:
    """The lines of one patient as plain rows, with what they were derived from.

    Attributes
    ----------
    lines : list of dict
        One row per line: ``line``, ``start``, ``end`` and ``first_progression`` (dates),
        ``ongoing``, ``agents``, ``backbone``, ``best_response``, ``pfs_days``, ``pfs_event``,
        ``pfs_reason``, ``episodes`` (episode ids).
    episodes : dict of int to dict
        The therapy episodes by episode id (``agent``, ``agent_class``, ``cycles``,
        ``reason_stopped``, ``start``, ``stop`` ...).
    assessments : tuple of AssessmentPoint
        Every assessment of the record, whatever its source.
    death, last_follow_up : date or None
    rules : LineRules
    """

    lines: list[dict[str, Any]]
    episodes: dict[int, dict[str, Any]]
    assessments: tuple[AssessmentPoint, ...]
    death: dt.date | None
    last_follow_up: dt.date | None
    rules: LineRules


def patient_line_rows(record: CaseRecord, rules: LineRules | None = None) -> PatientLines:
    """Derive one patient's lines of therapy without the columnar engine.

    Parameters
    ----------
    record : CaseRecord
        The patient's clinical record.
    rules : LineRules, optional
        Line-of-therapy rules; the documented defaults when omitted.

    Returns
    -------
    PatientLines
        The lines as rows with dates, the episodes and assessments they come from.
    """
    rules = rules or LineRules()
    rows, followup = _record_rows(record, rules)
    assessments = tuple(
        AssessmentPoint(
            date=row["date"],  # type: ignore[arg-type]
            response=row["response"],  # type: ignore[arg-type]
            progression=bool(row["progression"]),
            source=str(row["source"]),
            event_id=row["event_id"],  # type: ignore[arg-type]
        )
        for row in rows["assessments"]
    )
    death = _day(followup["death"])
    follow_end = _day(followup["last_follow_up"])
    derived = patient_lines(
        [
            {
                "episode_id": row["episode_id"],
                "agent": row["agent"],
                "agent_class": row["agent_class"],
                "start": _day(row["start"]),
                "stop": _day(row["stop"]),
            }
            for row in rows["episodes"]
        ],
        [
            {
                "date": _day(a.date),
                "response": a.response,
                "progression": a.progression,
                "source": a.source,
            }
            for a in assessments
            if a.source in rules.assessment_sources
        ],
        [
            {
                "date": _day(row["date"]),
                "kind": row["kind"],
                "procedure": row["procedure"],
                "procedure_id": row["procedure_id"],
            }
            for row in rows["procedures"]
        ],
        follow_end if follow_end is not None else (death or 0),
        death,
        rules,
    )
    lines = [
        {
            **row,
            "start": _date(row["start"]),
            "end": _date(row["end"]),
            "first_progression": _date(row["first_progression"]),
        }
        for row in derived
    ]
    return PatientLines(
        lines=lines,
        episodes={int(str(row["episode_id"])): row for row in rows["episodes"]},
        assessments=assessments,
        death=_date(death),
        last_follow_up=_date(follow_end),
        rules=rules,
    )


def _day(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {value!r}")
    return (value - _EPOCH).days


def _date(value: object) -> dt.date | None:
    return None if value is None else _EPOCH + dt.timedelta(days=int(str(value)))
