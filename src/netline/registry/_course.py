"""The one adapter between the registry and the course engine.

Every use of :mod:`netline.course` by the registry goes through this module, so that the
engine can change (or move) behind it without touching the store, the importers or the
analytics. It re-exports the few names the registry needs and adds nothing of its own.
"""

from __future__ import annotations

from typing import Any

from netline._time import DAYS_PER_MONTH
from netline.course import CohortCourse, CourseTables, LineRules, derive_lines, tables_from_records
from netline.course.timeline import CLASS_COLOURS, plot_swimmer_tables

__all__ = [
    "CLASS_COLOURS",
    "DAYS_PER_MONTH",
    "CohortCourse",
    "CourseTables",
    "LineRules",
    "derive_lines",
    "plot_swimmer_tables",
    "synthetic_cohort",
    "tables_from_records",
]


def synthetic_cohort(n: int, seed: int = 0, **options: Any) -> Any:
    """Generate a synthetic cohort (see :func:`netline.course.synthetic_cohort`)."""
    from netline.course import synthetic_cohort as generate

    return generate(n, seed=seed, **options)
