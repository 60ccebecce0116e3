"""Cohort selection: patients of a registry by tumour, treatment and dates, with their lines.

Lines of therapy are derived by the course engine (through :mod:`netline.registry._course`)
for every patient of the source, then patients are kept by the criteria; a line-based
criterion (line, agent, class, sequence) looks at the lines so derived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from netline.errors import InvalidInputError
from netline.records.vocabulary import agent_info
from netline.registry import _course

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]
    import pyarrow as pa  # type: ignore[import-untyped]

    from netline.registry.store import Registry

__all__ = ["Cohort", "CohortSource", "select_cohort"]

SequenceBy = Literal["class", "regimen"]
#: Joins the agents (or classes) of one line, and the lines of one sequence.
COMBINATION, ARROW = " + ", " → "


@dataclass(frozen=True)
class CohortSource:
    """What a cohort is selected from: patient facts and the course tables.

    Parameters
    ----------
    facts : pyarrow.Table
        One row per patient with the columns of the store's ``patient_facts``.
    tables : CourseTables
        The course engine's tables for the same patients.
    """

    facts: pa.Table
    tables: _course.CourseTables


@dataclass(frozen=True)
class Cohort:
    """A selected cohort: its patients, their lines of therapy and outcomes.

    Attributes
    ----------
    facts : pandas.DataFrame
        One row per patient (``patient_facts`` plus ``n_lines``, ``sequence_class`` and
        ``sequence_regimen``).
    lines : pandas.DataFrame
        One row per line (the engine's line columns plus ``regimen`` and ``classes``, the
        agents and the agent classes of the line joined with ``" + "``). List and date
        columns are Arrow-backed (``pandas.ArrowDtype``): a cell of ``agents`` is a list of
        str, one of ``start`` a ``datetime.date``.
    patients : pandas.DataFrame
        Per-patient outcomes from the engine (OS from diagnosis and first line, PFS2); dates
        Arrow-backed as in ``lines``.
    criteria : dict
        The criteria used.
    n_source : int
        Patients in the source before selection.
    """

    facts: pd.DataFrame
    lines: pd.DataFrame
    patients: pd.DataFrame
    criteria: dict[str, Any] = field(default_factory=dict)
    n_source: int = 0

    @property
    def n(self) -> int:
        """Number of patients selected."""
        return len(self.facts)

    def describe(self) -> str:
        """Say in words what was selected."""
        shown = ", ".join(f"{k}={v}" for k, v in self.criteria.items()) or "all patients"
        return f"{self.n} of {self.n_source} patients ({shown})"


def _line_classes(agents: Sequence[str], kind: str) -> str:
    if kind != "systemic" or not len(agents):
        return kind
    return COMBINATION.join(sorted({agent_info(a).agent_class.value for a in agents}))


def _line_regimen(agents: Sequence[str], kind: str) -> str:
    if kind != "systemic" or not len(agents):
        return kind
    return COMBINATION.join(sorted(agents))


def _source(source: Registry | CohortSource | str | Path) -> CohortSource:
    if isinstance(source, CohortSource):
        return source
    if isinstance(source, str | Path):
        from netline.registry.store import open_registry

        with open_registry(source) as registry:
            return CohortSource(registry.facts(), registry.course_tables())
    return CohortSource(source.facts(), source.course_tables())


def select_cohort(
    source: Registry | CohortSource | str | Path,
    *,
    site: str | Sequence[str] | None = None,
    grade: str | Sequence[str] | None = None,
    ki67: tuple[float | None, float | None] | None = None,
    stage: str | Sequence[str] | None = None,
    functioning: bool | None = None,
    line: int | None = None,
    agent: str | None = None,
    agent_class: str | None = None,
    sequence: Sequence[str] | None = None,
    sequence_by: SequenceBy = "class",
    diagnosed_from: dt.date | None = None,
    diagnosed_to: dt.date | None = None,
    rules: _course.LineRules | None = None,
    backend: object = "polars",
) -> Cohort:
    """Select patients of a registry, with their lines of therapy and outcomes.

    Parameters
    ----------
    source : Registry, CohortSource or path
        The registry (open, or the path of its file) or facts and course tables.
    site, grade, stage : str or sequence of str, optional
        Primary site, WHO grade (e.g. ``"NET G2"``), AJCC 8 stage group at diagnosis.
    ki67 : (low, high), optional
        Ki-67 index range in %, inclusive; either end may be ``None``.
    functioning : bool, optional
        ``True``: a functioning syndrome recorded; ``False``: recorded as non-functioning.
    line : int, optional
        With ``agent`` or ``agent_class``: that line contains it; alone: at least that many
        lines.
    agent, agent_class : str, optional
        An agent (e.g. ``"everolimus"``) or class (e.g. ``"radioligand"``) given in any line
        (or in ``line``).
    sequence : sequence of str, optional
        The first lines, in order, by class (default) or by regimen (``sequence_by``), e.g.
        ``["ssa", "radioligand"]``; a combination is written ``"a + b"`` (sorted).
    diagnosed_from, diagnosed_to : date, optional
        Diagnosis date range, inclusive.
    rules : LineRules, optional
        Line-of-therapy rules (the documented defaults when omitted).
    backend : {"polars", "pyspark"} or a session
        Where the lines are derived (identical results).

    Returns
    -------
    Cohort

    Raises
    ------
    InvalidInputError
        When a criterion has the wrong form (e.g. ``line`` below 1).
    """
    criteria = {
        k: v
        for k, v in {
            "site": site,
            "grade": grade,
            "ki67": ki67,
            "stage": stage,
            "functioning": functioning,
            "line": line,
            "agent": agent,
            "agent_class": agent_class,
            "sequence": None if sequence is None else list(sequence),
            "diagnosed_from": diagnosed_from,
            "diagnosed_to": diagnosed_to,
        }.items()
        if v is not None
    }
    if line is not None and line < 1:
        raise InvalidInputError.single("line", line, "a line number of 1 or more")
    data = _source(source)
    course = _course.derive_lines(data.tables, rules, backend=backend)
    facts, lines, patients = _frames(data.facts, course)
    del course
    keep = _fact_mask(facts, site, grade, ki67, stage, functioning, diagnosed_from, diagnosed_to)
    keep &= _line_mask(facts, lines, line, agent, agent_class, sequence, sequence_by)
    if not bool(keep.all()):  # a selection: keep the chosen patients' rows only
        facts = facts[keep].reset_index(drop=True)
        lines, patients = (_of_patients(t, facts["patient_id"]) for t in (lines, patients))
    # each Arrow column is freed as soon as it is converted (these tables are this call's own)
    options = {"split_blocks": True, "self_destruct": True, "types_mapper": _arrow_backed}
    return Cohort(
        facts=facts,
        lines=lines.to_pandas(**options),
        patients=patients.to_pandas(**options),
        criteria=criteria,
        n_source=len(keep),
    )


def _arrow_backed(dtype: pa.DataType) -> Any:
    """Keep lists and dates Arrow-backed in pandas (no Python object per cell).

    A cell of ``agents`` reads as a list of str, one of a date column as a ``datetime.date``;
    at 10^6 patients this keeps about 1 GB of Python objects out of the cohort's lines.
    """
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_date32(dtype):
        return pd.ArrowDtype(dtype)
    return None


def _string_ids(table: pa.Table) -> pa.Table:
    """Patient ids as text everywhere (a registry's are; the engine keeps the input's type)."""
    import pyarrow as pa

    column = table.column("patient_id")
    if pa.types.is_string(column.type):
        return table
    return table.set_column(0, "patient_id", column.cast(pa.string()))


def _as_pandas_would(table: pa.Table) -> pa.Table:
    """Integer columns with a missing value as float, as pandas makes them of the whole table.

    Done before a selection, so a column's pandas type does not depend on which patients were
    chosen (a chosen subset without missing values would otherwise stay integer).
    """
    import pyarrow as pa

    for i, column in enumerate(table.schema):
        if pa.types.is_integer(column.type) and table.column(i).null_count:
            table = table.set_column(i, column.name, table.column(i).cast(pa.float64()))
    return table


def _of_patients(table: pa.Table, ids: Any) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    wanted = pa.array(ids.to_numpy(dtype=object), type=pa.string())
    return table.filter(pc.is_in(table.column("patient_id"), value_set=wanted))


def _labels(lines: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Return the regimen and the classes of every line (worked out once per distinct one)."""
    import polars as pl
    import pyarrow as pa

    slim = pl.from_arrow(lines.select(["agents", "kind"]))
    assert isinstance(slim, pl.DataFrame)
    key = slim.select(pl.col("kind").fill_null("") + "\x1f" + pl.col("agents").list.join("\x1f"))
    distinct = slim.with_columns(key=key.to_series()).unique("key", maintain_order=True)
    regimen, classes = {}, {}
    for k, agents, kind in distinct.select("key", "agents", "kind").iter_rows():
        regimen[k] = _line_regimen(agents or [], kind)
        classes[k] = _line_classes(agents or [], kind)
    keys = key.to_series()
    return (
        keys.replace_strict(regimen, return_dtype=pl.String).to_arrow().cast(pa.string()),
        keys.replace_strict(classes, return_dtype=pl.String).to_arrow().cast(pa.string()),
    )


def _frames(facts_table: pa.Table, course: Any) -> tuple[Any, pa.Table, pa.Table]:
    """Facts (pandas, with each patient's sequence), lines and patients (Arrow).

    The lines and per-patient outcomes stay Arrow until the cohort is chosen, so only the
    chosen rows are ever converted to pandas (the lines are the largest table).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = _string_ids(course.lines)
    regimen, classes = _labels(lines)
    lines = lines.append_column("regimen", regimen).append_column("classes", classes)
    sequences = _sequences(lines)
    facts = _string_ids(facts_table)
    at = pc.index_in(facts.column("patient_id"), value_set=sequences.column("patient_id"))
    facts = facts.append_column(
        "n_lines", sequences.column("n_lines").take(at).fill_null(0).cast(pa.int64())
    )
    for name in ("sequence_class", "sequence_regimen"):
        facts = facts.append_column(name, sequences.column(name).take(at).fill_null(""))
    return (
        facts.to_pandas(),
        _as_pandas_would(lines),
        _as_pandas_would(_string_ids(course.patients)),
    )


def _sequences(lines: pa.Table) -> pa.Table:
    """Return each patient's number of lines and the classes and regimens joined in order.

    Arrow only: the lines of a patient are one run (the engine's order, by patient and line;
    sorted here when not), and each sequence is a join over that run's slice.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    part = lines.select(["patient_id", "line", "classes", "regimen"])
    if not _runs_in_order(part):
        part = part.take(
            pc.sort_indices(part, [("patient_id", "ascending"), ("line", "ascending")])
        )
    ids = part.column("patient_id").combine_chunks()
    n = len(ids)
    change = pc.not_equal(ids[1:], ids[:-1]).to_numpy(zero_copy_only=False) if n else []
    starts = np.flatnonzero(np.r_[n > 0, change]) if n else np.zeros(0, dtype=np.int64)
    offsets = pa.array(np.r_[starts, n], type=pa.int32())

    def joined(name: str) -> pa.Array:
        values = part.column(name).combine_chunks()
        return pc.binary_join(pa.ListArray.from_arrays(offsets, values), ARROW)

    return pa.table(
        {
            "patient_id": ids.take(pa.array(starts, type=pa.int64())),
            "n_lines": pa.array(np.diff(np.r_[starts, n]), type=pa.int64()),
            "sequence_class": joined("classes"),
            "sequence_regimen": joined("regimen"),
        }
    )


def _runs_in_order(part: pa.Table) -> bool:
    """Say whether each patient's lines are one run, in increasing line order."""
    import pyarrow.compute as pc

    ids = part.column("patient_id").combine_chunks()
    lines = part.column("line").combine_chunks()
    if len(ids) < 2:
        return True
    same = pc.equal(ids[1:], ids[:-1])
    backwards = pc.and_(same, pc.less_equal(lines[1:], lines[:-1]))
    runs = 1 + len(ids) - 1 - pc.sum(same.cast("int64")).as_py()
    distinct = pc.count_distinct(ids).as_py()
    return not pc.any(backwards).as_py() and runs == distinct


def _as_set(value: str | Sequence[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _fact_mask(
    facts: Any,
    site: str | Sequence[str] | None,
    grade: str | Sequence[str] | None,
    ki67: tuple[float | None, float | None] | None,
    stage: str | Sequence[str] | None,
    functioning: bool | None,
    diagnosed_from: dt.date | None,
    diagnosed_to: dt.date | None,
) -> Any:
    import pandas as pd

    keep = pd.Series(True, index=facts.index)
    for column, wanted in (("site", site), ("grade", grade), ("stage", stage)):
        if wanted is not None:
            keep &= facts[column].isin(_as_set(wanted))
    if ki67 is not None:
        low, high = ki67
        values = facts["ki67_percent"]
        keep &= values.notna()
        if low is not None:
            keep &= values >= low
        if high is not None:
            keep &= values <= high
    if functioning is not None:
        syndrome = facts["functioning_syndrome"]
        if functioning:
            keep &= ~syndrome.isin({"none", "unknown"}) & syndrome.notna()
        else:
            keep &= syndrome == "none"
    diagnosis = pd.to_datetime(facts["diagnosis"])
    if diagnosed_from is not None:
        keep &= diagnosis >= pd.Timestamp(diagnosed_from)
    if diagnosed_to is not None:
        keep &= diagnosis <= pd.Timestamp(diagnosed_to)
    return keep


def _line_mask(
    facts: Any,
    lines: pa.Table,
    line: int | None,
    agent: str | None,
    agent_class: str | None,
    sequence: Sequence[str] | None,
    sequence_by: SequenceBy,
) -> Any:
    import pandas as pd

    keep = pd.Series(True, index=facts.index)
    if line is not None and agent is None and agent_class is None:
        keep &= facts["n_lines"] >= line
    if agent is not None or agent_class is not None:
        import polars as pl

        rows = pl.from_arrow(lines.select(["patient_id", "line", "agents", "classes"]))
        assert isinstance(rows, pl.DataFrame)
        hit = pl.lit(True)
        if line is not None:
            hit &= pl.col("line") == line
        if agent is not None:
            hit &= pl.col("agents").list.contains(agent).fill_null(False)
        if agent_class is not None:
            hit &= pl.col("classes").str.split(COMBINATION).list.contains(agent_class)
        ids = rows.filter(hit).get_column("patient_id").unique().to_list()
        keep &= facts["patient_id"].isin(ids)
    if sequence is not None:
        if sequence_by not in ("class", "regimen"):
            raise InvalidInputError.single("sequence_by", sequence_by, "'class' or 'regimen'")
        wanted = list(sequence)
        column = facts[f"sequence_{sequence_by}"]
        keep &= column.map(lambda s: s.split(ARROW)[: len(wanted)] == wanted if s else False)
    return keep
