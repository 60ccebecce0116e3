"""Lines of therapy for a decision point, from the course package only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from netline.advice.state_types import DAYS_PER_MONTH, Assessment, PriorLine
from netline.errors import InvalidInputError
from netline.records.model import (
    CaseRecord,
)
from netline.records.vocabulary import (
    agent_info,
)

# --------------------------------------------------------------------------- lines of therapy


def _label(agents: Sequence[str], cycles: int | None) -> str:
    pieces = []
    for agent in agents:
        info = agent_info(agent)
        text = info.label
        if info.is_radioligand and cycles:
            text += f" x{cycles}"
        pieces.append(text)
    return " + ".join(pieces)


def _row_lines(view: CaseRecord) -> tuple[list[PriorLine], list[Assessment], bool]:
    """Lines from the course package's per-patient rows (``patient_line_rows``).

    Returns the lines, the assessments and whether every row carries the course's own end
    reason (``end_reason``); advice never derives an end reason itself.
    """
    from netline.course import patient_line_rows

    derived_lines = patient_line_rows(view)
    assessments = [
        Assessment(a.date, a.response, a.progression, a.source, a.event_id)
        for a in derived_lines.assessments
    ]
    complete = all(row.get("end_reason") is not None for row in derived_lines.lines)
    lines: list[PriorLine] = []
    for row in derived_lines.lines:
        own = [derived_lines.episodes[i] for i in row["episodes"]]
        cycles = sum(int(str(r["cycles"] or 0)) for r in own if r["agent_class"] == "radioligand")
        agents = tuple(row["agents"])
        lines.append(
            PriorLine(
                number=int(row["line"]),
                label=str(row.get("label") or _label(agents, cycles or None)),
                agents=agents,
                agent_classes=tuple(dict.fromkeys(agent_info(a).agent_class.value for a in agents)),
                start=row["start"],
                end=row["end"],
                ongoing=bool(row["ongoing"]),
                end_reason=str(row.get("end_reason") or "unknown"),
                best_response=row["best_response"],
                first_progression=row["first_progression"],
                pfs_months=int(row["pfs_days"]) / DAYS_PER_MONTH,
                pfs_event=bool(row["pfs_event"]),
            )
        )
    return lines, assessments, complete


def _engine_lines(view: CaseRecord) -> list[PriorLine]:
    """Lines from :func:`netline.course.derive_course` (the call ``netline assess`` makes)."""
    from netline.course import derive_course

    course = derive_course(view)
    return [
        PriorLine(
            number=line.number,
            label=line.label,
            agents=tuple(line.agents),
            agent_classes=tuple(
                dict.fromkeys(agent_info(a).agent_class.value for a in line.agents)
            ),
            start=line.start,
            end=line.end,
            ongoing=line.ongoing,
            end_reason=line.end_reason,
            best_response=line.best_response,
            first_progression=line.first_progression,
            pfs_months=line.pfs.months,
            pfs_event=line.pfs.event,
        )
        for line in course.lines
        if line.kind == "systemic"
    ]


def course_lines(
    view: CaseRecord, at: dt.date, method: str = "auto"
) -> tuple[list[PriorLine], list[Assessment], str]:
    """Derive the lines of therapy of a record cut at ``at``, from :mod:`netline.course` only.

    Line boundaries, agents, best response, PFS and the end reason all come from the course
    package; advice holds no copy of its rules. ``method`` is ``"auto"`` (the per-patient
    rows of :func:`netline.course.patient_line_rows`, with the end reason from
    :func:`netline.course.derive_course` while the rows do not yet carry one) or
    ``"engine"`` (every line field from :func:`netline.course.derive_course`).
    ``"reference"`` is accepted as a synonym of ``"auto"``.
    """
    if method not in ("auto", "reference", "engine"):
        raise InvalidInputError.single("course_method", method, "auto, reference or engine")
    lines, assessments, complete = _row_lines(view)
    if method != "engine" and complete:
        return lines, assessments, "rows"
    engine = {line.number: line for line in _engine_lines(view)}
    if method == "engine":
        return list(engine.values()), assessments, "engine"
    merged = [
        line
        if line.number not in engine
        else replace(line, end_reason=engine[line.number].end_reason)
        for line in lines
    ]
    return merged, assessments, "rows+engine end reasons"
