"""Typed results of the course engine: lines, survival times, per-patient outcomes.

Every object is a frozen dataclass with ``to_dict()`` returning JSON-ready values (dates as ISO
strings), so that the command line, the web page, a CDS card and an audit log render the same
thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from netline._time import DAYS_PER_MONTH  # the one place for days per month
from netline.course.rules import LineRules

__all__ = [
    "AssessmentPoint",
    "CourseSummary",
    "Line",
    "PatientOutcomes",
    "ProcedureEvent",
    "Survival",
]


def _json(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def _as_dict(obj: object) -> dict[str, object]:
    return {f.name: _json(getattr(obj, f.name)) for f in fields(obj)}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Survival:
    """A time-to-event measurement.

    Parameters
    ----------
    days : int or None
        Time from the origin to the event or censoring (``None`` when not defined, e.g. PFS2
        without a first line).
    event : bool or None
        Whether the event happened (``False``: censored).
    reason : str or None
        What ended the time: ``"progression"``, ``"death"``, ``"next_line"`` or how it was
        censored (``"censored_next_line"``, ``"censored_last_assessment"``,
        ``"censored_end_of_follow_up"``, ``"censored_no_assessment"``, ``"censored"``).
    """

    days: int | None
    event: bool | None
    reason: str | None = None

    @property
    def months(self) -> float | None:
        """The time in months (365.25 / 12 days), or ``None``."""
        return None if self.days is None else self.days / DAYS_PER_MONTH

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary (with months rounded to 0.1)."""
        months = self.months
        return {
            "days": self.days,
            "months": None if months is None else round(months, 1),
            "event": self.event,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Line:
    """One line of therapy with its response and outcomes.

    Parameters
    ----------
    number : int
        1 for the first line.
    kind : str
        ``"systemic"``, or ``"surgery"`` / ``"local_therapy"`` when procedures count as lines.
    label : str
        The regimen, e.g. ``"everolimus + lanreotide"`` or ``"177Lu-DOTATATE x4"``.
    agents : tuple of str
        Every agent of the line, backbone included (identifiers).
    backbone : tuple of str
        SSAs continued from an earlier line into this one.
    start, end : date
        First and last day (``end`` is the last follow-up while the line is ongoing).
    ongoing : bool
        Whether the line was still running at the end of follow-up.
    end_reason : str
        ``"progression"``, ``"new_line"``, ``"completed"``, ``"toxicity"``, ``"surgery"``,
        ``"patient_choice"``, ``"death"``, ``"ongoing"``, ``"procedure"`` or ``"unknown"``.
    cycles : int or None
        Radioligand cycles given in the line.
    clinical_trial : bool
        Whether any agent was given within a clinical trial.
    best_response, best_response_source, best_response_date
        Best response as a RECIST 1.1 category (``CR``, ``PR``, ``SD``, ``non-CR/non-PD``,
        ``PD``, ``NE``) from the start until progression, the next line or a procedure; where
        it came from (``recist``: computed from the measurements; ``recorded``: written in the
        imaging report; ``stop_reason``) and when. ``None`` when no RECIST assessment exists.
        Computed by :func:`netline.clinical.recist.vectorised.best_response_codes` (RECIST 1.1
        without confirmation; SD needs ``sd_min_days`` from the line start).
    best_response_confirmed : str or None
        The best overall response when CR and PR need confirmation by a later assessment at
        least 4 weeks after (RECIST 1.1; an unconfirmed CR or PR counts as SD if the SD
        duration is met).
    clinician_status, clinician_status_date
        The best clinician-recorded disease status in the same window (``NED``,
        ``responding``, ``stable``, ``mixed``, ``progressing``): the clinician's words, kept
        apart from the RECIST category.
    first_progression : date or None
        First progression after the start (any later line included).
    pfs, ttnt, os : Survival
        Progression-free survival, time to next treatment (or death), overall survival, all
        from the line start.
    duration_days : int
        Time on the line.
    episode_ids : tuple of str
        The record event ids of the therapy episodes the line holds.
    """

    number: int
    kind: str
    label: str
    agents: tuple[str, ...]
    backbone: tuple[str, ...]
    start: dt.date
    end: dt.date
    ongoing: bool
    end_reason: str
    cycles: int | None
    clinical_trial: bool
    best_response: str | None
    best_response_source: str | None
    best_response_date: dt.date | None
    first_progression: dt.date | None
    pfs: Survival
    ttnt: Survival
    os: Survival
    duration_days: int
    episode_ids: tuple[str, ...] = ()
    clinician_status: str | None = None
    clinician_status_date: dt.date | None = None
    best_response_confirmed: str | None = None

    @property
    def name(self) -> str:
        """``"L1"``, ``"L2"``, ..."""
        return f"L{self.number}"

    @property
    def responded(self) -> bool:
        """Whether the line brought a response (RECIST CR/PR, else clinician NED/responding)."""
        if self.best_response in {"CR", "PR"}:
            return True
        return self.best_response is None and self.clinician_status in {"NED", "responding"}

    @classmethod
    def from_row(cls, row: Mapping[str, Any], episode_ids: Sequence[str] = ()) -> Line:
        """Build a line from one row of :attr:`CohortCourse.lines`."""
        cycles = row["cycles"]
        return cls(
            number=int(row["line"]),
            kind=str(row["kind"]),
            label=str(row["label"]),
            agents=tuple(row["agents"] or ()),
            backbone=tuple(row["backbone"] or ()),
            start=row["start"],
            end=row["end"],
            ongoing=bool(row["ongoing"]),
            end_reason=str(row["end_reason"]),
            cycles=None if cycles is None else int(cycles),
            clinical_trial=bool(row["clinical_trial"]),
            best_response=row["best_response"],
            best_response_source=row["best_response_source"],
            best_response_date=row["best_response_date"],
            best_response_confirmed=row.get("best_response_confirmed"),
            first_progression=row["first_progression"],
            pfs=Survival(row["pfs_days"], row["pfs_event"], row["pfs_reason"]),
            ttnt=Survival(row["ttnt_days"], row["ttnt_event"], row["ttnt_reason"]),
            os=Survival(row["os_days"], row["os_event"], "death" if row["os_event"] else None),
            duration_days=int(row["duration_days"]),
            episode_ids=tuple(episode_ids),
            clinician_status=row.get("clinician_status"),
            clinician_status_date=row.get("clinician_status_date"),
        )

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        out = _as_dict(self)
        out["name"] = self.name
        out["responded"] = self.responded
        return out


@dataclass(frozen=True, slots=True)
class PatientOutcomes:
    """Outcomes of one patient across the whole course.

    Parameters
    ----------
    patient_id : str
    n_lines : int
    diagnosis, first_metastasis, first_line_start, death, last_follow_up : date or None
    os_from_diagnosis, os_from_metastasis, os_from_first_line : Survival
        Overall survival from the diagnosis, the first distant metastasis and the start of
        the first line.
    pfs2_ema : Survival
        PFS2 as the EMA defines it: from the start of the first line to progression on the
        next line (the first progression after the start of the second line) or death;
        censored at the end of follow-up. Not a trial's "PFS on the second treatment", which
        is the PFS of the second line (``CourseSummary.line(2).pfs``).
    """

    patient_id: str
    n_lines: int
    diagnosis: dt.date | None
    first_metastasis: dt.date | None
    first_line_start: dt.date | None
    death: dt.date | None
    last_follow_up: dt.date | None
    os_from_diagnosis: Survival
    os_from_metastasis: Survival
    os_from_first_line: Survival
    pfs2_ema: Survival

    @property
    def pfs2(self) -> Survival:
        """The EMA PFS2 (:attr:`pfs2_ema`; kept for callers of the former name)."""
        return self.pfs2_ema

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PatientOutcomes:
        """Build outcomes from one row of :attr:`CohortCourse.patients`."""
        event = bool(row["os_event"])
        reason = "death" if event else "censored_end_of_follow_up"

        def os(days: int | None) -> Survival:
            return Survival(days, None if days is None else event, None if days is None else reason)

        return cls(
            patient_id=str(row["patient_id"]),
            n_lines=int(row["n_lines"]),
            diagnosis=row["diagnosis"],
            first_metastasis=row["first_metastasis"],
            first_line_start=row["first_line_start"],
            death=row["death"],
            last_follow_up=row["last_follow_up"],
            os_from_diagnosis=os(row["os_from_diagnosis_days"]),
            os_from_metastasis=os(row["os_from_metastasis_days"]),
            os_from_first_line=os(row["os_from_first_line_days"]),
            pfs2_ema=Survival(row["pfs2_ema_days"], row["pfs2_ema_event"], row["pfs2_ema_reason"]),
        )

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return _as_dict(self)


@dataclass(frozen=True, slots=True)
class ProcedureEvent:
    """A surgery or local therapy on the timeline."""

    date: dt.date
    kind: str
    procedure: str
    intent: str | None = None
    margin: str | None = None
    pathological_complete_response: bool | None = None
    organs: tuple[str, ...] = ()
    event_id: str | None = None

    @property
    def label(self) -> str:
        """A short label such as ``"partial hepatectomy (R0, pCR)"``."""
        details = [self.margin] if self.margin else []
        if self.pathological_complete_response:
            details.append("pCR")
        name = self.procedure.replace("_", " ")
        return f"{name} ({', '.join(details)})" if details else name

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        out = _as_dict(self)
        out["label"] = self.label
        return out


@dataclass(frozen=True, slots=True)
class AssessmentPoint:
    """A dated response or progression finding used by the engine.

    ``note`` says when a finding is not what it seems, e.g. an equivocal new lesion that does
    not count as progression unless a later scan confirms it (RECIST 1.1).
    """

    date: dt.date
    response: str | None
    progression: bool
    source: str
    event_id: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return _as_dict(self)


@dataclass(frozen=True, slots=True)
class CourseSummary:
    """What a tumour board needs of one patient's course.

    Parameters
    ----------
    patient_id : str
    lines : tuple of Line
    outcomes : PatientOutcomes
    procedures : tuple of ProcedureEvent
    assessments : tuple of AssessmentPoint
    rules : LineRules
        The rules the lines were derived with.
    """

    patient_id: str
    lines: tuple[Line, ...]
    outcomes: PatientOutcomes
    procedures: tuple[ProcedureEvent, ...] = ()
    assessments: tuple[AssessmentPoint, ...] = ()
    rules: LineRules = field(default_factory=LineRules)

    def line(self, number: int) -> Line:
        """Return line ``number`` (1-based).

        Raises
        ------
        UnknownKeyError
            When the patient has no such line.
        """
        for line in self.lines:
            if line.number == number:
                return line
        from netline.errors import UnknownKeyError

        raise UnknownKeyError("line", f"L{number}", [line.name for line in self.lines])

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary, rules and PFS definition included."""
        return {
            "patient_id": self.patient_id,
            "lines": [line.to_dict() for line in self.lines],
            "outcomes": self.outcomes.to_dict(),
            "procedures": [p.to_dict() for p in self.procedures],
            "assessments": [a.to_dict() for a in self.assessments],
            "rules": self.rules.to_dict(),
            "pfs_definition": self.rules.describe_pfs(),
        }
