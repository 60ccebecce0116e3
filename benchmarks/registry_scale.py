"""Registry analytics at scale on the synthetic cohort, each step with a baseline in the same run.

Usage: python benchmarks/registry_scale.py [--n 1000000] [--seed 1] [--import-n 10000]
    [--skip cox,table1,...] [--imports-only]

Steps: write the synthetic cohort's course tables as Parquet and free the generated cohort;
read them back as netline course tables, against a plain DuckDB read of the same files;
import ``--import-n`` synthetic records (the demo registry's generator) into a new store,
written as a folder of YAML case files (against a plain YAML parse of the same files with
libyaml's C loader; the import is also timed in its two parts, reading and checking, then
writing the store) and as OMOP CDM tables in Parquet (against a plain DuckDB read of the same
files), each with its patients per second; derive lines and select the cohort, against the course
engine alone on the same files (in a child process, so that its memory is not counted here);
Table 1 (against pandas ``describe()``); pathways (against ``value_counts`` of the
sequences); Kaplan-Meier of PFS by first-line class (against one lifelines curve); Cox with
five covariates, robust variance and PH check (against lifelines' bare fit of the same rows).
Every step prints its time, resident memory after it, the peak so far and the load average,
and every ratio to its baseline; each step shows its progress (spinner and time elapsed) on
stderr; ``--skip`` leaves steps out (names: casefiles, omop, table1, pathways, km, cox);
``--imports-only`` runs the import steps alone. The peak
resident memory of the whole process is printed at the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from netline.registry import cox, kaplan_meier, open_registry, pathways, select_cohort, table1
from netline.registry._course import DAYS_PER_MONTH, CourseTables, synthetic_cohort
from netline.registry._progress import steps
from netline.registry.analytics.cohort import CohortSource
from netline.registry.analytics.survival import cox_data
from netline.registry.datasets import demo_records
from netline.registry.omop import export_records
from netline.registry.omop_import import import_omop


def _rss_mb() -> float:
    """Resident memory of the process now (MB)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def _release() -> None:
    """Hand freed memory back to the system (Arrow's pool, then glibc's heap).

    Called after the generated cohort and after the course tables are freed, so that memory
    the process no longer uses is not counted under the next step.
    """
    import contextlib
    import ctypes

    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run one step; print its time, memory now and peak so far, and the load average."""
    with steps(1, label, enabled=True) as begin:
        begin("running")
        start = time.perf_counter()
        value = func(*args, **kwargs)
        seconds = time.perf_counter() - start
    load = os.getloadavg()[0]
    print(
        f"{label:<52} {seconds:8.1f} s  rss {_rss_mb():6.0f} MB  peak {_peak_mb():6.0f} MB"
        f"  load {load:4.1f}",
        flush=True,
    )
    return value, seconds


def _ratio(label: str, took: float, base: float) -> None:
    print(f"  {label}: {took:.1f} s vs baseline {base:.1f} s, ratio {took / base:.1f}", flush=True)


def _plain_read(files: list[Path]) -> int:
    """The baseline: a plain DuckDB read of Parquet files into tables."""
    con = duckdb.connect()
    rows = 0
    for f in files:
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_parquet('{f}')")
        rows += con.execute(f"SELECT COUNT(*) FROM {f.stem}").fetchone()[0]
    con.close()
    return rows


def _yaml_parse(files: list[Path]) -> int:
    """The baseline: a plain YAML parse (libyaml's C loader) of the same case files."""
    import yaml

    return sum(len(yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)) for f in files)


def _throughput(label: str, report, took: float, base: float) -> None:  # type: ignore[no-untyped-def]
    print(
        f"  {label}: {len(report.added)} patients added in {took:.1f} s, "
        f"{len(report.added) / took:,.0f} patients/s; baseline {base:.1f} s, "
        f"{len(report.added) / base:,.0f} patients/s; time ratio to baseline {took / base:.1f}",
        flush=True,
    )


def _case_file_import(records, tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """Import a folder of YAML case files, against a plain YAML parse of the same files.

    The import is timed in its two parts: reading and checking the files (the strict reader
    and the record checks shared with ``netline assess``), then writing the store; then the
    same folder is imported again (every record unchanged: nothing is written).
    """
    from netline.records import dump_case
    from netline.registry.importers.casefiles import read_case_files

    folder = tmp / "cases"
    folder.mkdir()

    def write() -> None:
        for record in records:
            dump_case(record, folder / f"{record.patient.id}.yaml")

    _timed("write them as YAML case files", write)
    files = sorted(folder.glob("*.yaml"))
    _, base = _timed("baseline: plain YAML parse (CSafeLoader)", _yaml_parse, files)
    # Registry.import_case_files is exactly these two calls; timed apart to show each part
    (items, source), read = _timed(
        "netline: read and check the case files", read_case_files, folder, progress=False
    )
    with open_registry(tmp / "cases.duckdb") as registry:
        report, write = _timed(
            "netline: write them to the store", registry.import_records, items, source=source
        )
        _throughput("case files (read and check + write)", report, read + write, base)
        print(f"  read and check {read:.1f} s + write {write:.1f} s", flush=True)
        again, took = _timed(
            "netline: import the same files again (unchanged)", registry.import_case_files, folder
        )
        print(f"  {len(again.unchanged)} unchanged; ratio to baseline {took / base:.1f}")


def _imports(n: int, seed: int, skip: set[str]) -> None:
    """Import ``n`` synthetic records as case files and as OMOP Parquet, each with a baseline."""
    records, _ = _timed(f"generate {n} synthetic records", demo_records, n, seed)
    with tempfile.TemporaryDirectory() as tmp:
        if "casefiles" not in skip:
            _case_file_import(records, Path(tmp))
        if "omop" in skip:
            return
        folder = Path(tmp) / "omop"
        _timed("export them as OMOP Parquet", export_records, records, folder, "parquet")
        del records
        files = sorted(folder.glob("*.parquet"))
        rows, base = _timed("baseline: plain DuckDB read of the OMOP files", _plain_read, files)
        with open_registry(Path(tmp) / "store.duckdb") as registry:
            report, took = _timed(
                "netline: import the OMOP tables (checked)", import_omop, registry, folder
            )
        print(f"  {rows} rows of OMOP tables", flush=True)
        _throughput("OMOP Parquet", report, took, base)


def _facts(cohort) -> pa.Table:  # type: ignore[no-untyped-def]
    patients = cohort.patients
    follow = cohort.tables.followup
    diagnosis = follow.column("diagnosis")
    age = pc.divide(
        pc.cast(
            pc.subtract(
                pc.cast(diagnosis, pa.int32()), pc.cast(patients.column("birth_date"), pa.int32())
            ),
            pa.float64(),
        ),
        DAYS_PER_MONTH * 12,
    )
    n = patients.num_rows
    nulls = pa.nulls(n)
    return pa.table(
        {
            "patient_id": pc.cast(patients.column("patient_id"), pa.string()),
            "case_id": pc.cast(patients.column("patient_id"), pa.string()),
            "synthetic": pa.array([True] * n),
            "sex": pc.cast(patients.column("sex"), pa.string()),
            "site": pc.cast(patients.column("site"), pa.string()),
            "diagnosis": diagnosis,
            "age_at_diagnosis": age,
            "ki67_percent": nulls.cast(pa.float64()),
            "grade": nulls.cast(pa.string()),
            "stage": nulls.cast(pa.string()),
            "functioning_syndrome": pa.array(["unknown"] * n),
            "hereditary_syndrome": pa.array(["unknown"] * n),
            "distant_metastases": pa.array([True] * n),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--import-n", type=int, default=10_000)
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out")
    parser.add_argument("--imports-only", action="store_true", help="only the import steps")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    print(f"registry benchmark: {args.n} synthetic patients", flush=True)
    if not {"omop", "casefiles"} <= skip:
        _imports(args.import_n, args.seed, skip)
    if args.imports_only:
        print(f"peak resident memory {_peak_mb():.0f} MB", flush=True)
        return
    cohort, _ = _timed(
        "generate synthetic cohort", synthetic_cohort, args.n, args.seed, with_lesions=False
    )
    held = [_facts(cohort)]  # the facts, then the course tables; handed over, not kept here
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _timed("write course tables as Parquet", cohort.tables.write_parquet, folder)
        del cohort  # the registry path works from the files, as a registry would
        _release()
        files = sorted(folder.glob("*.parquet"))
        size = sum(f.stat().st_size for f in files) / 1e6
        rows, base = _timed("baseline: plain DuckDB read of the Parquet", _plain_read, files)
        tables, read = _timed(
            "netline: read course tables (checked)", CourseTables.read_parquet, folder
        )
        print(f"  {rows} rows, {size:.1f} MB; {rows / read:,.0f} rows/s")
        _ratio("read", read, base)
        engine = _engine_alone(folder)
    held.append(tables)
    del tables
    _steps(held, engine, skip)
    print(f"peak resident memory {_peak_mb():.0f} MB (this process: the registry path)")


def _engine_alone(folder: Path) -> float:
    """Baseline: the course engine alone on the same files, in a child process.

    In a process of its own, so that its working memory is not counted in this process's peak
    (which is the registry path's) and its freed memory does not sit under the next step.
    """
    code = (
        "import os, resource, sys, time\n"
        "from netline.registry._course import CourseTables, derive_lines\n"
        "tables = CourseTables.read_parquet(sys.argv[1])\n"
        "start = time.perf_counter(); derive_lines(tables); took = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(took, peak, os.getloadavg()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True
    )
    took, peak, load = (float(v) for v in done.stdout.split())
    label = "baseline: course engine alone (derive_lines, child)"
    print(f"{label:<52} {took:8.1f} s  (child's peak {peak:6.0f} MB)  load {load:4.1f}")
    return took


def _steps(held: list, base: float, skip: set[str]) -> None:  # type: ignore[type-arg]
    """Derive and select (against the engine alone), then each analytics step and its baseline."""
    source = CohortSource(*held)
    held.clear()
    chosen, took = _timed("netline: derive lines and select the cohort", select_cohort, source)
    _ratio("derive and select", took, base)
    del source  # the course tables and facts: the cohort has what the analytics need
    _release()
    import lifelines  # noqa: F401  (imported once here, after derivation: no step pays for it)

    facts = chosen.facts
    if "table1" not in skip:
        _, base = _timed("baseline: pandas describe() of the facts", facts.describe, include="all")
        _, took = _timed("netline: Table 1", table1, chosen)
        _ratio("Table 1", took, base)
    if "pathways" not in skip:
        column = facts["sequence_class"]
        _, base = _timed("baseline: pandas value_counts of sequences", column.value_counts)
        _, took = _timed("netline: pathways (class, 3 lines)", pathways, chosen)
        _ratio("pathways", took, base)
    if "km" not in skip:
        _, base = _timed("baseline: one lifelines KM of line-1 PFS", _one_km, chosen)
        _, took = _timed(
            "netline: Kaplan-Meier PFS line 1 by class", kaplan_meier, chosen, "pfs", 1, "class"
        )
        _ratio("Kaplan-Meier", took, base)
    if "cox" not in skip:
        _, base = _timed("baseline: lifelines Cox fit, model-based SE, no PH", _plain_cox, chosen)
        _, took = _timed(
            "netline: Cox PFS lines >= 2, five covariates",
            cox,
            chosen,
            COVARIATES,
            "pfs",
            (2, None),
        )
        _ratio("Cox", took, base)


COVARIATES = ["line", "prior_ssa", "prior_radioligand", "prior_mtor_inhibitor", "age_at_diagnosis"]


def _one_km(chosen):  # type: ignore[no-untyped-def]
    """Baseline: one Kaplan-Meier curve (lifelines) of the same durations, no groups."""
    from lifelines import KaplanMeierFitter

    rows = chosen.lines[chosen.lines["line"] == 1]
    rows = rows[rows["pfs_days"].notna()]
    return KaplanMeierFitter().fit(
        rows["pfs_days"] / DAYS_PER_MONTH, rows["pfs_event"].astype(bool)
    )


def _plain_cox(chosen):  # type: ignore[no-untyped-def]
    """Baseline: lifelines' Cox fit of the same rows, model-based variance, no PH check."""
    import warnings

    from lifelines import CoxPHFitter

    frame = cox_data(chosen, "pfs", (2, None))[["months", "event", *COVARIATES]].dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxPHFitter().fit(frame, "months", "event", batch_mode=True)


if __name__ == "__main__":
    main()
