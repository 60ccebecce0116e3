"""One line of therapy for a chunk of patient-draws, and the sequence that ends after it.

Engine internals: :class:`LineRunner` walks the trie depth first. At each node it draws
progression (with the history modifiers and the shared frailty), disease death, conversion
surgery, toxicity stops and completion; records the line's statistics; accumulates QALYs and
costs; and, where a sequence ends, adds best supportive care until death.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from netline.simulation._kernels import Accumulator, Chunk, segment
from netline.simulation._trie import Node
from netline.simulation.plan import ModelPlan, TherapyPlan

if TYPE_CHECKING:
    from netline.simulation.engine import RawResult

__all__ = ["LineRunner", "State"]

F32 = np.float32
Arr = NDArray[np.float32]
Mask = NDArray[np.bool_]


@dataclass
class State:
    """Where the patients of a chunk stand at the start of a line.

    ``t``: start of the line (months since the sequence started); ``td``: time of death as
    known so far; ``dq``/``dc``: discount factors at ``t``; ``q``/``c``/``tot``: QALY-months,
    costs and months on treatment accumulated so far.
    """

    t: Arr
    td: Arr
    dq: Arr | None
    dc: Arr | None
    q: Arr
    c: Arr
    tot: Arr


@dataclass
class _Events:
    """The events of one line."""

    alive: Mask
    end: Arr
    stop: Arr
    dend: Arr
    surgery: Mask | None
    ts: Arr | None
    toxed: Mask | None
    tt: Arr | None


class LineRunner:
    """Simulates lines and sequence ends into a :class:`RawResult`."""

    def __init__(
        self,
        plan: ModelPlan,
        res: RawResult,
        rq: float,
        rc: float,
        econ: tuple[bool, bool],
        record: bool,
        rmst_months: tuple[float, ...],
    ) -> None:
        self.plan = plan
        self.res = res
        self.rq = rq
        self.rc = rc
        self.econ_q, self.econ_c = econ
        self.record = record
        self.rmst_months = rmst_months

    # ------------------------------------------------------------------ one line

    def _events(self, node: Node, th: TherapyPlan, ch: Chunk, s: State) -> _Events:
        occ = node.occurrence
        t = s.t
        alive = t < s.td
        loghr = ch.struct_loghr(node.pfs_struct)
        if node.pfs_patient:
            extra = ch.patient_loghr(node.pfs_patient, t)
            assert extra is not None
            loghr = extra if loghr is None else loghr + extra
        e_pfs = ch.exp(node.therapy, occ, "pfs")
        if ch.frailty is not None and th.pfs.kind == "weibull":
            # the frailty is folded into the stream's log E once (see Chunk.logexp_frail)
            prog = ch.sample(
                th.pfs, e_pfs, loghr, lambda: ch.logexp_frail(node.therapy, occ, "pfs")
            )
        else:
            if ch.frailty is not None:
                loghr = ch.frailty if loghr is None else loghr + ch.frailty
            prog = ch.sample(th.pfs, e_pfs, loghr, lambda: ch.logexp(node.therapy, occ, "pfs"))
        prog += t
        dend = self._disease_death(node, th, ch, s)
        surgery: Mask | None = None
        ts: Arr | None = None
        if th.conversion is not None:
            cv = th.conversion
            ts = t + F32(cv.at)
            surgery = (ch.uniform(node.therapy, occ, "conversion") < ch.p[cv.probability]) & (
                (ts < prog) & (ts < dend)
            )
            survived = surgery
            if cv.mortality is not None:
                periop = surgery & (ch.uniform(node.therapy, occ, "periop") < ch.p[cv.mortality])
                dend = np.where(periop, ts, dend)
                survived = surgery & ~periop
            after = ch.sample(cv.after, ch.exp(node.therapy, occ, "after"), None, None)
            prog = np.where(survived, ts + after, prog)
        end = np.minimum(prog, dend)
        stop = end
        if th.max_duration is not None:
            stop = np.minimum(stop, t + F32(th.max_duration))
        if surgery is not None and ts is not None:
            stop = np.where(surgery, np.minimum(stop, ts), stop)
        toxed: Mask | None = None
        tt: Arr | None = None
        if th.toxicity is not None:
            tox = th.toxicity
            u_time = ch.uniform(node.therapy, occ, "tox_time")
            if tox.timing[0] == "uniform":
                low, high = float(tox.timing[1]), float(tox.timing[2])  # type: ignore[arg-type]
                tt = t + (F32(low) + F32(high - low) * u_time)
            else:
                weights = tox.timing[2]
                assert isinstance(weights, tuple)
                count = np.ones_like(t)
                for threshold in np.cumsum(weights)[:-1]:
                    count += u_time >= F32(threshold)
                tt = t + count * F32(float(tox.timing[1]))
            toxed = (ch.uniform(node.therapy, occ, "tox") < ch.p[tox.probability]) & (tt < stop)
            stop = np.where(toxed, tt, stop)
            if tox.switch:
                end = np.where(toxed, tt, end)
        return _Events(alive, end, stop, dend, surgery, ts, toxed, tt)

    def _disease_death(self, node: Node, th: TherapyPlan, ch: Chunk, s: State) -> Arr:
        if th.death_rate is None:
            return s.td
        rate = ch.p[th.death_rate]
        lhd = ch.struct_loghr(node.death_struct)
        if node.death_patient:
            extra = ch.patient_loghr(node.death_patient, s.t)
            assert extra is not None
            lhd = extra if lhd is None else lhd + extra
        if lhd is not None:
            rate = rate * np.exp(lhd)
        with np.errstate(divide="ignore"):
            dend = ch.exp(node.therapy, node.occurrence, "death") / rate
        dend += s.t
        np.minimum(dend, s.td, out=dend)
        return np.asarray(dend, dtype=F32)

    def _record_line(
        self, node: Node, ev: _Events, died: Mask, s: State, acc: Accumulator, sl: slice
    ) -> None:
        res = self.res
        k = node.index
        n_alive = ev.alive.sum(axis=1).astype(np.float64)
        dur = ev.end - s.t
        tot = ev.stop - s.t
        with np.errstate(invalid="ignore", divide="ignore"):
            res.line_start[sl, k] = n_alive / s.t.shape[1]
            res.pfs_mean[sl, k] = dur.sum(axis=1, dtype=np.float64) / n_alive
            res.line_tot_mean[sl, k] = tot.sum(axis=1, dtype=np.float64) / n_alive
            res.line_tox[sl, k] = ev.toxed.sum(axis=1) / n_alive if ev.toxed is not None else 0.0
            res.line_surgery[sl, k] = (
                ev.surgery.sum(axis=1) / n_alive if ev.surgery is not None else 0.0
            )
        med, curve = acc.median_and_curve(acc.histogram(dur, ev.alive))
        res.pfs_median[sl, k] = med
        res.pfs_curve[sl, k] = curve
        if self.record:
            res.patient_records[f"pfs:{k}"][sl] = np.where(ev.alive, dur, np.nan)
            res.patient_records[f"progressed:{k}"][sl] = ev.alive & ~died

    def _economics(
        self, th: TherapyPlan, ch: Chunk, ev: _Events, died: Mask, s: State
    ) -> tuple[Arr | None, Arr | None, Arr, Arr]:
        """Discount factors at the line's end and the QALY-months and costs so far."""
        if s.dq is None:
            return None, None, s.q, s.c
        rq, rc, p, t = self.rq, self.rc, ch.p, s.t
        dq_stop = np.exp(ev.stop * F32(-rq)) if rq > 0 else None
        dq_end = np.exp(ev.end * F32(-rq)) if rq > 0 else s.dq
        if rc == rq:
            dc_stop, dc_end = dq_stop, dq_end
        else:
            dc_stop = np.exp(ev.stop * F32(-rc)) if rc > 0 else None
            dc_end = np.exp(ev.end * F32(-rc)) if rc > 0 else s.dc
        new_q, new_c = s.q, s.c
        if self.econ_q and th.utility_on is not None and th.utility_off is not None:
            on = segment(t, ev.stop, s.dq, dq_stop, rq)
            off = segment(ev.stop, ev.end, dq_stop, dq_end, rq)
            new_q = s.q + (p[th.utility_on] * on + p[th.utility_off] * off)
        if self.econ_c:
            assert s.dc is not None
            assert dc_end is not None
            cost = np.zeros_like(t)
            if th.cost_month is not None:
                cost += p[th.cost_month] * segment(t, ev.stop, s.dc, dc_stop, rc)
            if th.cost_off_month is not None:
                cost += p[th.cost_off_month] * segment(ev.stop, ev.end, dc_stop, dc_end, rc)
            if th.cost_start is not None:
                cost += p[th.cost_start] * s.dc * ev.alive
            if th.cost_toxicity is not None and ev.toxed is not None and ev.tt is not None:
                d_tt = np.exp(ev.tt * F32(-rc)) if rc > 0 else F32(1)
                cost += p[th.cost_toxicity] * d_tt * ev.toxed
            if th.conversion is not None and th.conversion.cost is not None:
                assert ev.ts is not None
                assert ev.surgery is not None
                d_ts = np.exp(ev.ts * F32(-rc)) if rc > 0 else F32(1)
                cost += p[th.conversion.cost] * d_ts * ev.surgery
            if self.plan.progression_cost is not None:
                cost += p[self.plan.progression_cost] * dc_end * (ev.alive & ~died)
            new_c = s.c + cost
        return dq_end, dc_end, new_q, new_c

    # ------------------------------------------------------------------ walking the trie

    def visit(self, node: Node, ch: Chunk, acc: Accumulator, sl: slice, s: State) -> None:
        """Simulate a line, the sequences that end after it, then its children."""
        th = self.plan.therapies[node.therapy]
        ev = self._events(node, th, ch, s)
        died = ev.dend <= ev.end
        td_new = np.where(died, ev.dend, s.td)
        self._record_line(node, ev, died, s, acc, sl)
        dq_end, dc_end, new_q, new_c = self._economics(th, ch, ev, died, s)
        after = State(ev.end, td_new, dq_end, dc_end, new_q, new_c, s.tot + (ev.stop - s.t))
        if node.sequences:
            self._finish(node, ch, acc, sl, after)
        for child in node.children:
            self.visit(child, ch, acc, sl, after)

    def _finish(self, node: Node, ch: Chunk, acc: Accumulator, sl: slice, s: State) -> None:
        """Best supportive care until death for the sequences that end at ``node``."""
        res, plan, p = self.res, self.plan, ch.p
        q = node.sequences[0]
        lhb = ch.struct_loghr(node.bsc_struct)
        if node.bsc_patient:
            extra = ch.patient_loghr(node.bsc_patient, s.t)
            assert extra is not None
            lhb = extra if lhb is None else lhb + extra
        bsc_time = ch.sample(plan.bsc, ch.exp("", 0, "bsc"), lhb, None)
        os_ = np.minimum(s.td, s.t + bsc_time)
        n = os_.shape[1]
        res.os_mean[sl, q] = os_.mean(axis=1, dtype=np.float64)
        res.tot_mean[sl, q] = s.tot.mean(axis=1, dtype=np.float64)
        for h, horizon_h in enumerate(self.rmst_months):
            res.rmst[sl, q, h] = np.minimum(os_, F32(horizon_h)).mean(axis=1, dtype=np.float64)
        med, curve = acc.median_and_curve(acc.histogram(os_, None))
        res.os_median[sl, q] = med
        res.os_curve[sl, q] = curve
        horizon = plan.horizon_months
        if self.record:
            res.patient_records[f"os:{q}"][sl] = os_
            finite_h = horizon if horizon is not None else np.inf
            res.patient_records[f"dead:{q}"][sl] = os_ < F32(finite_h)
        if s.dq is not None:
            rq, rc = self.rq, self.rc
            dq_os: Arr | None = None
            if self.econ_q and res.qaly is not None:
                dq_os = np.exp(os_ * F32(-rq)) if rq > 0 else None
                bsc_q = s.q
                if plan.bsc_utility is not None:
                    bsc_q = s.q + p[plan.bsc_utility] * segment(s.t, os_, s.dq, dq_os, rq)
                res.qaly[sl, q] = bsc_q.sum(axis=1, dtype=np.float64) / n / 12.0
            if self.econ_c and res.cost is not None:
                assert s.dc is not None
                if rc == rq and self.econ_q and res.qaly is not None:
                    dc_os = dq_os  # the same discount factors: computed once
                else:
                    dc_os = np.exp(os_ * F32(-rc)) if rc > 0 else None
                bsc_c = s.c
                if plan.bsc_cost_month is not None:
                    bsc_c = bsc_c + p[plan.bsc_cost_month] * segment(s.t, os_, s.dc, dc_os, rc)
                if plan.death_cost is not None:
                    dead = os_ < F32(horizon) if horizon is not None else np.ones(os_.shape, bool)
                    d_os = dc_os if dc_os is not None else F32(1)
                    bsc_c = bsc_c + p[plan.death_cost] * d_os * dead
                res.cost[sl, q] = bsc_c.sum(axis=1, dtype=np.float64) / n
        for other in node.sequences[1:]:
            _copy_sequence(res, sl, q, other)


def _copy_sequence(res: RawResult, sl: slice, q: int, other: int) -> None:
    for array in (res.os_mean, res.os_median, res.tot_mean, res.qaly, res.cost):
        if array is not None:
            array[sl, other] = array[sl, q]
    res.rmst[sl, other] = res.rmst[sl, q]
    res.os_curve[sl, other] = res.os_curve[sl, q]
    for name in ("os", "dead"):
        if f"{name}:{q}" in res.patient_records:
            res.patient_records[f"{name}:{other}"][sl] = res.patient_records[f"{name}:{q}"][sl]
