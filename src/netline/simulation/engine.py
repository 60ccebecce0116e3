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
from netline.simulation._kernels import Accumulator, Chunk, discount_rate
from netline.simulation._line import LineRunner, State
from netline.simulation._trie import Node, build_trie, stream_layout
from netline.simulation.parameters import Parameters
from netline.simulation.plan import ModelPlan, Population

__all__ = [
    "MAX_RESULT_BYTES",
    "EngineSettings",
    "RawResult",
    "check_size",
    "result_bytes",
    "run_plan",
]

F32 = np.float32
Arr = NDArray[np.float32]
_TINY_U = np.float32(2.0**-25)
_TARGET_CHUNK_ELEMENTS = 65_536  # measured best of 16-128 draws x 1,000 patients
#: Largest result the engine will allocate (bytes); a bigger run is refused up front.
MAX_RESULT_BYTES = 2 * 1024**3


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
        PSA draws per chunk (default: about 65,536 patient-draws).
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


# --------------------------------------------------------------------------- checks


def _bounds_problems(
    plan: ModelPlan, population: Population, settings: EngineSettings, n_draws: int
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


def check_size(plan: ModelPlan, settings: EngineSettings, n_draws: int) -> None:
    """Refuse a run whose results would exceed :data:`MAX_RESULT_BYTES`, before any work.

    Raises
    ------
    InvalidInputError
        Naming the run's size.
    """
    size = result_bytes(plan, settings, n_draws)
    if size > MAX_RESULT_BYTES:
        raise InvalidInputError(
            [
                Problem(
                    "simulation",
                    f"{n_draws:,} draws x {len(plan.sequences):,} sequences: "
                    f"{size / 1024**3:.1f} GB of results",
                    f"at most {MAX_RESULT_BYTES / 1024**3:.0f} GB (fewer draws, sequences or "
                    "curve points)",
                )
            ],
            source="simulation",
        )


def result_bytes(plan: ModelPlan, settings: EngineSettings, n_draws: int) -> int:
    """Return the bytes the per-draw result arrays of a run would take."""
    n_grid = math.ceil(settings.curve_max_months / settings.curve_step_months) + 1
    nodes = len({seq[:k] for seq in plan.sequences for k in range(1, len(seq) + 1)})
    per_seq = 8 * (5 + len(settings.rmst_months)) + 4 * n_grid
    per_node = 8 * 6 + 4 * n_grid
    return n_draws * (len(plan.sequences) * per_seq + nodes * per_node)


def _new_result(
    plan: ModelPlan, settings: EngineSettings, n_draws: int, lines: list[list[int]], n_nodes: int
) -> tuple[RawResult, int, int]:
    n_seq = len(plan.sequences)
    width = settings.resolution_months
    step_bins = round(settings.curve_step_months / width)
    nbins = math.ceil(settings.curve_max_months / width / step_bins) * step_bins
    grid = np.arange(0, nbins + 1, step_bins, dtype=np.float64) * width
    n_grid = grid.shape[0]
    n_hor = len(settings.rmst_months)

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
        qaly=nan(n_draws, n_seq) if plan.has_utilities else None,
        cost=nan(n_draws, n_seq) if plan.has_costs else None,
        rmst=nan(n_draws, n_seq, n_hor),
        os_curve=np.full((n_draws, n_seq, n_grid), np.nan, dtype=F32),
        line_start=nan(n_draws, n_nodes),
        pfs_mean=nan(n_draws, n_nodes),
        pfs_median=nan(n_draws, n_nodes),
        line_tot_mean=nan(n_draws, n_nodes),
        line_tox=nan(n_draws, n_nodes),
        line_surgery=nan(n_draws, n_nodes),
        pfs_curve=np.full((n_draws, n_nodes, n_grid), np.nan, dtype=F32),
        patients_per_draw=settings.patients,
    )
    if settings.record_patients:
        n_pat = settings.patients
        for k in range(n_nodes):
            res.patient_records[f"pfs:{k}"] = np.zeros((n_draws, n_pat), F32)
            res.patient_records[f"progressed:{k}"] = np.zeros((n_draws, n_pat), F32)
        for q in range(n_seq):
            res.patient_records[f"os:{q}"] = np.zeros((n_draws, n_pat), F32)
            res.patient_records[f"dead:{q}"] = np.zeros((n_draws, n_pat), F32)
    return res, nbins, step_bins


def _uniforms(settings: EngineSettings, n_slots: int, lo: int, hi: int) -> Arr:
    """Draw the common random numbers of draws ``lo..hi``: one PCG64 stream per draw."""
    n_pat = settings.patients
    n_half = n_pat // 2 if settings.antithetic else n_pat
    uniforms = np.empty((n_slots, hi - lo, n_pat), dtype=F32)
    for i, d in enumerate(range(lo, hi)):
        rng = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(settings.seed, spawn_key=(3, d)))
        )
        block = rng.random((n_slots, n_half), dtype=F32)
        np.maximum(block, _TINY_U, out=block)
        uniforms[:, i, :n_half] = block
        if settings.antithetic:
            np.subtract(F32(1), block, out=uniforms[:, i, n_half:])
    return uniforms


def _all_nodes(roots: list[Node]) -> list[Node]:
    nodes: list[Node] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    nodes.sort(key=lambda n: n.index)
    return nodes


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
        If parameters, population or settings do not fit the plan, or the result would be too
        large (every problem listed, before any work).
    """
    check_size(plan, settings, params.draws)
    params.check(plan.bounds)
    n_draws = params.draws
    problems = _bounds_problems(plan, population, settings, n_draws)
    if problems:
        raise InvalidInputError(problems, source="simulation")
    started = time.perf_counter()
    roots, lines = build_trie(plan)
    all_nodes = _all_nodes(roots)
    occurrences: dict[str, int] = {}
    for node in all_nodes:
        occurrences[node.therapy] = max(occurrences.get(node.therapy, 1), node.occurrence + 1)
    layout = stream_layout(plan, occurrences)
    n_pat = settings.patients
    n_nodes = len(all_nodes)
    if settings.record_patients and n_draws * n_pat * max(n_nodes, len(plan.sequences)) > 5e7:
        raise InvalidInputError.single(
            "record_patients",
            n_draws * n_pat * n_nodes,
            "at most 5e7 recorded values (a smaller run)",
        )
    res, nbins, step_bins = _new_result(plan, settings, n_draws, lines, n_nodes)
    runner = LineRunner(
        plan,
        res,
        discount_rate(plan.discount_qalys),
        discount_rate(plan.discount_costs),
        (plan.has_utilities, plan.has_costs),
        settings.record_patients,
        tuple(settings.rmst_months),
    )
    chunk = min(settings.chunk_draws or max(1, _TARGET_CHUNK_ELEMENTS // n_pat), n_draws)
    width = settings.resolution_months

    def run_chunk(lo: int) -> None:
        hi = min(n_draws, lo + chunk)
        c = hi - lo
        uniforms = _uniforms(settings, len(layout), lo, hi)
        ch = Chunk(plan, params.subset(slice(lo, hi)), uniforms, layout, population)
        acc = Accumulator(width, nbins, step_bins)
        # background death (forward clock), censored at the horizon
        if plan.life_table is not None:
            e_bg = ch.exp("", 0, "background")
            td0 = plan.life_table.residual_months(
                population.age, population.female, e_bg, plan.background_multiplier
            ).astype(F32)
        else:
            td0 = np.full((c, n_pat), np.inf, dtype=F32)
        if plan.horizon_months is not None:
            np.minimum(td0, F32(plan.horizon_months), out=td0)
        one = np.ones((c, n_pat), dtype=F32) if (plan.has_utilities or plan.has_costs) else None
        zeros = np.zeros((c, n_pat), dtype=F32)
        start = State(np.zeros((c, n_pat), dtype=F32), td0, one, one, zeros, zeros, zeros)
        for root in roots:
            runner.visit(root, ch, acc, slice(lo, hi), start)

    _run_chunks(run_chunk, n_draws, chunk, settings, len(plan.sequences))
    res.elapsed_s = time.perf_counter() - started
    return res


def _run_chunks(
    run_chunk: Callable[[int], None],
    n_draws: int,
    chunk: int,
    settings: EngineSettings,
    n_seq: int,
) -> None:
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
