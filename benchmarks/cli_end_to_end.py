"""Benchmark: `netline assess` and `netline advise` on the seed case, end to end (target < 1 s).

Each command runs as a fresh process, repeated N times after one warm-up (median reported), with
two baselines timed in the same run: the interpreter alone, and a process that only loads and
validates the seed case (the cost no command on a case file can avoid).

Two ways of starting are timed, in the same run:

* ``bytecode cached``: as an installed package runs (pip compiles the modules at install): the
  children write and reuse their bytecode in a temporary ``PYTHONPYCACHEPREFIX``, even when the
  calling environment sets ``PYTHONDONTWRITEBYTECODE`` (as this project's sandbox does);
* ``compiled each run``: netline's own modules compiled from source at every start (what a
  source checkout under ``PYTHONDONTWRITEBYTECODE=1`` pays; third-party packages keep theirs).

The knowledge base's parse cache (``netline.evidence._cache``) lives in a temporary folder for
the run; the warm-up fills it, as any first run after installing or changing the knowledge
base does.

Usage: python benchmarks/cli_end_to_end.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

from cli_startup import median_seconds  # the same timer (a sibling script)

TARGET_S = 1.0
SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-case.yaml"


def _run_all(python: str, repeat: int) -> dict[str, float]:
    """Median seconds of the floor, the case load and each command, in the current environment."""
    times = {
        "floor": median_seconds([python, "-c", "pass"], repeat),
        "load": median_seconds(
            [python, "-c", f"from netline.records import load_case; load_case({str(SEED)!r})"],
            repeat,
        ),
    }
    for verb in ("assess", "advise"):
        times[verb] = median_seconds([python, "-m", "netline", verb, str(SEED)], repeat)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    python = sys.executable
    saved = dict(os.environ)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="netline-bench-") as scratch:
        prefix = str(Path(scratch) / "pyc")
        try:
            os.environ["NETLINE_CACHE_DIR"] = str(Path(scratch) / "cache")
            os.environ.pop("NETLINE_NO_CACHE", None)
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = prefix
            results["bytecode cached"] = _run_all(python, args.repeat)
            os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
            os.environ.pop("PYTHONPYCACHEPREFIX")
            results["compiled each run"] = _run_all(python, args.repeat)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    print(
        f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    for mode, times in results.items():
        load = times["load"]
        print(f"-- {mode}")
        print(f"interpreter floor            {times['floor']:6.2f} s")
        print(f"load the case file only      {load:6.2f} s")
        for verb in ("assess", "advise"):
            took = times[verb]
            verdict = "within" if took < TARGET_S else "above"
            print(
                f"netline {verb} seed case     {took:6.2f} s   ×{took / load:.1f} the case load; "
                f"{verdict} the {TARGET_S:.0f} s target"
            )


if __name__ == "__main__":
    main()
