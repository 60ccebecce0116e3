"""The course engine: lines of therapy, responses, PFS and survival for 1 or 10^6 patients.

One implementation (NumPy passes and compiled loop kernels over batches of patients, in
process or in every partition of an Apache Spark job) derives the lines of therapy from long
tables of therapy episodes, assessments, follow-up and procedures. A clinical record is
flattened into those tables (:func:`tables_from_records`); so is a registry import, and so does
the synthetic cohort generator write them.

* :func:`derive_course` -- one patient's course for the tumour board (a :class:`CourseSummary`).
* :func:`derive_lines` -- the same for a whole cohort (Arrow tables in a :class:`CohortCourse`).
* :class:`LineRules` -- the documented, configurable line-of-therapy rules.
* :func:`synthetic_cohort` -- reproducible synthetic courses at any size.
* :func:`timeline_data`, :func:`save_timeline`, :func:`plot_swimmer` -- course figures.

The synthetic generator and the figures are imported on first use (PEP 562).

Examples
--------
>>> from netline.course import derive_course
>>> from netline.records import load_case
>>> course = derive_course(load_case("examples/seed-case.yaml"))  # doctest: +SKIP
>>> course.line(2).label  # doctest: +SKIP
'177Lu-DOTATATE x4'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from netline.course.engine import CohortCourse, derive_lines
from netline.course.model import (
    AssessmentPoint,
    CourseSummary,
    Line,
    PatientOutcomes,
    ProcedureEvent,
    Survival,
)
from netline.course.per_patient import PatientLines, patient_line_rows
from netline.course.rules import LineRules
from netline.course.summary import derive_course, summarise
from netline.course.tables import CourseTables, tables_from_records

if TYPE_CHECKING:
    from netline.course.synthetic import LineTrajectories, SyntheticCohort, synthetic_cohort
    from netline.course.timeline import (
        TimelineData,
        plot_swimmer,
        plot_timeline,
        save_timeline,
        timeline_data,
        timeline_html,
    )

__all__ = [
    "AssessmentPoint",
    "CohortCourse",
    "CourseSummary",
    "CourseTables",
    "Line",
    "LineRules",
    "LineTrajectories",
    "PatientLines",
    "PatientOutcomes",
    "ProcedureEvent",
    "Survival",
    "SyntheticCohort",
    "TimelineData",
    "derive_course",
    "derive_lines",
    "patient_line_rows",
    "plot_swimmer",
    "plot_timeline",
    "save_timeline",
    "summarise",
    "synthetic_cohort",
    "tables_from_records",
    "timeline_data",
    "timeline_html",
]

_LAZY = {
    "LineTrajectories": "netline.course.synthetic",
    "SyntheticCohort": "netline.course.synthetic",
    "synthetic_cohort": "netline.course.synthetic",
    "TimelineData": "netline.course.timeline",
    "plot_swimmer": "netline.course.timeline",
    "plot_timeline": "netline.course.timeline",
    "save_timeline": "netline.course.timeline",
    "timeline_data": "netline.course.timeline",
    "timeline_html": "netline.course.timeline",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'netline.course' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
