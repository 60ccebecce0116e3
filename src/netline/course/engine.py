"""The course engine: lines of therapy and outcomes as set-based (columnar) expressions.

One implementation serves one patient and a million: every step is a window function, a
group-by or a join on the patient over whole tables, written once with Ibis and run on DuckDB
(in-process, the default) or on Apache Spark, with identical results. There is no loop over
patients; the only loop is a short fixed point over the regimen-window rule (see
``_Pipeline.line_breaks``), whose number of passes is the longest chain of candidate line
starts within one regimen window anywhere in the data (usually zero or one).

Steps, each a whole-table operation (``docs/course.md`` states the rules in full):

1. **Eras.** Episodes of the same agent merge into one era while each restarts within the gap
   (``restart_gap_days``; ``prrt_max_interval_days`` for radioligands) of the latest earlier
   stop, with no progression documented and no procedure counted as a line in between (era
   collapse, as in TreatmentPatterns).
2. **Line starts.** An era opens a line when it is the patient's first; when progression was
   documented after the previous era started (on or before this start); when every earlier
   era stopped more than the gap before it; when it is or follows a procedure counted as a
   line; or when it is *novel* and starts more than ``regimen_window_days`` after the line's
   start. Novel: its agent class was not given within the gap before, and it is not an SSA
   added while another therapy runs.
3. **Lines.** Regimen (agent bit masks), backbone SSA (an SSA era of an earlier line still
   running at the start), start, end (the end of the line's own and backbone agents, cut at
   the next line), end reason.
4. **Outcomes.** Assessments belong to the last line started before them; from them come the
   first progression after each line start, the best overall response, PFS, time to next
   treatment and overall survival; per patient PFS2 and overall survival.

The engine sees integers only (:mod:`netline.course._codes`): dates as day numbers, agents,
classes, responses, sources and reasons as codes; "the value at the largest key" is a ``max``
over a key that packs the value in its low digits, so that every backend computes the same
thing cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from netline.course._backend import Engine, connect
from netline.course._codes import (
    END_REASONS,
    KINDS,
    PFS_REASONS,
    RESPONSES,
    SOURCES,
    TTNT_REASONS,
    Coded,
    decode,
    decode_lines,
    encode,
)
from netline.course.rules import LineRules
from netline.course.tables import CourseTables
from netline.errors import InvalidInputError

__all__ = ["LINE_SCHEMA", "PATIENT_SCHEMA", "RESPONSE_RANK", "CohortCourse", "derive_lines"]

#: Best-response order (higher is better); a tie in rank is broken by source (RECIST first).
RESPONSE_RANK: dict[str, int] = {
    "CR": 9,
    "NED": 8,
    "PR": 7,
    "responding": 6,
    "SD": 5,
    "stable": 4,
    "non-CR/non-PD": 3,
    "mixed": 2,
    "PD": 1,
    "progressing": 1,
    "NE": 0,
}

_STRINGS = pa.list_(pa.string())
#: Columns of :attr:`CohortCourse.lines` (after ``patient_id``) and their Arrow types.
LINE_SCHEMA: dict[str, pa.DataType] = {
    "line": pa.int32(),
    "kind": pa.string(),
    "label": pa.string(),
    "agents": _STRINGS,
    "backbone": _STRINGS,
    "start": pa.date32(),
    "end": pa.date32(),
    "ongoing": pa.bool_(),
    "end_reason": pa.string(),
    "cycles": pa.int32(),
    "clinical_trial": pa.bool_(),
    "best_response": pa.string(),
    "best_response_source": pa.string(),
    "best_response_date": pa.date32(),
    "first_progression": pa.date32(),
    "pfs_days": pa.int32(),
    "pfs_event": pa.bool_(),
    "pfs_reason": pa.string(),
    "ttnt_days": pa.int32(),
    "ttnt_event": pa.bool_(),
    "ttnt_reason": pa.string(),
    "os_days": pa.int32(),
    "os_event": pa.bool_(),
    "duration_days": pa.int32(),
}
#: Columns of :attr:`CohortCourse.patients` (after ``patient_id``) and their Arrow types.
PATIENT_SCHEMA: dict[str, pa.DataType] = {
    "n_lines": pa.int32(),
    "diagnosis": pa.date32(),
    "first_metastasis": pa.date32(),
    "first_line_start": pa.date32(),
    "death": pa.date32(),
    "last_follow_up": pa.date32(),
    "os_from_diagnosis_days": pa.int32(),
    "os_from_metastasis_days": pa.int32(),
    "os_from_first_line_days": pa.int32(),
    "os_event": pa.bool_(),
    "pfs2_days": pa.int32(),
    "pfs2_event": pa.bool_(),
    "pfs2_reason": pa.string(),
}
_EPISODE_LINE_SCHEMA: dict[str, pa.DataType] = {"episode_id": pa.int32(), "line": pa.int32()}


@dataclass(frozen=True)
class CohortCourse:
    """Lines of therapy and outcomes of a cohort, as Arrow tables.

    Attributes
    ----------
    lines : pyarrow.Table
        One row per line (``patient_id`` and the columns of ``LINE_SCHEMA``), sorted by
        patient and line number.
    patients : pyarrow.Table
        One row per patient (``patient_id`` and the columns of ``PATIENT_SCHEMA``).
    episode_lines : pyarrow.Table
        ``patient_id``, ``episode_id``, ``line``: the line every therapy episode belongs to.
    rules : LineRules
        The rules used.
    backend : str
        The engine that computed them (``"duckdb"`` or ``"pyspark"``).
    """

    lines: pa.Table
    patients: pa.Table
    episode_lines: pa.Table
    rules: LineRules
    backend: str

    def lines_frame(self) -> Any:
        """Return the lines as a pandas DataFrame."""
        return self.lines.to_pandas()

    def patients_frame(self) -> Any:
        """Return the per-patient outcomes as a pandas DataFrame."""
        return self.patients.to_pandas()


# --------------------------------------------------------------------------- helpers


def _ibis() -> Any:
    import ibis  # type: ignore[import-untyped]

    return ibis


def _when(cond: Any, value: Any, dtype: str) -> Any:
    ibis = _ibis()
    return ibis.ifelse(cond, value, ibis.null(dtype))


def _window(group_by: Any, order_by: Any, rows: tuple[int | None, int | None] | None = None) -> Any:
    ibis = _ibis()
    if rows is None:
        return ibis.window(group_by=group_by, order_by=order_by)
    return ibis.window(group_by=group_by, order_by=order_by, rows=rows)


def _conform(table: pa.Table, columns: dict[str, pa.DataType], id_type: pa.DataType) -> pa.Table:
    """Cast an engine result to the published schema (day numbers become dates)."""
    arrays = [table.column("patient_id").cast(id_type)]
    for name, dtype in columns.items():
        column = table.column(name)
        if pa.types.is_date32(dtype):
            column = column.cast(pa.int32())
        arrays.append(column.cast(dtype))
    schema = pa.schema([("patient_id", id_type), *columns.items()])
    return pa.Table.from_arrays(arrays, schema=schema)


def _index(vocabulary: tuple[str, ...], *names: str) -> list[int]:
    return [vocabulary.index(name) for name in names]


_RANK_OF_CODE = {i: RESPONSE_RANK[name] for i, name in enumerate(RESPONSES)}
_STABLE = _index(RESPONSES, "SD", "stable", "non-CR/non-PD", "mixed")
_NE = RESPONSES.index("NE")
_END = {name: i for i, name in enumerate(END_REASONS)}
_PFS = {name: i for i, name in enumerate(PFS_REASONS)}
_TTNT = {name: i for i, name in enumerate(TTNT_REASONS)}
_QUIET = _index(END_REASONS, "unknown", "other", "ongoing")


# --------------------------------------------------------------------------- pipeline


class _Pipeline:
    """The expressions of one derivation (one set of rules, one engine, coded tables)."""

    def __init__(self, engine: Engine, coded: Coded, rules: LineRules) -> None:
        self.engine = engine
        self.rules = rules
        self.ibis = ibis = _ibis()
        self.ssa = coded.class_code("ssa")
        self.radioligand = coded.class_code("radioligand")
        fu = engine.load(coded.followup, "followup")
        self.followup = fu.mutate(fu_end=ibis.coalesce(fu.death, fu.last_follow_up))
        self.episodes = engine.load(coded.episodes, "episodes")
        self.assessments = engine.load(coded.assessments, "assessments")
        self.procedures = engine.load(coded.procedures, "procedures")
        self.counted = [KINDS.index(kind) for kind in sorted(rules.procedures_as_lines)]
        self.scratch: list[Any] = []  # intermediate tables to drop once the lines are made

    def _gap(self, cls: Any) -> Any:
        return self.ibis.ifelse(
            cls == self.radioligand, self.rules.prrt_max_interval_days, self.rules.restart_gap_days
        )

    # ---- step 1: eras -------------------------------------------------------------------

    def eras(self) -> tuple[Any, Any]:
        """Return (eras, episode -> era map)."""
        ibis = self.ibis
        fu = self.followup.select(pid="patient_id", fu_end="fu_end")
        ep = self.episodes
        ep = ep.left_join(fu, ep.patient_id == fu.pid).drop("pid")
        ep = ep.mutate(
            stop_eff=ibis.greatest(ibis.coalesce(ep.stop, ep.fu_end, ep.start), ep.start),
            ongoing=ep.stop.isnull(),
        ).drop("fu_end")
        # the last progression (and counted procedure) on or before each episode start, from
        # a narrow stream of starts and events; events after a patient's last start are moot
        last_start = ep.group_by("patient_id").aggregate(last_start=ep.start.max())
        last_start = last_start.rename(lpid="patient_id")
        asm = self.assessments.filter(self.assessments.progression)
        pd_days = asm.select("patient_id", "day").distinct()
        pd_days = pd_days.join(
            last_start,
            [pd_days.patient_id == last_start.lpid, pd_days.day <= last_start.last_start],
        ).select("patient_id", "day")
        pr = self.procedures.filter(self.procedures.kind.isin(self.counted or [-9]))
        no_episode = ibis.null("int32")
        s = ibis.union(
            ep.select(
                "patient_id", day=ep.start, kind=ibis.literal(1, "int8"), episode_id=ep.episode_id
            ),
            pd_days.select(
                "patient_id", "day", kind=ibis.literal(0, "int8"), episode_id=no_episode
            ),
            pr.select(
                "patient_id", day=pr.day, kind=ibis.literal(-1, "int8"), episode_id=no_episode
            ),
            distinct=False,
        )
        w = _window(s.patient_id, [s.day, s.kind, s.episode_id], (None, 0))
        s = s.mutate(
            last_pd=_when(s.kind == 0, s.day, "int32").max().over(w),
            last_procedure=_when(s.kind == -1, s.day, "int32").max().over(w),
        )
        s = s.filter(s.kind == 1).select(
            spid="patient_id", sid="episode_id", last_pd="last_pd", last_procedure="last_procedure"
        )
        e = ep.join(s, [ep.patient_id == s.spid, ep.episode_id == s.sid]).drop("spid", "sid")
        gap = self._gap(e.cls)
        w_agent = _window([e.patient_id, e.code], [e.start, e.episode_id])
        w_agent_prev = _window([e.patient_id, e.code], [e.start, e.episode_id], (None, -1))
        prev_start = e.start.lag().over(w_agent)
        new_era = (
            prev_start.isnull()
            | ((e.start - e.stop_eff.max().over(w_agent_prev)) > gap).fill_null(False)
            | (e.last_pd > prev_start).fill_null(False)
            | (e.last_procedure > prev_start).fill_null(False)
        )
        e = e.mutate(new_era=new_era.cast("int32"))
        w_cum = _window([e.patient_id, e.code], [e.start, e.episode_id], (None, 0))
        e = e.mutate(era=e.new_era.sum().over(w_cum).cast("int32"))
        e = self.engine.materialise(e, "episode_eras")
        # the stop reason of the episode that stops last, packed under a sort key (max is cheap)
        key = (e.stop_eff.cast("int64") * 1_000_000 + e.episode_id.cast("int64")) * 64
        cycles = ibis.ifelse(e.cls == self.radioligand, e.cycles.fill_null(1), e.cycles)
        eras = e.group_by(["patient_id", "code", "era"]).aggregate(
            cls=e.cls.max(),
            bit=e.bit.max(),
            start=e.start.min(),
            stop=e.stop_eff.max(),
            ongoing=e.ongoing.any(),
            cycles=cycles.sum().cast("int32"),
            clinical_trial=e.clinical_trial.any(),
            last_pd=e.last_pd.max(),
            reason_key=(key + e.reason.fill_null(-1).cast("int64") + 1).max(),
        )
        eras = eras.mutate(
            kind=ibis.literal(0, "int8"), reason=(eras.reason_key % 64 - 1).cast("int32")
        ).drop("reason_key")
        eras = self.engine.materialise(eras, "eras")
        episode_map = self.engine.materialise(
            e.select("patient_id", "episode_id", "code", "era"), "episode_map"
        )
        self.engine.drop(e)
        return eras, episode_map

    def procedure_eras(self) -> Any:
        """Procedures counted as lines, shaped like eras (class code: minus the kind)."""
        ibis = self.ibis
        pr = self.procedures.filter(self.procedures.kind.isin(self.counted))
        return pr.select(
            "patient_id",
            code=pr.code,
            era=pr.procedure_id.cast("int32"),
            cls=-pr.kind.cast("int32"),
            bit=ibis.literal(0, "int64"),
            start=pr.day,
            stop=pr.day,
            ongoing=ibis.literal(False),
            cycles=ibis.null("int32"),
            clinical_trial=ibis.literal(False),
            last_pd=ibis.null("int32"),
            reason=ibis.literal(-1, "int32"),
            kind=pr.kind.cast("int8"),
        )

    # ---- step 2: line starts -------------------------------------------------------------

    def line_breaks(self, eras: Any) -> Any:
        """Give each era its line number (a window pass, then fixed-point passes for chains)."""
        ibis = self.ibis
        window = self.rules.regimen_window_days
        source = eras
        if self.counted:
            proc = self.procedure_eras()
            eras = ibis.union(eras.select(*proc.columns).cast(proc.schema()), proc, distinct=False)
        e = eras.mutate(
            start=eras.start.cast("int32"),
            stop=eras.stop.cast("int32"),
            gap=self._gap(eras.cls),
            is_ssa=eras.cls == self.ssa,
            is_procedure=eras.kind != 0,
        )
        order = [e.start, e.code, e.era]
        w = _window(e.patient_id, order)
        w_prev = _window(e.patient_id, order, (None, -1))
        prev_start = e.start.lag().over(w)
        prev_stop = e.stop.max().over(w_prev)
        prev_class_stop = e.stop.max().over(_window([e.patient_id, e.cls], order, (None, -1)))
        hard = (
            (ibis.row_number().over(w) == 0)
            | e.is_procedure
            | e.is_procedure.lag().over(w).fill_null(False)
            | (e.last_pd > prev_start).fill_null(False)
            | ((e.start - prev_stop) > e.gap).fill_null(False)
        )
        active = (prev_stop > e.start).fill_null(False)
        same_class_recent = (prev_class_stop >= (e.start - e.gap)).fill_null(False)
        novel = ~same_class_recent & ~(e.is_ssa & active)
        e = e.mutate(hard=hard, candidate=novel & ~hard, seq=ibis.row_number().over(w))
        w_run = _window(e.patient_id, [e.start, e.code, e.era], (None, 0))
        w_before = _window(e.patient_id, [e.start, e.code, e.era], (None, -1))
        segment_start = _when(e.hard, e.start, "int32").max().over(w_run)
        anchor_any = _when(e.hard | e.candidate, e.start, "int32").max().over(w_before)
        e = e.mutate(
            sure=e.candidate & ((e.start - anchor_any) > window).fill_null(False),
            undecided=e.candidate
            & ((e.start - anchor_any) <= window).fill_null(False)
            & ((e.start - segment_start) > window).fill_null(False),
        )
        e = breaks = self.engine.materialise(e.mutate(opens=e.hard | e.sure), "era_breaks")
        self.engine.drop(source)
        per_patient = e.group_by("patient_id").aggregate(n=e.undecided.cast("int32").sum())
        passes = int(self.engine.scalar(per_patient.n.max()) or 0)
        for _ in range(passes):
            w_before = _window(e.patient_id, [e.start, e.code, e.era], (None, -1))
            anchor = _when(e.opens, e.start, "int32").max().over(w_before)
            late = ((e.start - anchor) > window).fill_null(False)
            e = e.mutate(opens=e.hard | e.sure | (e.undecided & late))
        w_run = _window(e.patient_id, [e.start, e.code, e.era], (None, 0))
        e = e.mutate(
            line=e.opens.cast("int32").sum().over(w_run).cast("int32"),
            line_start=_when(e.opens, e.start, "int32").max().over(w_run),
        )
        out = self.engine.materialise(e, "era_lines")
        self.engine.drop(breaks)
        return out

    # ---- step 3: lines ---------------------------------------------------------------------

    def lines(self, e: Any) -> Any:
        """Aggregate eras into lines: agent masks, backbone, end and the reason it ended."""
        ibis = self.ibis
        in_regimen = (e.start - e.line_start) <= self.rules.regimen_window_days
        zero = ibis.literal(0, "int64")
        stop_key = (e.stop.cast("int64") * 100_000 + e.seq.cast("int64")) * 64
        lines = e.group_by(["patient_id", "line"]).aggregate(
            start=e.start.min(),
            own_stop=e.stop.max(),
            own_ongoing=e.ongoing.any(),
            kind=e.kind.max(),
            procedure=_when(e.is_procedure, e.code, "int32").max(),
            cycles=_when(e.cls == self.radioligand, e.cycles, "int32").sum().cast("int32"),
            clinical_trial=e.clinical_trial.any(),
            reason_key=(stop_key + e.reason.cast("int64") + 1).max(),
        )
        # agent masks: one bit per agent, summed over the distinct agents of each line
        per_agent = (
            e.mutate(in_regimen=in_regimen)
            .group_by(["patient_id", "line", "code"])
            .aggregate(
                bit=ibis._.bit.max(),
                is_ssa=ibis._.is_ssa.any(),
                in_regimen=ibis._.in_regimen.any(),
            )
        )
        masks = per_agent.group_by(["patient_id", "line"]).aggregate(
            regimen_mask=ibis.ifelse(
                per_agent.in_regimen & ~per_agent.is_ssa, per_agent.bit, zero
            ).sum(),
            ssa_mask=ibis.ifelse(
                per_agent.in_regimen & per_agent.is_ssa, per_agent.bit, zero
            ).sum(),
            agents_mask=per_agent.bit.sum(),
        )
        masks = masks.rename(mpid="patient_id", mline="line")
        lines = lines.join(masks, [lines.patient_id == masks.mpid, lines.line == masks.mline]).drop(
            "mpid", "mline"
        )
        # backbone: SSA eras of earlier lines still running when a systemic line starts
        ssa = e.filter(e.is_ssa & ~e.is_procedure).select(
            b_pid="patient_id",
            b_bit="bit",
            b_start="start",
            b_stop="stop",
            b_ongoing="ongoing",
            b_reason="reason",
            b_seq="seq",
        )
        starts = lines.filter(lines.kind == 0).select("patient_id", "line", "start")
        pairs = starts.join(
            ssa,
            [starts.patient_id == ssa.b_pid, ssa.b_start < starts.start, ssa.b_stop > starts.start],
        )
        b_key = (pairs.b_stop.cast("int64") * 100_000 + pairs.b_seq.cast("int64")) * 64
        pairs = pairs.mutate(b_key=b_key + pairs.b_reason.cast("int64") + 1)
        per_bit = pairs.group_by(["patient_id", "line", "b_bit"]).aggregate(
            b_stop=pairs.b_stop.max(),
            b_ongoing=pairs.b_ongoing.any(),
            b_key=pairs.b_key.max(),
        )
        backbone = per_bit.group_by(["patient_id", "line"]).aggregate(
            backbone_mask=per_bit.b_bit.sum(),
            backbone_stop=per_bit.b_stop.max(),
            backbone_ongoing=per_bit.b_ongoing.any(),
            backbone_reason=(per_bit.b_key.max() % 64 - 1).cast("int32"),
        )
        backbone = backbone.rename(bpid="patient_id", bline="line")
        lines = lines.left_join(
            backbone, [lines.patient_id == backbone.bpid, lines.line == backbone.bline]
        ).drop("bpid", "bline")
        w = _window(lines.patient_id, lines.line)
        next_start = lines.start.lead().over(w)
        natural_end = ibis.greatest(lines.own_stop, lines.backbone_stop.fill_null(lines.own_stop))
        from_backbone = lines.backbone_stop.notnull() & (lines.backbone_stop > lines.own_stop)
        own_reason = (lines.reason_key % 64 - 1).cast("int32")
        reason = ibis.ifelse(from_backbone, lines.backbone_reason, own_reason)
        lines = lines.mutate(
            backbone_mask=lines.backbone_mask.fill_null(0),
            next_start=next_start,
            natural_end=natural_end,
            end=ibis.least(natural_end, next_start.fill_null(natural_end)),
            ongoing=next_start.isnull()
            & (lines.own_ongoing | lines.backbone_ongoing.fill_null(False)),
            last_reason=_when(reason >= 0, reason, "int32"),
        )
        out = self.engine.materialise(lines.drop("backbone_reason", "reason_key"), "lines")
        self.engine.drop(e)
        return out

    # ---- step 4: outcomes ------------------------------------------------------------------

    def outcomes(self, lines: Any) -> Any:
        """Add first progression, best response, PFS, TTNT, OS and end reason to each line."""
        ibis = self.ibis
        lines_in = lines
        rules = self.rules
        asm = self.assessments
        # each assessment and procedure belongs to the last line started before it (a finding
        # on the day a line starts belongs to the previous line): a range join on the patient
        spans = lines.select(spid="patient_id", line="line", l_start="start", l_next="next_start")

        def owned_by_line(table: Any) -> Any:
            return table.join(
                spans,
                [
                    table.patient_id == spans.spid,
                    table.day > spans.l_start,
                    spans.l_next.isnull() | (table.day <= spans.l_next),
                ],
            ).drop("spid")

        owned = self.engine.materialise(owned_by_line(asm).drop("l_next"), "owned_assessments")
        self.scratch.append(owned)
        procedures = owned_by_line(self.procedures.select("patient_id", "day"))
        # first progression and first procedure after each line start: the first one owned
        # by the line or by any later line
        own_pd = owned.group_by(["patient_id", "line"]).aggregate(
            own_pd=_when(owned.progression, owned.day, "int32").min(),
            last_assessment=owned.day.max(),
        )
        own_pd = own_pd.rename(opid="patient_id", oline="line")
        own_proc = procedures.group_by(["patient_id", "line"]).aggregate(
            own_procedure=procedures.day.min()
        )
        own_proc = own_proc.rename(qpid="patient_id", qline="line")
        lines = lines.left_join(
            own_pd, [lines.patient_id == own_pd.opid, lines.line == own_pd.oline]
        ).drop("opid", "oline")
        lines = lines.left_join(
            own_proc, [lines.patient_id == own_proc.qpid, lines.line == own_proc.qline]
        ).drop("qpid", "qline")
        w_after = _window(lines.patient_id, lines.line, (0, None))
        lines = lines.mutate(
            first_pd=lines.own_pd.min().over(w_after),
            next_procedure=lines.own_procedure.min().over(w_after),
        )
        fu = self.followup.select(
            fpid="patient_id", death="death", last_follow_up="last_follow_up", fu_end="fu_end"
        )
        lines = lines.left_join(fu, lines.patient_id == fu.fpid).drop("fpid")
        lines = self.engine.materialise(lines, "line_bounds")
        self.scratch += [lines, lines_in]
        # best overall response: the largest sort key packs rank, source, date and code; an
        # owned assessment is within the response window when it is not after the line's own
        # first progression or procedure (later ones belong to later lines)
        bounds = lines.select(
            bpid="patient_id", bline="line", own_pd="own_pd", own_procedure="own_procedure"
        )
        owned = owned.join(bounds, [owned.patient_id == bounds.bpid, owned.line == bounds.bline])
        since = owned.day - owned.l_start
        rank = owned.resp.substitute(_RANK_OF_CODE, else_=ibis.null("int64")).cast("int64")
        too_early = owned.resp.isin(_STABLE) & (since < rules.sd_min_days)
        eff_rank = ibis.ifelse(too_early, 0, rank)
        eff_code = ibis.ifelse(too_early, _NE, owned.resp).cast("int64")
        priority = (len(SOURCES) - owned.src).cast("int64")
        key = (((eff_rank * 10 + priority) * 100_000 + (99_999 - since)) * 10 + owned.src) * 16
        limit = owned.own_pd
        if rules.response_window_ends_at_procedure:
            limit = ibis.least(owned.own_pd, owned.own_procedure)
        in_window = rank.notnull() & (limit.isnull() | (owned.day <= limit))
        owned = owned.mutate(key=_when(in_window, key + eff_code, "int64"))
        best = owned.group_by(["bpid", "bline"]).aggregate(best_key=owned.key.max())
        lines = lines.left_join(
            best, [lines.patient_id == best.bpid, lines.line == best.bline]
        ).drop("bpid", "bline", "own_pd", "own_procedure")
        k = lines.best_key
        lines = lines.mutate(
            best_response=(k % 16).cast("int32"),
            best_response_source=(k // 16 % 10).cast("int32"),
            best_response_date=(lines.start + 99_999 - (k // 160 % 100_000)).cast("int32"),
        ).drop("best_key")
        last_any = self.assessments.group_by("patient_id").aggregate(
            patient_last_assessment=self.assessments.day.max()
        )
        last_any = last_any.rename(lpid="patient_id")
        lines = lines.left_join(last_any, lines.patient_id == last_any.lpid).drop("lpid")
        return self._survival(lines)

    def _survival(self, lines: Any) -> Any:
        ibis = self.ibis
        rules = self.rules
        start = lines.start
        at_next = rules.pfs_censor_at_next_line
        bound = lines.next_start.fill_null(lines.fu_end) if at_next else lines.fu_end
        pd_event = lines.first_pd.notnull() & (lines.first_pd <= bound)
        death_event = lines.death.notnull() & (lines.death <= bound) & (lines.death >= start)
        event_day = ibis.least(
            _when(pd_event, lines.first_pd, "int32"), _when(death_event, lines.death, "int32")
        )
        is_pd = pd_event & (~death_event | (lines.first_pd <= lines.death))
        censored_at_next = lines.next_start.notnull() & ibis.literal(at_next)
        if rules.pfs_censor_date == "last_follow_up":
            censor_day = bound
            censor_reason = ibis.ifelse(
                censored_at_next, _PFS["censored_next_line"], _PFS["censored_end_of_follow_up"]
            )
        else:
            if at_next:
                last = lines.last_assessment
            else:
                later = lines.patient_last_assessment > start
                last = _when(later, lines.patient_last_assessment, "int32")
            censor_day = last.fill_null(start)
            censor_reason = ibis.ifelse(
                last.isnull(),
                _PFS["censored_no_assessment"],
                ibis.ifelse(
                    censored_at_next, _PFS["censored_next_line"], _PFS["censored_last_assessment"]
                ),
            )
        pfs_event = pd_event | death_event
        pfs_day = ibis.ifelse(pfs_event, event_day, censor_day)
        pfs_reason = ibis.ifelse(
            is_pd, _PFS["progression"], ibis.ifelse(death_event, _PFS["death"], censor_reason)
        )
        ttnt_day = lines.next_start.fill_null(lines.fu_end)
        ttnt_reason = ibis.ifelse(
            lines.next_start.notnull(),
            _TTNT["next_line"],
            ibis.ifelse(lines.death.notnull(), _TTNT["death"], _TTNT["censored"]),
        )
        grace = rules.end_grace_days
        pd_ends = (
            lines.first_pd.notnull()
            & (lines.first_pd <= lines.end + grace)
            & (lines.next_start.isnull() | (lines.first_pd <= lines.next_start))
        )
        truncated = lines.next_start.notnull() & (lines.next_start < lines.natural_end)
        reason = lines.last_reason
        end_reason = ibis.cases(
            (lines.kind != 0, _END["procedure"]),
            (lines.ongoing, _END["ongoing"]),
            (pd_ends | (reason == _END["progression"]).fill_null(False), _END["progression"]),
            (truncated, _END["new_line"]),
            (reason.notnull() & ~reason.isin(_QUIET), reason),
            (lines.death.notnull() & (lines.death <= lines.end + grace), _END["death"]),
            (lines.next_start.notnull(), _END["new_line"]),
            else_=_END["unknown"],
        )
        return lines.mutate(
            end=ibis.ifelse(lines.ongoing, ibis.greatest(lines.fu_end, lines.start), lines.end),
            end_reason=end_reason,
            first_progression=lines.first_pd,
            pfs_days=(pfs_day - start).cast("int32"),
            pfs_event=pfs_event,
            pfs_reason=pfs_reason,
            ttnt_days=(ttnt_day - start).cast("int32"),
            ttnt_event=lines.next_start.notnull() | lines.death.notnull(),
            ttnt_reason=ttnt_reason,
            os_days=(lines.fu_end - start).cast("int32"),
            os_event=lines.death.notnull(),
        ).mutate(duration_days=(ibis._.end - ibis._.start).cast("int32"))

    def patients(self, lines: Any) -> Any:
        """Per-patient outcomes: number of lines, OS from three origins, PFS2."""
        ibis = self.ibis
        fu = self.followup
        l1 = lines.filter(lines.line == 1).select(pid1="patient_id", l1_start="start")
        l2 = lines.filter(lines.line == 2).select(pid2="patient_id", l2_pd="first_pd")
        count = lines.group_by("patient_id").aggregate(n_lines=lines.line.max())
        count = count.rename(pidn="patient_id")
        p = fu.left_join(l1, fu.patient_id == l1.pid1).drop("pid1")
        p = p.left_join(l2, p.patient_id == l2.pid2).drop("pid2")
        p = p.left_join(count, p.patient_id == count.pidn).drop("pidn")
        pfs2_event_day = ibis.least(p.l2_pd, p.death)
        has_l1 = p.l1_start.notnull()
        pfs2_event = has_l1 & pfs2_event_day.notnull()
        pfs2_day = ibis.ifelse(pfs2_event, pfs2_event_day, p.fu_end)
        pfs2_reason = ibis.cases(
            (~has_l1, ibis.null("string")),
            (p.l2_pd.notnull() & (p.death.isnull() | (p.l2_pd <= p.death)), "progression"),
            (p.death.notnull(), "death"),
            else_="censored_end_of_follow_up",
        )
        return p.select(
            "patient_id",
            n_lines=p.n_lines.fill_null(0).cast("int32"),
            diagnosis=p.diagnosis,
            first_metastasis=p.first_metastasis,
            first_line_start=p.l1_start,
            death=p.death,
            last_follow_up=p.last_follow_up,
            os_from_diagnosis_days=(p.fu_end - p.diagnosis).cast("int32"),
            os_from_metastasis_days=(p.fu_end - p.first_metastasis).cast("int32"),
            os_from_first_line_days=(p.fu_end - p.l1_start).cast("int32"),
            os_event=p.death.notnull(),
            pfs2_days=_when(has_l1, (pfs2_day - p.l1_start).cast("int32"), "int32"),
            pfs2_event=_when(has_l1, pfs2_event, "boolean"),
            pfs2_reason=pfs2_reason,
        )


_LINE_ENGINE_COLUMNS = (
    "patient_id",
    "line",
    "kind",
    "procedure",
    "regimen_mask",
    "ssa_mask",
    "agents_mask",
    "backbone_mask",
    "start",
    "end",
    "ongoing",
    "end_reason",
    "cycles",
    "clinical_trial",
    "best_response",
    "best_response_source",
    "best_response_date",
    "first_progression",
    "pfs_days",
    "pfs_event",
    "pfs_reason",
    "ttnt_days",
    "ttnt_event",
    "ttnt_reason",
    "os_days",
    "os_event",
    "duration_days",
)


def _decode_lines(table: pa.Table, coded: Coded) -> pa.Table:
    table = decode_lines(table, coded)
    for name, vocabulary in (
        ("kind", KINDS),
        ("end_reason", END_REASONS),
        ("best_response", RESPONSES),
        ("best_response_source", SOURCES),
        ("pfs_reason", PFS_REASONS),
        ("ttnt_reason", TTNT_REASONS),
    ):
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, decode(table.column(name), vocabulary))
    return table


def derive_lines(
    tables: CourseTables,
    rules: LineRules | None = None,
    *,
    backend: object = "duckdb",
) -> CohortCourse:
    """Derive lines of therapy and outcomes for every patient in the tables.

    Parameters
    ----------
    tables : CourseTables
        Episodes, assessments, follow-up and procedures (from records, a registry import or
        the synthetic generator).
    rules : LineRules, optional
        The line-of-therapy rules; the documented defaults when omitted.
    backend : {"duckdb", "pyspark"} or ibis backend or SparkSession
        The engine: in-process DuckDB (default), or Spark (the active session, a given
        session, or an Ibis PySpark backend). Results are identical.

    Returns
    -------
    CohortCourse
        Lines (one row per line), per-patient outcomes and the episode-to-line map.

    Raises
    ------
    InvalidInputError
        When ``tables`` is not :class:`CourseTables`, has more than 62 distinct agents, or
        the backend is unknown.

    Examples
    --------
    >>> from netline.course import derive_lines, tables_from_records
    >>> from netline.records import load_case
    >>> course = derive_lines(tables_from_records(load_case("examples/seed-case.yaml")))
    >>> course.lines.column("label").to_pylist()
    ['lanreotide', '177Lu-DOTATATE x4', 'lanreotide']
    """
    if not isinstance(tables, CourseTables):
        raise InvalidInputError.single(
            "tables", type(tables).__name__, "CourseTables (see tables_from_records)"
        )
    rules = rules or LineRules()
    coded = encode(tables, rules)
    engine = connect(backend)
    try:
        pipe = _Pipeline(engine, coded, rules)
        eras, episode_map = pipe.eras()
        era_lines = pipe.line_breaks(eras)
        map_lines = era_lines.filter(era_lines.kind == 0).select(
            mpid="patient_id", mcode="code", mera="era", line="line"
        )
        joined = episode_map.join(
            map_lines,
            [
                episode_map.patient_id == map_lines.mpid,
                episode_map.code == map_lines.mcode,
                episode_map.era == map_lines.mera,
            ],
        )
        episode_table = engine.to_arrow(
            joined.select("patient_id", "episode_id", "line").order_by(["patient_id", "episode_id"])
        )
        engine.drop(episode_map)
        lines = engine.materialise(pipe.outcomes(pipe.lines(era_lines)), "line_outcomes")
        engine.drop(*pipe.scratch)
        line_table = engine.to_arrow(
            lines.select(*_LINE_ENGINE_COLUMNS).order_by(["patient_id", "line"])
        )
        patient_table = engine.to_arrow(pipe.patients(lines).order_by("patient_id"))
    finally:
        engine.release()
    return CohortCourse(
        lines=_conform(_decode_lines(line_table, coded), LINE_SCHEMA, coded.id_type),
        patients=_conform(patient_table, PATIENT_SCHEMA, coded.id_type),
        episode_lines=_conform(episode_table, _EPISODE_LINE_SCHEMA, coded.id_type),
        rules=rules,
        backend=engine.name,
    )
