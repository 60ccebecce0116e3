"""Benchmark: lines of therapy and per-line PFS for a synthetic registry (DuckDB engine).

Generates a synthetic cohort (default 1,000,000 patients, about 28 million events), derives the
lines of therapy with their best response, PFS, time to next treatment and OS on the embedded
engine (DuckDB through Ibis), and, in the same process, times the straightforward pandas
group-by-apply statement of the same rules (``netline.course._reference``) on a sample, checking
that both give the same lines there. Prints patients per second for both, their ratio, the
ratio to TreatmentPatterns' published figure (2,693 Eunomia subjects in 10.8 s, about 250 per
second) and the peak resident memory of the process.

Usage::

    .venv/bin/python benchmarks/course_lines.py                 # 10^6 patients
    .venv/bin/python benchmarks/course_lines.py --patients 20000  # quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import time
from typing import Any

TREATMENT_PATTERNS_PER_SECOND = 2693 / 10.8  # Eunomia, TreatmentPatterns paper/vignette


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000, help="patients for the pandas run")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--memory-limit", default="1500MB", help="DuckDB memory limit")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    import ibis

    from netline.course import LineRules, derive_lines
    from netline.course._reference import reference_lines
    from netline.course.synthetic import synthetic_cohort

    rules = LineRules()
    t0 = time.perf_counter()
    cohort = synthetic_cohort(args.patients, seed=args.seed, with_lesions=False)
    generate_s = time.perf_counter() - t0
    tables = cohort.tables
    rss_after_generation = peak_rss_mb()

    con = ibis.duckdb.connect(
        threads=args.threads, memory_limit=args.memory_limit, preserve_insertion_order=False
    )
    t0 = time.perf_counter()
    course = derive_lines(tables, rules, backend=con)
    derive_s = time.perf_counter() - t0
    rss_after_derive = peak_rss_mb()
    n_lines = course.lines.num_rows

    sample_ids = list(range(1, min(args.sample, args.patients) + 1))
    sample = tables.select(sample_ids)
    t0 = time.perf_counter()
    reference = reference_lines(sample, rules)
    pandas_s = time.perf_counter() - t0
    engine_sample = course.lines.to_pandas()
    engine_sample = engine_sample[engine_sample.patient_id <= sample_ids[-1]]
    same = len(reference) == len(engine_sample) and list(
        reference.sort_values(["patient_id", "line"]).pfs_days
    ) == list(engine_sample.sort_values(["patient_id", "line"]).pfs_days)

    engine_rate = args.patients / derive_s
    pandas_rate = len(sample_ids) / pandas_s
    result = {
        "date": dt.date.today().isoformat(),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "patients": args.patients,
        "events": cohort.n_events,
        "episodes": tables.episodes.num_rows,
        "assessments": tables.assessments.num_rows,
        "lines": n_lines,
        "generate_s": round(generate_s, 2),
        "derive_s": round(derive_s, 2),
        "engine_patients_per_s": round(engine_rate),
        "pandas_sample": len(sample_ids),
        "pandas_s": round(pandas_s, 2),
        "pandas_patients_per_s": round(pandas_rate),
        "speedup_vs_pandas": round(engine_rate / pandas_rate, 1),
        "speedup_vs_treatmentpatterns": round(engine_rate / TREATMENT_PATTERNS_PER_SECOND, 1),
        "pandas_matches_engine": same,
        "peak_rss_mb_after_generation": round(rss_after_generation),
        "peak_rss_mb": round(rss_after_derive),
        "threads": args.threads,
        "duckdb_memory_limit": args.memory_limit,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        width = max(len(k) for k in result)
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
    return result


if __name__ == "__main__":
    sys.exit(0 if main()["pandas_matches_engine"] else 1)
