"""One patient's course: the tumour-board entry point of the course engine."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from netline.course.engine import CohortCourse, derive_lines
from netline.course.model import (
    AssessmentPoint,
    CourseSummary,
    Line,
    PatientOutcomes,
    ProcedureEvent,
)
from netline.course.rules import LineRules
from netline.course.tables import CourseTables, _record_rows, _tables_of
from netline.errors import UnknownKeyError
from netline.records.model import CaseRecord

__all__ = ["derive_course", "summarise"]


#: Tables up to this many rows are filtered row by row only (no columnar pre-filter).
_SMALL = 2048
#: The input tables a summary reads (procedures, assessments; episodes for their event ids).
_INPUTS = ("episodes", "procedures", "assessments")
Rows = dict[str, list[dict[str, Any]]]


def _rows(table: Any, patient_id: object) -> list[dict[str, Any]]:
    """Return the rows of one patient as dictionaries."""
    if table.num_rows > _SMALL:  # a registry: Polars filters first
        # Polars, not pyarrow.compute: pyarrow imports pandas to convert a Python scalar
        import polars as pl

        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        table = frame.filter(pl.col("patient_id") == patient_id).to_arrow()
    rows: list[dict[str, Any]] = table.to_pylist()
    return [row for row in rows if row["patient_id"] == patient_id]


def summarise(course: CohortCourse, tables: CourseTables, patient_id: object) -> CourseSummary:
    """Return the :class:`CourseSummary` of one patient of a derived cohort.

    Parameters
    ----------
    course : CohortCourse
        The result of :func:`~netline.course.derive_lines`.
    tables : CourseTables
        The tables it was derived from (for procedures, assessments and event ids).
    patient_id : str or int
        The patient.

    Raises
    ------
    UnknownKeyError
        When the patient is not in the cohort.
    """
    inputs = {name: _rows(getattr(tables, name), patient_id) for name in _INPUTS}
    return _summary(course, inputs, patient_id)


def _summary(course: CohortCourse, inputs: Rows, patient_id: object) -> CourseSummary:
    """Return the summary of one patient from the derived cohort and the patient's input rows."""
    patients = _rows(course.patients, patient_id)
    if not patients:
        known = [str(p) for p in course.patients.column("patient_id").to_pylist()[:50]]
        raise UnknownKeyError("patient", str(patient_id), known)
    event_ids = {row["episode_id"]: row["event_id"] for row in inputs["episodes"]}
    by_line: dict[int, list[str]] = defaultdict(list)
    for row in _rows(course.episode_lines, patient_id):
        event_id = event_ids.get(row["episode_id"])
        if event_id is not None:
            by_line[int(row["line"])].append(str(event_id))
    lines = tuple(
        Line.from_row(row, by_line.get(int(row["line"]), ()))
        for row in _rows(course.lines, patient_id)
    )
    procedures = tuple(
        ProcedureEvent(
            date=row["date"],
            kind=row["kind"],
            procedure=row["procedure"],
            intent=row["intent"],
            margin=row["margin"],
            pathological_complete_response=row["pathological_complete_response"],
            organs=tuple(filter(None, (row["organs"] or "").split(","))),
            event_id=row["event_id"],
        )
        for row in sorted(inputs["procedures"], key=lambda r: r["date"])
    )
    wanted = course.rules.assessment_sources
    assessments = tuple(
        AssessmentPoint(
            date=row["date"],
            response=row["response"],
            progression=bool(row["progression"]),
            source=row["source"],
            event_id=row["event_id"],
            note=row.get("note"),
        )
        for row in sorted(inputs["assessments"], key=lambda r: (r["date"], r["source"]))
        if row["source"] in wanted
    )
    return CourseSummary(
        patient_id=str(patient_id),
        lines=lines,
        outcomes=PatientOutcomes.from_row(patients[0]),
        procedures=procedures,
        assessments=assessments,
        rules=course.rules,
    )


def course_and_rows(
    record: CaseRecord, rules: LineRules
) -> tuple[CourseSummary, Rows, dict[str, object]]:
    """Return one patient's course with the input rows it was derived from and the follow-up.

    The summary reads the record's rows as they are, not converted back from the tables.
    """
    rows, followup = _record_rows(record, rules)
    tables = _tables_of({**rows, "followup": [followup]})
    course = derive_lines(tables, rules)
    return _summary(course, rows, record.patient.id), rows, followup


def derive_course(record: CaseRecord, rules: LineRules | None = None) -> CourseSummary:
    """Derive one patient's lines of therapy, best responses, PFS and overall survival.

    The record is flattened into the engine's long tables and run through the same engine
    that serves a registry (:func:`~netline.course.derive_lines`, a batch of one), so one
    patient and a million get the same rules and the same code.

    Parameters
    ----------
    record : CaseRecord
        The patient's clinical record.
    rules : LineRules, optional
        Line-of-therapy rules; the documented defaults when omitted.

    Returns
    -------
    CourseSummary
        Lines (regimen, start, end, end reason, best response, PFS, time to next treatment,
        OS), per-patient outcomes (PFS2, OS from diagnosis, first metastasis and first line),
        procedures and the assessments used. ``to_dict()`` gives JSON.

    Examples
    --------
    >>> from netline.course import derive_course
    >>> from netline.records import load_case
    >>> course = derive_course(load_case("examples/seed-case.yaml"))
    >>> for line in course.lines:
    ...     print(line.name, line.label, line.best_response, line.end_reason)
    L1 lanreotide PD progression
    L2 177Lu-DOTATATE x4 PR completed
    L3 lanreotide None surgery
    """
    return course_and_rows(record, rules or LineRules())[0]
