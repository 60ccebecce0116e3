"""The input of the course engine as NumPy columns, checked: one batch of patients.

Patients become dense codes (the rank of the id among the sorted follow-up ids, so any string
or integer id); text columns become indices into sorted lists of their distinct values (so
comparing codes compares names); dates become ``int64`` day numbers with
:data:`~netline.course._arrays.NONE` for a missing day. Bad rows raise
:class:`~netline.errors.InvalidInputError` naming table, row, column and patient.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from netline.course._arrays import (
    NONE,
    already_ordered,
    arrow_of,
    codes_in,
    days,
    ids_ascending,
    numpy_of,
    order_by,
    patient_codes,
    single,
    sorted_strings,
    strings,
)
from netline.course._eras import Episodes
from netline.course.rules import LineRules
from netline.course.tables import CourseTables
from netline.errors import InvalidInputError, Problem

__all__ = ["Assessments", "Batch", "Procedures", "read_batch"]

PID = "patient_id"
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

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


@dataclass
class Assessments:
    """Assessments of the counted sources, sorted by patient, day and source priority (high first).

    ``response`` indexes ``responses`` (-1: none); ``source`` indexes ``sources``.
    """

    patient: I64
    day: I64
    response: I64
    source: I64
    progression: Bools
    responses: list[str]
    sources: list[str]

    @functools.cached_property
    def progressions(self) -> tuple[I64, I64]:
        """Patient and day of the rows that record progression, in row order (one scan)."""
        rows = np.flatnonzero(self.progression)
        return self.patient[rows], self.day[rows]


@dataclass
class Procedures:
    """Procedures sorted by patient and day; ``kind`` indexes the batch's class names."""

    patient: I64
    day: I64
    kind: I64
    name: I64
    procedure_id: I64


@dataclass
class Batch:
    """One batch of patients as columns; per-patient columns are indexed by patient code."""

    ids: pa.Array
    diagnosis: I64
    first_metastasis: I64
    death: I64
    last_follow_up: I64
    fu_end: I64
    episodes: Episodes
    assessments: Assessments
    procedures: Procedures
    agents: pa.Array
    classes: pa.Array
    reasons: pa.Array

    def class_code(self, name: str) -> int:
        """Return the code of an agent class or procedure kind (-1 when absent)."""
        return self._class_codes.get(name, -1)

    @functools.cached_property
    def _class_codes(self) -> dict[str, int]:
        return {name: code for code, name in enumerate(self.classes.to_pylist())}


def _check_missing(tables: CourseTables) -> None:
    """Reject missing required values, naming table, row, column and patient."""
    problems: list[Problem] = []
    for name, required in _REQUIRED.items():
        table = tables.as_dict()[name]
        for column, expected in required:
            if not table.column(column).null_count:  # Arrow knows it without a scan
                continue
            import pyarrow.compute as pc  # type: ignore[import-untyped]

            rows = np.flatnonzero(numpy_of(pc.is_null(table.column(column))))
            for row in rows[:3].tolist():
                patient = table.column(PID)[row].as_py()
                where = f"{name}[{row}].{column} (patient {patient!r})"
                problems.append(Problem(where, None, expected))
    if problems:
        raise InvalidInputError(problems)


def _check_counted_procedures(table: pa.Table, rules: LineRules) -> None:
    """Reject procedures counted as lines without a name (the line's label and agents)."""
    if not rules.procedures_as_lines or not table.column("procedure").null_count:
        return
    import pyarrow.compute as pc

    kinds = strings(tuple(sorted(rules.procedures_as_lines)))
    counted = codes_in(table.column("kind"), kinds) >= 0
    missing = np.asarray(numpy_of(pc.is_null(table.column("procedure"))), dtype=bool)
    problems = []
    for row in np.flatnonzero(counted & missing)[:3].tolist():
        patient = table.column(PID)[row].as_py()
        where = f"procedures[{row}].procedure (patient {patient!r})"
        problems.append(Problem(where, None, "a procedure name (this kind counts as a line)"))
    if problems:
        raise InvalidInputError(problems)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _consistency(tables: CourseTables, ids: pa.Array, codes: dict[str, I64]) -> None:
    """Reject duplicated patients or episodes and rows of patients without follow-up."""
    problems: list[Problem] = []
    repeated = np.zeros(0, np.int64)
    if len(ids) > 1:
        import pyarrow.compute as pc

        same = np.asarray(numpy_of(pc.equal(ids[1:], ids[:-1]), False), dtype=bool)
        repeated = np.flatnonzero(same)
    for value in _distinct_values(ids, repeated)[:3]:
        problems.append(
            Problem("followup.patient_id", _text(value), "one follow-up row per patient")
        )
    for name in ("episodes", "assessments", "procedures"):
        column = tables.as_dict()[name].column(PID)
        for value in _distinct_values(column, np.flatnonzero(codes[name] < 0))[:3]:
            problems.append(
                Problem(f"{name}.patient_id", _text(value), "a patient listed in followup")
            )
    episodes = tables.episodes
    if episodes.num_rows > 1:
        episode_id = np.asarray(numpy_of(episodes.column("episode_id")), dtype=np.int64)
        order = order_by(codes["episodes"], episode_id)
        p, e = codes["episodes"][order], episode_id[order]
        twice = np.flatnonzero((p[1:] == p[:-1]) & (e[1:] == e[:-1]))[:3]
        for i in twice.tolist():
            patient = episodes.column(PID)[int(order[i])].as_py()
            problems.append(
                Problem(
                    f"episodes.episode_id (patient {patient})",
                    str(int(e[i])),
                    "an episode id used once per patient",
                )
            )
    if problems:
        raise InvalidInputError(problems)


def _distinct_values(column: pa.ChunkedArray | pa.Array, rows: I64) -> list[Any]:
    """Return the distinct values of ``column`` at ``rows`` (no Arrow call for no rows)."""
    if not rows.size:
        return []
    import pyarrow.compute as pc

    values: list[Any] = pc.unique(column.take(arrow_of(rows))).to_pylist()
    return values


def _episodes(table: pa.Table, patient: I64, fu_end: I64, names: dict[str, pa.Array]) -> Episodes:
    start = days(table.column("start"))
    stop = days(table.column("stop"))
    ongoing = stop == NONE
    stop = np.maximum(np.where(ongoing, fu_end[np.maximum(patient, 0)], stop), start)
    return Episodes(
        patient=patient,
        episode_id=np.asarray(numpy_of(table.column("episode_id")), dtype=np.int64),
        agent=codes_in(table.column("agent"), names["agents"]),
        agent_class=codes_in(table.column("agent_class"), names["classes"]),
        start=start,
        stop=stop,
        ongoing=ongoing,
        cycles=np.asarray(numpy_of(table.column("cycles"), -1), dtype=np.int64),
        reason=codes_in(table.column("reason_stopped"), names["reasons"]),
        trial=np.asarray(numpy_of(table.column("clinical_trial"), False), dtype=bool),
    )


def _assessments(table: pa.Table, patient: I64, rules: LineRules) -> Assessments:
    """Return the assessments of the counted sources, coded (columns read whole, then indexed)."""
    from netline.course._outcomes import SOURCE_PRIORITY

    sources = sorted_strings(table.column("source"))
    names = sources.to_pylist()
    source = codes_in(table.column("source"), sources)
    counted = np.array([s in rules.assessment_sources for s in names] + [False], dtype=bool)
    priority = np.array([SOURCE_PRIORITY.get(s, 0) for s in names] + [0], dtype=np.int64)
    # every source counted (the usual case): no scan of the rows (sources are never null)
    everything = bool(counted[:-1].all())
    kept = np.flatnonzero(counted[source]) if not everything else np.zeros(0, dtype=np.int64)
    everything = everything or len(kept) == len(source)
    p = patient if everything else patient[kept]
    day = days(table.column("date"))
    day = day if everything else day[kept]
    kept_source = source if everything else source[kept]
    if already_ordered(p, day, then=(kept_source, -priority)):  # the usual case
        rows: I64 | None = None if everything else kept
    else:
        order = order_by(p, day, -priority[kept_source])
        rows = order if everything else kept[order]
        p, day = p[order], day[order]

    def taken(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values if rows is None else values[rows]

    responses = sorted_strings(table.column("response"))
    return Assessments(
        patient=p,
        day=day,
        response=taken(codes_in(table.column("response"), responses)),
        source=taken(source),
        progression=taken(np.asarray(numpy_of(table.column("progression"), False), dtype=bool)),
        responses=responses.to_pylist(),
        sources=names,
    )


def _procedures(table: pa.Table, patient: I64, names: dict[str, pa.Array]) -> Procedures:
    day = days(table.column("date"))
    order = order_by(patient, day)
    return Procedures(
        patient=patient[order],
        day=day[order],
        kind=codes_in(table.column("kind"), names["classes"])[order],
        name=codes_in(table.column("procedure"), names["agents"])[order],
        procedure_id=np.asarray(numpy_of(table.column("procedure_id")), dtype=np.int64)[order],
    )


def read_batch(tables: CourseTables, rules: LineRules) -> Batch:
    """Return the tables of a batch as checked, coded columns.

    Raises
    ------
    InvalidInputError
        For missing ids, agents or dates, duplicated follow-up rows or episode ids, and rows
        of patients without follow-up.
    """
    _check_missing(tables)
    _check_counted_procedures(tables.procedures, rules)
    fu = tables.followup
    if fu.num_rows > 1 and not ids_ascending(fu.column(PID)):
        import pyarrow.compute as pc

        fu = fu.take(pc.sort_indices(fu, [(PID, "ascending")]))
    ids = single(fu.column(PID))
    codes = {
        name: patient_codes(table.column(PID), ids)
        for name, table in tables.as_dict().items()
        if name != "followup"
    }
    _consistency(tables, ids, codes)
    death = days(fu.column("death"))
    last = days(fu.column("last_follow_up"))
    fu_end = np.where(death > NONE, death, last)
    ep, pr = tables.episodes, tables.procedures
    names = {
        "agents": sorted_strings(ep.column("agent"), pr.column("procedure")),
        "classes": sorted_strings(ep.column("agent_class"), pr.column("kind")),
        "reasons": sorted_strings(ep.column("reason_stopped")),
    }
    return Batch(
        ids=ids,
        diagnosis=days(fu.column("diagnosis")),
        first_metastasis=days(fu.column("first_metastasis")),
        death=death,
        last_follow_up=last,
        fu_end=fu_end,
        episodes=_episodes(ep, codes["episodes"], fu_end, names),
        assessments=_assessments(tables.assessments, codes["assessments"], rules),
        procedures=_procedures(pr, codes["procedures"], names),
        agents=names["agents"],
        classes=names["classes"],
        reasons=names["reasons"],
    )
