"""Steps 1 and 2 of the course engine over arrays: eras and line numbers (NumPy).

Rows are sorted once per step (:func:`~netline.course._arrays.order_by`); every rule is a flat
operation over the sorted rows or within segments (:mod:`netline.course._arrays`). The only
order-dependent rule
(a novel agent opens a line when it starts more than the regimen window after the current
line's start) is settled by one ordered pass over the few rows that their neighbours do not
decide, so the cost is linear in the number of episodes whatever the length of a patient's
chain of lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from netline.course._arrays import (
    NONE,
    asof_backward,
    forward_fill_index,
    one_of,
    order_by,
    previous_in_segment,
    segment_cummax,
    segment_starts,
)
from netline.course.rules import LineRules

if TYPE_CHECKING:
    from netline.course._inputs import Batch

__all__ = ["Episodes", "Eras", "eras", "line_eras", "number_lines"]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass
class Episodes:
    """Therapy episodes of a batch as columns (any row order).

    ``agent`` and ``agent_class`` are indices into sorted name lists (so comparing codes
    compares names); ``reason`` indexes the stop reasons (-1: none); ``cycles`` is -1 when
    not recorded; ``stop`` is the stop, or the end of follow-up while ongoing.
    """

    patient: I64
    episode_id: I64
    agent: I64
    agent_class: I64
    start: I64
    stop: I64
    ongoing: Bools
    cycles: I64
    reason: I64
    trial: Bools


@dataclass
class Eras:
    """Eras (and procedures counted as lines), sorted by patient, start, agent and number.

    ``line`` and ``line_start`` are filled by :func:`number_lines`; ``procedure`` marks the
    rows that are procedures counted as lines (their ``agent`` indexes the procedure names and
    ``agent_class`` the procedure kinds, ``number`` is the procedure id).
    """

    patient: I64
    agent: I64
    agent_class: I64
    number: I64
    start: I64
    stop: I64
    ongoing: Bools
    cycles: I64
    trial: Bools
    last_pd: I64
    reason: I64
    procedure: Bools
    line: I64
    line_start: I64


def _gap(agent_class: I64, radioligand: int, rules: LineRules) -> I64:
    return np.where(
        agent_class == radioligand, rules.prrt_max_interval_days, rules.restart_gap_days
    )


def eras(
    ep: Episodes,
    pd_patient: I64,
    pd_day: I64,
    split_patient: I64,
    split_day: I64,
    radioligand: int,
    rules: LineRules,
) -> tuple[Eras, I64, I64]:
    """Merge episodes of one agent into eras (step 1).

    Progressions and splits (procedures counted as lines) are sorted by patient and day.
    Returns the eras (in episode order: patient, agent, start), and for every episode, in the
    order of the returned ``order``, the index of its era.
    """
    order = order_by(ep.patient, ep.agent, ep.start, ep.episode_id)
    patient, agent, start = ep.patient[order], ep.agent[order], ep.start[order]
    stop = ep.stop[order]
    # as-of joins in the input's order (usually by patient and start: the fast, sorted case)
    last_pd = asof_backward(ep.patient, ep.start, pd_patient, pd_day)[order]
    last_split = asof_backward(ep.patient, ep.start, split_patient, split_day)[order]
    first = segment_starts(patient, agent)
    prev_start = previous_in_segment(start, first, NONE)
    prev_stop = previous_in_segment(segment_cummax(stop, first), first, NONE)
    gap = _gap(ep.agent_class[order], radioligand, rules)
    new = first | (start - prev_stop > gap) | (last_pd > prev_start) | (last_split > prev_start)
    new |= first
    era = np.cumsum(new) - 1
    at = np.flatnonzero(new)
    run_first_era = era[forward_fill_index(first)]
    number = (era - run_first_era + 1)[at]
    cycles = ep.cycles[order]
    radio = ep.agent_class[order] == radioligand
    cycles = np.where(radio & (cycles < 0), 1, cycles)
    has_cycles = np.logical_or.reduceat(cycles >= 0, at) if len(at) else np.zeros(0, bool)
    total = np.add.reduceat(np.maximum(cycles, 0), at) if len(at) else np.zeros(0, np.int64)
    # the stop reason of the episode that stops last (then the highest episode id)
    by_stop = order_by(era, stop, ep.episode_id[order])
    last_rows = by_stop[np.r_[at[1:], len(era)] - 1] if len(at) else at
    reduce_or = np.logical_or.reduceat
    out = Eras(
        patient=patient[at],
        agent=agent[at],
        agent_class=ep.agent_class[order][at],
        number=number,
        start=start[at],
        stop=np.maximum.reduceat(stop, at) if len(at) else stop[:0],
        ongoing=reduce_or(ep.ongoing[order], at) if len(at) else np.zeros(0, bool),
        cycles=np.where(has_cycles, total, -1),
        trial=reduce_or(ep.trial[order], at) if len(at) else np.zeros(0, bool),
        last_pd=last_pd[at],
        reason=ep.reason[order][last_rows],
        procedure=np.zeros(len(at), dtype=bool),
        line=np.zeros(len(at), dtype=np.int64),
        line_start=np.zeros(len(at), dtype=np.int64),
    )
    return out, order, era


def _hard_and_candidates(
    e: Eras, first: Bools, radioligand: int, ssa: int, rules: LineRules
) -> tuple[Bools, Bools]:
    """Rows that surely open a line (hard) and novel rows that may (candidates)."""
    gap = _gap(e.agent_class, radioligand, rules)
    stop_before = previous_in_segment(segment_cummax(e.stop, first), first, NONE)
    prev_procedure = previous_in_segment(e.procedure, first, False)
    prev_start = previous_in_segment(e.start, first, NONE)
    hard = (
        first
        | e.procedure
        | prev_procedure
        | ((e.last_pd > prev_start) & (e.last_pd > NONE))
        | ((e.start - stop_before > gap) & ~first)
    )
    active = (stop_before > e.start) & ~first
    # the latest earlier stop, and the agent before, within the patient's agent class
    by_class = order_by(e.patient, e.agent_class)
    c_first = segment_starts(e.patient[by_class], e.agent_class[by_class])
    c_before = previous_in_segment(segment_cummax(e.stop[by_class], c_first), c_first, NONE)
    class_before = np.empty_like(c_before)
    class_before[by_class] = c_before
    same_class = (class_before >= e.start - gap) & (class_before > NONE)
    if rules.switch_within_class_opens_line:
        c_agent = previous_in_segment(e.agent[by_class], c_first, -1)
        class_agent = np.empty_like(c_agent)
        class_agent[by_class] = c_agent
        same_class &= class_agent == e.agent
    novel = ~same_class & ~((e.agent_class == ssa) & ~e.procedure & active)
    return hard, novel & ~hard


def number_lines(e: Eras, radioligand: int, ssa: int, rules: LineRules) -> Eras:
    """Give every era (and procedure counted as a line) its line number (step 2).

    ``e`` must be sorted by patient, start, agent, number. A row opens a line when it is
    *hard* (first row; a procedure line or right after one; progression after the previous
    row started; every earlier row stopped more than the gap before) or *novel* and more than
    ``regimen_window_days`` after the start of the current line.
    """
    window = rules.regimen_window_days
    first = segment_starts(e.patient)
    hard, candidate = _hard_and_candidates(e, first, radioligand, ssa, rules)
    anchor_at = forward_fill_index(hard | candidate)
    anchor = np.where(first, NONE, e.start[np.maximum(previous_in_segment(anchor_at, first, 0), 0)])
    segment = e.start[forward_fill_index(hard)]
    sure = candidate & (e.start - anchor > window)
    undecided = candidate & ~sure & (e.start - segment > window)
    opens = hard | sure
    if undecided.any():
        affected = np.zeros(int(e.patient.max()) + 1, dtype=bool)
        affected[e.patient[undecided]] = True
        rows = np.flatnonzero(affected[e.patient] & (hard | candidate))
        current = 0
        starts = e.start[rows].tolist()  # only the affected patients' rows
        is_hard = hard[rows].tolist()
        for j, i in enumerate(rows.tolist()):
            if is_hard[j]:
                current = starts[j]
            elif starts[j] - current > window:
                opens[i] = True
                current = starts[j]
    opened = np.cumsum(opens)
    before = opened[forward_fill_index(first)] - 1
    e.line = opened - before
    e.line_start = e.start[forward_fill_index(opens)]
    return e


def _procedure_eras(batch: Batch, rules: LineRules) -> Eras:
    pr = batch.procedures
    counted = one_of(pr.kind, [batch.class_code(k) for k in sorted(rules.procedures_as_lines)])
    n = int(counted.sum())
    return Eras(
        patient=pr.patient[counted],
        agent=pr.name[counted],
        agent_class=pr.kind[counted],
        number=pr.procedure_id[counted],
        start=pr.day[counted],
        stop=pr.day[counted],
        ongoing=np.zeros(n, dtype=bool),
        cycles=np.full(n, -1, dtype=np.int64),
        trial=np.zeros(n, dtype=bool),
        last_pd=np.full(n, NONE, dtype=np.int64),
        reason=np.full(n, -1, dtype=np.int64),
        procedure=np.ones(n, dtype=bool),
        line=np.zeros(n, dtype=np.int64),
        line_start=np.zeros(n, dtype=np.int64),
    )


def _take(e: Eras, rows: I64) -> Eras:
    return Eras(**{name: getattr(e, name)[rows] for name in Eras.__dataclass_fields__})


def line_eras(batch: Batch, rules: LineRules) -> tuple[Eras, I64, I64]:
    """Run steps 1 and 2 on a batch.

    Returns
    -------
    (eras, episode_order, episode_era) : tuple
        The numbered eras sorted by patient, start, agent and number (a line's eras are
        contiguous); the episodes' order (by patient, agent, start) and, in that order, the
        row in ``eras`` of each episode's era.
    """
    asm = batch.assessments
    radioligand, ssa = batch.class_code("radioligand"), batch.class_code("ssa")
    procedures = _procedure_eras(batch, rules)
    era_table, order, era_of = eras(
        batch.episodes,
        asm.patient[asm.progression],
        asm.day[asm.progression],
        procedures.patient,
        procedures.start,
        radioligand,
        rules,
    )
    if len(procedures.patient):
        era_table = Eras(
            **{
                name: np.concatenate([getattr(era_table, name), getattr(procedures, name)])
                for name in Eras.__dataclass_fields__
            }
        )
    rows = order_by(era_table.patient, era_table.start, era_table.agent, era_table.number)
    numbered = number_lines(_take(era_table, rows), radioligand, ssa, rules)
    position = np.empty(len(rows), dtype=np.int64)
    position[rows] = np.arange(len(rows), dtype=np.int64)
    return numbered, order, position[era_of]
