"""Replay a course decision point by decision point: netline's options beside what was done.

Decision points, from diagnosis on:

* at diagnosis: the last finding before the first treatment (``diagnosis``);
* a metastatic site found (``metastasis``); a new lesion reported as equivocal (``equivocal``);
* after a resection that left no evidence of disease (``after_resection``);
* documented progression (RECIST, recorded response, clinician status or a therapy stopped
  for progression; ``progression``);
* the first objective response (CR or PR) of a line (``response``);
* before a surgery or local therapy (the last dated finding before it), unless another
  decision point lies within the 180 days before it (``before_procedure``).

At each point, :func:`replay` runs :func:`~netline.advice.advise` on the data dated up to it
and sets the options beside the first action taken after it and before the next point: a new
systemic line, a surgery or a local therapy; otherwise the therapy that continued, or
surveillance.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from netline.advice._kb import kb_index
from netline.advice.advice import NOTICE, Advice, advise
from netline.advice.resection import resection_history
from netline.advice.state import DecisionState, PriorLine, decision_state
from netline.evidence import KnowledgeBase
from netline.records.model import (
    CaseRecord,
    DiseaseStatus,
    Imaging,
    LabPanel,
    LocalTherapy,
    Surgery,
    SystemicTherapy,
)
from netline.records.vocabulary import LocalTherapyModality, Organ

__all__ = ["DecisionPoint", "Replay", "ReplayStep", "decision_points", "replay"]

_PROCEDURE_GAP_DAYS = 180


@dataclass(frozen=True, slots=True)
class DecisionPoint:
    """A date at which the tumour board had a decision to make."""

    date: dt.date
    kind: str
    label: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready dictionary."""
        return {"date": self.date.isoformat(), "kind": self.kind, "label": self.label}


@dataclass(frozen=True)
class ReplayStep:
    """One decision point: the advice netline gives on the data up to it, and what was done.

    Attributes
    ----------
    point : DecisionPoint
    advice : Advice
    actual : str
        What was done next, in words.
    actual_date : date or None
    actual_key : str or None
        The option key that matches what was done (``None`` when none matches).
    actual_rank : int or None
        The rank netline gave that option (``None``: excluded or not an option).
    """

    point: DecisionPoint
    advice: Advice
    actual: str
    actual_date: dt.date | None
    actual_key: str | None
    actual_rank: int | None

    @property
    def offered(self) -> bool:
        """Whether what was done was among the options netline did not exclude."""
        return self.actual_rank is not None

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """Return a JSON-ready dictionary (``full``: the whole advice, else the ranked keys)."""
        out: dict[str, Any] = {
            "point": self.point.to_dict(),
            "actual": {
                "text": self.actual,
                "date": None if self.actual_date is None else self.actual_date.isoformat(),
                "option": self.actual_key,
                "rank": self.actual_rank,
                "offered": self.offered,
            },
            "confidence": self.advice.confidence,
            "surgery": {
                "status": self.advice.surgery.status,
                "summary": self.advice.surgery.summary,
            },
            "ranked": [
                {
                    "rank": o.rank,
                    "key": o.key,
                    "name": o.name,
                    "status": o.status,
                    "reason": o.order_reason,
                }
                for o in self.advice.ranked
            ],
            "excluded": [{"key": o.key, "reason": o.order_reason} for o in self.advice.excluded],
        }
        if full:
            out["advice"] = self.advice.to_dict()
        return out


@dataclass(frozen=True)
class Replay:
    """A course replayed decision point by decision point."""

    schema_version: ClassVar[str] = "2"

    case_id: str
    steps: tuple[ReplayStep, ...]
    notice: str = NOTICE

    def render(self, fmt: str = "text") -> str:
        """Render as ``text``, ``json``, ``markdown`` or ``html``.

        Raises
        ------
        ValueError
            For another format.
        """
        from netline.advice.render import render_replay_html, render_replay_text

        if fmt == "text":
            return render_replay_text(self)
        if fmt == "json":
            return str(json.dumps(self.to_dict(), indent=2, ensure_ascii=False))
        if fmt == "markdown":
            rows = [
                f"| {s.point.date.isoformat()} | {s.point.label} | "
                + ", ".join(o.name for o in s.advice.ranked[:3])
                + f" | {s.actual} ({s.actual_rank}) |"
                for s in self.steps
            ]
            head = ["| date | decision point | top three | done (rank) |", "|---|---|---|---|"]
            return "\n".join([f"# netline replay: {self.case_id}", "", *head, *rows]) + "\n"
        if fmt == "html":
            return render_replay_html(self)
        raise ValueError(f"unknown format {fmt!r}: expected text, json, markdown or html")

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """Return the documented JSON structure (see docs/advise.md)."""
        return {
            "schema_version": self.schema_version,
            "netline_replay": 1,
            "notice": self.notice,
            "case_id": self.case_id,
            "steps": [s.to_dict(full=full) for s in self.steps],
        }


def _finding_dates(record: CaseRecord) -> list[dt.date]:
    dates = [e.date for e in record.of_type(Imaging)]
    dates += [e.date for e in record.of_type(LabPanel)]
    dates += [e.date for e in record.of_type(DiseaseStatus)]
    return sorted(set(dates))


def _earliest(record: CaseRecord) -> dt.date:
    """Return the first date a decision can be made: the diagnosis, or an earlier finding."""
    candidates = [d for d in _finding_dates(record)]
    if record.primary.diagnosed is not None:
        candidates.append(record.primary.diagnosed)
    return min(candidates) if candidates else record.last_date


def _equivocal(record: CaseRecord, event_id: str | None) -> bool:
    if event_id is None:
        return False
    return any(
        scan.id == event_id
        and (scan.new_lesions_equivocal or any(lesion.equivocal for lesion in scan.lesions))
        for scan in record.of_type(Imaging)
    )


def decision_points(
    record: CaseRecord, state: DecisionState | None = None
) -> tuple[DecisionPoint, ...]:
    """Find the decision points of a course, from diagnosis on (see the module docstring)."""
    first = _earliest(record)
    state = state or decision_state(record, record.last_date)
    points: dict[dt.date, list[tuple[str, str]]] = {}

    def add(date: dt.date, kind: str, label: str) -> None:
        points.setdefault(max(date, first), []).append((kind, label))

    findings = _finding_dates(record)
    procedures: list[tuple[dt.date, str]] = [
        (s.date, s.procedure.value.replace("_", " ")) for s in record.of_type(Surgery)
    ]
    procedures += [(t.date, t.modality.value.upper()) for t in record.of_type(LocalTherapy)]
    starts = [t.start for t in record.of_type(SystemicTherapy)]
    before_any = [
        d for d in findings if d < min([p for p, _ in procedures] + starts, default=first)
    ]
    add(before_any[-1] if before_any else first, "diagnosis", "at diagnosis")
    for met in sorted(record.metastases, key=lambda m: m.found):
        add(met.found, "metastasis", f"metastasis found: {met.organ.value.replace('_', ' ')}")
    for assessment in state.assessments:
        seen = any(k == "progression" for k, _ in points.get(assessment.date, []))
        if not assessment.progression or seen:
            continue
        before = [line for line in state.lines if line.start < assessment.date]
        label = "progression"
        if _equivocal(record, assessment.event_id):
            label = "equivocal new lesion (not progression unless confirmed)"
        elif before:
            line = before[-1]
            on = line.end >= assessment.date
            label += f" {'on' if on else 'after'} {line.label}"
        add(assessment.date, "progression", label)
    for scan in record.of_type(Imaging):
        if scan.new_lesions_equivocal or any(lesion.equivocal for lesion in scan.lesions):
            add(scan.date, "equivocal", "equivocal new lesion (not progression unless confirmed)")
    for line in state.lines:
        responses = [
            a
            for a in state.assessments
            if a.response in ("CR", "PR")
            and a.source in ("recist", "recorded")
            and a.date > line.start
            and (line.first_progression is None or a.date <= line.first_progression)
        ]
        if responses:
            add(responses[0].date, "response", f"{responses[0].response} after {line.label}")
    for when, name in sorted(procedures):
        earlier = [d for d in points if d < when]
        if not (earlier and (when - max(earlier)).days <= _PROCEDURE_GAP_DAYS):
            prior_findings = [d for d in findings if d < when]
            date = prior_findings[-1] if prior_findings else when - dt.timedelta(days=1)
            add(date, "before_procedure", f"before {name}")
    for period in resection_history(record).periods:
        add(period.start, "after_resection", "after resection: no evidence of disease")
    out = []
    for date in sorted(points):
        items = points[date]
        kinds = list(dict.fromkeys(k for k, _ in items))
        labels = list(dict.fromkeys(text for _, text in items))
        out.append(DecisionPoint(date, kinds[0], "; ".join(labels)))
    return tuple(out)


def _match_therapy(agents: set[str], kb: KnowledgeBase | None) -> str | None:
    index = kb_index(kb)
    best: tuple[int, int, str] | None = None
    for therapy in index.systemic:
        mine = {a.value for a in therapy.agents}
        overlap = len(mine & agents)
        if not overlap:
            continue
        score = (overlap, -len(mine ^ agents), therapy.id)
        if best is None or score[:2] > best[:2]:
            best = score
    return None if best is None else best[2]


def _actual(
    record: CaseRecord,
    lines: tuple[PriorLine, ...],
    point: DecisionPoint,
    next_date: dt.date | None,
    advice: Advice,
    kb: KnowledgeBase | None,
) -> tuple[str, dt.date | None, str | None]:
    """Return what was done after a decision point (the regimen is the course's next line)."""
    events: list[tuple[dt.date, str, str, str | None]] = []
    following = [line for line in lines if line.start > point.date]
    if following:
        line = following[0]
        agents = set(line.agents)
        events.append((line.start, "systemic", f"started {line.label}", _match_therapy(agents, kb)))
    for surgery in record.of_type(Surgery):
        if surgery.date > point.date:
            key = "surgery" if surgery.procedure.is_liver_resection else None
            if Organ.PANCREAS in surgery.organs:
                key = "primary_resection"
            events.append(
                (
                    surgery.date,
                    "surgery",
                    f"{surgery.procedure.value.replace('_', ' ')} ({surgery.intent.value})",
                    key,
                )
            )
            break
    for local in record.of_type(LocalTherapy):
        if local.date > point.date:
            ablation = local.modality in (LocalTherapyModality.RFA, LocalTherapyModality.MWA)
            events.append(
                (
                    local.date,
                    "local",
                    f"{local.modality.value.upper()}",
                    "surgery" if ablation else "liver_directed",
                )
            )
            break
    events.sort(key=lambda e: e[0])
    if events and (next_date is None or events[0][0] <= next_date):
        when, _, text, key = events[0]
        return f"{text} on {when.isoformat()}", when, key
    until = f" before the next decision point ({next_date.isoformat()})" if next_date else ""
    current = advice.state.current_line
    if current is not None:
        key = next((o.key for o in advice.options if o.ongoing), None)
        return f"continued {current.label}{until}", None, key
    return f"no new treatment{until} (surveillance)", None, "surveillance"


def replay(record: CaseRecord, *, kb: KnowledgeBase | None = None) -> Replay:
    """Walk a course decision point by decision point.

    Parameters
    ----------
    record : CaseRecord
    kb : KnowledgeBase, optional

    Returns
    -------
    Replay
        One step per decision point: netline's options on the data up to it beside what
        was done.

    References
    ----------
    .. [1] Umino R et al. Surg Case Rep 2024 (the seed case; umino2024).
    """
    full = decision_state(record, record.last_date)
    points = decision_points(record, full)
    steps: list[ReplayStep] = []
    for i, point in enumerate(points):
        advice = advise(record, point.date, kb=kb)
        next_date = points[i + 1].date if i + 1 < len(points) else None
        text, when, key = _actual(record, full.lines, point, next_date, advice, kb)
        rank = None
        if key is not None:
            try:
                rank = advice.rank_of(key)
            except KeyError:
                rank = None
        steps.append(ReplayStep(point, advice, text, when, key, rank))
    return Replay(record.id, tuple(steps))
