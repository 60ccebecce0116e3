"""Steps 1 and 2 of the course engine: eras and line numbers.

Rows are sorted once per step (:func:`~netline.course._arrays.order_by`); the rules are the
loop kernels of :mod:`netline.course._kernel_eras`, one ordered walk over each patient's rows
(so the cost is linear in the number of episodes whatever the length of a patient's chain of
lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from netline.course._arrays import NONE, one_of, order_by
from netline.course._kernel_eras import latest_before, merge_eras, number_rows
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


def eras(
    ep: Episodes,
    pd_patient: I64,
    pd_day: I64,
    split_patient: I64,
    split_day: I64,
    radioligand: int,
    rules: LineRules,
) -> tuple[Eras, I64, I64]:
    """Merge episodes of one agent into eras (step 1, :func:`~._kernel_eras.merge_eras`).

    Progressions and splits (procedures counted as lines) are sorted by patient and day.
    Returns the eras (in episode order: patient, agent, start), and for every episode, in the
    order of the returned ``order``, the index of its era.
    """
    order = order_by(ep.patient, ep.agent, ep.start, ep.episode_id)
    patient, agent, start = ep.patient[order], ep.agent[order], ep.start[order]
    agent_class, stop = ep.agent_class[order], ep.stop[order]
    n = len(order)
    last_pd = np.empty(n, dtype=np.int64)
    last_split = np.empty(n, dtype=np.int64)
    latest_before(patient, start, pd_patient, pd_day, last_pd)
    latest_before(patient, start, split_patient, split_day, last_split)
    era_of = np.empty(n, dtype=np.int64)
    era_row = np.empty(n, dtype=np.int64)
    number, max_stop, cycles, reason_row = (np.empty(n, dtype=np.int64) for _ in range(4))
    ongoing, trial = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
    count = merge_eras(
        (patient, agent, agent_class, start, stop),
        (
            ep.cycles[order],
            ep.episode_id[order],
            ep.ongoing[order],
            ep.trial[order],
            last_pd,
            last_split,
        ),
        (radioligand, rules.prrt_max_interval_days, rules.restart_gap_days),
        era_of,
        era_row,
        (number, max_stop, ongoing, trial, cycles, reason_row),
    )
    at = era_row[:count]
    out = Eras(
        patient=patient[at],
        agent=agent[at],
        agent_class=agent_class[at],
        number=number[:count],
        start=start[at],
        stop=max_stop[:count],
        ongoing=ongoing[:count],
        cycles=cycles[:count],
        trial=trial[:count],
        last_pd=last_pd[at],
        reason=ep.reason[order][reason_row[:count]],
        procedure=np.zeros(count, dtype=bool),
        line=np.zeros(count, dtype=np.int64),
        line_start=np.zeros(count, dtype=np.int64),
    )
    return out, order, era_of


def number_lines(e: Eras, radioligand: int, ssa: int, n_classes: int, rules: LineRules) -> Eras:
    """Give every era (and procedure counted as a line) its line number (step 2).

    ``e`` must be sorted by patient, start, agent, number; the rule is
    :func:`~netline.course._kernel_eras.number_rows`.
    """
    number_rows(
        (e.patient, e.agent, e.agent_class, e.start, e.stop, e.procedure, e.last_pd),
        (radioligand, ssa, n_classes),
        (
            rules.prrt_max_interval_days,
            rules.restart_gap_days,
            rules.regimen_window_days,
            rules.switch_within_class_opens_line,
        ),
        e.line,
        e.line_start,
    )
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
    pd_patient, pd_day = asm.progressions
    era_table, order, era_of = eras(
        batch.episodes,
        pd_patient,
        pd_day,
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
    numbered = number_lines(_take(era_table, rows), radioligand, ssa, len(batch.classes), rules)
    position = np.empty(len(rows), dtype=np.int64)
    position[rows] = np.arange(len(rows), dtype=np.int64)
    return numbered, order, position[era_of]
