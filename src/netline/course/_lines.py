"""Step 3 of the course engine: lines from numbered eras.

The numbered eras are sorted by patient, start, agent and number, so a line's eras are
contiguous: per-line values, the backbone and the sorted, distinct lists (agents, backbone,
label pieces) come from the loop kernels of :mod:`netline.course._kernel_lines`; the lists
are handed to Arrow as list arrays (offsets and values) and the label joined with ``" + "``
by Arrow.

The rules are those of :class:`~netline.course.rules.LineRules` and ``docs/course.md``; the
row-by-row statement the tests compare with is ``tests/course/oracle.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from netline.course._arrays import (
    arrow_of,
    distinct,
    in_python,
    segment_starts,
    strings,
    take_arrow,
)
from netline.course._eras import Eras
from netline.course._kernel_lines import backbone_pairs, line_values, sorted_distinct
from netline.course.rules import LineRules
from netline.records.vocabulary import AGENTS

__all__ = ["Lines", "agent_label", "lines_of"]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_LABELS = {agent.value: info.label for agent, info in AGENTS.items()}


def agent_label(agent: str) -> str:
    """Return the display name of an agent identifier (``lu177_dotatate`` -> ``177Lu-DOTATATE``)."""
    return _LABELS.get(agent, agent.replace("_", " "))


@dataclass
class Lines:
    """Lines of a batch, sorted by patient and line number; days as in ``Eras``.

    ``kind`` indexes the class names (a procedure counted as a line) or is -1 (systemic);
    ``cycles`` is -1 without radioligand; reasons index the stop reasons (-1: none).
    """

    patient: I64
    line: I64
    start: I64
    kind: I64
    cycles: I64
    trial: Bools
    next_start: I64
    natural_end: I64
    end: I64
    ongoing: Bools
    last_reason: I64
    agents: pa.Array
    backbone: pa.Array
    label: pa.Array


def _held(bounds: I64, e: Eras, ssa: int) -> tuple[I64, I64]:
    """Return the backbone pairs (line, era) of :func:`~._kernel_lines.backbone_pairs`."""
    rows = (e.patient, e.start, e.stop, e.agent_class, e.procedure)
    size = len(e.patient)
    while True:
        held_line = np.empty(size, dtype=np.int64)
        held_era = np.empty(size, dtype=np.int64)
        count = backbone_pairs(bounds, rows, ssa, held_line, held_era)
        if count <= size:
            return held_line[:count], held_era[:count]
        size = count


def _list_array(bounds: I64, values: I64, names: pa.Array) -> pa.Array:
    return pa.ListArray.from_arrays(
        arrow_of(bounds.astype(np.int32)), take_arrow(names, values[: bounds[-1]])
    )


def _piece_texts(
    e: Eras, held_era: I64, line_cycles: I64, names: list[str], radioligand: int
) -> tuple[list[str], I64, I64]:
    """Return the texts of the label pieces, the text of each era and of each backbone era.

    A piece is a procedure's name, an agent's display name, or a radioligand with the line's
    cycles (``177Lu-DOTATATE x4``).
    """
    index: dict[str, int] = {}

    def code(text: str) -> int:
        return index.setdefault(text, len(index))

    as_procedure = np.array([code(name.replace("_", " ")) for name in names] + [-1], np.int64)
    as_agent = np.array([code(agent_label(name)) for name in names] + [-1], np.int64)
    radio = (e.agent_class == radioligand) & ~e.procedure
    text = np.where(e.procedure, as_procedure[e.agent], as_agent[e.agent])
    if radio.any():
        agent, cycles = e.agent[radio], line_cycles[radio]
        picked, inverse = distinct(agent, cycles)
        labels = [
            code(f"{agent_label(names[a])} x{c}")
            for a, c in zip(agent[picked].tolist(), cycles[picked].tolist(), strict=True)
        ]
        text[radio] = np.array(labels, dtype=np.int64)[inverse]
    return list(index), text, as_agent[e.agent[held_era]]


def _label(
    e: Eras,
    bounds: tuple[I64, I64],
    held_era: I64,
    line_cycles: I64,
    names: pa.Array,
    codes: tuple[int, int],
    rules: LineRules,
) -> pa.Array:
    """Return the label of each line: regimen pieces, then the SSAs of the line and backbone.

    A piece is a procedure's name, or an agent started within the regimen window of the line
    start (a radioligand with the line's cycles, ``177Lu-DOTATATE x4``).
    """
    radioligand, ssa = codes
    own, held = bounds
    texts, text, held_text = _piece_texts(e, held_era, line_cycles, names.to_pylist(), radioligand)
    rank = np.argsort(np.argsort(np.array(texts, dtype=object))).astype(np.int64)
    in_regimen = e.start - e.line_start <= rules.regimen_window_days
    is_ssa = (e.agent_class == ssa) & ~e.procedure
    part = np.where(e.procedure | (in_regimen & ~is_ssa), 0, np.where(in_regimen, 1, -1))
    width = len(texts)
    key = np.where(part >= 0, part * width + rank[text], -1)
    values = np.empty(len(text) + len(held_text), dtype=np.int64)
    out = sorted_distinct((own, text, key), (held, held_text, width + rank[held_text]), values)
    n = len(own) - 1
    if in_python(n):  # one patient's lines: joined in Python, no Arrow call
        ends = out.tolist()
        pieces = values.tolist()
        return strings(
            [" + ".join(texts[v] for v in pieces[ends[i] : ends[i + 1]]) for i in range(n)]
        )
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    # the separator as an Arrow scalar taken from an array: a Python string (or pa.scalar)
    # would make pyarrow import pandas (0.3 s); an array of n separators costs a string take
    separator = strings((" + ",))[0]
    return pc.binary_join(_list_array(out, values, strings(texts)), separator)


def lines_of(e: Eras, radioligand: int, ssa: int, agents: pa.Array, rules: LineRules) -> Lines:
    """Aggregate numbered eras into lines: regimen, agents, backbone, end and last stop reason."""
    heads = np.flatnonzero(segment_starts(e.patient, e.line))
    n, size = len(heads), len(e.patient)
    bounds = np.append(heads, size).astype(np.int64)
    held_line, held_era = _held(bounds, e, ssa)
    held = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(held_line, minlength=n), out=held[1:])
    cycles, end, next_start, reason_row, natural_end = (
        np.empty(n, dtype=np.int64) for _ in range(5)
    )
    ongoing, trial = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
    line_values(
        bounds,
        (e.patient, e.start, e.stop, e.procedure, e.agent_class, e.cycles, e.ongoing, e.trial),
        (held_line, held_era),
        radioligand,
        (cycles, end, next_start, ongoing, trial, reason_row, natural_end),
    )
    line_of_row = np.repeat(np.arange(n, dtype=np.int64), np.diff(bounds))
    values = np.empty(size + len(held_era), dtype=np.int64)
    held_agent = e.agent[held_era]
    every = sorted_distinct((bounds, e.agent, e.agent), (held, held_agent, held_agent), values)
    backbone = np.empty(len(held_era), dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    none = (np.zeros(n + 1, dtype=np.int64), empty, empty)
    backbone_bounds = sorted_distinct((held, held_agent, held_agent), none, backbone)
    return Lines(
        patient=e.patient[heads],
        line=e.line[heads],
        start=e.start[heads],
        kind=np.where(e.procedure[heads], e.agent_class[heads], -1),
        cycles=cycles,
        trial=trial,
        next_start=next_start,
        natural_end=natural_end,
        end=end,
        ongoing=ongoing,
        last_reason=e.reason[reason_row] if n else np.zeros(0, dtype=np.int64),
        agents=_list_array(every, values, agents),
        backbone=_list_array(backbone_bounds, backbone, agents),
        label=_label(
            e,
            (bounds, held),
            held_era,
            np.where(cycles >= 0, cycles, 0)[line_of_row],
            agents,
            (radioligand, ssa),
            rules,
        ),
    )
