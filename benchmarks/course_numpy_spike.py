"""Spike (issue 9): steps 1-2 of the course engine (eras, line numbers) as NumPy passes.

Times, in the same run, the Polars steps (input checks, preparation, eras, line starts, line
numbers) and the NumPy steps on the same tables, and checks that both give every episode the
same line. Usage: PYTHONPATH=src python benchmarks/course_numpy_spike.py [--patients 10000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from netline.course import LineRules, tables_from_records
from netline.course import engine as E
from netline.course._arrays import NONE, codes_in, days, order_by, sorted_strings
from netline.course._collect import collect_all
from netline.course._eras import Episodes, Eras, eras, number_lines
from netline.course._lines_polars import era_lines
from netline.course._lines_polars import eras as polars_eras
from netline.course._lines_polars import number_lines as polars_number_lines
from netline.course.synthetic import synthetic_cohort
from netline.records import load_case

ROOT = Path(__file__).resolve().parents[1]
PID = "patient_id"


def polars_steps(tables: Any, rules: LineRules) -> pl.DataFrame:
    E._check_missing(tables)
    frames = {name: E._frame(table) for name, table in tables.as_dict().items()}
    prepared = E._prepare(frames, rules)
    inputs = collect_all([*prepared, *E._consistency(frames)])
    E._raise_problems(inputs[4:])
    ep, asm, fu, pr = (frame.lazy() for frame in inputs[:4])
    progressions = asm.filter(pl.col("progression")).select(PID, "day")
    splits = pr.filter(pl.col("kind").is_in(sorted(rules.procedures_as_lines))).select(PID, "day")
    era_table, episode_era = (
        eras(ep, progressions, splits, rules)
        if False
        else polars_eras(ep, progressions, splits, rules)
    )
    stage = collect_all([era_lines(era_table, pr, rules), episode_era])
    numbered = polars_number_lines(stage[0], rules.regimen_window_days)
    return (
        stage[1]
        .lazy()
        .join(numbered.lazy().select("era", "line"), on="era", how="inner")
        .select(PID, "episode_id", "line")
        .sort([PID, "episode_id"])
        .collect()
    )


def numpy_steps(tables: Any, rules: LineRules) -> tuple[Any, Any, Any]:
    fu = tables.followup
    ids = fu.column(PID).take(pc.sort_indices(fu, [(PID, "ascending")]))
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    death = days(fu.column("death"))
    fu_end = np.where(death > NONE, death, days(fu.column("last_follow_up")))
    fu_end = fu_end[np.asarray(pc.index_in(fu.column(PID), value_set=ids).to_numpy())]
    fu_sorted = np.empty_like(fu_end)
    fu_sorted[:] = fu_end  # placeholder: indexing by code below
    order_fu = np.asarray(pc.sort_indices(fu, [(PID, "ascending")]).to_numpy())
    fu_by_code = np.where(death > NONE, death, days(fu.column("last_follow_up")))[order_fu]
    e = tables.episodes
    pr = tables.procedures
    agents = sorted_strings(e.column("agent"), pr.column("procedure"))
    classes = sorted_strings(e.column("agent_class"), pr.column("kind"))
    reasons = sorted_strings(e.column("reason_stopped"))
    patient = codes_in(e.column(PID), ids)
    start = days(e.column("start"))
    stop = days(e.column("stop"))
    ongoing = stop == NONE
    stop = np.maximum(np.where(ongoing, fu_by_code[patient], stop), start)
    cycles = np.asarray(pc.fill_null(e.column("cycles").cast(pa.int64()), -1).to_numpy())
    trial = np.asarray(pc.fill_null(e.column("clinical_trial"), False).to_numpy(), dtype=bool)
    episodes = Episodes(
        patient=patient,
        episode_id=np.asarray(e.column("episode_id").to_numpy(), dtype=np.int64),
        agent=codes_in(e.column("agent"), agents),
        agent_class=codes_in(e.column("agent_class"), classes),
        start=start,
        stop=stop,
        ongoing=ongoing,
        cycles=cycles,
        reason=codes_in(e.column("reason_stopped"), reasons),
        trial=trial,
    )
    a = tables.assessments
    keep = pc.is_in(
        a.column("source"), value_set=pa.array(sorted(rules.assessment_sources), pa.string())
    )
    prog = pc.and_(keep, pc.fill_null(a.column("progression"), False))
    a_pd = a.filter(prog)
    pd_p, pd_d = codes_in(a_pd.column(PID), ids), days(a_pd.column("date"))
    o = order_by(pd_p, pd_d)
    pd_p, pd_d = pd_p[o], pd_d[o]
    counted = pc.is_in(
        pr.column("kind"), value_set=pa.array(sorted(rules.procedures_as_lines), pa.string())
    )
    sp = pr.filter(counted)
    sp_p, sp_d = codes_in(sp.column(PID), ids), days(sp.column("date"))
    o = order_by(sp_p, sp_d)
    radioligand = int(codes_in(pa.array(["radioligand"]), classes)[0])
    ssa = int(codes_in(pa.array(["ssa"]), classes)[0])
    era_table, order, era_of = eras(episodes, pd_p, pd_d, sp_p[o], sp_d[o], radioligand, rules)
    if sp.num_rows:
        n = sp.num_rows
        procs = Eras(
            patient=sp_p,
            agent=codes_in(sp.column("procedure"), agents),
            agent_class=codes_in(sp.column("kind"), classes),
            number=np.asarray(pc.fill_null(sp.column("procedure_id"), 0).to_numpy(), np.int64),
            start=sp_d,
            stop=sp_d,
            ongoing=np.zeros(n, bool),
            cycles=np.full(n, -1),
            trial=np.zeros(n, bool),
            last_pd=np.full(n, NONE),
            reason=np.full(n, -1),
            procedure=np.ones(n, bool),
            line=np.zeros(n, np.int64),
            line_start=np.zeros(n, np.int64),
        )
        fields = list(Eras.__dataclass_fields__)
        era_table = Eras(
            **{f: np.concatenate([getattr(era_table, f), getattr(procs, f)]) for f in fields}
        )
    o = order_by(era_table.patient, era_table.start, era_table.agent, era_table.number)
    fields = list(Eras.__dataclass_fields__)
    sorted_eras = Eras(**{f: getattr(era_table, f)[o] for f in fields})
    numbered = number_lines(sorted_eras, radioligand, ssa, rules)
    line_of_era = np.empty(len(o), np.int64)
    line_of_era[o] = numbered.line
    episode_line = line_of_era[era_of]
    return numbered, order, episode_line


def timed(fn: Any, *args: Any, runs: int) -> float:
    fn(*args)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10000)
    args = parser.parse_args()
    rules = LineRules()
    seed = tables_from_records(load_case(ROOT / "examples" / "seed-case.yaml"))
    cohort = synthetic_cohort(args.patients, seed=2024, with_lesions=False).tables
    for name, tables, runs in (
        ("one patient (seed case)", seed, 50),
        (f"{args.patients} patients", cohort, 5),
    ):
        ref = polars_steps(tables, rules)
        numbered, order, episode_line = numpy_steps(tables, rules)
        ids = np.asarray(tables.episodes.column("episode_id").to_numpy())[order]
        pid = np.asarray(
            codes_in(
                tables.episodes.column(PID),
                tables.followup.column(PID)
                .take(pc.sort_indices(tables.followup, [(PID, "ascending")]))
                .combine_chunks(),
            )
        )[order]
        mine = pl.DataFrame({"p": pid, "episode_id": ids, "line": episode_line}).sort(
            ["p", "episode_id"]
        )
        same = mine.get_column("line").to_list() == ref.get_column("line").to_list()
        tp = timed(polars_steps, tables, rules, runs=runs)
        tn = timed(numpy_steps, tables, rules, runs=runs)
        print(
            f"{name}: polars steps 1-2 {1000 * tp:.2f} ms, numpy {1000 * tn:.2f} ms, x{tp / tn:.1f}, same lines: {same}"
        )


if __name__ == "__main__":
    main()
