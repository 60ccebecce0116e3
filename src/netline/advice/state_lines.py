"""Lines of therapy for a decision point, from the course package only."""

from __future__ import annotations

from collections.abc import Sequence

from netline._time import DAYS_PER_MONTH
from netline.advice.state_types import Assessment, PriorLine
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


def course_lines(view: CaseRecord) -> tuple[list[PriorLine], list[Assessment], list[str]]:
    """Derive the lines of therapy of a record cut at the decision date, from the course engine.

    Line boundaries, agents, best response, PFS, the end reason and the reading of each
    assessment (an equivocal new lesion is not progression unless confirmed) all come from
    :func:`netline.course.patient_line_rows`; advice holds no copy of those rules.

    Returns
    -------
    tuple
        The systemic lines, the assessments, and the course's notes on its assessments.
    """
    from netline.course import patient_line_rows

    derived_lines = patient_line_rows(view)
    assessments = [
        Assessment(a.date, a.response, a.progression, a.source, a.event_id)
        for a in derived_lines.assessments
    ]
    notes = list(dict.fromkeys(a.note for a in derived_lines.assessments if a.note))
    lines: list[PriorLine] = []
    for row in derived_lines.lines:
        if row.get("kind", "systemic") != "systemic":
            continue
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
                end_reason=str(row["end_reason"]),
                best_response=row["best_response"],
                first_progression=row["first_progression"],
                pfs_months=int(row["pfs_days"]) / DAYS_PER_MONTH,
                pfs_event=bool(row["pfs_event"]),
            )
        )
    return lines, assessments, notes
