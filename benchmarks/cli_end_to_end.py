"""Benchmark: `netline assess` and `netline advise` on the seed case, end to end (target < 1 s).

Each command runs as a fresh process, repeated N times after one warm-up (median reported), with
two baselines timed in the same run: the interpreter alone, and a process that only loads and
validates the seed case (the cost no command on a case file can avoid).

Usage: python benchmarks/cli_end_to_end.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

from cli_startup import median_seconds  # the same timer (a sibling script)

TARGET_S = 1.0
SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-case.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    python = sys.executable
    floor = median_seconds([python, "-c", "pass"], args.repeat)
    load = median_seconds(
        [python, "-c", f"from netline.records import load_case; load_case({str(SEED)!r})"],
        args.repeat,
    )
    print(
        f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    print(f"interpreter floor            {floor:6.2f} s")
    print(f"load the case file only      {load:6.2f} s")
    for verb in ("assess", "advise"):
        took = median_seconds([python, "-m", "netline", verb, str(SEED)], args.repeat)
        verdict = "within" if took < TARGET_S else "above"
        print(
            f"netline {verb} seed case     {took:6.2f} s   ×{took / load:.1f} the case load; "
            f"{verdict} the {TARGET_S:.0f} s target"
        )


if __name__ == "__main__":
    main()
