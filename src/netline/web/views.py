"""View models for the pages: what a page shows, taken from the services' result objects.

Nothing here decides anything clinical: each function calls the service the command line calls
(:func:`netline.assess`, :func:`netline.advise`, the course timeline) and picks what the page
shows from the result's documented ``to_dict()``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netline.records import CaseRecord
from netline.web.labs import LabRow, ToxicityRow, lab_rows, toxicity_rows

if TYPE_CHECKING:
    from netline.course import CourseSummary


@dataclass(frozen=True)
class LineRow:
    """One line of therapy as the lines table shows it."""

    name: str
    label: str
    start: str
    end: str
    end_reason: str
    best_response: str
    pfs: str


@dataclass(frozen=True)
class OptionRow:
    """One option of the advice summary."""

    rank: int | None
    name: str
    status: str
    reason: str


@dataclass
class PatientView:
    """Everything the patient page shows."""

    record: CaseRecord
    grade: str
    lines: list[LineRow]
    options: list[OptionRow]
    advice_notice: str
    advice_at: str
    timeline_json: str
    warnings: list[str] = field(default_factory=list)
    labs: list[LabRow] = field(default_factory=list)
    toxicities: list[ToxicityRow] = field(default_factory=list)
    #: Agents of each systemic line so far (the course engine's lines), for the simulator.
    line_agents: list[list[str]] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value).replace("_", " ")


def _months(outcome: Any) -> str:
    if not isinstance(outcome, dict) or outcome.get("months") is None:
        return "—"
    months = float(outcome["months"])
    suffix = "" if outcome.get("event") else " (censored)"
    return f"{months:.1f} mo{suffix}"


def _line_rows(assessment: dict[str, Any]) -> list[LineRow]:
    return [
        LineRow(
            name=_text(line.get("name")),
            label=_text(line.get("label")),
            start=_text(line.get("start")),
            end=_text(line.get("end")) if not line.get("ongoing") else "ongoing",
            end_reason=_text(line.get("end_reason")),
            best_response=_text(line.get("best_response")),
            pfs=_months(line.get("pfs")),
        )
        for line in assessment.get("lines") or []
    ]


def _option_rows(advice: dict[str, Any], limit: int = 8) -> list[OptionRow]:
    rows = []
    for option in advice.get("options") or []:
        rank = option.get("rank")
        rows.append(
            OptionRow(
                rank=int(rank) if rank is not None else None,
                name=_text(option.get("name")),
                status=_text(option.get("status")),
                reason=_text(option.get("order_reason")),
            )
        )
    return rows[:limit]


def _timeline_json(course: CourseSummary, record: CaseRecord) -> str:
    from netline.course.timeline import timeline_data, timeline_figure

    figure = timeline_figure(timeline_data(course, record))
    return str(figure.to_json())


def patient_view(record: CaseRecord, at: dt.date | None = None) -> PatientView:
    """Build the patient page from the assessment, the advice and the course timeline."""
    import netline
    from netline.course import derive_course

    assessed = netline.assess(record)
    # the assessment derived the course once; the timeline draws that same course
    course = assessed.course if assessed.course is not None else derive_course(record)
    assessment = assessed.to_dict()
    advice = netline.advise(record, at=at).to_dict()
    grades = assessment.get("grades") or []
    finding = (grades[0].get("grade") or {}) if grades else {}
    grade = f"{finding.get('value')}: {finding.get('reason')}" if finding else "not computable"
    return PatientView(
        record=record,
        grade=grade,
        lines=_line_rows(assessment),
        options=_option_rows(advice),
        advice_notice=_text(advice.get("notice")),
        advice_at=_text(advice.get("at")),
        timeline_json=_timeline_json(course, record),
        warnings=[_text(w) for w in assessment.get("warnings") or []],
        labs=lab_rows(record),
        toxicities=toxicity_rows(record),
        line_agents=[
            [str(a) for a in line["agents"]]
            for line in assessment.get("lines") or []
            if line.get("agents")
        ],
    )


class _Build:
    """A view being built: later requests for the same key wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.view: PatientView | None = None


class ViewCache:
    """Patient views by (patient, record version): the services run once per change.

    Safe under concurrent requests: the table is changed under a lock, and requests for a view
    being built wait for that build instead of starting their own (when it fails, they build
    it themselves, so the failure is theirs to see).
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._views: dict[tuple[str, str], PatientView] = {}
        self._building: dict[tuple[str, str], _Build] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], load: Callable[[], CaseRecord]) -> PatientView:
        """Return the view for ``key``, building it from ``load()`` when absent.

        ``key`` must name the record version ``load`` returns or an older one (read the
        version before the record), so a view is never cached under a newer version than its
        record's.
        """
        with self._lock:
            view = self._views.get(key)
            build = None if view is not None else self._building.get(key)
            leader = view is None and build is None
            if leader:
                build = self._building[key] = _Build()
        if view is not None:
            return view
        assert build is not None
        if not leader:
            build.done.wait()
            return build.view if build.view is not None else patient_view(load())
        try:
            build.view = patient_view(load())
        finally:
            with self._lock:
                del self._building[key]
                if build.view is not None:
                    if len(self._views) >= self.size:
                        self._views.pop(next(iter(self._views)))
                    self._views[key] = build.view
            build.done.set()
        return build.view


def json_dumps(value: Any) -> str:
    """Strict JSON for API answers (no NaN or Infinity)."""
    return json.dumps(value, allow_nan=False, default=str)
