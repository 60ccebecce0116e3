"""The course engine: lines of therapy and outcomes for one patient or a registry.

One implementation, NumPy passes over a batch of patients whose rows are sorted once (one
patient is a batch of one): every rule is a flat operation over sorted rows or within runs of
rows (a patient, an agent of a patient, a line): running maxima, the row before, as-of joins
with ``np.searchsorted`` and reductions with ``ufunc.reduceat``. The only order-dependent rule
(a novel agent opens a line when it starts more than the regimen window after the current
line's start) is settled by one ordered pass over the few rows that their neighbours do not
decide, so the cost is linear in the number of episodes whatever the length of a patient's
chain of lines.

On Apache Spark the same function (:func:`derive_tables`) runs once per partition of patients
(:mod:`netline.course._spark`), so Spark and the embedded engine give identical tables.

Steps (``docs/course.md`` states the rules in full):

0. **Input** (:mod:`netline.course._inputs`): checked, coded NumPy columns.
1. **Eras** (:func:`netline.course._eras.eras`): episodes of one agent merge while each
   restarts within the gap of the latest earlier stop, with no progression and no procedure
   counted as a line in between.
2. **Line numbers** (:func:`netline.course._eras.number_lines`).
3. **Lines** (:func:`netline.course._lines.lines_of`): regimen, backbone SSA, start, end, the
   reason of the last stop.
4. **Outcomes** (:mod:`netline.course._outcomes`): first progression, best response, PFS,
   TTNT, OS, end reason; per patient the EMA PFS2 and OS.

Identifiers are kept as given: patient ids may be strings or integers, episode and procedure
ids any 64-bit integers; any number of distinct agents.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from netline._allocator import arrow_on_malloc
from netline._jit import kernel_mode
from netline.clinical.recist.vectorised import OVERALL_CODES
from netline.course._arrays import (
    NONE,
    arrow_of,
    ids_ascending,
    numpy_of,
    order_by,
    patient_codes,
    single,
    strings,
    take_arrow,
)
from netline.course._eras import line_eras
from netline.course._inputs import Batch, read_batch
from netline.course._kernel_arrays import in_order
from netline.course._lines import Lines, lines_of
from netline.course._outcomes import (
    END_REASONS,
    PFS_REASONS,
    TTNT_REASONS,
    line_outcomes,
    patient_outcomes,
)
from netline.course._threads import cores as cores_of_machine
from netline.course._threads import run_in_threads
from netline.course.rules import LineRules
from netline.course.tables import CourseTables
from netline.errors import InvalidInputError

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "LINE_SCHEMA",
    "PATIENT_SCHEMA",
    "CohortCourse",
    "derive_frames",
    "derive_lines",
    "derive_tables",
]

#: What importing the engine did to pyarrow's default memory pool, in words (``"malloc"``:
#: the batches' Arrow buffers come from glibc's one arena; :mod:`netline._allocator`).
ARROW_POOL = arrow_on_malloc()

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
_RECIST_NAMES = [code.value for code in OVERALL_CODES]


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
        Where it was computed: ``"numpy"`` (in-process) or ``"pyspark"``.
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


#: Patients per batch: the steps run on batches of this many patients, one after the other, so
#: that the working memory of the sorts stays bounded whatever the size of the registry.
BATCH_PATIENTS = 50_000


def _rows(tables: CourseTables) -> int:
    """Rows that the kernels walk: episodes, assessments and procedures."""
    return int(tables.episodes.num_rows + tables.assessments.num_rows + tables.procedures.num_rows)


def _ordered_cuts(column: pa.ChunkedArray, cuts: npt.NDArray[Any]) -> list[int] | None:
    """Rows where each cut id starts, when the integer ids are in order (else None).

    Chunk by chunk (no copy of the column): each in order, and each starting at or above the
    end of the one before.
    """
    chunks = [numpy_of(chunk) for chunk in column.chunks if len(chunk)]
    if column.null_count or not chunks:
        return None
    for k, values in enumerate(chunks):
        if not in_order((np.asarray(values, dtype=np.int64),)):
            return None
        if k and values[0] < chunks[k - 1][-1]:
            return None
    bounds, offset, k = [0], 0, 0
    for cut in cuts.tolist():
        while k < len(chunks) and chunks[k][-1] < cut:
            offset += len(chunks[k])
            k += 1
        at = int(np.searchsorted(chunks[k], cut)) if k < len(chunks) else 0
        bounds.append(offset + at)
    return [*bounds, len(column)]


def _batches(tables: CourseTables, size: int) -> list[CourseTables]:
    """Split the tables into batches of ``size`` patients (in patient order)."""
    follow = tables.followup
    if follow.num_rows <= size:
        return [tables]
    # pyarrow.compute here, not at import: one patient never needs it (see _arrays)
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    ids = single(follow.column(PID))
    if not ids_ascending(ids):
        ids = ids.take(pc.sort_indices(follow, [(PID, "ascending")]))
    count = (follow.num_rows + size - 1) // size
    parts: dict[str, list[pa.Table]] = {}
    integer = pa.types.is_signed_integer(ids.type)
    cuts = (
        numpy_of(ids.take(arrow_of(np.arange(1, count, dtype=np.int64) * size)))
        if integer
        else None
    )
    for name, table in tables.as_dict().items():
        column = table.column(PID)
        if cuts is not None and column.type == ids.type:
            cut = _ordered_cuts(column, cuts)
            if cut is not None:  # the usual case: slices, no copies
                parts[name] = [table.slice(cut[b], cut[b + 1] - cut[b]) for b in range(count)]
                continue
        codes = patient_codes(column, ids)
        # rows of unknown patients go with the first batch, where the check reports them
        batch = np.where(codes >= 0, codes // size, 0)
        if len(batch) < 2 or bool((batch[1:] >= batch[:-1]).all()):  # rows in patient order
            bounds = np.searchsorted(batch, np.arange(count + 1))
            parts[name] = [table.slice(bounds[b], bounds[b + 1] - bounds[b]) for b in range(count)]
            continue
        order = np.argsort(batch, kind="stable")
        bounds = np.searchsorted(batch[order], np.arange(count + 1))
        parts[name] = [table.take(arrow_of(order[bounds[b] : bounds[b + 1]])) for b in range(count)]
    return [CourseTables(**{name: parts[name][b] for name in parts}) for b in range(count)]


#: Patients from which a compiled registry is cut into one batch per core. Below it the
#: batches' many short NumPy and Arrow calls hand the GIL back and forth, and two threads take
#: as long as one for about 1.5 x the CPU (2-core VM, 2026-12-03: 6,000 patients 18.3 ms on
#: two threads against 15.8 ms on one, 10,000 equal, 14,000 and 20,000 faster on two;
#: benchmarks/README.md, issue 9).
PARALLEL_MIN_PATIENTS = 12_000


def _batch_size(patients: int, batch_patients: int, compiled: bool) -> int:
    """Patients per batch: at most ``batch_patients``, and few enough to give every core one."""
    cores = cores_of_machine()
    if not compiled or cores < 2 or patients < PARALLEL_MIN_PATIENTS:
        return batch_patients
    return max(1, min(batch_patients, -(-patients // cores)))


def derive_tables(
    tables: CourseTables, rules: LineRules, batch_patients: int = BATCH_PATIENTS
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Run the four steps on batches of patients; dates stay day numbers (``int32``).

    Parameters
    ----------
    tables : CourseTables
    rules : LineRules
    batch_patients : int
        Patients per batch (see ``BATCH_PATIENTS``); every patient's rows are in one batch.

    Returns
    -------
    (lines, patients, episode_lines) : tuple of pyarrow.Table
        See :func:`derive_batch`.
    """
    with kernel_mode(_rows(tables)) as compiled:
        size = _batch_size(tables.followup.num_rows, batch_patients, compiled)
        batches = _batches(tables, size)
        results = run_in_threads(functools.partial(derive_batch, rules=rules), batches)
    if len(results) == 1:
        return results[0]
    lines, patients, episode_lines = (pa.concat_tables(part) for part in zip(*results, strict=True))
    return lines, patients, episode_lines


def derive_frames(
    tables: CourseTables, rules: LineRules, batch_patients: int = BATCH_PATIENTS
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return :func:`derive_tables` as Polars frames (dates as ``Int32`` day numbers).

    Parameters
    ----------
    tables : CourseTables
    rules : LineRules
    batch_patients : int
        Patients per batch (see ``BATCH_PATIENTS``).
    """
    import polars as pl  # here, not at import: one patient's course never needs Polars (0.17 s)

    frames = []
    for table in derive_tables(tables, rules, batch_patients):
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        frames.append(frame)
    return frames[0], frames[1], frames[2]


def _days(values: npt.NDArray[np.int64]) -> pa.Array:
    """Day numbers as ``int32``, NONE as null (the value under a null is not read)."""
    return arrow_of(values.astype(np.int32), values == NONE)


def _texts(codes: npt.NDArray[np.int64], vocabulary: pa.Array | list[str]) -> pa.Array:
    """Codes into a vocabulary as strings, -1 as null (:func:`~._arrays.take_arrow`).

    Arrow's take is as fast as a compiled loop at a registry's size and needs no loop in
    Python when the kernels run uncompiled (1,000 patients: 1.3 ms against 58 ms a table); a
    patient's few codes are looked up in Python.
    """
    values = vocabulary if isinstance(vocabulary, pa.Array) else strings(tuple(vocabulary))
    values = values.cast(pa.string()) if values.type != pa.string() else values
    return take_arrow(values, codes)


def _lines_table(batch: Batch, lines: Lines, out: dict[str, Any]) -> pa.Table:
    """Return the lines of a batch as an Arrow table (``LINE_SCHEMA``, days as int32)."""
    end_words = pa.concat_arrays([strings(tuple(END_REASONS)), batch.reasons])
    columns: dict[str, pa.Array] = {
        PID: take_arrow(batch.ids, lines.patient),
        "line": arrow_of(lines.line.astype(np.int32)),
        "kind": _texts(
            np.where(lines.kind >= 0, lines.kind, len(batch.classes)),
            pa.concat_arrays([batch.classes, strings(("systemic",))]),
        ),
        "label": lines.label,
        "agents": lines.agents,
        "backbone": lines.backbone,
        "start": _days(lines.start),
        "end": _days(out["end"]),
        "ongoing": arrow_of(lines.ongoing),
        "end_reason": _texts(out["end_reason"], end_words),
        "cycles": arrow_of(lines.cycles.astype(np.int32), lines.cycles < 0),
        "clinical_trial": arrow_of(lines.trial),
        "best_response": _texts(out["best_response"], _RECIST_NAMES),
        "best_response_source": _texts(out["best_response_source"], batch.assessments.sources),
        "best_response_date": _days(out["best_response_date"]),
        "best_response_confirmed": _texts(out["best_response_confirmed"], _RECIST_NAMES),
        "clinician_status": _texts(out["clinician_status"], batch.assessments.responses),
        "clinician_status_date": _days(out["clinician_status_date"]),
        "first_progression": _days(out["first_progression"]),
        "pfs_days": _days(out["pfs_days"]),
        "pfs_event": arrow_of(out["pfs_event"]),
        "pfs_reason": _texts(out["pfs_reason"], PFS_REASONS),
        "ttnt_days": _days(out["ttnt_days"]),
        "ttnt_event": arrow_of(out["ttnt_event"]),
        "ttnt_reason": _texts(out["ttnt_reason"], TTNT_REASONS),
        "os_days": _days(out["os_days"]),
        "os_event": arrow_of(out["os_event"]),
        "duration_days": _days(out["duration_days"]),
    }
    return pa.table(columns)


def _patients_table(batch: Batch, out: dict[str, Any]) -> pa.Table:
    known = out.pop("__pfs2_known")
    columns: dict[str, pa.Array] = {PID: batch.ids}
    for name, dtype in PATIENT_SCHEMA.items():
        values = out[name]
        if name == "pfs2_ema_reason":
            columns[name] = _texts(values, PFS_REASONS)
        elif name == "pfs2_ema_event":
            columns[name] = arrow_of(values, ~known)
        elif pa.types.is_boolean(dtype):
            columns[name] = arrow_of(values)
        elif name == "n_lines":
            columns[name] = arrow_of(values.astype(np.int32))
        else:
            columns[name] = _days(values)
    return pa.table(columns)


def derive_batch(tables: CourseTables, rules: LineRules) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Run the four steps on one batch of patients; dates stay day numbers (``int32``).

    Returns
    -------
    (lines, patients, episode_lines) : tuple of pyarrow.Table
        With the columns of ``LINE_SCHEMA``, ``PATIENT_SCHEMA`` and ``EPISODE_LINE_SCHEMA``.

    Raises
    ------
    InvalidInputError
        For missing ids, agents or dates, duplicated follow-up rows or episode ids, and rows
        of patients without follow-up.
    """
    with kernel_mode(_rows(tables)):
        batch = read_batch(tables, rules)
        radioligand, ssa = batch.class_code("radioligand"), batch.class_code("ssa")
        eras, order, era_of = line_eras(batch, rules)
        lines = lines_of(eras, radioligand, ssa, batch.agents, rules)
        out = line_outcomes(batch, lines, rules)
        patients = patient_outcomes(batch, lines, out["first_progression"])
        ep = batch.episodes
        patient, episode_id = ep.patient[order], ep.episode_id[order]
        by_id = order_by(patient, episode_id)
        episode_lines = pa.table(
            {
                PID: take_arrow(batch.ids, patient[by_id]),
                "episode_id": arrow_of(episode_id[by_id]),
                "line": arrow_of(eras.line[era_of[by_id]].astype(np.int32)),
            }
        )
        return _lines_table(batch, lines, out), _patients_table(batch, patients), episode_lines


def _as_type(column: pa.ChunkedArray, dtype: pa.DataType) -> pa.ChunkedArray:
    """Return a column as ``dtype``.

    ``int32`` day numbers become ``date32`` as a view of the same buffers (no copy, and about
    a third of a cast's fixed cost: one patient publishes some twenty date columns).
    """
    if pa.types.is_date32(dtype) and column.type == pa.int32():
        return pa.chunked_array([chunk.view(dtype) for chunk in column.chunks], type=dtype)
    if pa.types.is_date32(dtype) and not pa.types.is_date32(column.type):
        column = column.cast(pa.int32())
    return column.cast(dtype)


def publish(table: pa.Table, columns: dict[str, pa.DataType], id_type: pa.DataType) -> pa.Table:
    """Cast a result table to its published Arrow schema (day numbers become dates)."""
    arrays = []
    for name, dtype in [(PID, id_type), *columns.items()]:
        column = table.column(name)
        arrays.append(column if column.type == dtype else _as_type(column, dtype))
    schema = pa.schema([(PID, id_type), *columns.items()])
    return pa.Table.from_arrays(arrays, schema=schema)


#: Names of the in-process engine (``"polars"``: its name before the NumPy passes).
_IN_PROCESS = ("numpy", "polars")


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
        "backend", repr(backend), "'numpy' (in-process), 'pyspark' or a SparkSession"
    )


def derive_lines(
    tables: CourseTables,
    rules: LineRules | None = None,
    *,
    backend: object = "numpy",
) -> CohortCourse:
    """Derive lines of therapy and outcomes for every patient in the tables.

    Parameters
    ----------
    tables : CourseTables
        Episodes, assessments, follow-up and procedures (from records, a registry import or
        the synthetic generator).
    rules : LineRules, optional
        The line-of-therapy rules; the documented defaults when omitted.
    backend : {"numpy", "pyspark"} or SparkSession
        ``"numpy"`` (default; ``"polars"``, its earlier name, is the same) runs in-process;
        ``"pyspark"`` (the active session) or a
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
        :func:`derive_tables`), or the backend is unknown.

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
    if backend in _IN_PROCESS:
        results = derive_tables(tables, rules)
        name = "numpy"
    else:
        from netline.course._spark import derive_on_spark

        frames = derive_on_spark(_spark_session(backend), tables, rules)
        results = tuple(frame.to_arrow() for frame in frames)
        name = "pyspark"
    return CohortCourse(
        lines=publish(results[0], LINE_SCHEMA, id_type),
        patients=publish(results[1], PATIENT_SCHEMA, id_type),
        episode_lines=publish(results[2], EPISODE_LINE_SCHEMA, id_type),
        rules=rules,
        backend=name,
    )
