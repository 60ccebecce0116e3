"""Benchmark: a fused (numba) line kernel against the NumPy engine's operations, same run.

One "line" of the Figure-2 workload is what the engine does 516 times per chunk of draws:
Weibull progression by inverse cumulative hazard with the history log-HR and the shared frailty,
disease death competing, the line's end, the mean duration per draw and the 0.25-month histogram
behind medians and curves. This script runs that line for ``--nodes`` nodes over
``--draws`` x ``--patients`` patient-draws, (a) with the NumPy operations the engine uses and (b)
as one fused numba loop (``prange`` over draws), checks that both give the same means, and
prints both times and the ratio. numba is needed only for (b) (``pip install numba``); it is not
a netline dependency.

Quick run: ``.venv/bin/python benchmarks/sim_fused_kernel.py --nodes 50``.
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np

F32 = np.float32
LN2 = math.log(2.0)


def numpy_line(
    e: np.ndarray,
    e_death: np.ndarray,
    frail: np.ndarray,
    t: np.ndarray,
    td: np.ndarray,
    median: np.ndarray,
    shape: np.ndarray,
    loghr: np.ndarray,
    rate: np.ndarray,
    nbins: int,
    inv_width: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The engine's NumPy operations for one line (see netline.simulation._line)."""
    scale = median * np.exp(F32(-math.log(LN2)) / shape)
    invk = F32(1) / shape
    lh = loghr + frail
    prog = np.exp((np.log(e) - lh) * invk) * scale + t
    dend = e_death / rate + t
    np.minimum(dend, td, out=dend)
    end = np.minimum(prog, dend)
    alive = t < td
    dur = end - t
    n_alive = alive.sum(axis=1)
    mean = dur.sum(axis=1, dtype=np.float64) / np.maximum(n_alive, 1)
    c = dur.shape[0]
    stride = nbins + 2
    idx = np.minimum(dur * F32(inv_width), F32(nbins)).astype(np.int32)
    idx = np.where(alive, idx, np.int32(nbins + 1))
    idx += (np.arange(c, dtype=np.int32) * stride)[:, None]
    hist = np.bincount(idx.ravel(), minlength=c * stride).reshape(c, stride)
    return end, mean, hist


def make_numba_line():  # type: ignore[no-untyped-def]
    """Compile the fused kernel (returns None when numba is not installed)."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(parallel=True, fastmath=True, cache=False)
    def fused(
        e, e_death, frail, t, td, median, shape, loghr, rate, nbins, inv_width, end, mean, hist
    ):  # type: ignore[no-untyped-def]
        c, n = e.shape
        for d in numba.prange(c):
            k = shape[d, 0]
            scale = median[d, 0] * math.exp(-math.log(LN2) / k)
            invk = 1.0 / k
            total = 0.0
            alive_n = 0
            for i in range(n):
                lh = loghr[d, 0] + frail[d, i]
                prog = math.exp((math.log(e[d, i]) - lh) * invk) * scale + t[d, i]
                dd = e_death[d, i] / rate[d, 0] + t[d, i]
                if td[d, i] < dd:
                    dd = td[d, i]
                en = prog if prog < dd else dd
                end[d, i] = en
                if t[d, i] < td[d, i]:
                    dur = en - t[d, i]
                    total += dur
                    alive_n += 1
                    b = int(min(dur * inv_width, nbins))
                    hist[d, b] += 1
                else:
                    hist[d, nbins + 1] += 1
            mean[d] = total / max(alive_n, 1)

    return fused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=516)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=32, help="draws per chunk (as the engine)")
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    c, n = args.chunk, args.patients
    e = rng.exponential(size=(c, n)).astype(F32) + F32(1e-7)
    e_death = rng.exponential(size=(c, n)).astype(F32)
    frail = (0.5 * rng.standard_normal((c, n)) - 0.125).astype(F32)
    t = rng.exponential(10.0, (c, n)).astype(F32)
    td = (t + rng.exponential(200.0, (c, n))).astype(F32)
    median = rng.uniform(8, 20, (c, 1)).astype(F32)
    shape = rng.uniform(0.8, 1.4, (c, 1)).astype(F32)
    loghr = rng.normal(0.2, 0.1, (c, 1)).astype(F32)
    rate = np.full((c, 1), 0.003, F32)
    nbins, inv_width = 960, 4.0
    chunks = math.ceil(args.draws / c)
    calls = chunks * args.nodes

    numpy_line(e, e_death, frail, t, td, median, shape, loghr, rate, nbins, inv_width)
    t0 = time.perf_counter()
    for _ in range(calls):
        _, mean_np, hist_np = numpy_line(
            e, e_death, frail, t, td, median, shape, loghr, rate, nbins, inv_width
        )
    numpy_s = time.perf_counter() - t0
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, NumPy {np.__version__}"
    )
    print(
        f"workload: {args.nodes} lines x {args.draws} draws x {args.patients} patients "
        f"({calls} chunk-lines of {c} draws)"
    )
    print(f"NumPy engine operations: {numpy_s:8.2f} s")
    fused = make_numba_line()
    if fused is None:
        print("numba not installed: fused kernel not measured")
        return
    import numba

    end = np.empty((c, n), F32)
    mean = np.empty(c, np.float64)
    hist = np.zeros((c, nbins + 2), np.int64)
    t0 = time.perf_counter()
    fused(e, e_death, frail, t, td, median, shape, loghr, rate, nbins, inv_width, end, mean, hist)
    compile_s = time.perf_counter() - t0
    np.testing.assert_allclose(mean, mean_np, rtol=1e-4)
    assert np.abs(hist - hist_np).sum() <= 0.001 * hist.sum()
    t0 = time.perf_counter()
    for _ in range(calls):
        hist[:] = 0
        fused(
            e, e_death, frail, t, td, median, shape, loghr, rate, nbins, inv_width, end, mean, hist
        )
    fused_s = time.perf_counter() - t0
    print(
        f"numba {numba.__version__} fused kernel ({numba.get_num_threads()} threads): "
        f"{fused_s:8.2f} s (+{compile_s:.1f} s compile) -> x{numpy_s / fused_s:.2f} vs NumPy"
    )


if __name__ == "__main__":
    main()
