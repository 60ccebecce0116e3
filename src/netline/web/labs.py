"""Labs and toxicity for the patient page, read from the record and graded by netline's calculator.

Each lab value is shown in its canonical unit (and the unit it was reported in); where the
analyte has a CTCAE v5.0 laboratory term, the grade comes from
:func:`netline.clinical.ctcae_grade` with the laboratory's limits of normal recorded with the
value. Nothing is graded here: a value without the limit the calculator needs is shown as not
gradable, with the calculator's reason. Adverse events are listed with the CTCAE grade the record
gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from netline.clinical import ctcae_grade
from netline.clinical.toxicity import CTCAE_TERM_OF_ANALYTE
from netline.errors import NetlineError
from netline.records import CaseRecord
from netline.records.model.observations import AdverseEvent, LabPanel, LabResult


@dataclass(frozen=True)
class LabRow:
    """One lab value as the labs table shows it."""

    date: str
    analyte: str
    value: str
    unit: str
    reported_as: str
    normal_range: str
    ctcae: str


@dataclass(frozen=True)
class ToxicityRow:
    """One adverse event as the toxicity table shows it."""

    date: str
    term: str
    grade: str
    attributed_to: str
    resolved: str
    serious: str


def _number(value: float) -> str:
    return f"{value:.4g}"


def _range(lab: LabResult) -> str:
    low, high = lab.lower_limit, lab.upper_limit
    if low is None and high is None:
        return "—"
    lower = _number(low) if low is not None else "…"
    upper = _number(high) if high is not None else "…"
    return f"{lower}–{upper}"


def _grade(lab: LabResult) -> str:
    term = CTCAE_TERM_OF_ANALYTE.get(lab.analyte)
    if term is None:
        return "—"
    try:
        finding = ctcae_grade(term, lab.value, lln=lab.lower_limit, uln=lab.upper_limit)
    except NetlineError as error:
        return f"not gradable: {error}"
    grade = finding.value
    label = "no CTCAE grade (within normal)" if grade.highest == 0 else str(grade)
    return f"{label} ({term.value.replace('_', ' ')}, CTCAE v5.0)"


def lab_rows(record: CaseRecord) -> list[LabRow]:
    """Return every lab value of the record, by date then analyte."""
    rows = []
    for panel in sorted(record.of_type(LabPanel), key=lambda p: p.date):
        for lab in sorted(panel.results, key=lambda r: r.analyte.value):
            reported = (
                f"{_number(lab.original_value)} {lab.original_unit}"
                if lab.original_value is not None and lab.original_unit not in (None, lab.unit)
                else ""
            )
            rows.append(
                LabRow(
                    date=panel.date.isoformat(),
                    analyte=lab.analyte.value.replace("_", " "),
                    value=_number(lab.value),
                    unit=lab.unit,
                    reported_as=reported,
                    normal_range=_range(lab),
                    ctcae=_grade(lab),
                )
            )
    return rows


def toxicity_rows(record: CaseRecord) -> list[ToxicityRow]:
    """Return the record's adverse events (CTCAE grade as recorded), by date."""
    return [
        ToxicityRow(
            date=event.date.isoformat(),
            term=event.term.replace("_", " "),
            grade=f"grade {event.grade}",
            attributed_to=event.attributed_to.value if event.attributed_to else "—",
            resolved=event.resolved.isoformat() if event.resolved else "not recorded",
            serious="yes" if event.serious else "no",
        )
        for event in sorted(record.of_type(AdverseEvent), key=lambda e: e.date)
    ]
