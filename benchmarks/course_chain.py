"""Benchmark (issue 17): one patient with 100 successive lines inside a 10^5-patient cohort.

Derives the lines of a synthetic cohort (default 10^5 patients) with and without one extra
patient whose history is a chain of 100 successive new agents, each starting after the
regimen window of the previous one (and a second chain whose starts fall inside each other's
regimen windows, so that every line start depends on the previous one). The cost must be
linear in the number of episodes: the run with the long histories should take within 1.5 x
the run without them. Best of ``--repeat`` runs each, printed with their ratio.

Usage::

    PYTHONPATH=src .venv/bin/python benchmarks/course_chain.py [--patients 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

import pyarrow as pa


def _chain_tables(template: Any, first_id: int, lines: int) -> Any:
    """Two patients of ``lines`` successive agents each, shaped like ``template``."""
    from netline.course import CourseTables

    base = dt.date(2000, 1, 1)
    agents = ["sunitinib", "everolimus", "capecitabine", "temozolomide"]
    classes = ["tki", "mtor_inhibitor", "antimetabolite_chemotherapy", "alkylating_chemotherapy"]
    episodes: dict[str, list[Any]] = {name: [] for name in template.episodes.column_names}
    followup: dict[str, list[Any]] = {name: [] for name in template.followup.column_names}
    for offset, step in ((0, 40), (1, 20)):  # 20 days: starts inside each other's window
        pid = first_id + offset
        for i in range(lines):
            start = base + dt.timedelta(days=step * i)
            # the second chain needs classes that do not come back within the restart gap
            agent = agents[i % 4] if offset == 0 else f"agent_{i % 8}"
            agent_class = classes[i % 4] if offset == 0 else f"class_{i % 8}"
            row = {
                "patient_id": pid,
                "episode_id": i,
                "event_id": None,
                "agent": agent,
                "agent_class": agent_class,
                "start": start,
                "stop": start + dt.timedelta(days=step - 5),
                "cycles": None,
                "reason_stopped": "progression" if i % 3 == 0 else "toxicity",
                "clinical_trial": False,
            }
            for name in episodes:
                episodes[name].append(row[name])
        follow = {
            "patient_id": pid,
            "diagnosis": base,
            "first_metastasis": base,
            "death": None,
            "last_follow_up": base + dt.timedelta(days=step * lines + 30),
        }
        for name in followup:
            followup[name].append(follow[name])

    def like(rows: dict[str, list[Any]], table: Any) -> Any:
        plain = pa.schema(
            [
                pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in table.schema
            ]
        )
        return pa.table(rows, schema=plain).cast(table.schema)

    return CourseTables(
        pa.concat_tables([template.episodes, like(episodes, template.episodes)]),
        template.assessments,
        pa.concat_tables([template.followup, like(followup, template.followup)]),
        template.procedures,
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    from netline.course import derive_lines
    from netline.course.synthetic import synthetic_cohort

    tables = synthetic_cohort(args.patients, seed=7, with_lesions=False).tables
    first = max(tables.followup.column("patient_id").to_pylist()) + 1
    with_chain = _chain_tables(tables, first, args.lines)

    def best(t: Any) -> tuple[float, Any]:
        times, out = [], None
        for _ in range(args.repeat):
            started = time.perf_counter()
            out = derive_lines(t)
            times.append(time.perf_counter() - started)
        return min(times), out

    plain_s, _ = best(tables)
    chain_s, course = best(with_chain)
    counts = [
        sum(1 for p in course.lines.column("patient_id").to_pylist() if p == pid)
        for pid in (first, first + 1)
    ]
    result = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "patients": args.patients,
        "chain_lines": counts,
        "without_chain_s": round(plain_s, 2),
        "with_chain_s": round(chain_s, 2),
        "ratio": round(chain_s / plain_s, 2),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
