"""Steps 1 to 3 of the course engine: eras, line starts and line aggregates (Polars).

Every function takes and returns Polars data frames over a batch of patients (one patient is a
batch of one). Dates are integer day numbers (``Int32``); ``patient_id`` keeps its type (any
string or integer), ``episode_id`` is ``Int64``. Nothing packs values into sort keys or bits:
orders are explicit sorts and "the value of the last row" is ``sort_by(...).last()``.

The rules are the ones of :class:`~netline.course.rules.LineRules` and ``docs/course.md``; the
row-by-row statement that the tests compare with is ``tests/course/oracle.py``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from netline.course.rules import LineRules
from netline.records.vocabulary import AGENTS

__all__ = ["agent_label", "era_lines", "eras", "line_aggregates", "number_lines"]

PID = "patient_id"
_LABELS = {agent.value: info.label for agent, info in AGENTS.items()}


def _gap(rules: LineRules, column: str = "agent_class") -> pl.Expr:
    return (
        pl.when(pl.col(column) == "radioligand")
        .then(pl.lit(rules.prrt_max_interval_days))
        .otherwise(pl.lit(rules.restart_gap_days))
    )


#: Added to an ``Int32`` day to make it a non-negative number below ``2**32``.
_DAY_OFFSET = 2**31


def segment_cum_max(value: str, segment: str) -> pl.Expr:
    """Return the running maximum of an ``Int32`` column within runs of one ``segment``.

    The rows must be sorted so that each segment is contiguous; ``segment`` is a dense,
    non-negative row-derived counter (a ``cum_sum`` of run starts, so below the number of rows).
    The maximum is taken over ``segment * 2**32 + (value + 2**31)``: exact for every ``Int32``
    value and every segment below ``2**31`` (a batch holds far fewer rows), and a flat running
    maximum instead of a window over every patient (tens of times faster on a batch).
    """
    base = pl.col(segment).cast(pl.Int64) * (1 << 32)
    shifted = pl.col(value).cast(pl.Int64) + _DAY_OFFSET
    return ((base + shifted).cum_max() - base - _DAY_OFFSET).cast(pl.Int32)


def _last_event_on_or_before(
    left: pl.LazyFrame, events: pl.LazyFrame, name: str, on: str = "start"
) -> pl.LazyFrame:
    """Add column ``name``: the latest event day on or before ``left[on]`` (same patient)."""
    right = events.select(PID, pl.col("day").alias(name)).unique().sort(name)
    right = right.with_columns(pl.col(name).alias("__day"))
    joined = left.sort(on).join_asof(
        right,
        left_on=on,
        right_on="__day",
        by=PID,
        strategy="backward",
        check_sortedness=False,
    )
    return joined.drop("__day")


def eras(
    episodes: pl.LazyFrame, progressions: pl.LazyFrame, splits: pl.LazyFrame, rules: LineRules
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Merge episodes of one agent into eras (step 1).

    Parameters
    ----------
    episodes : polars.DataFrame
        ``patient_id``, ``episode_id``, ``agent``, ``agent_class``, ``start``, ``stop_eff``
        (the stop, or the end of follow-up while ongoing), ``ongoing``, ``cycles``,
        ``reason_stopped``, ``clinical_trial``.
    progressions, splits : polars.DataFrame
        ``patient_id``, ``day``: documented progressions, and procedures counted as lines.
    rules : LineRules

    Returns
    -------
    (eras, episode_era) : tuple of polars.LazyFrame
        One row per era (``era`` is a batch-wide integer id) and the era of every episode.
    """
    ep = _last_event_on_or_before(episodes, progressions, "last_pd")
    ep = _last_event_on_or_before(ep, splits, "last_split")
    ep = ep.sort([PID, "agent", "start", "episode_id"])
    first = (pl.col(PID) != pl.col(PID).shift(1)) | (pl.col("agent") != pl.col("agent").shift(1))
    ep = ep.with_columns(first.fill_null(True).alias("__first"))
    ep = ep.with_columns(pl.col("__first").cum_sum().alias("__run"))
    # within a run of one agent (rows sorted): the row before, unless this row opens the run
    prev_start = pl.when(~pl.col("__first")).then(pl.col("start").shift(1))
    prev_stop = pl.when(~pl.col("__first")).then(segment_cum_max("stop_eff", "__run").shift(1))
    new_era = (
        pl.col("__first")
        | ((pl.col("start") - prev_stop) > _gap(rules)).fill_null(False)
        | (pl.col("last_pd") > prev_start).fill_null(False)
        | (pl.col("last_split") > prev_start).fill_null(False)
    )
    ep = ep.with_columns(new_era.alias("__new"))
    era = pl.col("__new").cum_sum().cast(pl.Int64)
    run_base = pl.when(pl.col("__first")).then(era).forward_fill()  # the run's first era
    ep = ep.with_columns(era.alias("era"), (era - run_base + 1).alias("number"))
    radioligand = pl.col("agent_class") == "radioligand"
    cycles = pl.when(radioligand).then(pl.col("cycles").fill_null(1)).otherwise(pl.col("cycles"))
    out = ep.group_by("era", maintain_order=True).agg(
        pl.col(PID).first(),
        pl.col("agent").first(),
        pl.col("agent_class").first(),
        pl.col("number").first(),
        pl.col("start").min(),
        pl.col("stop_eff").max().alias("stop"),
        pl.col("ongoing").any(),
        cycles.sum().alias("cycles"),
        cycles.is_not_null().any().alias("__has_cycles"),
        pl.col("clinical_trial").any(),
        pl.col("last_pd").first(),
        pl.col("reason_stopped").sort_by(["stop_eff", "episode_id"]).last().alias("reason"),
    )
    out = out.with_columns(
        pl.when(pl.col("__has_cycles")).then(pl.col("cycles")).cast(pl.Int32).alias("cycles"),
        pl.lit(None, pl.String).alias("kind"),
    ).drop("__has_cycles")
    return out, ep.select(PID, "episode_id", "era")


def _procedure_eras(procedures: pl.LazyFrame, rules: LineRules) -> pl.LazyFrame:
    counted = procedures.filter(pl.col("kind").is_in(sorted(rules.procedures_as_lines)))
    return counted.select(
        (-pl.int_range(1, pl.len() + 1, dtype=pl.Int64)).alias("era"),
        PID,
        pl.col("procedure").alias("agent"),
        pl.col("kind").alias("agent_class"),
        pl.col("procedure_id").cast(pl.Int64).alias("number"),
        pl.col("day").alias("start"),
        pl.col("day").alias("stop"),
        pl.lit(False).alias("ongoing"),
        pl.lit(None, pl.Int32).alias("cycles"),
        pl.lit(False).alias("clinical_trial"),
        pl.lit(None, pl.Int32).alias("last_pd"),
        pl.lit(None, pl.String).alias("reason"),
        pl.col("kind"),
    )


def era_lines(eras: pl.LazyFrame, procedures: pl.LazyFrame, rules: LineRules) -> pl.LazyFrame:
    """Give every era (and procedure counted as a line) its line number (step 2).

    The order within a patient is (start, agent, era number). A row opens a line when it is
    *hard* (first row; a procedure line or right after one; progression after the previous
    row started; every earlier row stopped more than the gap before) or *novel* and more than
    ``regimen_window_days`` after the start of the current line. Whether a novel row opens a
    line depends on the start of the current line, so the few rows whose answer is not decided
    by their neighbours are settled by one ordered pass over those patients only: the cost is
    linear in the number of rows, whatever the length of a patient's chain of lines.
    """
    if rules.procedures_as_lines:
        extra = _procedure_eras(procedures, rules)
        schema = eras.collect_schema()
        extra = extra.select(schema.names()).cast(pl.Schema(schema))
        eras = pl.concat([eras, extra], how="vertical")
    e = eras.sort([PID, "start", "agent", "number"])
    is_proc = pl.col("kind").is_not_null()
    e = e.with_columns(
        is_proc.alias("is_procedure"),
        (pl.col("agent_class") == "ssa").alias("is_ssa"),
        _gap(rules).alias("gap"),
        (pl.col(PID) != pl.col(PID).shift(1)).fill_null(True).alias("__first"),
    )
    e = e.with_columns(pl.col("__first").cum_sum().alias("__p"))
    e = _class_history(e, rules)
    stop_before = pl.when(~pl.col("__first")).then(segment_cum_max("stop", "__p").shift(1))
    hard = (
        pl.col("__first")
        | pl.col("is_procedure")
        | pl.col("is_procedure").shift(1).fill_null(False)
        | (pl.col("last_pd") > pl.col("start").shift(1)).fill_null(False)  # same patient:
        # a patient's first row is hard anyway, so the row before is never another patient's
        | ((pl.col("start") - stop_before) > pl.col("gap")).fill_null(False)
    )
    active = (stop_before > pl.col("start")).fill_null(False)
    same_class = (pl.col("__class_before") >= pl.col("start") - pl.col("gap")).fill_null(False)
    if rules.switch_within_class_opens_line:
        same_class = same_class & (pl.col("__class_agent") == pl.col("agent")).fill_null(True)
    novel = ~same_class & ~(pl.col("is_ssa") & active)
    e = e.with_columns(hard.alias("hard"), novel.alias("__novel"))
    e = e.with_columns((pl.col("__novel") & ~pl.col("hard")).alias("__cand"))
    return _decided(e, rules.regimen_window_days)


def _class_history(e: pl.LazyFrame, rules: LineRules) -> pl.LazyFrame:
    """Add the latest earlier stop and the previous agent within the patient's agent class.

    ``__class_before`` and ``__class_agent`` come from the earlier rows (in row order) of the
    same patient and agent class: one sort by (patient, class, row), flat running maxima,
    and a sort back (no windows).
    """
    e = e.with_row_index("__row")
    by_class = e.sort(["__p", "agent_class", "__row"])
    opens = (
        pl.col("__p").ne_missing(pl.col("__p").shift(1))
        | pl.col("agent_class").ne_missing(pl.col("agent_class").shift(1))
    ).fill_null(True)
    by_class = by_class.with_columns(opens.alias("__c_first"))
    by_class = by_class.with_columns(pl.col("__c_first").cum_sum().alias("__c"))
    within = ~pl.col("__c_first")
    columns = [
        pl.when(within).then(segment_cum_max("stop", "__c").shift(1)).alias("__class_before")
    ]
    if rules.switch_within_class_opens_line:
        columns.append(pl.when(within).then(pl.col("agent").shift(1)).alias("__class_agent"))
    by_class = by_class.with_columns(columns)
    return by_class.sort("__row").drop("__row", "__c_first", "__c")


def _decided(e: pl.LazyFrame, window: int) -> pl.LazyFrame:
    """Mark the rows that surely open a line, and those their neighbours leave undecided."""
    anchor = pl.when(pl.col("hard") | pl.col("__cand")).then(pl.col("start"))
    segment = pl.when(pl.col("hard")).then(pl.col("start"))
    # a patient's first row is hard, so filling forward never reaches into another patient
    e = e.with_columns(
        anchor.shift(1).forward_fill().alias("__anchor"),
        segment.forward_fill().alias("__segment"),
    )
    sure = pl.col("__cand") & ((pl.col("start") - pl.col("__anchor")) > window)
    open_question = pl.col("__cand") & ~sure & ((pl.col("start") - pl.col("__segment")) > window)
    return e.with_columns(
        (pl.col("hard") | sure).alias("opens"), open_question.alias("__undecided")
    )


def number_lines(e: pl.DataFrame, window: int) -> pl.DataFrame:
    """Settle the undecided rows in one ordered pass over their patients; number the lines."""
    if e.get_column("__undecided").any():
        opens = e.get_column("opens").to_numpy().copy()
        patient = e.get_column("__p").to_numpy()
        start = e.get_column("start").to_numpy()
        hard = e.get_column("hard").to_numpy()
        candidate = e.get_column("__cand").to_numpy()
        affected = np.unique(patient[e.get_column("__undecided").to_numpy()])
        rows = np.flatnonzero(np.isin(patient, affected) & (hard | candidate))
        current = 0
        for i in rows.tolist():
            if hard[i]:
                current = int(start[i])
            elif int(start[i]) - current > window:
                opens[i] = True
                current = int(start[i])
        e = e.with_columns(pl.Series("opens", opens))
    # a patient's first row opens a line: filling forward stays within the patient
    line_start = pl.when(pl.col("opens")).then(pl.col("start")).forward_fill()
    opened = pl.col("opens").cum_sum()
    before = pl.when(pl.col("__first")).then(opened - 1).forward_fill()
    e = e.with_columns(
        (opened - before).cast(pl.Int32).alias("line"),
        line_start.alias("line_start"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),  # the row order, for ties
    )
    return e.drop(
        "__first",
        "__p",
        "__novel",
        "__cand",
        "__anchor",
        "__segment",
        "__undecided",
        "__class_before",
        "__class_agent",
        strict=False,
    )


def _label_expr(agent: pl.Expr) -> pl.Expr:
    return agent.replace_strict(_LABELS, default=agent.str.replace_all("_", " "))


def line_aggregates(e: pl.LazyFrame, rules: LineRules) -> pl.LazyFrame:
    """Aggregate eras into lines: regimen label, agents, backbone, end, last stop reason.

    The label lists the regimen (agents started within the regimen window of the line start,
    radioligands with the line's cycles, e.g. ``177Lu-DOTATATE x4``), sorted by name, then
    the SSAs of the line and its backbone. Lists and labels are built from long, sorted,
    de-duplicated rows (one group-by each), not by list operations per line.
    """
    in_regimen = (pl.col("start") - pl.col("line_start")) <= rules.regimen_window_days
    drug = ~pl.col("is_procedure")
    radioligand = (pl.col("agent_class") == "radioligand") & drug
    # rows are sorted by patient, then line: a line's rows are contiguous (no windows needed)
    new_line = (
        pl.col(PID).ne_missing(pl.col(PID).shift(1)) | (pl.col("line") != pl.col("line").shift(1))
    ).fill_null(True)
    e = e.with_columns(new_line.cum_sum().alias("__lk"))
    per_line = e.group_by("__lk").agg(
        pl.col("cycles").filter(radioligand).sum().alias("__line_cycles"),
        radioligand.any().alias("__line_radioligand"),
    )
    e = e.join(per_line, on="__lk", how="left", maintain_order="left")
    text = (
        pl.when(pl.col("is_procedure"))
        .then(pl.col("agent").str.replace_all("_", " "))
        .when(radioligand & pl.col("__line_radioligand"))
        .then(pl.format("{} x{}", _label_expr(pl.col("agent")), pl.col("__line_cycles")))
        .otherwise(_label_expr(pl.col("agent")))
    )
    e = e.with_columns(
        text.alias("__text"),
        _label_expr(pl.col("agent")).alias("__name"),
        in_regimen.alias("__in_regimen"),
    )
    lines = e.group_by([PID, "line"], maintain_order=True).agg(
        pl.col("start").min(),
        pl.col("stop").max().alias("own_stop"),
        pl.col("ongoing").any().alias("own_ongoing"),
        pl.col("kind").first(),
        pl.col("cycles").filter(radioligand).sum().alias("cycles"),
        radioligand.any().alias("__radioligand"),
        pl.col("clinical_trial").any(),
        pl.col("reason").sort_by(["stop", "seq"]).last().alias("own_reason"),
    )
    lines = lines.with_columns(
        pl.when(pl.col("__radioligand")).then(pl.col("cycles")).cast(pl.Int32).alias("cycles")
    ).drop("__radioligand")
    pairs = _backbone_pairs(e, lines)
    backbone = pairs.group_by([PID, "line"]).agg(
        pl.col("b_stop").max().alias("backbone_stop"),
        pl.col("b_ongoing").any().alias("backbone_ongoing"),
        pl.col("b_reason").sort_by(["b_stop", "b_seq"]).last().alias("backbone_reason"),
    )
    lines = lines.join(backbone, on=[PID, "line"], how="left")
    lines = lines.join(_names(e, pairs), on=[PID, "line"], how="left").sort([PID, "line"])
    same_patient = (pl.col(PID).shift(-1) == pl.col(PID)).fill_null(False)
    next_start = pl.when(same_patient).then(pl.col("start").shift(-1))  # rows sorted
    natural_end = pl.max_horizontal("own_stop", "backbone_stop")
    from_backbone = (pl.col("backbone_stop") > pl.col("own_stop")).fill_null(False)
    lines = lines.with_columns(
        next_start.alias("next_start"),
        natural_end.alias("natural_end"),
        pl.when(from_backbone)
        .then(pl.col("backbone_reason"))
        .otherwise(pl.col("own_reason"))
        .alias("last_reason"),
        pl.col("backbone").fill_null(pl.lit([], pl.List(pl.String))),
    )
    return lines.with_columns(
        pl.min_horizontal("natural_end", "next_start").alias("end"),
        (
            pl.col("next_start").is_null()
            & (pl.col("own_ongoing") | pl.col("backbone_ongoing").fill_null(False))
        ).alias("ongoing"),
    )


def _sorted_lists(rows: pl.LazyFrame, order: list[str], value: str, name: str) -> pl.LazyFrame:
    """One sorted list (or ``" + "``-joined text) of the distinct ``value`` per line."""
    rows = rows.unique().sort([PID, "line", *order])
    grouped = rows.group_by([PID, "line"], maintain_order=True)
    lists = grouped.agg(pl.col(value).alias(name))
    if name == "label":  # list.join after the group-by: about twice as fast as str.join in it
        return lists.with_columns(pl.col(name).list.join(" + "))
    return lists


def _names(e: pl.LazyFrame, pairs: pl.LazyFrame) -> pl.LazyFrame:
    """Per line: ``agents`` (own and backbone), ``backbone`` and the ``label``."""
    own = e.select(PID, "line", "agent")
    held = pairs.select(PID, "line", pl.col("b_agent").alias("agent"))
    agents = _sorted_lists(pl.concat([own, held]), ["agent"], "agent", "agents")
    backbone = _sorted_lists(held, ["agent"], "agent", "backbone")
    regimen = pl.col("__in_regimen")
    pieces = e.filter((regimen & ~pl.col("is_ssa")) | pl.col("is_procedure")).select(
        PID, "line", pl.lit(0, pl.Int8).alias("__part"), pl.col("__text").alias("__piece")
    )
    ssa = e.filter(regimen & pl.col("is_ssa")).select(
        PID, "line", pl.lit(1, pl.Int8).alias("__part"), pl.col("__name").alias("__piece")
    )
    held_names = pairs.select(
        PID, "line", pl.lit(1, pl.Int8).alias("__part"), pl.col("b_name").alias("__piece")
    )
    label = _sorted_lists(
        pl.concat([pieces, ssa, held_names]),
        ["__part", "__piece"],
        "__piece",
        "label",
    )
    return agents.join(backbone, on=[PID, "line"], how="left").join(
        label, on=[PID, "line"], how="left"
    )


def _backbone_pairs(e: pl.LazyFrame, lines: pl.LazyFrame) -> pl.LazyFrame:
    """SSA eras of earlier lines still running when a systemic line starts (one row each)."""
    ssa = e.filter(pl.col("is_ssa") & ~pl.col("is_procedure")).select(
        PID,
        pl.col("agent").alias("b_agent"),
        pl.col("__name").alias("b_name"),
        pl.col("start").alias("b_start"),
        pl.col("stop").alias("b_stop"),
        pl.col("ongoing").alias("b_ongoing"),
        pl.col("reason").alias("b_reason"),
        pl.col("seq").alias("b_seq"),
    )
    starts = lines.filter(pl.col("kind").is_null()).select(PID, "line", "start")
    return starts.join(ssa, on=PID, how="inner").filter(
        (pl.col("b_start") < pl.col("start")) & (pl.col("b_stop") > pl.col("start"))
    )


def agent_label(agent: str) -> str:
    """Return the display name of an agent identifier (``lu177_dotatate`` -> ``177Lu-DOTATATE``)."""
    return _LABELS.get(agent, agent.replace("_", " "))
