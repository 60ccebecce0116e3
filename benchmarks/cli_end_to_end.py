"""Benchmark: `netline assess` and `netline advise` on the seed case, end to end (target < 1 s).

Each command runs as a fresh process, repeated N times after one warm-up (median reported), with
two baselines timed in the same run: the interpreter alone, and a process that only loads and
validates the seed case (the cost no command on a case file can avoid). Both the wall time and
the CPU time of the process (user + system, from ``getrusage``) are reported: on a shared
machine the CPU time is the steadier figure.

Two ways of starting are timed, in the same run:

* ``bytecode cached``: as an installed package runs (pip compiles the modules at install): the
  children write and reuse their bytecode in a temporary ``PYTHONPYCACHEPREFIX``, even when the
  calling environment sets ``PYTHONDONTWRITEBYTECODE`` (as this project's sandbox does);
* ``compiled each run``: netline's own modules compiled from source at every start (what a
  source checkout under ``PYTHONDONTWRITEBYTECODE=1`` pays; third-party packages keep theirs).

The knowledge base's parse cache (``netline.evidence._cache``) lives in a temporary folder for
the run; the warm-up fills it, as any first run after installing or changing the knowledge
base does.

``--before DIR`` names another source tree (a ``src`` folder, e.g. from ``git archive`` of an
earlier commit): each command then runs alternately from it and from this checkout, so before
and after are measured in the same run under the same load.

Usage: python benchmarks/cli_end_to_end.py [--repeat N] [--before SRC]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.0
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-case.yaml"


def _once(command: list[str], source: Path) -> tuple[float, float]:
    """Run a command with ``source`` first on the path; return (wall, CPU) seconds."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), str(ROOT)])}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _time(command: list[str], sources: list[Path], repeat: int) -> list[tuple[float, float]]:
    """Median (wall, CPU) for each source tree, the trees taking turns."""
    for source in sources:
        _once(command, source)  # warm the file, bytecode and parse caches
    runs: list[list[tuple[float, float]]] = [[] for _ in sources]
    for _ in range(repeat):
        for i, source in enumerate(sources):
            runs[i].append(_once(command, source))
    return [
        (statistics.median(w for w, _ in timed), statistics.median(c for _, c in timed))
        for timed in runs
    ]


def _commands(python: str) -> dict[str, list[str]]:
    return {
        "interpreter floor": [python, "-c", "pass"],
        "load the case file only": [
            python,
            "-c",
            f"from netline.records import load_case; load_case({str(SEED)!r})",
        ],
        "netline assess seed case": [python, "-m", "netline", "assess", str(SEED)],
        "netline advise seed case": [python, "-m", "netline", "advise", str(SEED)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--before", type=Path, help="an earlier source tree to time alongside")
    args = parser.parse_args()
    sources = [ROOT / "src"] if args.before is None else [args.before.resolve(), ROOT / "src"]
    labels = ["now"] if args.before is None else ["before", "now"]
    saved = dict(os.environ)
    print(
        f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="netline-bench-") as scratch:
        try:
            os.environ["NETLINE_CACHE_DIR"] = str(Path(scratch) / "cache")
            os.environ.pop("NETLINE_NO_CACHE", None)
            for mode in ("bytecode cached", "compiled each run"):
                if mode == "bytecode cached":
                    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
                    os.environ["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pyc")
                else:
                    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
                    os.environ.pop("PYTHONPYCACHEPREFIX", None)
                print(f"-- {mode} (median wall s / CPU s)")
                print(f"{'':28}" + "".join(f"{label:>18}" for label in labels))
                for name, command in _commands(sys.executable).items():
                    timed = _time(command, sources, args.repeat)
                    cells = "".join(f"{wall:9.2f} /{cpu:6.2f}  " for wall, cpu in timed)
                    verdict = ""
                    if name.startswith("netline"):
                        ok = timed[-1][0] < TARGET_S
                        verdict = f"  {'within' if ok else 'above'} the {TARGET_S:.0f} s target"
                    print(f"{name:<28}{cells}{verdict}")
        finally:
            os.environ.clear()
            os.environ.update(saved)
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
