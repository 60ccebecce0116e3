r"""The vectorised engine: many sequences × PSA draws × patients, in NumPy.

Design
------
* **Arrays, not loops.** State lives in ``(draws, patients)`` float32 arrays; a chunk of PSA
  draws is processed at a time so that the arrays stay in cache and memory stays bounded.
* **Prefix sharing.** Sequences are arranged in a trie: the lines a set of sequences share
  (``A > B`` in ``A > B > C`` and ``A > B > D``) are simulated once. This is exact because line
  ``k`` depends only on the history before it.
* **Common random numbers.** Each patient has one variate per therapy and event kind (PFS,
  disease death, toxicity, its timing, conversion, ...), one for background death and one for
  best supportive care, whatever the sequence; two sequences therefore differ only by what
  differs between them. Antithetic variates (patient ``i + n/2`` uses ``1 - U``) are optional.
* **Inverse cumulative hazard.** Times are drawn as :math:`H^{-1}(E / \\theta)` with
  :math:`\\theta` the product of the hazard ratios that hold (line number, prior groups,
  covariates, months since the sequence started), so history costs a multiply.
* **Summaries on the fly.** Per line and per sequence, per draw: means, medians (from
  fine histograms), restricted means, survival curves, QALYs and costs; no trajectory table
  unless asked for.

Random numbers come from one PCG64 stream per PSA draw (``SeedSequence(seed, spawn_key=(3,
draw))``), so results do not depend on chunking or threads.

The engine knows nothing of tumours: therapies have free-form groups and patients have named
covariates.

References
----------
.. [1] Incerti D, Jansen JP. hesim: health economic simulation modeling and decision analysis.
   arXiv:2102.09437 (2021) (individual continuous-time state transition models).
.. [2] Stout NK, Goldie SJ. Keeping the noise down: common random numbers for disease
   simulation modeling. Health Care Manag Sci 2008;11:399-406.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from netline.errors import InvalidInputError, Problem
from netline.simulation.distributions import LogNormal, PiecewiseExponential
from netline.simulation.parameters import Parameters
from netline.simulation.plan import ConditionPlan, ModelPlan, ModifierPlan, Population, SurvivalPlan

__all__ = ["EngineSettings", "RawResult", "run_plan"]

F32 = np.float32
Arr = NDArray[np.float32]
_LN2 = math.log(2.0)
_TINY_U = np.float32(2.0**-25)
_TARGET_CHUNK_ELEMENTS = 32_768


@dataclass(frozen=True)
class EngineSettings:
    """How to run (not what to simulate).

    Parameters
    ----------
    patients : int
        Patients per PSA draw (even with antithetic variates).
    seed : int
    antithetic : bool
        Pair patient ``i`` with ``i + patients/2`` using ``1 - U``.
    rmst_months : tuple of float
        Horizons for the restricted mean survival time.
    curve_step_months, curve_max_months : float
        Output grid of the survival curves.
    resolution_months : float
        Histogram bin width used for medians and curves.
    chunk_draws : int, optional
        PSA draws per chunk (default: about 32,768 patient-draws).
    workers : int
        Threads (NumPy releases the GIL in its loops).
    progress : bool, optional
        Show a progress bar; default only when stderr is a terminal.
    record_patients : bool
        Keep every patient's line durations and OS (small runs only; for tests and calibration).
    """

    patients: int = 1000
    seed: int = 1
    antithetic: bool = False
    rmst_months: tuple[float, ...] = (60.0, 120.0)
    curve_step_months: float = 3.0
    curve_max_months: float = 240.0
    resolution_months: float = 0.25
    chunk_draws: int | None = None
    workers: int = 1
    progress: bool | None = None
    record_patients: bool = False


@dataclass
class RawResult:
    """Per-draw outputs of a run. ``S`` draws, ``Q`` sequences, ``K`` trie nodes (lines).

    Per sequence (``(S, Q)`` unless stated): ``os_mean``, ``os_median``, ``tot_mean`` (time
    on any treatment), ``qaly``, ``cost``, ``rmst`` ``(S, Q, H)``, ``os_curve`` ``(S, Q, G)``.
    Per line (``(S, K)``): ``line_start`` (fraction of patients who start it), ``pfs_mean`` and
    ``pfs_median`` (among those who start it), ``line_tot_mean``, ``line_tox`` and
    ``line_surgery`` (fractions of starters), ``pfs_curve`` ``(S, K, G)``.
    ``lines[q]`` lists the nodes of sequence ``q`` in order.
    """

    sequence_ids: tuple[str, ...]
    sequences: tuple[tuple[str, ...], ...]
    lines: list[list[int]]
    grid: NDArray[np.float64]
    rmst_months: tuple[float, ...]
    os_mean: NDArray[np.float64]
    os_median: NDArray[np.float64]
    tot_mean: NDArray[np.float64]
    qaly: NDArray[np.float64] | None
    cost: NDArray[np.float64] | None
    rmst: NDArray[np.float64]
    os_curve: NDArray[np.float32]
    line_start: NDArray[np.float64]
    pfs_mean: NDArray[np.float64]
    pfs_median: NDArray[np.float64]
    line_tot_mean: NDArray[np.float64]
    line_tox: NDArray[np.float64]
    line_surgery: NDArray[np.float64]
    pfs_curve: NDArray[np.float32]
    elapsed_s: float = 0.0
    patients_per_draw: int = 0
    patient_records: dict[str, NDArray[np.float32]] = field(default_factory=dict)

    @property
    def draws(self) -> int:
        """Number of PSA draws."""
        return int(self.os_mean.shape[0])

    @property
    def trajectories(self) -> int:
        """Patient trajectories simulated (draws × patients × sequences)."""
        return self.draws * self.patients_per_draw * len(self.sequences)


# --------------------------------------------------------------------------- trie


@dataclass
class _Node:
    index: int
    therapy: str
    path: tuple[str, ...]
    occurrence: int
    children: list[_Node] = field(default_factory=list)
    sequences: list[int] = field(default_factory=list)
    pfs_struct: list[str] = field(default_factory=list)
    pfs_patient: list[ModifierPlan] = field(default_factory=list)
    death_struct: list[str] = field(default_factory=list)
    death_patient: list[ModifierPlan] = field(default_factory=list)
    bsc_struct: list[str] = field(default_factory=list)
    bsc_patient: list[ModifierPlan] = field(default_factory=list)


def _structural_holds(
    cond: ConditionPlan, line: int, groups: frozenset[str], prior: frozenset[str]
) -> bool:
    if cond.line_min is not None and line < cond.line_min:
        return False
    if cond.line_max is not None and line > cond.line_max:
        return False
    if cond.prior_same_group is not None:
        shared = bool(groups & prior)
        if shared != cond.prior_same_group:
            return False
    if cond.prior_group is not None and cond.prior_group not in prior:
        return False
    return not (cond.prior_group_absent is not None and cond.prior_group_absent in prior)


def _build_trie(plan: ModelPlan) -> tuple[list[_Node], list[list[int]]]:
    roots: dict[str, _Node] = {}
    nodes: list[_Node] = []
    lines: list[list[int]] = []
    for q, seq in enumerate(plan.sequences):
        level = roots
        parent: _Node | None = None
        path: list[int] = []
        for depth, therapy in enumerate(seq):
            children = {c.therapy: c for c in parent.children} if parent is not None else level
            node = children.get(therapy)
            if node is None:
                prefix = seq[:depth]
                node = _Node(len(nodes), therapy, prefix, prefix.count(therapy))
                nodes.append(node)
                if parent is None:
                    roots[therapy] = node
                else:
                    parent.children.append(node)
            parent = node
            path.append(node.index)
        assert parent is not None
        parent.sequences.append(q)
        lines.append(path)
    for node in nodes:
        groups = plan.therapies[node.therapy].groups
        prior: frozenset[str] = frozenset().union(*(plan.therapies[p].groups for p in node.path))
        everything = prior | groups
        line = len(node.path) + 1
        for mod in plan.modifiers:
            if mod.applies_to(node.therapy):
                if not _structural_holds(mod.when, line, groups, prior):
                    continue
                simple = mod.when.structural and mod.per_unit is None
                if mod.target == "pfs":
                    (node.pfs_struct.append(mod.hr) if simple else node.pfs_patient.append(mod))
                else:
                    (node.death_struct.append(mod.hr) if simple else node.death_patient.append(mod))
            elif mod.applies_to(None) and _structural_holds(
                mod.when, line + 1, frozenset(), everything
            ):
                simple = mod.when.structural and mod.per_unit is None
                (node.bsc_struct.append(mod.hr) if simple else node.bsc_patient.append(mod))
    return list(roots.values()), lines


# --------------------------------------------------------------------------- random streams


def _stream_layout(
    plan: ModelPlan, nodes_occurrences: dict[str, int]
) -> dict[tuple[str, int, str], int]:
    slots: list[tuple[str, int, str]] = [("", 0, "background"), ("", 0, "bsc")]
    for key in sorted(plan.therapies):
        t = plan.therapies[key]
        kinds = ["pfs"]
        if t.death_rate is not None:
            kinds.append("death")
        if t.toxicity is not None:
            kinds += ["tox", "tox_time"]
        if t.conversion is not None:
            kinds += ["conversion", "periop", "after"]
        for occ in range(nodes_occurrences.get(key, 1)):
            slots.extend((key, occ, k) for k in kinds)
    return {slot: i for i, slot in enumerate(slots)}


_EXPONENTIAL_KINDS = {"background", "bsc", "pfs", "death", "after"}


# --------------------------------------------------------------------------- helpers


class _Chunk:
    """Per-chunk state shared by the nodes: parameters, variates, covariates."""

    def __init__(
        self,
        plan: ModelPlan,
        params: dict[str, NDArray[np.float64]],
        uniforms: Arr,
        layout: dict[tuple[str, int, str], int],
        population: Population,
    ) -> None:
        self.plan = plan
        self.p = {k: v.astype(F32)[:, None] for k, v in params.items()}
        self.p64 = {k: v[:, None] for k, v in params.items()}
        self.u = uniforms
        self.layout = layout
        self.cov = {k: v.astype(F32)[None, :] for k, v in population.covariates.items()}
        self._exp: dict[int, Arr] = {}
        self._logexp: dict[int, Arr] = {}
        self._loghr: dict[str, Arr] = {}

    def uniform(self, therapy: str, occ: int, kind: str) -> Arr:
        return np.asarray(self.u[self.layout[(therapy, occ, kind)]], dtype=F32)

    def exp(self, therapy: str, occ: int, kind: str) -> Arr:
        i = self.layout[(therapy, occ, kind)]
        e = self._exp.get(i)
        if e is None:
            e = np.log(self.u[i])
            np.negative(e, out=e)
            self._exp[i] = e
        return e

    def logexp(self, therapy: str, occ: int, kind: str) -> Arr:
        i = self.layout[(therapy, occ, kind)]
        le = self._logexp.get(i)
        if le is None:
            le = np.log(self.exp(therapy, occ, kind))
            self._logexp[i] = le
        return le

    def loghr(self, name: str) -> Arr:
        v = self._loghr.get(name)
        if v is None:
            v = np.log(self.p[name])
            self._loghr[name] = v
        return v

    def struct_loghr(self, names: list[str]) -> Arr | None:
        if not names:
            return None
        total = self.loghr(names[0]).copy()
        for name in names[1:]:
            total += self.loghr(name)
        return total

    def patient_loghr(self, mods: list[ModifierPlan], t: Arr) -> Arr | None:
        total: Arr | None = None
        for mod in mods:
            cond = mod.when
            if mod.per_unit is not None:
                term = self.loghr(mod.hr) * (self.cov[mod.per_unit] - F32(mod.reference))
            else:
                term = np.broadcast_to(self.loghr(mod.hr), t.shape)
            mask: NDArray[np.bool_] | None = None
            if cond.covariate is not None:
                mask = self.cov[cond.covariate] != 0
            if cond.covariate_absent is not None:
                m = self.cov[cond.covariate_absent] == 0
                mask = m if mask is None else mask & m
            if cond.time_min is not None:
                m = t >= F32(cond.time_min)
                mask = m if mask is None else mask & m
            if cond.time_max is not None:
                m = t < F32(cond.time_max)
                mask = m if mask is None else mask & m
            if mask is not None:
                term = np.where(mask, term, F32(0))
            total = term.astype(F32) if total is None else total + term
        return total

    def sample(
        self, surv: SurvivalPlan, e: Arr, loghr: Arr | None, log_e: Callable[[], Arr] | None
    ) -> Arr:
        """Draw times from ``surv`` with hazard ratio ``exp(loghr)`` (relative times)."""
        p = self.p
        if surv.hr is not None:
            extra = self.loghr(surv.hr)
            loghr = extra if loghr is None else loghr + extra
        kind = surv.kind
        if kind == "exponential":
            if "rate" in surv.params:
                inv_rate = F32(1) / p[surv.params["rate"]]
            else:
                inv_rate = p[surv.params["median"]] * F32(1 / _LN2)
            if loghr is not None:
                inv_rate = inv_rate * np.exp(-loghr)
            return np.asarray(e * inv_rate, dtype=F32)
        if kind == "weibull":
            shape = p[surv.params["shape"]]
            if "scale" in surv.params:
                scale = p[surv.params["scale"]]
            else:
                scale = p[surv.params["median"]] * np.exp(F32(-math.log(_LN2)) / shape)
            invk = F32(1) / shape
            le = log_e() if log_e is not None else np.log(e)
            out = np.exp(le * invk) if loghr is None else np.exp((le - loghr) * invk)
            out *= scale
            return np.asarray(out, dtype=F32)
        e64 = e.astype(np.float64)
        if loghr is not None:
            e64 = e64 * np.exp(-loghr.astype(np.float64))
        if kind == "lognormal":
            p64 = self.p64
            dist = LogNormal.from_median(p64[surv.params["median"]], p64[surv.params["sdlog"]])
            return np.asarray(dist.inverse_cumhaz(e64), dtype=F32)
        rates = np.stack(
            [self.p64[surv.params[f"rate{j}"]] for j in range(len(surv.starts))], axis=-1
        )
        pw = PiecewiseExponential(np.asarray(surv.starts), rates)
        with np.errstate(divide="ignore"):
            return np.asarray(pw.inverse_cumhaz(e64), dtype=F32)


class _Accumulator:
    """Collects per-draw statistics for one chunk of draws into the result arrays."""

    def __init__(self, res: RawResult, lo: int, width: float, nbins: int, step_bins: int) -> None:
        self.res = res
        self.lo = lo
        self.width = F32(width)
        self.inv_width = F32(1.0 / width)
        self.nbins = nbins
        self.step_bins = step_bins

    def histogram(self, values: Arr, include: NDArray[np.bool_] | None) -> NDArray[np.int64]:
        c = values.shape[0]
        stride = self.nbins + 2
        idx = np.minimum(values * self.inv_width, F32(self.nbins)).astype(np.int32)
        if include is not None:
            idx = np.where(include, idx, np.int32(self.nbins + 1))
        idx += (np.arange(c, dtype=np.int32) * stride)[:, None]
        counts = np.bincount(idx.ravel(), minlength=c * stride)
        return counts.reshape(c, stride)

    def median_and_curve(
        self, counts: NDArray[np.int64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float32]]:
        n = counts[:, : self.nbins + 1].sum(axis=1).astype(np.float64)
        cum = np.cumsum(counts[:, : self.nbins], axis=1)
        half = n / 2.0
        reached = cum >= half[:, None]
        first = np.argmax(reached, axis=1)
        ok = reached[np.arange(len(first)), first] & (n > 0)
        before = np.where(first > 0, cum[np.arange(len(first)), first - 1], 0)
        inside = counts[np.arange(len(first)), first]
        frac = np.where(inside > 0, (half - before) / np.maximum(inside, 1), 0.0)
        median = np.where(ok, (first + frac) * float(self.width), np.nan)
        at = np.arange(0, self.nbins + 1, self.step_bins)
        below = np.concatenate([np.zeros((cum.shape[0], 1), dtype=cum.dtype), cum], axis=1)[:, at]
        with np.errstate(invalid="ignore", divide="ignore"):
            curve = (1.0 - below / n[:, None]).astype(F32)
        return median, curve


def _discount(rate: float) -> float:
    return math.log1p(rate) / 12.0


def _bounds_problems(
    plan: ModelPlan, population: Population, settings: EngineSettings
) -> list[Problem]:
    problems: list[Problem] = []
    if population.size != settings.patients:
        problems.append(Problem("population", population.size, f"{settings.patients} patients"))
    if settings.antithetic and settings.patients % 2:
        problems.append(Problem("patients", settings.patients, "an even number (antithetic)"))
    needed = {m.when.covariate for m in plan.modifiers if m.when.covariate is not None} | {
        m.per_unit for m in plan.modifiers if m.per_unit is not None
    }
    for name in sorted(needed - set(population.covariates)):
        problems.append(
            Problem(f"population.covariates.{name}", None, "a covariate the model uses")
        )
    step = settings.curve_step_months / settings.resolution_months
    if abs(step - round(step)) > 1e-6:
        problems.append(
            Problem(
                "curve_step_months", settings.curve_step_months, "a multiple of resolution_months"
            )
        )
    return problems


def run_plan(
    plan: ModelPlan,
    params: Parameters,
    population: Population,
    settings: EngineSettings,
) -> RawResult:
    """Simulate every sequence of a plan for every PSA draw.

    Parameters
    ----------
    plan : ModelPlan
    params : Parameters
        Checked against ``plan.bounds`` (nothing missing, nothing extra, all in range).
    population : Population
        ``settings.patients`` patients.
    settings : EngineSettings

    Returns
    -------
    RawResult

    Raises
    ------
    InvalidInputError
        If parameters, population or settings do not fit the plan (every problem listed).
    """
    params.check(plan.bounds)
    problems = _bounds_problems(plan, population, settings)
    if problems:
        raise InvalidInputError(problems, source="simulation")
    started = time.perf_counter()
    roots, lines = _build_trie(plan)
    all_nodes: list[_Node] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        all_nodes.append(node)
        stack.extend(node.children)
    all_nodes.sort(key=lambda n: n.index)
    occurrences: dict[str, int] = {}
    for node in all_nodes:
        occurrences[node.therapy] = max(occurrences.get(node.therapy, 1), node.occurrence + 1)
    layout = _stream_layout(plan, occurrences)

    n_draws = params.draws
    n_pat = settings.patients
    n_seq = len(plan.sequences)
    n_nodes = len(all_nodes)
    n_hor = len(settings.rmst_months)
    width = settings.resolution_months
    step_bins = round(settings.curve_step_months / width)
    nbins = math.ceil(settings.curve_max_months / width / step_bins) * step_bins
    grid = np.arange(0, nbins + 1, step_bins, dtype=np.float64) * width
    n_grid = grid.shape[0]
    econ_q = plan.has_utilities
    econ_c = plan.has_costs
    record = settings.record_patients
    if record and n_draws * n_pat * max(n_nodes, n_seq) > 50_000_000:
        raise InvalidInputError.single(
            "record_patients",
            n_draws * n_pat * n_nodes,
            "at most 5e7 recorded values (a smaller run)",
        )

    def nan(*shape: int) -> NDArray[np.float64]:
        return np.full(shape, np.nan)

    res = RawResult(
        sequence_ids=plan.sequence_ids,
        sequences=plan.sequences,
        lines=lines,
        grid=grid,
        rmst_months=tuple(settings.rmst_months),
        os_mean=nan(n_draws, n_seq),
        os_median=nan(n_draws, n_seq),
        tot_mean=nan(n_draws, n_seq),
        qaly=nan(n_draws, n_seq) if econ_q else None,
        cost=nan(n_draws, n_seq) if econ_c else None,
        rmst=nan(n_draws, n_seq, n_hor),
        os_curve=np.full((n_draws, n_seq, n_grid), np.nan, dtype=F32),
        line_start=nan(n_draws, n_nodes),
        pfs_mean=nan(n_draws, n_nodes),
        pfs_median=nan(n_draws, n_nodes),
        line_tot_mean=nan(n_draws, n_nodes),
        line_tox=nan(n_draws, n_nodes),
        line_surgery=nan(n_draws, n_nodes),
        pfs_curve=np.full((n_draws, n_nodes, n_grid), np.nan, dtype=F32),
        patients_per_draw=n_pat,
    )
    if record:
        for k in range(n_nodes):
            res.patient_records[f"pfs:{k}"] = np.zeros((n_draws, n_pat), F32)
            res.patient_records[f"progressed:{k}"] = np.zeros((n_draws, n_pat), F32)
        for q in range(n_seq):
            res.patient_records[f"os:{q}"] = np.zeros((n_draws, n_pat), F32)
            res.patient_records[f"dead:{q}"] = np.zeros((n_draws, n_pat), F32)

    chunk = settings.chunk_draws or max(1, _TARGET_CHUNK_ELEMENTS // n_pat)
    chunk = min(chunk, n_draws)
    n_half = n_pat // 2 if settings.antithetic else n_pat
    rq = _discount(plan.discount_qalys)
    rc = _discount(plan.discount_costs)
    horizon = plan.horizon_months
    ages = population.age
    female = population.female

    def run_chunk(lo: int) -> None:
        hi = min(n_draws, lo + chunk)
        c = hi - lo
        uniforms = np.empty((len(layout), c, n_pat), dtype=F32)
        for i, d in enumerate(range(lo, hi)):
            rng = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence(settings.seed, spawn_key=(3, d)))
            )
            block = rng.random((len(layout), n_half), dtype=F32)
            np.maximum(block, _TINY_U, out=block)
            uniforms[:, i, :n_half] = block
            if settings.antithetic:
                np.subtract(F32(1), block, out=uniforms[:, i, n_half:])
        ch = _Chunk(plan, params.subset(slice(lo, hi)), uniforms, layout, population)
        acc = _Accumulator(res, lo, width, nbins, step_bins)
        # background death (forward clock), censored at the horizon
        if plan.life_table is not None:
            e_bg = ch.exp("", 0, "background")
            td0 = plan.life_table.residual_months(
                ages, female, e_bg, plan.background_multiplier
            ).astype(F32)
        else:
            td0 = np.full((c, n_pat), np.inf, dtype=F32)
        if horizon is not None:
            np.minimum(td0, F32(horizon), out=td0)
        t0 = np.zeros((c, n_pat), dtype=F32)
        one = np.ones((c, n_pat), dtype=F32) if (econ_q or econ_c) else None
        zeros = np.zeros((c, n_pat), dtype=F32)
        for root in roots:
            _visit(root, ch, acc, lo, hi, t0, td0, one, one, zeros, zeros, zeros)

    def _visit(
        node: _Node,
        ch: _Chunk,
        acc: _Accumulator,
        lo: int,
        hi: int,
        t: Arr,
        td: Arr,
        dq_t: Arr | None,
        dc_t: Arr | None,
        acc_q: Arr,
        acc_c: Arr,
        acc_tot: Arr,
    ) -> None:
        th = plan.therapies[node.therapy]
        occ = node.occurrence
        p = ch.p
        alive = t < td
        n_alive = alive.sum(axis=1).astype(np.float64)
        # progression
        loghr = ch.struct_loghr(node.pfs_struct)
        if node.pfs_patient:
            extra = ch.patient_loghr(node.pfs_patient, t)
            assert extra is not None
            loghr = extra if loghr is None else loghr + extra
        e_pfs = ch.exp(node.therapy, occ, "pfs")
        prog = ch.sample(th.pfs, e_pfs, loghr, lambda: ch.logexp(node.therapy, occ, "pfs"))
        prog += t
        # disease death on the line, competing with background death
        if th.death_rate is not None:
            rate = p[th.death_rate]
            lhd = ch.struct_loghr(node.death_struct)
            if node.death_patient:
                extra = ch.patient_loghr(node.death_patient, t)
                assert extra is not None
                lhd = extra if lhd is None else lhd + extra
            if lhd is not None:
                rate = rate * np.exp(lhd)
            with np.errstate(divide="ignore"):
                dend = ch.exp(node.therapy, occ, "death") / rate
            dend += t
            np.minimum(dend, td, out=dend)
        else:
            dend = td
        # conversion surgery
        surgery: NDArray[np.bool_] | None = None
        ts: Arr | None = None
        if th.conversion is not None:
            cv = th.conversion
            ts = t + F32(cv.at)
            surgery = (ch.uniform(node.therapy, occ, "conversion") < p[cv.probability]) & (
                (ts < prog) & (ts < dend)
            )
            if cv.mortality is not None:
                periop = surgery & (ch.uniform(node.therapy, occ, "periop") < p[cv.mortality])
                dend = np.where(periop, ts, dend)
                survived = surgery & ~periop
            else:
                survived = surgery
            after = ch.sample(cv.after, ch.exp(node.therapy, occ, "after"), None, None)
            prog = np.where(survived, ts + after, prog)
        end = np.minimum(prog, dend)
        # treatment stops: progression/death, completion, surgery, toxicity
        stop = end
        if th.max_duration is not None:
            stop = np.minimum(stop, t + F32(th.max_duration))
        if surgery is not None and ts is not None:
            stop = np.where(surgery, np.minimum(stop, ts), stop)
        toxed: NDArray[np.bool_] | None = None
        tt: Arr | None = None
        if th.toxicity is not None:
            tox = th.toxicity
            u_time = ch.uniform(node.therapy, occ, "tox_time")
            if tox.timing[0] == "uniform":
                low, high = float(tox.timing[1]), float(tox.timing[2])  # type: ignore[arg-type]
                tt = t + (F32(low) + F32(high - low) * u_time)
            else:
                cycle = float(tox.timing[1])
                weights = tox.timing[2]
                assert isinstance(weights, tuple)
                cum = np.cumsum(weights)[:-1]
                count = np.ones_like(t)
                for threshold in cum:
                    count += u_time >= F32(threshold)
                tt = t + count * F32(cycle)
            toxed = (ch.uniform(node.therapy, occ, "tox") < p[tox.probability]) & (tt < stop)
            stop = np.where(toxed, tt, stop)
            if tox.switch:
                end = np.where(toxed, tt, end)
        died = dend <= end
        td_new = np.where(died, dend, td)
        dur = end - t
        tot = stop - t
        k = node.index
        sl = slice(lo, hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            res.line_start[sl, k] = n_alive / t.shape[1]
            res.pfs_mean[sl, k] = dur.sum(axis=1, dtype=np.float64) / n_alive
            res.line_tot_mean[sl, k] = tot.sum(axis=1, dtype=np.float64) / n_alive
            res.line_tox[sl, k] = toxed.sum(axis=1) / n_alive if toxed is not None else 0.0
            res.line_surgery[sl, k] = surgery.sum(axis=1) / n_alive if surgery is not None else 0.0
        med, curve = acc.median_and_curve(acc.histogram(dur, alive))
        res.pfs_median[sl, k] = med
        res.pfs_curve[sl, k] = curve
        if record:
            res.patient_records[f"pfs:{k}"][sl] = np.where(alive, dur, np.nan)
            res.patient_records[f"progressed:{k}"][sl] = alive & ~died
        # economics of the line (continuous discounting)
        new_q = acc_q
        new_c = acc_c
        dq_end: Arr | None = None
        dc_end: Arr | None = None
        if dq_t is not None:
            dq_stop = np.exp(stop * F32(-rq)) if rq > 0 else None
            dq_end = np.exp(end * F32(-rq)) if rq > 0 else dq_t
            if rc == rq:
                dc_stop, dc_end = dq_stop, dq_end
            else:
                dc_stop = np.exp(stop * F32(-rc)) if rc > 0 else None
                dc_end = np.exp(end * F32(-rc)) if rc > 0 else dc_t
            if econ_q and th.utility_on is not None and th.utility_off is not None:
                on = _segment(t, stop, dq_t, dq_stop, rq)
                off = _segment(stop, end, dq_stop, dq_end, rq)
                new_q = acc_q + (p[th.utility_on] * on + p[th.utility_off] * off)
            if econ_c:
                assert dc_t is not None
                cost = np.zeros_like(t)
                if th.cost_month is not None:
                    cost += p[th.cost_month] * _segment(t, stop, dc_t, dc_stop, rc)
                if th.cost_off_month is not None:
                    cost += p[th.cost_off_month] * _segment(stop, end, dc_stop, dc_end, rc)
                if th.cost_start is not None:
                    cost += np.where(alive, p[th.cost_start] * dc_t, F32(0))
                if th.cost_toxicity is not None and toxed is not None and tt is not None:
                    d_tt = np.exp(tt * F32(-rc)) if rc > 0 else F32(1)
                    cost += np.where(toxed, p[th.cost_toxicity] * d_tt, F32(0))
                if th.conversion is not None and th.conversion.cost is not None:
                    assert ts is not None
                    assert surgery is not None
                    d_ts = np.exp(ts * F32(-rc)) if rc > 0 else F32(1)
                    cost += np.where(surgery, p[th.conversion.cost] * d_ts, F32(0))
                if plan.progression_cost is not None:
                    assert dc_end is not None
                    cost += np.where(alive & ~died, p[plan.progression_cost] * dc_end, F32(0))
                new_c = acc_c + cost
        new_tot = acc_tot + tot
        # the sequence that ends here: best supportive care until death
        if node.sequences:
            q = node.sequences[0]
            lhb = ch.struct_loghr(node.bsc_struct)
            if node.bsc_patient:
                extra = ch.patient_loghr(node.bsc_patient, end)
                assert extra is not None
                lhb = extra if lhb is None else lhb + extra
            bsc_time = ch.sample(plan.bsc, ch.exp("", 0, "bsc"), lhb, None)
            os_ = np.minimum(td_new, end + bsc_time)
            n = os_.shape[1]
            res.os_mean[sl, q] = os_.mean(axis=1, dtype=np.float64)
            res.tot_mean[sl, q] = new_tot.mean(axis=1, dtype=np.float64)
            for h, horizon_h in enumerate(settings.rmst_months):
                res.rmst[sl, q, h] = np.minimum(os_, F32(horizon_h)).mean(axis=1, dtype=np.float64)
            med, curve = acc.median_and_curve(acc.histogram(os_, None))
            res.os_median[sl, q] = med
            res.os_curve[sl, q] = curve
            if record:
                res.patient_records[f"os:{q}"][sl] = os_
                finite_h = horizon if horizon is not None else np.inf
                res.patient_records[f"dead:{q}"][sl] = os_ < F32(finite_h)
            if dq_t is not None:
                assert dq_end is not None
                if econ_q and res.qaly is not None:
                    dq_os = np.exp(os_ * F32(-rq)) if rq > 0 else None
                    bsc_q = new_q
                    if plan.bsc_utility is not None:
                        bsc_q = new_q + p[plan.bsc_utility] * _segment(end, os_, dq_end, dq_os, rq)
                    res.qaly[sl, q] = bsc_q.sum(axis=1, dtype=np.float64) / n / 12.0
                if econ_c and res.cost is not None:
                    assert dc_end is not None
                    dc_os = np.exp(os_ * F32(-rc)) if rc > 0 else None
                    bsc_c = new_c
                    if plan.bsc_cost_month is not None:
                        bsc_c = bsc_c + p[plan.bsc_cost_month] * _segment(
                            end, os_, dc_end, dc_os, rc
                        )
                    if plan.death_cost is not None:
                        dead = os_ < F32(horizon) if horizon is not None else np.ones_like(alive)
                        d_os = dc_os if dc_os is not None else F32(1)
                        bsc_c = bsc_c + np.where(dead, p[plan.death_cost] * d_os, F32(0))
                    res.cost[sl, q] = bsc_c.sum(axis=1, dtype=np.float64) / n
            for other in node.sequences[1:]:
                _copy_sequence(res, sl, q, other)
        for child in node.children:
            _visit(child, ch, acc, lo, hi, end, td_new, dq_end, dc_end, new_q, new_c, new_tot)

    starts = list(range(0, n_draws, chunk))
    show = settings.progress if settings.progress is not None else sys.stderr.isatty()
    workers = max(1, min(settings.workers, len(starts), os.cpu_count() or 1))
    if show:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(f"simulating {n_seq} sequences", total=n_draws)
            if workers == 1:
                for lo in starts:
                    run_chunk(lo)
                    bar.advance(task, min(chunk, n_draws - lo))
            else:
                with ThreadPoolExecutor(workers) as pool:
                    for lo, _ in zip(starts, pool.map(run_chunk, starts), strict=True):
                        bar.advance(task, min(chunk, n_draws - lo))
    elif workers == 1:
        for lo in starts:
            run_chunk(lo)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run_chunk, starts))
    res.elapsed_s = time.perf_counter() - started
    return res


def _copy_sequence(res: RawResult, sl: slice, q: int, other: int) -> None:
    for array in (res.os_mean, res.os_median, res.tot_mean, res.qaly, res.cost):
        if array is not None:
            array[sl, other] = array[sl, q]
    res.rmst[sl, other] = res.rmst[sl, q]
    res.os_curve[sl, other] = res.os_curve[sl, q]
    for name in ("os", "dead"):
        if f"{name}:{q}" in res.patient_records:
            res.patient_records[f"{name}:{other}"][sl] = res.patient_records[f"{name}:{q}"][sl]


def _segment(a: Arr, b: Arr, da: Arr | None, db: Arr | None, rate: float) -> Arr:
    """Discounted time from ``a`` to ``b`` (months): ∫ exp(-r t) dt, or ``b - a`` if r = 0."""
    if rate > 0:
        assert da is not None
        assert db is not None
        return np.asarray((da - db) * F32(1.0 / rate), dtype=F32)
    return np.asarray(b - a, dtype=F32)
