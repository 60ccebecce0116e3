"""A per-patient, row-by-row statement of the line rules (pandas group-by-apply).

This is the readable, slow twin of :mod:`netline.course.engine`: the same rules written as a
loop over one patient's episodes. The test suite checks that the columnar engine agrees with
it on random histories, and ``benchmarks/course_lines.py`` times it as the straightforward
baseline. It computes the line assignment, start, end, agents, backbone, first progression,
best response and PFS; it is not part of the public API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from netline.course.engine import RESPONSE_RANK
from netline.course.rules import LineRules
from netline.course.tables import CourseTables

__all__ = ["patient_lines", "reference_lines"]

_STABLE = frozenset({"SD", "stable", "non-CR/non-PD", "mixed"})
_SOURCE = {"recist": 4, "recorded": 3, "clinician": 2, "stop_reason": 1}


@dataclass
class _Era:
    agent: str
    agent_class: str
    start: int
    stop: int
    ongoing: bool
    last_pd: int | None
    number: int
    is_procedure: bool = False
    episodes: list[int] = field(default_factory=list)
    line: int = 0


def _gap(agent_class: str, rules: LineRules) -> int:
    return rules.prrt_max_interval_days if agent_class == "radioligand" else rules.restart_gap_days


def _eras(
    episodes: Sequence[dict[str, Any]],
    progressions: Sequence[int],
    splits: Sequence[int],
    rules: LineRules,
) -> list[_Era]:
    eras: list[_Era] = []
    state: dict[str, tuple[int, int, _Era]] = {}  # agent -> (previous start, max stop, era)
    count: dict[str, int] = {}
    for ep in sorted(episodes, key=lambda e: (e["start"], e["episode_id"])):
        agent, start, stop = ep["agent"], ep["start"], ep["stop"]
        last_pd = max((p for p in progressions if p <= start), default=None)
        last_split = max((p for p in splits if p <= start), default=None)
        previous = state.get(agent)
        gap = _gap(ep["agent_class"], rules)
        if (
            previous is None
            or start - previous[1] > gap
            or (last_pd is not None and last_pd > previous[0])
            or (last_split is not None and last_split > previous[0])
        ):
            count[agent] = count.get(agent, 0) + 1
            era = _Era(agent, ep["agent_class"], start, stop, ep["ongoing"], last_pd, count[agent])
            eras.append(era)
        else:
            era = previous[2]
            era.stop = max(era.stop, stop)
            era.ongoing = era.ongoing or ep["ongoing"]
        era.episodes.append(ep["episode_id"])
        state[agent] = (start, max(previous[1], stop) if previous else stop, era)
    return eras


def _number_lines(eras: list[_Era], rules: LineRules) -> list[_Era]:
    ordered = sorted(eras, key=lambda e: (e.start, e.agent, e.number))
    line = 0
    line_start = 0
    max_stop: int | None = None
    class_stop: dict[str, int] = {}
    previous: _Era | None = None
    for era in ordered:
        gap = _gap(era.agent_class, rules)
        hard = (
            previous is None
            or era.is_procedure
            or previous.is_procedure
            or (era.last_pd is not None and era.last_pd > previous.start)
            or (max_stop is not None and era.start - max_stop > gap)
        )
        active = max_stop is not None and max_stop > era.start
        recent = class_stop.get(era.agent_class)
        same_class = recent is not None and recent >= era.start - gap
        novel = not same_class and not (era.agent_class == "ssa" and active)
        if hard or (novel and era.start - line_start > rules.regimen_window_days):
            line += 1
            line_start = era.start
        era.line = line
        max_stop = era.stop if max_stop is None else max(max_stop, era.stop)
        class_stop[era.agent_class] = max(class_stop.get(era.agent_class, era.stop), era.stop)
        previous = era
    return ordered


def patient_lines(
    episodes: Sequence[dict[str, Any]],
    assessments: Sequence[dict[str, Any]],
    procedures: Sequence[dict[str, Any]],
    follow_end: int,
    death: int | None,
    rules: LineRules,
) -> list[dict[str, Any]]:
    """Derive one patient's lines (all dates as integer day numbers).

    ``episodes`` rows need ``episode_id``, ``agent``, ``agent_class``, ``start``, ``stop``
    (``None`` while ongoing); ``assessments`` rows ``date``, ``response``, ``progression``,
    ``source`` (already restricted to the rules' sources); ``procedures`` rows ``date``,
    ``kind``, ``procedure``, ``procedure_id``.
    """
    prepared = [
        {
            **ep,
            "ongoing": ep["stop"] is None,
            "stop": max(ep["stop"] if ep["stop"] is not None else follow_end, ep["start"]),
        }
        for ep in episodes
    ]
    progressions = sorted(a["date"] for a in assessments if a["progression"])
    splits = [p["date"] for p in procedures if p["kind"] in rules.procedures_as_lines]
    eras = _eras(prepared, progressions, splits, rules)
    for proc in procedures:
        if proc["kind"] in rules.procedures_as_lines:
            eras.append(
                _Era(
                    proc["procedure"],
                    proc["kind"],
                    proc["date"],
                    proc["date"],
                    False,
                    None,
                    proc["procedure_id"],
                    is_procedure=True,
                )
            )
    if not eras:
        return []
    ordered = _number_lines(eras, rules)
    n_lines = ordered[-1].line
    starts = {n: min(e.start for e in ordered if e.line == n) for n in range(1, n_lines + 1)}
    proc_days = sorted(p["date"] for p in procedures)
    last_any = max((a["date"] for a in assessments), default=None)
    out = []
    for n in range(1, n_lines + 1):
        own = [e for e in ordered if e.line == n]
        start = starts[n]
        next_start = starts.get(n + 1)
        systemic = not own[0].is_procedure
        backbone = [
            e
            for e in ordered
            if systemic
            and e.agent_class == "ssa"
            and not e.is_procedure
            and e.start < start < e.stop
        ]
        natural_end = max([e.stop for e in own] + [e.stop for e in backbone])
        end = natural_end if next_start is None else min(natural_end, next_start)
        ongoing = next_start is None and any(e.ongoing for e in own + backbone)
        if ongoing:
            end = max(follow_end, start)
        first_pd = next((p for p in progressions if p > start), None)
        next_proc = next((p for p in proc_days if p > start), None)
        bound_candidates = [d for d in (first_pd,) if d is not None]
        if rules.response_window_ends_at_procedure and next_proc is not None:
            bound_candidates.append(next_proc)
        bound = min(bound_candidates) if bound_candidates else None
        owned = [
            a
            for a in assessments
            if a["date"] > start and (next_start is None or a["date"] <= next_start)
        ]
        best: tuple[tuple[int, int, int], str, str, int] | None = None
        for a in owned:
            rank = RESPONSE_RANK.get(a["response"] or "")
            if rank is None or (bound is not None and a["date"] > bound):
                continue
            code = a["response"]
            if code in _STABLE and a["date"] - start < rules.sd_min_days:
                rank, code = 0, "NE"
            key = (rank, _SOURCE.get(a["source"], 0), -(a["date"] - start))
            if best is None or key > best[0]:
                best = (key, code, a["source"], a["date"])
        censor_bound = (
            next_start if rules.pfs_censor_at_next_line and next_start is not None else follow_end
        )
        pd_event = first_pd is not None and first_pd <= censor_bound
        death_event = death is not None and start <= death <= censor_bound
        if pd_event or death_event:
            days = [d for d, hit in ((first_pd, pd_event), (death, death_event)) if hit]
            pfs_day = min(d for d in days if d is not None)
            reason = "progression" if pd_event and pfs_day == first_pd else "death"
        elif rules.pfs_censor_date == "last_follow_up":
            pfs_day = censor_bound
            at_next = rules.pfs_censor_at_next_line and next_start is not None
            reason = "censored_next_line" if at_next else "censored_end_of_follow_up"
        else:
            if rules.pfs_censor_at_next_line:
                last = max((a["date"] for a in owned), default=None)
            else:
                last = last_any if last_any is not None and last_any > start else None
            if last is None:
                pfs_day, reason = start, "censored_no_assessment"
            else:
                pfs_day = last
                at_next = rules.pfs_censor_at_next_line and next_start is not None
                reason = "censored_next_line" if at_next else "censored_last_assessment"
        out.append(
            {
                "line": n,
                "start": start,
                "end": end,
                "ongoing": ongoing,
                "agents": sorted({e.agent for e in own} | {e.agent for e in backbone}),
                "backbone": sorted({e.agent for e in backbone}),
                "first_progression": first_pd,
                "best_response": best[1] if best else None,
                "pfs_days": pfs_day - start,
                "pfs_event": pd_event or death_event,
                "pfs_reason": reason,
                "episodes": sorted(i for e in own for i in e.episodes),
            }
        )
    return out


def reference_lines(tables: CourseTables, rules: LineRules | None = None) -> Any:
    """Derive lines for every patient with a pandas group-by-apply over the same rules.

    Returns
    -------
    pandas.DataFrame
        One row per line: ``patient_id``, ``line``, ``start``, ``end`` (day numbers),
        ``ongoing``, ``agents``, ``backbone``, ``first_progression``, ``best_response``,
        ``pfs_days``, ``pfs_event``, ``pfs_reason``, ``episodes``.
    """
    import pandas as pd  # type: ignore[import-untyped]
    import pyarrow as pa  # type: ignore[import-untyped]

    rules = rules or LineRules()

    def frame(table: Any, dates: Sequence[str]) -> Any:
        for name in dates:
            index = table.schema.get_field_index(name)
            table = table.set_column(index, name, table.column(name).cast(pa.int32()))
        return table.to_pandas()

    episodes = frame(tables.episodes, ("start", "stop"))
    episodes["stop"] = episodes["stop"].astype(object).where(episodes["stop"].notna(), None)
    assessments = frame(tables.assessments, ("date",))
    assessments = assessments[assessments["source"].isin(sorted(rules.assessment_sources))]
    procedures = frame(tables.procedures, ("date",))
    followup = frame(tables.followup, ("death", "last_follow_up"))
    by_patient_asm = {pid: g.to_dict("records") for pid, g in assessments.groupby("patient_id")}
    by_patient_proc = {pid: g.to_dict("records") for pid, g in procedures.groupby("patient_id")}
    follow = {
        row.patient_id: (
            int(row.death) if pd.notna(row.death) else None,
            int(row.last_follow_up),
        )
        for row in followup.itertuples()
    }

    def apply(group: Any) -> Any:
        pid = group.name
        death, last = follow[pid]
        rows = patient_lines(
            [
                {k: (None if k == "stop" and pd.isna(v) else v) for k, v in r.items()}
                for r in group.to_dict("records")
            ],
            by_patient_asm.get(pid, []),
            by_patient_proc.get(pid, []),
            death if death is not None else last,
            death,
            rules,
        )
        return pd.DataFrame(rows)

    result = episodes.groupby("patient_id", group_keys=True).apply(apply, include_groups=False)
    result = result.reset_index(level=0).reset_index(drop=True)
    return result
