"""Benchmark: advice for one patient (target: under 20 ms after warm-up).

Runs in one process on the seed case at its four decision points, each workload repeated N
times after one warm-up call (median reported):

* baseline: loading the case file (parse, resolve dates, validate) and
  ``assess(record, lines=False)`` (the assessment without the columnar course engine);
* the parts of advice: the lines from the course engine (``patient_line_rows``, which carry
  every line field, end reasons included), the decision state, the surgery assessment, the
  options;
* ``advise(record, at)`` end to end, and the same less the course engine (what advice itself
  costs): measured directly, with the course engine's lines for that date computed beforehand
  and handed back (``course_lines`` stubbed), not as a difference of two noisy medians.

The knowledge base is loaded and indexed once (cached) before timing, as in a running service.
The last column repeats advice's own cost in CPU time (``time.process_time``), which the other
work on a shared machine disturbs less than the wall clock; the load average is printed.

Usage: python benchmarks/advise_latency.py [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

TARGET_MS = 20.0
SEED = Path(__file__).parents[1] / "examples" / "seed-case.yaml"
POINTS = (dt.date(2019, 2, 1), dt.date(2019, 12, 16), dt.date(2021, 5, 16), dt.date(2022, 6, 1))


def median_ms(
    work: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    work()  # warm-up
    times = []
    for _ in range(repeat):
        start = clock()
        work()
        times.append(clock() - start)
    return statistics.median(times) * 1000


def _own_cost(
    record: object,
    at: dt.date,
    view: object,
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Median of ``advise`` with the course engine's lines for ``at`` computed beforehand."""
    import netline.advice.state as state_module
    from netline.advice import advise
    from netline.advice.state_lines import course_lines

    computed = course_lines(view)  # type: ignore[arg-type]
    real = getattr(state_module, "course_lines")  # noqa: B009 - stubbed below
    setattr(state_module, "course_lines", lambda _view: computed)  # noqa: B010
    try:
        return median_ms(lambda: advise(record, at), repeat, clock)  # type: ignore[arg-type]
    finally:
        setattr(state_module, "course_lines", real)  # noqa: B010


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    from netline.advice import advise
    from netline.advice._kb import kb_index
    from netline.advice.options import evaluate_options
    from netline.advice.state import decision_state, record_as_of
    from netline.advice.state_lines import course_lines
    from netline.advice.surgery import assess_surgery
    from netline.assessment import assess
    from netline.records import load_case

    started = time.perf_counter()
    index = kb_index()
    kb_ms = (time.perf_counter() - started) * 1000
    record = load_case(SEED)
    print(
        f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    print(f"knowledge base load + index (once, cached): {kb_ms:7.1f} ms")
    load = median_ms(lambda: load_case(SEED), args.repeat)
    assessment = median_ms(lambda: assess(record, lines=False), args.repeat)
    print(f"baseline: load the case file           {load:7.2f} ms")
    print(f"baseline: assess(record, lines=False) {assessment:7.2f} ms")
    print()
    header = (
        f"{'decision point':<14} {'course lines':>13} {'state':>9} {'surgery':>8} "
        f"{'options':>8} {'advise':>9} {'advise, course lines given':>27} {'(CPU)':>8}"
    )
    slow = max(3, args.repeat // 10)
    print(header)
    advise_times: list[float] = []
    without_times: list[float] = []
    cpu_times: list[float] = []
    for at in POINTS:
        view = record_as_of(record, at)
        lines = median_ms(partial(course_lines, view), slow)
        state_ms = median_ms(partial(decision_state, record, at, index=index), slow)
        state = decision_state(record, at, index=index)
        surgery_ms = median_ms(partial(assess_surgery, state, index), args.repeat)
        surgery = assess_surgery(state, index)
        options_ms = median_ms(partial(evaluate_options, state, index, surgery), args.repeat)
        total = median_ms(partial(advise, record, at), slow)
        without = _own_cost(record, at, view, args.repeat)
        without_cpu = _own_cost(record, at, view, args.repeat, time.process_time)
        advise_times.append(total)
        without_times.append(without)
        cpu_times.append(without_cpu)
        print(
            f"{at.isoformat():<14} {lines:11.1f}ms {state_ms:7.1f}ms "
            f"{surgery_ms:6.2f}ms {options_ms:6.2f}ms {total:7.1f}ms {without:24.2f}ms "
            f"{without_cpu:6.2f}ms"
        )
    worst = max(advise_times)
    print()
    print(f"advise, worst decision point (median): {worst:.2f} ms (target < {TARGET_MS:g} ms)")
    print(
        f"advise less the course engine (advice's own cost): {max(without_times):.2f} ms "
        f"({max(cpu_times):.2f} ms CPU); load now {os.getloadavg()[0]:.1f}"
    )
    print(f"ratio advise / load the case file:     {worst / load:.2f}")
    print(f"ratio advise / assess(no lines):       {worst / assessment:.2f}")
    print("PASS" if worst < TARGET_MS else "ABOVE TARGET")


if __name__ == "__main__":
    main()
