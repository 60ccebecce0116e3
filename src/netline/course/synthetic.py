"""Synthetic cohorts of advanced pNET courses, vectorised and reproducible.

The generator writes what a registry holds: therapy episodes (SSA, everolimus, sunitinib,
CAPTEM, PRRT given in cycles, ...), CT scans with lesion measurements and their RECIST 1.1
responses, clinician-recorded status, chromogranin A, primary-tumour resections, death or
censoring. Everything is computed with numpy on whole arrays (no loop over patients), so a
million patients take seconds; the output is the engine's long tables
(:class:`~netline.course.tables.CourseTables`), plus lesion and lab tables and the ground
truth of the lines, and :class:`~netline.records.CaseRecord` objects for small cohorts.

The course of each patient is driven by per-line arrays (:class:`LineTrajectories`: regimen,
time to progression, time on treatment, depth of response, gap to the next line, SSA
backbone, time of death and of the end of follow-up). :func:`draw_trajectories` draws them
from simple illustrative distributions (round numbers, **not** calibrated to trials); the
simulator can pass its own simulated trajectories instead.

Courses are built so that the documented line rules recover them exactly: a new line starts
after documented progression, or after a toxicity stop with a switch of class; an SSA may run
on as the backbone of the next line; PRRT cycles come 8 weeks apart (occasionally delayed).
Tumour size follows each line's trajectory (shrinking to the nadir over 24 weeks, then flat)
and jumps at progression by at least 30 % and 7 mm above the nadir, or shows a new lesion.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from netline._time import DAYS_PER_YEAR
from netline.course._synthetic_arrays import (
    _coded,
    _days,
    _ragged,
    recist_responses,
)
from netline.course._trajectories import (
    _AGENT_CLASSES,
    _AGENT_CODE,
    _AGENT_NAMES,
    _LAST_AGENT_OFFSET,
    _PRRT_CODES,
    _REASONS,
    _RESPONSES,
    _SSA_CODES,
    REGIMENS,
    LineTrajectories,
    Regimen,
    SyntheticCohort,
    draw_trajectories,
)
from netline.course.tables import CourseTables
from netline.errors import InvalidInputError

__all__ = [
    "REGIMENS",
    "LineTrajectories",
    "Regimen",
    "SyntheticCohort",
    "draw_trajectories",
    "recist_responses",
    "synthetic_cohort",
]

_EPOCH = dt.date(1970, 1, 1)
_SCAN_INTERVAL = 112  # days between scans on treatment (16 weeks)
_FOLLOW_UP_SCAN = 182  # days between scans after the last line (6 months)
_LAB_INTERVAL = 273  # chromogranin A every 9 months
_PRRT_INTERVAL = 56
_NADIR_DAYS = 168
_KEY = 1 << 20  # day numbers stay below 2**20 (year 4840)
_BLOCK = 100_000  # patients generated together


def synthetic_cohort(
    n: int,
    seed: int = 0,
    *,
    trajectories: LineTrajectories | None = None,
    with_lesions: bool | None = None,
    start_year: int = 2008,
    end_year: int = 2020,
) -> SyntheticCohort:
    """Generate ``n`` synthetic pNET courses.

    Parameters
    ----------
    n : int
        Number of patients (integer ids 1..n).
    seed : int
        Seed of the numpy random generator: the same seed gives the same cohort.
    trajectories : LineTrajectories, optional
        Per-line durations and outcomes (e.g. from the simulator); drawn with
        :func:`draw_trajectories` when omitted.
    with_lesions : bool, optional
        Also return lesion measurements (needed for :meth:`SyntheticCohort.records`);
        default: only for ``n <= 10_000``.
    start_year, end_year : int
        First lines start uniformly between 1 January of these years.

    Returns
    -------
    SyntheticCohort

    Examples
    --------
    >>> from netline.course.synthetic import synthetic_cohort
    >>> cohort = synthetic_cohort(100, seed=1)
    >>> cohort.tables.n_patients
    100
    """
    if n < 1:
        raise InvalidInputError.single("n", n, "at least one patient")
    if trajectories is not None and trajectories.n != n:
        raise InvalidInputError.single("trajectories", trajectories.n, f"arrays for {n} patients")
    if with_lesions is None:
        with_lesions = n <= 10_000
    # patients are generated in fixed blocks, each with its own random stream: memory stays
    # bounded, and the first patients of a cohort do not depend on its size
    streams = np.random.SeedSequence(seed).spawn((n + _BLOCK - 1) // _BLOCK)
    parts = []
    for block, stream in enumerate(streams):
        lo, hi = block * _BLOCK, min(n, (block + 1) * _BLOCK)
        rng = np.random.default_rng(stream)
        traj = (
            trajectories.rows(lo, hi)
            if trajectories is not None
            else draw_trajectories(hi - lo, rng)
        )
        generator = _Generator(hi - lo, rng, traj, start_year, end_year, first_id=lo + 1)
        parts.append(generator.build(with_lesions))
    if len(parts) == 1:
        return parts[0]
    return _concat(parts)


def _concat(parts: list[SyntheticCohort]) -> SyntheticCohort:
    tables = {
        name: pa.concat_tables([p.tables.as_dict()[name] for p in parts])
        for name in ("episodes", "assessments", "followup", "procedures")
    }
    lesions = None
    if all(p.lesions is not None for p in parts):
        lesions = pa.concat_tables([p.lesions for p in parts])
    counts = {key: sum(p.counts[key] for p in parts) for key in parts[0].counts}
    return SyntheticCohort(
        tables=CourseTables(**tables),
        lesions=lesions,
        labs=pa.concat_tables([p.labs for p in parts]),
        truth=pa.concat_tables([p.truth for p in parts]),
        patients=pa.concat_tables([p.patients for p in parts]),
        counts=counts,
    )


class _Generator:
    """One generation run: every step works on whole arrays."""

    def __init__(
        self,
        n: int,
        rng: np.random.Generator,
        traj: LineTrajectories,
        start_year: int,
        end_year: int,
        first_id: int = 1,
    ) -> None:
        self.n = n
        self.rng = rng
        self.traj = traj
        self.regimen = traj.regimen.astype(np.int64)
        self.pid = np.arange(first_id, first_id + n, dtype=np.int64)
        lo = (dt.date(start_year, 1, 1) - _EPOCH).days
        hi = (dt.date(end_year, 1, 1) - _EPOCH).days
        self.first_start = rng.integers(lo, hi, size=n).astype(np.int64)
        end_offset = np.minimum(traj.death, traj.follow_up)
        self.dead = np.isfinite(traj.death) & (traj.death <= traj.follow_up)
        self.end = self.first_start + np.maximum(np.floor(end_offset), 30).astype(np.int64)
        synchronous = rng.random(n) < 0.6
        self.synchronous = synchronous
        self.diagnosis = np.where(
            synchronous,
            self.first_start - rng.integers(30, 181, n),
            self.first_start - rng.integers(365, 6 * 365, n),
        )
        self.first_metastasis = np.where(
            synchronous, self.diagnosis, self.first_start - rng.integers(30, 241, n)
        )
        self.n_lesions = rng.integers(1, 4, n)
        sizes = rng.uniform(12.0, 45.0, size=(n, 3))
        sizes[np.arange(3)[None, :] >= self.n_lesions[:, None]] = 0.0
        self.sizes = sizes
        self.base_sum = sizes.sum(axis=1)

    # ------------------------------------------------------------------ lines

    def lines(self) -> dict[str, np.ndarray]:
        """Start, stop, progression and stop reason of every line, line by line."""
        traj, n, rng = self.traj, self.n, self.rng
        n_lines = self.regimen.shape[1]
        shape = (n, n_lines)
        out = {
            "start": np.zeros(shape, np.int64),
            "stop": np.zeros(shape, np.int64),
            "pd": np.zeros(shape, np.int64),
            "has_pd": np.zeros(shape, bool),
            "valid": np.zeros(shape, bool),
            "reason": np.zeros(shape, np.int8),
            "cycles": np.zeros(shape, np.int64),
            "cycle_days": np.zeros((n, n_lines, 4), np.int64),
        }
        current = self.first_start.copy()
        going = np.ones(n, bool)
        for k in range(n_lines):
            reg = self.regimen[:, k]
            # a line starts only if every agent of it starts before the end of follow-up
            last_agent = current + _LAST_AGENT_OFFSET[reg.clip(0)]
            ok = going & (reg >= 0) & (last_agent < self.end)
            prrt = ok & _PRRT_CODES[reg.clip(0)]
            ttp = traj.time_to_progression[:, k]
            tot = traj.time_on_treatment[:, k]
            pd_at = current + np.floor(np.where(np.isfinite(ttp), ttp, 1e7)).astype(np.int64)
            tox_at = current + np.floor(np.where(np.isfinite(tot), tot, 2e7)).astype(np.int64)
            pd_here = ok & np.isfinite(ttp) & (pd_at <= self.end)
            tox_here = ok & np.isfinite(tot) & ~np.isfinite(ttp) & (tox_at < self.end) & ~prrt
            # PRRT: four cycles 8 weeks apart, a fifth of the intervals delayed by 1-4 weeks
            delay = np.where(rng.random((n, 3)) < 0.2, rng.integers(7, 29, (n, 3)), 0)
            offsets = np.c_[np.zeros(n, np.int64), np.cumsum(_PRRT_INTERVAL + delay, axis=1)]
            days = current[:, None] + offsets
            limit = np.where(pd_here, pd_at, self.end) - 1  # cycles before progression or the end
            n_cycles = np.where(prrt, (days <= limit[:, None]).sum(axis=1), 0)
            last_cycle = days[np.arange(n), (n_cycles - 1).clip(0)]
            stop = np.where(
                prrt,
                last_cycle,
                np.where(
                    pd_here,
                    pd_at + rng.integers(0, 15, n),
                    np.where(tox_here, tox_at, self.end),
                ),
            )
            reason = np.select(
                [pd_here & ~prrt, tox_here, prrt & (n_cycles == 4), pd_here],
                [1, 2, 3, 1],
                default=0,
            )
            out["start"][:, k] = current
            out["stop"][:, k] = np.minimum(stop, self.end)
            out["pd"][:, k] = pd_at
            out["has_pd"][:, k] = pd_here
            out["valid"][:, k] = ok
            out["reason"][:, k] = reason
            out["cycles"][:, k] = n_cycles
            out["cycle_days"][:, k, :] = days
            gap = np.floor(traj.gap[:, k]).astype(np.int64).clip(min=15)
            current = np.where(pd_here, pd_at + gap, np.where(tox_here, tox_at + gap, current))
            going = ok & (pd_here | tox_here)
        return out

    def episodes(self, ln: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Episode rows per line and agent, and which lines carry an SSA backbone."""
        n, n_lines = self.regimen.shape
        valid = ln["valid"]
        nxt_valid = np.c_[valid[:, 1:], np.zeros((n, 1), bool)]
        backbone = (
            self.traj.backbone & valid & nxt_valid & ln["has_pd"] & _SSA_CODES[self.regimen.clip(0)]
        )

        def following(values: np.ndarray) -> np.ndarray:
            shifted: np.ndarray = np.c_[values[:, 1:], values[:, -1:]]
            return shifted

        # a carried SSA runs on until the next line progresses (as SSA maintenance after PRRT),
        # else until the next line stops; at least 4 weeks into it
        nxt_pd = following(ln["has_pd"])
        nxt_stop = np.where(nxt_pd, following(ln["pd"]), following(ln["stop"]))
        nxt_stop = np.minimum(np.maximum(nxt_stop, following(ln["start"]) + 28), self.end[:, None])
        nxt_reason = np.where(nxt_pd, 1, following(ln["reason"]))
        cols: dict[str, list[np.ndarray]] = {k: [] for k in ("patient", "agent", "start", "stop")}
        cols |= {"cycles": [], "reason": []}

        def add(patient: Any, agent: Any, start: Any, stop: Any, cycles: Any, why: Any) -> None:
            size = np.size(patient)
            for key, value in zip(cols, (patient, agent, start, stop, cycles, why), strict=True):
                cols[key].append(np.broadcast_to(value, size))

        for k in range(n_lines):
            reg = self.regimen[:, k]
            for code, regimen in enumerate(REGIMENS):
                rows = np.nonzero(valid[:, k] & (reg == code))[0]
                if rows.size == 0:
                    continue
                stop = ln["stop"][rows, k]
                why = ln["reason"][rows, k]
                if regimen.is_ssa:
                    carry = backbone[rows, k]
                    stop = np.where(carry, nxt_stop[rows, k], stop)
                    why = np.where(carry, nxt_reason[rows, k], why)
                agent_codes = [_AGENT_CODE[a] for a in regimen.agents]
                if regimen.prrt_cycles:
                    counts = ln["cycles"][rows, k]
                    owner, position = _ragged(counts)
                    patients = rows[owner]
                    days = ln["cycle_days"][patients, k, position]
                    last = position == counts[owner] - 1
                    add(patients, agent_codes[0], days, days, 1, np.where(last, why[owner], 0))
                    continue
                for i, agent in enumerate(agent_codes):
                    begin = ln["start"][rows, k] + (regimen.second_offset_days if i else 0)
                    add(rows, agent, begin, np.maximum(stop, begin), 0, why)
        out = {key: np.concatenate(value) for key, value in cols.items()}
        end = self.end[out["patient"]]
        at_end = out["stop"] >= end
        dead = self.dead[out["patient"]]
        out["stop"] = np.minimum(out["stop"], end)
        out["reason"] = np.where(at_end, np.where(dead, 5, 4), out["reason"])
        out["ongoing"] = at_end & ~dead
        order = np.lexsort((out["agent"], out["start"], out["patient"]))
        return {key: value[order] for key, value in out.items()}, backbone

    # ------------------------------------------------------------------ imaging

    def scans(self, ln: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Scan days, tumour-size factors and new-lesion flags, sorted by patient and day."""
        n, rng = self.n, self.rng
        n_lines = self.regimen.shape[1]
        parts: dict[str, list[np.ndarray]] = {"patient": [], "day": [], "f": [], "new": []}

        def add(patient: np.ndarray, day: np.ndarray, f: np.ndarray, new: Any = False) -> None:
            parts["patient"].append(patient)
            parts["day"].append(day)
            parts["f"].append(f)
            parts["new"].append(np.broadcast_to(new, patient.size))

        everyone = np.arange(n)
        last_day = self.first_start - rng.integers(7, 29, n)
        add(everyone, last_day, np.ones(n))
        level = np.ones(n)  # size factor of the latest scan
        valid = ln["valid"]
        for k in range(n_lines):
            ok = valid[:, k]
            start = ln["start"][:, k]
            if k + 1 < n_lines:
                nxt = np.where(valid[:, k + 1], ln["start"][:, k + 1], self.end + 1)
            else:
                nxt = self.end + 1
            has_pd = ln["has_pd"][:, k]
            bound = np.where(has_pd, ln["pd"][:, k], nxt)
            count = np.where(ok, (bound - start - 1) // _SCAN_INTERVAL, 0).clip(min=0)
            owner, position = _ragged(count)
            t = (position + 1) * _SCAN_INTERVAL
            depth = self.traj.depth[:, k]
            shape = 1 + depth[owner] * np.minimum(t / _NADIR_DAYS, 1)
            add(owner, start[owner] + t, level[owner] * shape)
            last_shape = 1 + depth * np.minimum(count * _SCAN_INTERVAL / _NADIR_DAYS, 1)
            nadir = level * np.minimum(1.0, last_shape)
            last_f = level * last_shape
            last_day = np.where(ok & (count > 0), start + count * _SCAN_INTERVAL, last_day)
            level = np.where(ok, last_f, level)
            # progression: a new lesion, or >= 30 % and >= 7 mm above the nadir
            rows = np.nonzero(ok & has_pd)[0]
            new = rng.random(rows.size) < 0.3
            grown = np.maximum(1.3 * nadir[rows], nadir[rows] + 7.0 / self.base_sum[rows])
            pd_f = np.where(new, level[rows] * 1.02, grown)
            add(rows, ln["pd"][rows, k], pd_f, new)
            level[rows] = pd_f
            last_day[rows] = ln["pd"][rows, k]
        # after the last line: a scan every 24 weeks until the end of follow-up
        count = ((self.end - last_day) // _FOLLOW_UP_SCAN).clip(min=0)
        owner, position = _ragged(count)
        last = valid.sum(axis=1) - 1
        progressed = (last >= 0) & ln["has_pd"][everyone, last.clip(0)]
        grow = np.where(progressed[owner], 1 + 0.25 * (position + 1), 1.0)
        add(owner, last_day[owner] + (position + 1) * _FOLLOW_UP_SCAN, level[owner] * grow)
        out = {key: np.concatenate(value) for key, value in parts.items()}
        order = np.lexsort((out["day"], out["patient"]))
        return {key: value[order] for key, value in out.items()}

    # ------------------------------------------------------------------ assembly

    def build(self, with_lesions: bool) -> SyntheticCohort:
        ln = self.lines()
        ep, backbone = self.episodes(ln)
        sc = self.scans(ln)
        tenths = np.rint(self.sizes[sc["patient"]] * sc["f"][:, None] * 10).astype(np.int64)
        total = tenths.sum(axis=1)
        procedures = self.procedures()
        reset_patient, reset_day = self._resets(ep, procedures)
        has_response, response = recist_responses(
            sc["patient"], sc["day"], total, sc["new"], reset_patient, reset_day
        )
        tables, n_status = self._tables(ep, sc, has_response, response, procedures)
        labs = self._labs()
        counts = {
            "episodes": int(tables.episodes.num_rows),
            "scans": int(sc["day"].size),
            "clinician_status": n_status,
            "labs": int(labs.num_rows),
            "procedures": int(tables.procedures.num_rows),
            "deaths": int(self.dead.sum()),
        }
        return SyntheticCohort(
            tables=tables,
            lesions=self._lesions(sc, tenths) if with_lesions else None,
            labs=labs,
            truth=self._truth(ln, backbone),
            patients=self._patients(),
            counts=counts,
        )

    def _resets(
        self, ep: dict[str, np.ndarray], procedures: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Treatment starts that reset the RECIST baseline (as in tables_from_records)."""
        order = np.lexsort((ep["start"], ep["agent"], ep["patient"]))
        patient, agent = ep["patient"][order], ep["agent"][order]
        start, stop, reason = ep["start"][order], ep["stop"][order], ep["reason"][order]
        same = np.r_[False, (patient[1:] == patient[:-1]) & (agent[1:] == agent[:-1])]
        previous_stop = np.r_[np.int64(0), stop[:-1]]
        previous_reason = np.r_[np.int8(0), reason[:-1]]
        continuation = same & (start - previous_stop <= 90) & (previous_reason != 1)
        days = np.r_[start[~continuation], procedures["day"]]
        patients = np.r_[patient[~continuation], procedures["patient"]]
        order = np.lexsort((days, patients))
        return patients[order], days[order]

    def procedures(self) -> dict[str, np.ndarray]:
        """Primary resections of the patients diagnosed without distant metastases."""
        rows = np.nonzero(~self.synchronous)[0]
        rng = self.rng
        return {
            "patient": rows,
            "day": self.diagnosis[rows] + rng.integers(14, 61, rows.size),
            "procedure": rng.integers(0, 2, rows.size),
            "margin": rng.choice(2, rows.size, p=[0.8, 0.2]),
        }

    def _tables(
        self,
        ep: dict[str, np.ndarray],
        sc: dict[str, np.ndarray],
        has_response: np.ndarray,
        response: np.ndarray,
        procedures: dict[str, np.ndarray],
    ) -> tuple[CourseTables, int]:
        patient = ep["patient"]
        episode_id = _ragged(np.bincount(patient, minlength=self.n))[1]
        classes = np.array(_AGENT_CLASSES)
        class_names = sorted(set(_AGENT_CLASSES))
        class_code = np.searchsorted(np.array(class_names), classes)[ep["agent"]]
        episodes = pa.table(
            {
                "patient_id": pa.array(self.pid[patient]),
                "episode_id": pa.array(episode_id.astype(np.int32)),
                "event_id": pa.nulls(patient.size, pa.string()),
                "agent": _coded(ep["agent"], _AGENT_NAMES),
                "agent_class": _coded(class_code, class_names),
                "start": _days(ep["start"]),
                "stop": _days(ep["stop"], ~ep["ongoing"]),
                "cycles": pa.array(ep["cycles"].astype(np.int32), mask=ep["cycles"] == 0),
                "reason_stopped": _coded(ep["reason"], _REASONS, ep["reason"] > 0),
                "clinical_trial": pa.array(np.zeros(patient.size, bool)),
            }
        )
        # RECIST time points, and a clinician status on about one in seven
        r_patient, r_day, r_code = (
            sc["patient"][has_response],
            sc["day"][has_response],
            response[has_response],
        )
        status = self.rng.random(r_patient.size) < 0.15
        a_patient = np.r_[r_patient, r_patient[status]]
        a_day = np.r_[r_day, r_day[status]]
        a_code = np.r_[r_code, r_code[status] + 4]  # PD->progressing, SD->stable, ...
        a_source = np.r_[np.zeros(r_patient.size, np.int8), np.ones(int(status.sum()), np.int8)]
        order = np.lexsort((a_source, a_day, a_patient))
        a_patient, a_day, a_code, a_source = (
            x[order] for x in (a_patient, a_day, a_code, a_source)
        )
        assessments = pa.table(
            {
                "patient_id": pa.array(self.pid[a_patient]),
                "date": _days(a_day),
                "response": _coded(a_code, _RESPONSES),
                "progression": pa.array((a_code == 0) | (a_code == 4)),
                "source": _coded(a_source, ["recist", "clinician"]),
                "event_id": pa.nulls(a_patient.size, pa.string()),
            }
        )
        followup = pa.table(
            {
                "patient_id": pa.array(self.pid),
                "diagnosis": _days(self.diagnosis),
                "first_metastasis": _days(self.first_metastasis),
                "death": _days(self.end, self.dead),
                "last_follow_up": _days(self.end),
            }
        )
        m = procedures["patient"].size
        procs = pa.table(
            {
                "patient_id": pa.array(self.pid[procedures["patient"]]),
                "procedure_id": pa.array(np.zeros(m, np.int32)),
                "event_id": pa.nulls(m, pa.string()),
                "date": _days(procedures["day"]),
                "kind": _coded(np.zeros(m, np.int8), ["surgery"]),
                "procedure": _coded(
                    procedures["procedure"], ["pancreatoduodenectomy", "distal_pancreatectomy"]
                ),
                "intent": _coded(np.zeros(m, np.int8), ["curative"]),
                "margin": _coded(procedures["margin"], ["R0", "R1"]),
                "pathological_complete_response": pa.nulls(m, pa.bool_()),
                "organs": _coded(np.zeros(m, np.int8), ["pancreas,regional_lymph_node"]),
            }
        )
        tables = CourseTables.from_frames(episodes, assessments, followup, procs)
        return tables, int(status.sum())

    def _lesions(self, sc: dict[str, np.ndarray], tenths: np.ndarray) -> pa.Table:
        scan, index = _ragged(self.n_lesions[sc["patient"]])
        return pa.table(
            {
                "patient_id": pa.array(self.pid[sc["patient"][scan]]),
                "date": _days(sc["day"][scan]),
                "lesion_id": _coded(index, ["L1", "L2", "L3"]),
                "organ": _coded(np.zeros(scan.size, np.int8), ["liver"]),
                "diameter_mm": pa.array(tenths[scan, index] / 10.0),
                "new_lesions": pa.array(np.asarray(sc["new"])[scan]),
            }
        )

    def _labs(self) -> pa.Table:
        start = self.first_start - 30
        count = ((self.end - start) // _LAB_INTERVAL).clip(min=0) + 1
        owner, position = _ragged(count)
        value = 60.0 * self.rng.lognormal(0.0, 0.5, owner.size) * (1 + position / 20)
        return pa.table(
            {
                "patient_id": pa.array(self.pid[owner]),
                "date": _days(start[owner] + position * _LAB_INTERVAL),
                "analyte": _coded(np.zeros(owner.size, np.int8), ["chromogranin_a"]),
                "value": pa.array(np.round(value, 1)),
                "unit": _coded(np.zeros(owner.size, np.int8), ["ng/mL"]),
            }
        )

    def _truth(self, ln: dict[str, np.ndarray], backbone: np.ndarray) -> pa.Table:
        rows, lines = np.nonzero(ln["valid"])
        reg = self.regimen[rows, lines]
        carried = np.zeros_like(ln["valid"])
        carried[:, 1:] = backbone[:, :-1]
        previous = np.c_[self.regimen[:, :1], self.regimen[:, :-1]].clip(0)[rows, lines]
        carried_here = carried[rows, lines]
        # agents and backbone per (regimen, carried SSA) combination, then taken per line
        combo = (reg * len(REGIMENS) + previous) * 2 + carried_here
        unique, inverse = np.unique(combo, return_inverse=True)
        agent_lists, backbone_lists = [], []
        for value in unique.tolist():
            r, rest = divmod(value, 2 * len(REGIMENS))
            p, c = divmod(rest, 2)
            extra = [REGIMENS[p].agents[0]] if c else []
            agent_lists.append(sorted({*REGIMENS[r].agents, *extra}))
            backbone_lists.append(extra)
        take = pa.array(inverse.astype(np.int32))
        return pa.table(
            {
                "patient_id": pa.array(self.pid[rows]),
                "line": pa.array((lines + 1).astype(np.int32)),
                "regimen": _coded(reg, [r.name for r in REGIMENS]),
                "agents": pa.array(agent_lists, type=pa.list_(pa.string())).take(take),
                "backbone": pa.array(backbone_lists, type=pa.list_(pa.string())).take(take),
                "start": _days(ln["start"][rows, lines]),
                "progression": _days(ln["pd"][rows, lines], ln["has_pd"][rows, lines]),
            }
        )

    def _patients(self) -> pa.Table:
        rng, n = self.rng, self.n
        age = rng.uniform(35.0, 78.0, n)
        birth = self.diagnosis - np.floor(age * DAYS_PER_YEAR).astype(np.int64)
        return pa.table(
            {
                "patient_id": pa.array(self.pid),
                "sex": _coded(rng.integers(0, 2, n), ["female", "male"]),
                "birth_date": _days(birth),
                "site": _coded(
                    rng.integers(0, 3, n), ["pancreas_head", "pancreas_body", "pancreas_tail"]
                ),
            }
        )
