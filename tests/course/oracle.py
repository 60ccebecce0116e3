"""The test oracle: the line rules stated row by row, one patient at a time, in plain Python.

This is the readable, slow statement of ``docs/course.md`` that the production engine
(:mod:`netline.course.engine`, Polars) must match on every output column. It lives in tests/
only; ``benchmarks/course_lines.py`` also times it as the baseline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from netline.clinical.recist import OverallResponse, TimePoint, best_overall_response
from netline.course.rules import LineRules
from netline.course.tables import CourseTables
from netline.records.vocabulary import AGENTS

__all__ = ["oracle", "patient_course"]

EPOCH = dt.date(1970, 1, 1)
RANK = {"NED": 5, "responding": 4, "stable": 3, "mixed": 2, "progressing": 1}
RECIST = {"CR", "PR", "SD", "non-CR/non-PD", "PD", "NE"}
CLINICIAN = {"NED", "responding", "stable", "mixed", "progressing"}
STABLE = {"SD", "stable", "non-CR/non-PD", "mixed"}
PRIORITY = {"recist": 4, "recorded": 3, "clinician": 2, "stop_reason": 1}
QUIET = {"unknown", "other", "ongoing"}
LABELS = {agent.value: info.label for agent, info in AGENTS.items()}


def label_of(agent: str) -> str:
    return LABELS.get(agent, agent.replace("_", " "))


@dataclass
class Era:
    agent: str
    agent_class: str
    start: int
    stop: int
    ongoing: bool
    last_pd: int | None
    number: int
    kind: str | None = None  # a procedure counted as a line: its kind
    cycles: int | None = None
    trial: bool = False
    reason: str | None = None
    reason_key: tuple[int, int] = (-(10**9), 0)
    episodes: list[int] = field(default_factory=list)
    line: int = 0
    seq: int = 0


def _gap(agent_class: str, rules: LineRules) -> int:
    return rules.prrt_max_interval_days if agent_class == "radioligand" else rules.restart_gap_days


def _eras(
    episodes: list[dict[str, Any]], pds: list[int], splits: list[int], rules: LineRules
) -> list[Era]:
    eras: list[Era] = []
    state: dict[str, tuple[int, int, Era]] = {}  # agent -> (previous start, max stop, era)
    count: dict[str, int] = {}
    for ep in sorted(episodes, key=lambda e: (e["start"], e["episode_id"])):
        agent, start, stop = ep["agent"], ep["start"], ep["stop"]
        last_pd = max((p for p in pds if p <= start), default=None)
        last_split = max((p for p in splits if p <= start), default=None)
        previous = state.get(agent)
        if (
            previous is None
            or start - previous[1] > _gap(ep["agent_class"], rules)
            or (last_pd is not None and last_pd > previous[0])
            or (last_split is not None and last_split > previous[0])
        ):
            count[agent] = count.get(agent, 0) + 1
            era = Era(agent, ep["agent_class"], start, stop, ep["ongoing"], last_pd, count[agent])
            eras.append(era)
        else:
            era = previous[2]
            era.stop = max(era.stop, stop)
            era.ongoing = era.ongoing or ep["ongoing"]
        cycles = ep["cycles"]
        if ep["agent_class"] == "radioligand" and cycles is None:
            cycles = 1
        if cycles is not None:
            era.cycles = (era.cycles or 0) + cycles
        era.trial = era.trial or bool(ep["clinical_trial"])
        key = (stop, ep["episode_id"])
        if key > era.reason_key:
            era.reason_key, era.reason = key, ep["reason_stopped"]
        era.episodes.append(ep["episode_id"])
        state[agent] = (start, max(previous[1], stop) if previous else stop, era)
    return eras


def _number(eras: list[Era], rules: LineRules) -> list[Era]:
    ordered = sorted(eras, key=lambda e: (e.start, e.agent, e.number))
    switch_rule = rules.switch_within_class_opens_line
    line = line_start = 0
    max_stop: int | None = None
    class_stop: dict[str, int] = {}
    class_agent: dict[str, str] = {}
    previous: Era | None = None
    for seq, era in enumerate(ordered):
        gap = _gap(era.agent_class, rules)
        hard = (
            previous is None
            or era.kind is not None
            or previous.kind is not None
            or (era.last_pd is not None and era.last_pd > previous.start)
            or (max_stop is not None and era.start - max_stop > gap)
        )
        active = max_stop is not None and max_stop > era.start
        recent = class_stop.get(era.agent_class)
        same_class = recent is not None and recent >= era.start - gap
        if switch_rule and same_class and class_agent.get(era.agent_class) != era.agent:
            same_class = False
        novel = not same_class and not (era.agent_class == "ssa" and active)
        if hard or (novel and era.start - line_start > rules.regimen_window_days):
            line += 1
            line_start = era.start
        era.line, era.seq = line, seq
        max_stop = era.stop if max_stop is None else max(max_stop, era.stop)
        class_stop[era.agent_class] = max(class_stop.get(era.agent_class, era.stop), era.stop)
        class_agent[era.agent_class] = era.agent
        previous = era
    return ordered


def _first_after(days: Sequence[int], start: int) -> int | None:
    return min((d for d in days if d > start), default=None)


def _status(
    owned: list[dict[str, Any]], start: int, limit: int | None, rules: LineRules
) -> tuple[str, int] | None:
    """The best clinician-recorded status: rank, then source priority, then earliest."""
    best: tuple[tuple[int, int, int, str], str, int] | None = None
    for a in owned:
        if a["response"] not in CLINICIAN or (limit is not None and a["day"] > limit):
            continue
        code = a["response"]
        if code in STABLE and a["day"] - start < rules.sd_min_days:
            continue
        key = (RANK[code], PRIORITY.get(a["source"], 0), -(a["day"] - start), code)
        if best is None or key > best[0]:
            best = (key, code, a["day"])
    return None if best is None else (best[1], best[2])


def _recist(
    owned: list[dict[str, Any]], start: int, limit: int | None, rules: LineRules
) -> tuple[str, str | None, int | None, str] | None:
    """Best response, its source and date, and the confirmed best response (RECIST 1.1).

    One time point a day (the source of highest priority); non-CR/non-PD reads as SD in a
    series that also holds PR or SD; the scalar RECIST rule decides both best responses.
    """
    by_day: dict[int, dict[str, Any]] = {}
    for a in owned:
        if a["response"] not in RECIST or (limit is not None and a["day"] > limit):
            continue
        kept = by_day.get(a["day"])
        if kept is None or PRIORITY.get(a["source"], 0) > PRIORITY.get(kept["source"], 0):
            by_day[a["day"]] = a
    if not by_day:
        return None
    series = [by_day[d] for d in sorted(by_day)]
    measurable = any(a["response"] in ("PR", "SD") for a in series)

    def read(a: dict[str, Any]) -> str:
        code = str(a["response"])
        return "SD" if measurable and code == "non-CR/non-PD" else code

    points = [TimePoint(a["day"] - start, OverallResponse(read(a))) for a in series]
    best = best_overall_response(points, min_sd_days=rules.sd_min_days).value.value
    confirmed = best_overall_response(points, confirmation=True, min_sd_days=rules.sd_min_days)

    def shown(a: dict[str, Any]) -> str:
        code = read(a)
        early = code in ("SD", "non-CR/non-PD") and a["day"] - start < rules.sd_min_days
        return "NE" if early else code

    evidence = [a for a in series if shown(a) == best]
    evidence.sort(key=lambda a: (-PRIORITY.get(a["source"], 0), a["day"]))
    source = str(evidence[0]["source"]) if evidence else None
    when = int(evidence[0]["day"]) if evidence else None
    return best, source, when, confirmed.value.value


def _label(
    own: list[Era], backbone: list[Era], line_start: int, cycles: int | None, rules: LineRules
) -> str:
    pieces: set[str] = set()
    ssa: set[str] = {label_of(e.agent) for e in backbone}
    for era in own:
        in_window = era.start - line_start <= rules.regimen_window_days
        if era.kind is not None:
            pieces.add(era.agent.replace("_", " "))
        elif in_window and era.agent_class == "ssa":
            ssa.add(label_of(era.agent))
        elif in_window:
            text = label_of(era.agent)
            if era.agent_class == "radioligand":
                text = f"{text} x{cycles}"
            pieces.add(text)
    return " + ".join([*sorted(pieces), *sorted(ssa)])


def _last_by_stop(eras: list[Era]) -> Era:
    return max(eras, key=lambda e: (e.stop, e.seq))


def _pfs(
    start: int,
    first_pd: int | None,
    death: int | None,
    fu_end: int,
    next_therapy: int | None,
    by_procedure: bool,
    owned: list[dict[str, Any]],
    last_any: int | None,
    rules: LineRules,
) -> tuple[int, bool, str]:
    """Progression-free survival of a line: (event or censoring day, event, reason)."""
    at_next = rules.pfs_censor_at_next_line
    bound = (next_therapy if next_therapy is not None else fu_end) if at_next else fu_end
    pd_event = first_pd is not None and first_pd <= bound
    death_event = death is not None and start <= death <= bound
    if pd_event or death_event:
        hits = [
            d for d, hit in ((first_pd, pd_event), (death, death_event)) if hit and d is not None
        ]
        pfs_day = min(hits)
        pfs_reason = (
            "progression"
            if pd_event and first_pd is not None and (death is None or first_pd <= death)
            else "death"
        )
    else:
        censored_next = at_next and next_therapy is not None
        next_reason = "censored_procedure" if by_procedure else "censored_next_line"
        if rules.pfs_censor_date == "last_follow_up":
            pfs_day = bound
            pfs_reason = next_reason if censored_next else "censored_end_of_follow_up"
        else:
            if at_next:
                last = max(
                    (a["day"] for a in owned if next_therapy is None or a["day"] <= next_therapy),
                    default=None,
                )
            else:
                last = last_any if last_any is not None and last_any > start else None
            if last is None:
                pfs_day, pfs_reason = start, "censored_no_assessment"
            else:
                pfs_day = last
                pfs_reason = next_reason if censored_next else "censored_last_assessment"
    return pfs_day, pd_event or death_event, pfs_reason


def _end_reason(
    systemic: bool,
    ongoing: bool,
    first_pd: int | None,
    end: int,
    next_start: int | None,
    natural_end: int,
    reason: str | None,
    death: int | None,
    rules: LineRules,
) -> str:
    """Why a line ended (the first rule that applies)."""
    grace = rules.end_grace_days
    pd_ends = (
        first_pd is not None
        and first_pd <= end + grace
        and (next_start is None or first_pd <= next_start)
    )
    if not systemic:
        end_reason = "procedure"
    elif ongoing:
        end_reason = "ongoing"
    elif pd_ends or reason == "progression":
        end_reason = "progression"
    elif next_start is not None and next_start < natural_end:
        end_reason = "new_line"
    elif reason is not None and reason not in QUIET:
        end_reason = reason
    elif death is not None and death <= end + grace:
        end_reason = "death"
    elif next_start is not None:
        end_reason = "new_line"
    else:
        end_reason = "unknown"
    return end_reason


def _line_row(
    n: int,
    ordered: list[Era],
    starts: dict[int, int],
    assessments: list[dict[str, Any]],
    pds: list[int],
    procedures: list[dict[str, Any]],
    death: int | None,
    fu_end: int,
    rules: LineRules,
) -> dict[str, Any]:
    """Line ``n`` of a patient with every output column (dates as day numbers)."""
    all_procedures = [p["day"] for p in procedures]
    therapy_procedures = [
        p["day"] for p in procedures if p["kind"] in rules.next_therapy_procedures
    ]
    last_any = max((a["day"] for a in assessments), default=None)
    own = [e for e in ordered if e.line == n]
    start = starts[n]
    next_start = starts.get(n + 1)
    systemic = own[0].kind is None
    backbone = [
        e
        for e in ordered
        if systemic and e.kind is None and e.agent_class == "ssa" and e.start < start < e.stop
    ]
    own_stop = max(e.stop for e in own)
    backbone_stop = max((e.stop for e in backbone), default=None)
    natural_end = own_stop if backbone_stop is None else max(own_stop, backbone_stop)
    end = natural_end if next_start is None else min(natural_end, next_start)
    ongoing = next_start is None and any(e.ongoing for e in own + backbone)
    radioligand = [e for e in own if e.kind is None and e.agent_class == "radioligand"]
    cycles = sum(e.cycles or 0 for e in radioligand) if radioligand else None
    reason = _last_by_stop(own).reason
    if backbone_stop is not None and backbone_stop > own_stop:
        reason = _last_by_stop(backbone).reason
    first_pd = _first_after(pds, start)
    next_procedure = _first_after(all_procedures, start)
    therapy_procedure = _first_after(therapy_procedures, start)
    by_procedure = therapy_procedure is not None and (
        next_start is None or therapy_procedure < next_start
    )
    next_therapy = min((d for d in (next_start, therapy_procedure) if d is not None), default=None)
    limit = first_pd
    if rules.response_window_ends_at_procedure and next_procedure is not None:
        limit = next_procedure if limit is None else min(limit, next_procedure)
    owned = [
        a
        for a in assessments
        if a["day"] > start and (next_start is None or a["day"] <= next_start)
    ]
    best = _recist(owned, start, limit, rules)
    status = _status(owned, start, limit, rules)
    pfs_day, pfs_event, pfs_reason = _pfs(
        start, first_pd, death, fu_end, next_therapy, by_procedure, owned, last_any, rules
    )
    end_reason = _end_reason(
        systemic, ongoing, first_pd, end, next_start, natural_end, reason, death, rules
    )
    if ongoing:
        end = max(fu_end, start)
    if next_therapy is not None:
        ttnt_reason = "procedure" if by_procedure else "next_line"
    else:
        ttnt_reason = "death" if death is not None else "censored"
    return {
        "line": n,
        "kind": own[0].kind or "systemic",
        "label": _label(own, backbone, start, cycles, rules),
        "agents": sorted({e.agent for e in own} | {e.agent for e in backbone}),
        "backbone": sorted({e.agent for e in backbone}),
        "start": start,
        "end": end,
        "ongoing": ongoing,
        "end_reason": end_reason,
        "cycles": cycles,
        "clinical_trial": any(e.trial for e in own),
        "best_response": best[0] if best else None,
        "best_response_source": best[1] if best else None,
        "best_response_date": best[2] if best else None,
        "best_response_confirmed": best[3] if best else None,
        "clinician_status": status[0] if status else None,
        "clinician_status_date": status[1] if status else None,
        "first_progression": first_pd,
        "pfs_days": pfs_day - start,
        "pfs_event": pfs_event,
        "pfs_reason": pfs_reason,
        "ttnt_days": (next_therapy if next_therapy is not None else fu_end) - start,
        "ttnt_event": next_therapy is not None or death is not None,
        "ttnt_reason": ttnt_reason,
        "os_days": fu_end - start,
        "os_event": death is not None,
        "duration_days": end - start,
    }


def patient_course(
    episodes: list[dict[str, Any]],
    assessments: list[dict[str, Any]],
    procedures: list[dict[str, Any]],
    follow: dict[str, Any],
    rules: LineRules,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[int, int]]:
    """One patient's lines, outcomes and episode-to-line map (all dates as day numbers)."""
    death = follow["death"]
    fu_end = death if death is not None else follow["last_follow_up"]
    prepared = [
        {
            **ep,
            "ongoing": ep["stop"] is None,
            "stop": max(ep["stop"] if ep["stop"] is not None else fu_end, ep["start"]),
        }
        for ep in episodes
    ]
    assessments = [a for a in assessments if a["source"] in rules.assessment_sources]
    pds = sorted(a["day"] for a in assessments if a["progression"])
    counted = [p for p in procedures if p["kind"] in rules.procedures_as_lines]
    eras = _eras(prepared, pds, [p["day"] for p in counted], rules)
    for p in counted:
        eras.append(
            Era(
                p["procedure"],
                p["kind"],
                p["day"],
                p["day"],
                False,
                None,
                p["procedure_id"],
                kind=p["kind"],
            )
        )
    ordered = _number(eras, rules) if eras else []
    n_lines = ordered[-1].line if ordered else 0
    starts = {n: min(e.start for e in ordered if e.line == n) for n in range(1, n_lines + 1)}
    lines = [
        _line_row(n, ordered, starts, assessments, pds, procedures, death, fu_end, rules)
        for n in range(1, n_lines + 1)
    ]
    l1 = lines[0]["start"] if lines else None
    l2_pd = lines[1]["first_progression"] if len(lines) > 1 else None
    pfs2: tuple[int | None, bool | None, str | None]
    if l1 is None:
        pfs2 = (None, None, None)
    elif l2_pd is not None and (death is None or l2_pd <= death):
        pfs2 = (l2_pd - l1, True, "progression")
    elif death is not None:
        pfs2 = (death - l1, True, "death")
    else:
        pfs2 = (fu_end - l1, False, "censored_end_of_follow_up")

    def since(origin: int | None) -> int | None:
        return None if origin is None else fu_end - origin

    patient = {
        "n_lines": n_lines,
        "diagnosis": follow["diagnosis"],
        "first_metastasis": follow["first_metastasis"],
        "first_line_start": l1,
        "death": death,
        "last_follow_up": follow["last_follow_up"],
        "os_from_diagnosis_days": since(follow["diagnosis"]),
        "os_from_metastasis_days": since(follow["first_metastasis"]),
        "os_from_first_line_days": since(l1),
        "os_event": death is not None,
        "pfs2_ema_days": pfs2[0],
        "pfs2_ema_event": pfs2[1],
        "pfs2_ema_reason": pfs2[2],
    }
    episode_lines = {i: e.line for e in ordered for i in e.episodes}
    return lines, patient, episode_lines


_LINE_DATES = ("start", "end", "best_response_date", "clinician_status_date", "first_progression")
_PATIENT_DATES = ("diagnosis", "first_metastasis", "first_line_start", "death", "last_follow_up")


def _day(value: object) -> int | None:
    if value is None:
        return None
    assert isinstance(value, dt.date)
    return (value - EPOCH).days


def _date(value: int | None) -> dt.date | None:
    return None if value is None else EPOCH + dt.timedelta(days=value)


def oracle(
    tables: CourseTables, rules: LineRules | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Lines, patients and episode lines of every patient, as rows like the engine's tables."""
    rules = rules or LineRules()
    by_patient: dict[str, dict[object, list[dict[str, Any]]]] = {
        name: defaultdict(list) for name in ("episodes", "assessments", "procedures")
    }
    for row in tables.episodes.to_pylist():
        row["start"], row["stop"] = _day(row["start"]), _day(row["stop"])
        by_patient["episodes"][row["patient_id"]].append(row)
    for row in tables.assessments.to_pylist():
        row["day"] = _day(row["date"])
        row["progression"] = bool(row["progression"])
        by_patient["assessments"][row["patient_id"]].append(row)
    for row in tables.procedures.to_pylist():
        row["day"] = _day(row["date"])
        by_patient["procedures"][row["patient_id"]].append(row)
    lines_out: list[dict[str, Any]] = []
    patients_out: list[dict[str, Any]] = []
    episodes_out: list[dict[str, Any]] = []
    follow_rows = sorted(tables.followup.to_pylist(), key=lambda r: r["patient_id"])
    for follow in follow_rows:
        pid = follow["patient_id"]
        days = {
            k: _day(follow[k]) for k in ("diagnosis", "first_metastasis", "death", "last_follow_up")
        }
        lines, patient, episode_lines = patient_course(
            by_patient["episodes"][pid],
            by_patient["assessments"][pid],
            by_patient["procedures"][pid],
            days,
            rules,
        )
        for line in lines:
            for name in _LINE_DATES:
                line[name] = _date(line[name])
            lines_out.append({"patient_id": pid, **line})
        for name in _PATIENT_DATES:
            patient[name] = _date(patient[name])
        patients_out.append({"patient_id": pid, **patient})
        episodes_out.extend(
            {"patient_id": pid, "episode_id": i, "line": n}
            for i, n in sorted(episode_lines.items())
        )
    return lines_out, patients_out, episodes_out
