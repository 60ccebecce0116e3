"""The course engine: lines of therapy and outcomes for one patient or a registry.

One implementation, a Polars pipeline over a batch of patients (one patient is a batch of
one): every step is a sort, a window over the patient, an as-of join on the patient and a
date, or a group-by. The only order-dependent rule (a novel agent opens a line when it starts
more than the regimen window after the current line's start) is settled by one ordered pass
over the few rows that their neighbours do not decide, so the cost is linear in the number of
episodes whatever the length of a patient's chain of lines.

On Apache Spark the same function runs once per partition of patients
(:mod:`netline.course._spark`), so Spark and the embedded engine give identical tables.

Steps (``docs/course.md`` states the rules in full):

1. **Eras** (:func:`netline.course._lines.eras`): episodes of one agent merge while each
   restarts within the gap of the latest earlier stop, with no progression and no procedure
   counted as a line in between.
2. **Line starts** (:func:`netline.course._lines.era_lines`).
3. **Lines** (:func:`netline.course._lines.line_aggregates`): regimen, backbone SSA, start,
   end, the reason of the last stop.
4. **Outcomes** (:mod:`netline.course._outcomes`): first progression, best response, PFS,
   TTNT, OS, end reason; per patient the EMA PFS2 and OS.

Identifiers are kept as given: patient ids may be strings or integers, episode and procedure
ids any 64-bit integers; any number of distinct agents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from netline.course._collect import collect, collect_all
from netline.course._lines import era_lines, eras, line_aggregates, number_lines
from netline.course._outcomes import line_outcomes, patient_outcomes
from netline.course.rules import LineRules
from netline.course.tables import CourseTables
from netline.errors import InvalidInputError, Problem

__all__ = [
    "LINE_SCHEMA",
    "PATIENT_SCHEMA",
    "CohortCourse",
    "derive_frames",
    "derive_lines",
]

PID = "patient_id"
_STRINGS = pa.list_(pa.string())
#: Columns of :attr:`CohortCourse.lines` (after ``patient_id``) and their Arrow types.
LINE_SCHEMA: dict[str, pa.DataType] = {
    "line": pa.int32(),
    "kind": pa.string(),
    "label": pa.string(),
    "agents": _STRINGS,
    "backbone": _STRINGS,
    "start": pa.date32(),
    "end": pa.date32(),
    "ongoing": pa.bool_(),
    "end_reason": pa.string(),
    "cycles": pa.int32(),
    "clinical_trial": pa.bool_(),
    "best_response": pa.string(),
    "best_response_source": pa.string(),
    "best_response_date": pa.date32(),
    "best_response_confirmed": pa.string(),
    "clinician_status": pa.string(),
    "clinician_status_date": pa.date32(),
    "first_progression": pa.date32(),
    "pfs_days": pa.int32(),
    "pfs_event": pa.bool_(),
    "pfs_reason": pa.string(),
    "ttnt_days": pa.int32(),
    "ttnt_event": pa.bool_(),
    "ttnt_reason": pa.string(),
    "os_days": pa.int32(),
    "os_event": pa.bool_(),
    "duration_days": pa.int32(),
}
#: Columns of :attr:`CohortCourse.patients` (after ``patient_id``) and their Arrow types.
PATIENT_SCHEMA: dict[str, pa.DataType] = {
    "n_lines": pa.int32(),
    "diagnosis": pa.date32(),
    "first_metastasis": pa.date32(),
    "first_line_start": pa.date32(),
    "death": pa.date32(),
    "last_follow_up": pa.date32(),
    "os_from_diagnosis_days": pa.int32(),
    "os_from_metastasis_days": pa.int32(),
    "os_from_first_line_days": pa.int32(),
    "os_event": pa.bool_(),
    "pfs2_ema_days": pa.int32(),
    "pfs2_ema_event": pa.bool_(),
    "pfs2_ema_reason": pa.string(),
}
EPISODE_LINE_SCHEMA: dict[str, pa.DataType] = {"episode_id": pa.int64(), "line": pa.int32()}
_LINE_DATES = ("start", "end", "best_response_date", "clinician_status_date", "first_progression")
_PATIENT_DATES = ("diagnosis", "first_metastasis", "first_line_start", "death", "last_follow_up")


@dataclass(frozen=True)
class CohortCourse:
    """Lines of therapy and outcomes of a cohort, as Arrow tables.

    Attributes
    ----------
    lines : pyarrow.Table
        One row per line (``patient_id`` and the columns of ``LINE_SCHEMA``), sorted by
        patient and line number.
    patients : pyarrow.Table
        One row per patient (``patient_id`` and the columns of ``PATIENT_SCHEMA``).
    episode_lines : pyarrow.Table
        ``patient_id``, ``episode_id``, ``line``: the line every therapy episode belongs to.
    rules : LineRules
        The rules used.
    backend : str
        Where it was computed: ``"polars"`` (in-process) or ``"pyspark"``.
    """

    lines: pa.Table
    patients: pa.Table
    episode_lines: pa.Table
    rules: LineRules
    backend: str

    def lines_frame(self) -> Any:
        """Return the lines as a pandas DataFrame."""
        return self.lines.to_pandas()

    def patients_frame(self) -> Any:
        """Return the per-patient outcomes as a pandas DataFrame."""
        return self.patients.to_pandas()


def _days(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Date).cast(pl.Int32)


def _frame(table: pa.Table) -> pl.LazyFrame:
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    return frame.lazy().with_columns(pl.col(pl.Categorical).cast(pl.String))


_REQUIRED = {
    "episodes": (
        ("episode_id", "an episode id"),
        ("agent", "an agent"),
        ("agent_class", "an agent class"),
        ("start", "a start date"),
    ),
    "followup": (("last_follow_up", "the last date known alive (or the death date)"),),
    "procedures": (("date", "a procedure date"), ("kind", "a procedure kind")),
    "assessments": (("date", "an assessment date"), ("source", "an assessment source")),
}


def _check_missing(tables: CourseTables) -> None:
    """Reject missing required values, naming table, row, column and patient."""
    problems: list[Problem] = []
    for name, required in _REQUIRED.items():
        table = tables.as_dict()[name]
        for column, expected in required:
            if not table.column(column).null_count:  # Arrow knows it without a scan
                continue
            frame = pl.from_arrow(table.select([PID, column]))
            assert isinstance(frame, pl.DataFrame)
            rows = frame.with_row_index("__row").filter(pl.col(column).is_null())
            for row in rows.head(3).iter_rows(named=True):
                where = f"{name}[{row['__row']}].{column} (patient {row[PID]!r})"
                problems.append(Problem(where, None, expected))
    if problems:
        raise InvalidInputError(problems)


def _consistency(frames: dict[str, pl.LazyFrame]) -> list[pl.LazyFrame]:
    """Return queries whose rows are problems: duplicated patients or episodes, orphan rows."""
    follow = frames["followup"]
    queries = [
        follow.group_by(PID)
        .len()
        .filter(pl.col("len") > 1)
        .select(
            pl.lit("followup.patient_id").alias("where"),
            pl.col(PID).cast(pl.String).alias("value"),
            pl.lit("one follow-up row per patient").alias("expected"),
        )
        .head(3)
    ]
    known = follow.select(PID).unique()
    for table in ("episodes", "assessments", "procedures"):
        orphans = frames[table].select(PID).unique().join(known, on=PID, how="anti")
        queries.append(
            orphans.select(
                pl.lit(f"{table}.patient_id").alias("where"),
                pl.col(PID).cast(pl.String).alias("value"),
                pl.lit("a patient listed in followup").alias("expected"),
            ).head(3)
        )
    dup = frames["episodes"].group_by([PID, "episode_id"]).len().filter(pl.col("len") > 1)
    queries.append(
        dup.select(
            pl.format("episodes.episode_id (patient {})", pl.col(PID)).alias("where"),
            pl.col("episode_id").cast(pl.String).alias("value"),
            pl.lit("an episode id used once per patient").alias("expected"),
        ).head(3)
    )
    return queries


def _raise_problems(found: list[pl.DataFrame]) -> None:
    problems = [
        Problem(where, value, expected)
        for frame in found
        for where, value, expected in frame.iter_rows()
    ]
    if problems:
        raise InvalidInputError(problems)


def _prepare(
    frames: dict[str, pl.LazyFrame], rules: LineRules
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    fu = frames["followup"].select(
        PID,
        *(_days(c) for c in ("diagnosis", "first_metastasis", "death", "last_follow_up")),
    )
    fu = fu.with_columns(pl.coalesce("death", "last_follow_up").alias("fu_end"))
    ep = frames["episodes"].select(
        PID,
        pl.col("episode_id").cast(pl.Int64),
        pl.col("agent").cast(pl.String),
        pl.col("agent_class").cast(pl.String),
        _days("start"),
        _days("stop"),
        pl.col("cycles").cast(pl.Int32),
        pl.col("reason_stopped").cast(pl.String),
        pl.col("clinical_trial").fill_null(False),
    )
    ep = ep.join(fu.select(PID, "fu_end"), on=PID, how="left")
    ep = ep.with_columns(
        pl.col("stop").is_null().alias("ongoing"),
        pl.max_horizontal(pl.coalesce("stop", "fu_end", "start"), "start").alias("stop_eff"),
    ).drop("fu_end", "stop")
    asm = frames["assessments"].select(
        PID,
        _days("date").alias("day"),
        pl.col("response").cast(pl.String),
        pl.col("source").cast(pl.String),
        pl.col("progression").fill_null(False),
    )
    asm = asm.filter(pl.col("source").is_in(sorted(rules.assessment_sources)))
    pr = frames["procedures"].select(
        PID,
        pl.col("procedure_id").cast(pl.Int64),
        _days("date").alias("day"),
        pl.col("kind").cast(pl.String),
        pl.col("procedure").cast(pl.String),
    )
    return ep, asm, fu, pr


#: Patients per batch: the steps run on batches of this many patients, one after the other, so
#: that time and memory grow linearly with the registry (Polars' sorts, windows and as-of joins
#: grow faster than linearly on one very large frame on a small machine).
BATCH_PATIENTS = 20_000


def _batches(tables: CourseTables, size: int) -> list[CourseTables]:
    """Split the tables into batches of ``size`` patients (in patient order)."""
    follow = tables.followup
    if follow.num_rows <= size:
        return [tables]
    ids = pl.from_arrow(follow.select([PID]))
    assert isinstance(ids, pl.DataFrame)
    ids = ids.sort(PID).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) // size).alias("__batch")
    )
    count = (follow.num_rows + size - 1) // size
    parts: dict[str, list[pa.Table]] = {}
    for name, table in tables.as_dict().items():
        frame = pl.from_arrow(table, rechunk=False)
        assert isinstance(frame, pl.DataFrame)
        keyed = frame.with_row_index("__row").join(ids, on=PID, how="left")
        # rows of unknown patients go with the first batch, where the check reports them
        keyed = keyed.with_columns(pl.col("__batch").fill_null(0))
        order = keyed.select("__row", "__batch").sort("__row")
        batch = order.get_column("__batch").to_numpy()
        indices = [np.flatnonzero(batch == b) for b in range(count)]
        parts[name] = [table.take(pa.array(i)) for i in indices]
    return [CourseTables(**{name: parts[name][b] for name in parts}) for b in range(count)]


def derive_frames(
    tables: CourseTables, rules: LineRules, batch_patients: int = BATCH_PATIENTS
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Run the four steps on batches of patients; dates stay day numbers (``Int32``).

    Parameters
    ----------
    tables : CourseTables
    rules : LineRules
    batch_patients : int
        Patients per batch (see ``BATCH_PATIENTS``); every patient's rows are in one batch.
    """
    results = [_derive_batch(batch, rules) for batch in _batches(tables, batch_patients)]
    if len(results) == 1:
        return results[0]
    lines, patients, episode_lines = zip(*results, strict=True)
    return pl.concat(lines), pl.concat(patients), pl.concat(episode_lines)


def _derive_batch(
    tables: CourseTables, rules: LineRules
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Run the four steps on one batch of patients; dates stay day numbers (``Int32``).

    The steps are one lazy Polars query up to the line starts and one after them, each
    collected once (the query optimiser sees the whole pipeline).

    Returns
    -------
    (lines, patients, episode_lines) : tuple of polars.DataFrame
        With the columns of ``LINE_SCHEMA``, ``PATIENT_SCHEMA`` and ``EPISODE_LINE_SCHEMA``.

    Raises
    ------
    InvalidInputError
        For missing ids, agents or dates, duplicated follow-up rows or episode ids, and rows
        of patients without follow-up.
    """
    _check_missing(tables)
    frames = {name: _frame(table) for name, table in tables.as_dict().items()}
    prepared = _prepare(frames, rules)
    inputs = collect_all([*prepared, *_consistency(frames)])
    _raise_problems(inputs[4:])
    ep, asm, fu, pr = (frame.lazy() for frame in inputs[:4])
    progressions = asm.filter(pl.col("progression")).select(PID, "day")
    splits = pr.filter(pl.col("kind").is_in(sorted(rules.procedures_as_lines))).select(PID, "day")
    era_table, episode_era = eras(ep, progressions, splits, rules)
    stage = collect_all([era_lines(era_table, pr, rules), episode_era])
    numbered = number_lines(stage[0], rules.regimen_window_days)
    aggregated = collect(line_aggregates(numbered.lazy(), rules))
    lines = line_outcomes(aggregated, inputs[1], inputs[3], inputs[2], rules)
    patients = patient_outcomes(lines.lazy(), fu)
    episode_lines = (
        stage[1]
        .lazy()
        .join(numbered.lazy().select("era", "line"), on="era", how="inner")
        .select(PID, "episode_id", "line")
        .sort([PID, "episode_id"])
    )
    out = collect_all([patients, episode_lines])
    lines = lines.with_columns(pl.col("kind").fill_null("systemic"))
    return lines.select(PID, *LINE_SCHEMA), out[0], out[1]


def to_arrow(
    frame: pl.DataFrame, columns: dict[str, pa.DataType], id_type: pa.DataType
) -> pa.Table:
    """Cast a result frame to its published Arrow schema (day numbers become dates)."""
    table = frame.to_arrow()
    arrays = [table.column(PID).cast(id_type)]
    for name, dtype in columns.items():
        column = table.column(name)
        if pa.types.is_date32(dtype):
            column = column.cast(pa.int32())
        arrays.append(column.cast(dtype))
    schema = pa.schema([(PID, id_type), *columns.items()])
    return pa.Table.from_arrays(arrays, schema=schema)


def _spark_session(backend: object) -> Any:
    if backend in ("pyspark", "spark"):
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is None:
            raise InvalidInputError.single(
                "backend", backend, "an active Spark session (create one before deriving lines)"
            )
        return session
    if type(backend).__module__.startswith("pyspark.sql"):
        return backend
    raise InvalidInputError.single(
        "backend", repr(backend), "'polars' (in-process), 'pyspark' or a SparkSession"
    )


def derive_lines(
    tables: CourseTables,
    rules: LineRules | None = None,
    *,
    backend: object = "polars",
) -> CohortCourse:
    """Derive lines of therapy and outcomes for every patient in the tables.

    Parameters
    ----------
    tables : CourseTables
        Episodes, assessments, follow-up and procedures (from records, a registry import or
        the synthetic generator).
    rules : LineRules, optional
        The line-of-therapy rules; the documented defaults when omitted.
    backend : {"polars", "pyspark"} or SparkSession
        ``"polars"`` (default) runs in-process; ``"pyspark"`` (the active session) or a
        ``SparkSession`` runs the same function on every partition of patients. Results are
        identical.

    Returns
    -------
    CohortCourse
        Lines (one row per line), per-patient outcomes and the episode-to-line map.

    Raises
    ------
    InvalidInputError
        When ``tables`` is not :class:`CourseTables`, a row cannot be read (see
        :func:`derive_frames`), or the backend is unknown.

    References
    ----------
    .. [1] Hess LM et al. Future Oncol 2021;17(15):1865-1877 (line-of-therapy rules).
    .. [2] US FDA. Clinical trial endpoints for the approval of cancer drugs and biologics,
       2018 (PFS censoring at new anticancer therapy).

    Examples
    --------
    >>> from netline.course import derive_lines, tables_from_records
    >>> from netline.records import load_case
    >>> course = derive_lines(tables_from_records(load_case("examples/seed-case.yaml")))
    >>> course.lines.column("label").to_pylist()
    ['lanreotide', '177Lu-DOTATATE x4', 'lanreotide']
    """
    if not isinstance(tables, CourseTables):
        raise InvalidInputError.single(
            "tables", type(tables).__name__, "CourseTables (see tables_from_records)"
        )
    rules = rules or LineRules()
    id_type = tables.followup.schema.field(PID).type
    if backend == "polars":
        lines, patients, episode_lines = derive_frames(tables, rules)
        name = "polars"
    else:
        from netline.course._spark import derive_on_spark

        lines, patients, episode_lines = derive_on_spark(_spark_session(backend), tables, rules)
        name = "pyspark"
    return CohortCourse(
        lines=to_arrow(lines, LINE_SCHEMA, id_type),
        patients=to_arrow(patients, PATIENT_SCHEMA, id_type),
        episode_lines=to_arrow(episode_lines, EPISODE_LINE_SCHEMA, id_type),
        rules=rules,
        backend=name,
    )
