"""The descriptive table of a cohort (Table 1), with missing values counted on every row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from netline.errors import InvalidInputError
from netline.registry._render import render_table
from netline.registry.analytics.cohort import ARROW, Cohort

__all__ = ["TABLE1_VARIABLES", "Table1", "table1"]

#: Variables of Table 1: (column, label, kind).
TABLE1_VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("age_at_diagnosis", "Age at diagnosis, years", "continuous"),
    ("sex", "Sex", "categorical"),
    ("site", "Primary site", "categorical"),
    ("grade", "WHO grade", "categorical"),
    ("ki67_percent", "Ki-67 index, %", "continuous"),
    ("stage", "Stage at diagnosis (AJCC 8)", "categorical"),
    ("functioning_syndrome", "Functioning syndrome", "categorical"),
    ("distant_metastases", "Distant metastases", "categorical"),
    ("n_lines", "Lines of therapy", "continuous"),
    ("first_line_class", "First-line class", "categorical"),
)
_MISSING = "missing"


@dataclass(frozen=True)
class Table1:
    """Table 1 of a cohort.

    Attributes
    ----------
    columns : tuple of str
        ``"All"`` then one column per group (when stratified).
    n : tuple of int
        Patients per column.
    rows : tuple of (str, str, tuple of str)
        Variable label, level (``""`` for a summary row, ``"missing"`` for missing values)
        and one cell per column: ``n (%)`` for categories (of all patients in the column),
        ``median [Q1-Q3]`` for continuous variables.
    """

    schema_version: ClassVar[str] = "1"

    columns: tuple[str, ...]
    n: tuple[int, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]
    cohort: str

    def to_dict(self) -> dict[str, Any]:
        """Return the table as JSON-ready data."""
        return {
            "schema_version": self.schema_version,
            "cohort": self.cohort,
            "columns": [{"name": c, "n": n} for c, n in zip(self.columns, self.n, strict=True)],
            "rows": [
                {"variable": var, "level": level, "cells": list(cells)}
                for var, level, cells in self.rows
            ],
        }

    def to_frame(self) -> Any:
        """Return the table as a pandas DataFrame."""
        import pandas as pd  # type: ignore[import-untyped]

        header = [f"{c} (n={n})" for c, n in zip(self.columns, self.n, strict=True)]
        return pd.DataFrame(
            [[var, level, *cells] for var, level, cells in self.rows],
            columns=["variable", "level", *header],
        )

    def render(self, fmt: str = "text") -> str:
        """Render as ``"text"``, ``"json"``, ``"markdown"`` or ``"html"``."""
        header = [
            "Variable",
            "",
            *(f"{c} (n={n})" for c, n in zip(self.columns, self.n, strict=True)),
        ]
        rows = [[var, level, *cells] for var, level, cells in self.rows]
        notes = [
            f"Cohort: {self.cohort}.",
            "Categories: n (% of the column's patients); continuous: median [Q1-Q3].",
        ]
        return render_table("Table 1", header, rows, fmt, self.to_dict(), notes)


def _continuous(values: Any) -> list[tuple[str, str]]:
    present = values.dropna().astype(float)
    missing = int(values.isna().sum())
    if present.empty:
        cell = "-"
    else:
        q1, median, q3 = (float(present.quantile(q)) for q in (0.25, 0.5, 0.75))
        cell = f"{median:.1f} [{q1:.1f}-{q3:.1f}]"
    return [("", cell), (_MISSING, f"{missing}")]


def _categorical(values: Any, levels: list[str]) -> list[tuple[str, str]]:
    total = len(values)
    text = values.map(lambda v: _MISSING if v is None or v != v else str(v))
    counts = text.value_counts()
    out = []
    for level in [*levels, _MISSING]:
        count = int(counts.get(level, 0))
        share = f"{100 * count / total:.1f}" if total else "-"
        out.append((level, f"{count} ({share}%)"))
    return out


def table1(cohort: Cohort, by: str | None = None) -> Table1:
    """Describe a cohort: the usual Table 1, overall and optionally by group.

    Parameters
    ----------
    cohort : Cohort
    by : str, optional
        A categorical variable of the table (e.g. ``"grade"``, ``"first_line_class"``) to
        stratify by; patients with it missing form their own column.

    Returns
    -------
    Table1

    Raises
    ------
    InvalidInputError
        When ``by`` is not a categorical variable of the table.
    """
    facts = cohort.facts.copy()
    facts["first_line_class"] = facts["sequence_class"].map(
        lambda s: s.split(ARROW)[0] if s else "no systemic line"
    )
    facts["distant_metastases"] = facts["distant_metastases"].map({True: "yes", False: "no"})
    categorical = [c for c, _, kind in TABLE1_VARIABLES if kind == "categorical"]
    if by is not None and by not in categorical:
        raise InvalidInputError.single("by", by, "one of " + ", ".join(categorical))
    groups: list[tuple[str, Any]] = [("All", facts)]
    if by is not None:
        key = facts[by].map(lambda v: _MISSING if v is None or v != v else str(v))
        groups += [(str(name), facts[key == name]) for name in sorted(key.unique())]
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    for column, label, kind in TABLE1_VARIABLES:
        if kind == "continuous":
            per_group = [_continuous(frame[column]) for _, frame in groups]
        else:
            levels = sorted({str(v) for v in facts[column] if v is not None and v == v})
            per_group = [_categorical(frame[column], levels) for _, frame in groups]
        for i, (level, _) in enumerate(per_group[0]):
            rows.append((label, level, tuple(cells[i][1] for cells in per_group)))
    return Table1(
        columns=tuple(name for name, _ in groups),
        n=tuple(len(frame) for _, frame in groups),
        rows=tuple(rows),
        cohort=cohort.describe(),
    )
