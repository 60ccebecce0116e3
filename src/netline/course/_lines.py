"""Step 3 of the course engine over arrays: lines from numbered eras (NumPy).

The numbered eras are sorted by patient, start, agent and number, so a line's eras are
contiguous: per-line values are ``ufunc.reduceat`` over the line's rows. Lists (agents,
backbone) and the label are built from long rows sorted once and de-duplicated, then handed to
Arrow as list arrays (offsets and values) and joined with ``" + "`` by Arrow.

The rules are those of :class:`~netline.course.rules.LineRules` and ``docs/course.md``; the
row-by-row statement the tests compare with is ``tests/course/oracle.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from netline.course._arrays import (
    NONE,
    arrow_of,
    distinct,
    order_by,
    segment_starts,
    strings,
    take_or,
)
from netline.course._eras import Eras
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


def _or(values: Bools, at: I64) -> Bools:
    return np.logical_or.reduceat(values, at) if len(at) else np.zeros(0, dtype=bool)


def _max(values: I64, at: I64) -> I64:
    return np.maximum.reduceat(values, at) if len(at) else np.zeros(0, dtype=np.int64)


def _last_by_stop(segment: I64, stop: I64, seq: I64, n: int) -> I64:
    """Per segment (``0..n-1``), the row with the latest stop (then the highest ``seq``)."""
    out = np.full(n, -1, dtype=np.int64)
    if len(segment) == 0:
        return out
    order = order_by(segment, stop, seq)
    ends = np.flatnonzero(np.r_[segment[order][1:] != segment[order][:-1], True])
    out[segment[order][ends]] = order[ends]
    return out


def _backbone_pairs(e: Eras, at: I64, is_ssa: Bools) -> tuple[I64, I64]:
    """SSA eras of earlier lines still running when a systemic line starts: (line, era) pairs."""
    ssa_rows = np.flatnonzero(is_ssa)
    systemic = np.flatnonzero(~e.procedure[at])
    if len(ssa_rows) == 0 or len(systemic) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ssa_patient = e.patient[ssa_rows]
    line_patient = e.patient[at[systemic]]
    # the SSA eras of the line's patient that started before the line (rows sorted by start)
    low = np.searchsorted(ssa_patient, line_patient, side="left")
    high = np.searchsorted(ssa_patient, line_patient, side="right")
    count = high - low
    line_rep = np.repeat(systemic, count)
    offsets = np.repeat(low - np.cumsum(count) + count, count)
    era = ssa_rows[np.arange(int(count.sum()), dtype=np.int64) + offsets]
    start = e.start[at][line_rep]
    keep = (e.start[era] < start) & (e.stop[era] > start)
    return line_rep[keep], era[keep]


def _lists(line: I64, value: I64, n: int, names: pa.Array) -> pa.Array:
    """One sorted list of the distinct names (codes index the sorted ``names``) per line."""
    order = order_by(line, value)
    line, value = line[order], value[order]
    keep = segment_starts(line, value)
    line, value = line[keep], value[keep]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(line, minlength=n), out=offsets[1:])
    return pa.ListArray.from_arrays(arrow_of(offsets), names.take(arrow_of(value)))


def _named(agents: I64, code: Callable[[int], int]) -> I64:
    """Return the text code of each agent, computed once per distinct agent."""
    rows, inverse = distinct(agents)
    codes = np.array([code(int(a)) for a in agents[rows]], dtype=np.int64)
    return codes[inverse] if len(agents) else np.zeros(0, dtype=np.int64)


def _label(
    e: Eras,
    rows: tuple[I64, I64],
    held: tuple[I64, I64],
    line_cycles: I64,
    names: pa.Array,
    radioligand: int,
    ssa: int,
    rules: LineRules,
    n: int,
) -> pa.Array:
    """Return the label of each line: regimen pieces, then the SSAs of the line and backbone.

    A piece is a procedure's name, or an agent started within the regimen window of the line
    start (a radioligand with the line's cycles, ``177Lu-DOTATATE x4``).
    """
    row_line, row = rows
    held_line, held_era = held
    agent_names = names.to_pylist()
    in_regimen = e.start[row] - e.line_start[row] <= rules.regimen_window_days
    is_ssa = (e.agent_class[row] == ssa) & ~e.procedure[row]
    radio = (e.agent_class[row] == radioligand) & ~e.procedure[row]
    piece = e.procedure[row] | (in_regimen & ~is_ssa)
    ssa_piece = in_regimen & is_ssa
    index: dict[str, int] = {}

    def code(kind: int, agent: int, cycles: int) -> int:
        name = str(agent_names[agent])
        if kind == 0:
            text = name.replace("_", " ")
        elif kind == 2:
            text = f"{agent_label(name)} x{cycles}"
        else:
            text = agent_label(name)
        return index.setdefault(text, len(index))

    kind = np.where(e.procedure[row], 0, np.where(radio, 2, 1))
    cycles = np.where(radio, line_cycles[row_line], 0)
    agent = e.agent[row]
    picked, inverse = distinct(kind, agent, cycles)
    piece_codes = np.array(
        [
            code(int(k), int(a), int(c))
            for k, a, c in zip(kind[picked], agent[picked], cycles[picked], strict=True)
        ],
        dtype=np.int64,
    )
    piece_text = piece_codes[inverse] if len(row) else np.zeros(0, np.int64)
    held_text = _named(e.agent[held_era], lambda a: code(1, a, 0))
    ssa_text = _named(e.agent[row][ssa_piece], lambda a: code(1, a, 0))
    rank = np.argsort(np.argsort(np.array(list(index), dtype=object)))  # order of the texts
    line = np.concatenate([row_line[piece], row_line[ssa_piece], held_line])
    part = np.concatenate(
        [np.zeros(int(piece.sum()), np.int64), np.ones(len(ssa_text) + len(held_text), np.int64)]
    )
    text = np.concatenate([piece_text[piece], ssa_text, held_text]).astype(np.int64)
    order = order_by(line, part, rank[text] if len(text) else text)
    line, part, text = line[order], part[order], text[order]
    keep = segment_starts(line, part, text)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(line[keep], minlength=n), out=offsets[1:])
    texts = list(index)
    values = strings(texts).take(arrow_of(text[keep]))
    # the separator as an array: a Python string would make pyarrow import pandas (0.3 s)
    separator = strings((" + ",)).take(arrow_of(np.zeros(n, dtype=np.int64)))
    return pc.binary_join(pa.ListArray.from_arrays(arrow_of(offsets), values), separator)


def lines_of(e: Eras, radioligand: int, ssa: int, agents: pa.Array, rules: LineRules) -> Lines:
    """Aggregate numbered eras into lines: regimen, agents, backbone, end and last stop reason."""
    first = segment_starts(e.patient, e.line)
    at = np.flatnonzero(first)
    n = len(at)
    line_of_row = np.cumsum(first) - 1
    is_ssa = (e.agent_class == ssa) & ~e.procedure
    radio = (e.agent_class == radioligand) & ~e.procedure
    has_radio = _or(radio, at)
    cycles = np.add.reduceat(np.where(radio, np.maximum(e.cycles, 0), 0), at) if n else at
    own_stop = _max(e.stop, at)
    seq = np.arange(len(e.patient), dtype=np.int64)
    own_reason = take_or(e.reason, _last_by_stop(line_of_row, e.stop, seq, n), -1)
    held_line, held_era = _backbone_pairs(e, at, is_ssa)
    backbone_stop = np.full(n, NONE, dtype=np.int64)
    np.maximum.at(backbone_stop, held_line, e.stop[held_era])
    backbone_ongoing = np.zeros(n, dtype=bool)
    np.logical_or.at(backbone_ongoing, held_line, e.ongoing[held_era])
    last_held = _last_by_stop(held_line, e.stop[held_era], held_era, n)
    backbone_reason = take_or(e.reason[held_era], last_held, -1)
    patient = e.patient[at]
    start = e.start[at]
    same_next = np.r_[patient[1:] == patient[:-1], False] if n else np.zeros(0, bool)
    next_start = np.where(same_next, np.r_[start[1:], NONE] if n else start, NONE)
    natural_end = np.maximum(own_stop, backbone_stop)
    from_backbone = backbone_stop > own_stop
    own_rows = (line_of_row, seq)
    every = (
        np.concatenate([line_of_row, held_line]),
        np.concatenate([e.agent, e.agent[held_era]]),
    )
    return Lines(
        patient=patient,
        line=e.line[at],
        start=start,
        kind=np.where(e.procedure[at], e.agent_class[at], -1),
        cycles=np.where(has_radio, cycles, -1),
        trial=_or(e.trial, at),
        next_start=next_start,
        natural_end=natural_end,
        end=np.where(next_start > NONE, np.minimum(natural_end, next_start), natural_end),
        ongoing=(next_start == NONE) & (_or(e.ongoing, at) | backbone_ongoing),
        last_reason=np.where(from_backbone, backbone_reason, own_reason),
        agents=_lists(every[0], every[1], n, agents),
        backbone=_lists(held_line, e.agent[held_era], n, agents),
        label=_label(
            e,
            own_rows,
            (held_line, held_era),
            np.where(has_radio, cycles, 0),
            agents,
            radioligand,
            ssa,
            rules,
            n,
        ),
    )
