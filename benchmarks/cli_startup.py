"""Benchmark: how fast `netline --help` starts (target: well under 0.5 s).

Runs in one process, in this order, each repeated N times (median reported):

* floor     - `python -c pass`: the interpreter alone;
* netline   - `python -m netline --help`: what a user waits for;
* eager     - `python -c "import netline.records, netline.assessment, netline.cli"`: the import cost
              the CLI would pay if it loaded its modules eagerly (the baseline lazy imports avoid).

Usage: python benchmarks/cli_startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time

TARGET_S = 0.5


def median_seconds(command: list[str], repeat: int) -> float:
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    floor = median_seconds([python, "-c", "pass"], args.repeat)
    cli = median_seconds([python, "-m", "netline", "--help"], args.repeat)
    eager = median_seconds(
        [python, "-c", "import netline.records, netline.assessment, netline.cli"], args.repeat
    )
    print(f"machine: {platform.machine()} {platform.system()}, Python {platform.python_version()}")
    print(f"interpreter floor        {floor * 1000:7.1f} ms")
    print(f"netline --help           {cli * 1000:7.1f} ms   (target < {TARGET_S * 1000:.0f} ms)")
    print(f"eager import baseline    {eager * 1000:7.1f} ms")
    print(f"ratio netline/eager      {cli / eager:7.2f}")
    print(f"netline above the floor  {(cli - floor) * 1000:7.1f} ms")
    print("PASS" if cli < TARGET_S else "ABOVE TARGET")


if __name__ == "__main__":
    main()
