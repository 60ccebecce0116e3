"""Benchmark: the Figure-2 workload of the sequence simulator.

Every ordering of up to 4 of 6 agents (516 sequences) x 1,000 PSA draws x 1,000 patients,
from ``examples/models/pnet-sequences.yaml`` (with its history effects: prior SSA, the
per-line effect, cross-resistance, covariates, and the shared frailty). Prints trajectories
per second of the engine and, timed in the same process, of the per-patient reference loop
(tests/simulation/reference.py), both in wall and in CPU time (CPU time is the fair measure on
a shared machine), the floor (drawing the engine's random numbers alone, and what drawing one
set per trajectory would cost), hesim's published figure, and peak memory.

Quick run: ``.venv/bin/python benchmarks/simulate_sequences.py --sequences 36 --draws 50``.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "simulation"))

HESIM_TRAJ_PER_S = 1.7e5  # hesim benchmarks vignette: 1,000 patients x 1,000 PSA samples in 6 s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(ROOT / "examples/models/pnet-sequences.yaml"))
    parser.add_argument("--sequences", type=int, default=None, help="first N sequences only")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reference-patients", type=int, default=2000)
    args = parser.parse_args()

    from netline.simulation import compile_model, load_model, sample_parameters, sample_population
    from netline.simulation.engine import EngineSettings, run_plan

    spec = load_model(args.model)
    compiled = compile_model(spec)
    plan = compiled.plan
    if args.sequences is not None:
        from dataclasses import replace

        plan = replace(
            plan,
            sequences=plan.sequences[: args.sequences],
            sequence_ids=plan.sequence_ids[: args.sequences],
        )
    n_seq = len(plan.sequences)
    seed = spec.simulation.seed
    params = sample_parameters(compiled.param_specs, args.draws, seed)
    population = sample_population(spec.population, args.patients, seed, False)
    settings = EngineSettings(
        patients=args.patients,
        seed=seed,
        workers=args.workers,
        progress=False,
        curve_max_months=240.0,
    )

    # warm-up on a tiny run (imports, allocator)
    run_plan(plan, sample_parameters(compiled.param_specs, 2, seed), population, settings)

    t0 = time.perf_counter()
    c0 = time.process_time()
    raw = run_plan(plan, params, population, settings)
    engine_s = time.perf_counter() - t0
    engine_cpu = time.process_time() - c0
    trajectories = n_seq * args.draws * args.patients
    engine_rate = trajectories / engine_s

    n_ref, ref_rate, ref_cpu_rate = _reference_rates(plan, params, spec, args)
    slots, crn_floor_s, per_traj, naive_floor_s = _random_number_floors(
        plan, args, trajectories, seed
    )

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}, workers {args.workers}"
    )
    print(
        f"workload: {n_seq} sequences x {args.draws} draws x {args.patients} patients "
        f"= {trajectories:,} trajectories ({len(raw.pfs_mean[0])} distinct lines after prefix "
        "sharing)"
    )
    print(f"engine:            {engine_s:8.2f} s   {engine_rate:14,.0f} trajectories/s")
    cpu_rate = trajectories / engine_cpu
    print(
        f"CPU time (fair on a shared machine): engine {engine_cpu:.2f} s, "
        f"{cpu_rate:,.0f} trajectories per CPU-second; reference loop "
        f"{ref_cpu_rate:,.0f} per CPU-second -> engine x{cpu_rate / ref_cpu_rate:,.0f}"
    )
    print(
        f"reference loop:    {n_ref / ref_rate:8.2f} s   {ref_rate:14,.0f} trajectories/s "
        f"({n_ref} trajectories of 4-line sequences) -> engine x{engine_rate / ref_rate:,.0f}"
    )
    print(
        f"hesim (published): {'':8}     {HESIM_TRAJ_PER_S:14,.0f} trajectories/s "
        f"-> engine x{engine_rate / HESIM_TRAJ_PER_S:,.1f}"
    )
    print(f"floor, CRN numbers the engine draws ({slots} per patient-draw): {crn_floor_s:.2f} s")
    print(f"floor, one set per trajectory ({per_traj} numbers each, no CRN): {naive_floor_s:.1f} s")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
    history = [m.name for m in plan.modifiers]
    print(f"history modifiers: {', '.join(history)}; frailty: {plan.frailty_variance is not None}")


def _reference_rates(
    plan: Any, params: Any, spec: Any, args: argparse.Namespace
) -> tuple[int, float, float]:
    """Time the per-patient reference loop on a slice of the same workload."""
    from reference import simulate_reference

    from netline.simulation import sample_population

    seed = spec.simulation.seed
    ref_seqs = [s for s in plan.sequences if len(s) == 4][:2] or list(plan.sequences[:2])
    if plan.frailty_variance is not None:  # per-draw set-up of the oracle, not per trajectory
        from reference import frailty_factor

        frailty_factor(float(params[plan.frailty_variance][0]))
    t0 = time.perf_counter()
    c0 = time.process_time()
    n_ref = 0
    ref_pop = sample_population(spec.population, args.reference_patients, seed, False)
    for seq in ref_seqs:
        simulate_reference(plan, params, ref_pop, seq, draw=0, seed=seed)
        n_ref += args.reference_patients
    ref_rate = n_ref / (time.perf_counter() - t0)
    ref_cpu_rate = n_ref / (time.process_time() - c0)

    return n_ref, ref_rate, ref_cpu_rate


def _random_number_floors(
    plan: Any, args: argparse.Namespace, trajectories: int, seed: int
) -> tuple[int, float, int, float]:
    """The time to draw the engine's random numbers, and one set per trajectory."""
    # the floor: the random numbers the engine draws (shared across sequences: CRN) ...
    from netline.simulation._trie import build_trie, stream_layout

    _roots, _ = build_trie(plan)
    layout = stream_layout(plan, {})
    slots = len(layout)
    t0 = time.perf_counter()
    for d in range(args.draws):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(3, d))))
        rng.random((slots, args.patients), dtype=np.float32)
    crn_floor_s = time.perf_counter() - t0
    # ... and what one set of numbers per trajectory (no CRN, no prefix sharing) would cost
    per_traj = 2 + 4 * max(1, (slots - 2) // max(1, len(plan.therapies)))
    rng = np.random.default_rng(0)
    block = 10_000_000
    t0 = time.perf_counter()
    rng.random(block, dtype=np.float32)
    per_number = (time.perf_counter() - t0) / block
    naive_floor_s = per_number * per_traj * trajectories

    return slots, crn_floor_s, per_traj, naive_floor_s


if __name__ == "__main__":
    main()
