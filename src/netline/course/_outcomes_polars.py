"""Step 4 of the course engine: responses and time-to-event outcomes per line (Polars).

Each assessment belongs to the last line started strictly before it. From the assessments
come the first progression after each line start, the best response (a RECIST category, with
the clinician-recorded status in a field of its own), progression-free survival, time to next
treatment and overall survival; per patient, the EMA PFS2 and overall survival from three
origins. ``docs/course.md`` states every definition with its source.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from netline.clinical.recist.vectorised import OVERALL_CODES, best_response_codes
from netline.course._collect import collect
from netline.course.rules import LineRules

__all__ = [
    "CLINICIAN_RANK",
    "CLINICIAN_STATUSES",
    "RECIST_CATEGORIES",
    "SOURCE_PRIORITY",
    "line_outcomes",
    "patient_outcomes",
]

PID = "patient_id"

#: Order of clinician-recorded statuses (higher is better) for ``clinician_status``; ties go
#: to the source of higher priority, then to the earlier assessment. The RECIST best overall
#: response is not ranked here: it comes from
#: :func:`netline.clinical.recist.vectorised.best_response_codes`.
CLINICIAN_RANK: dict[str, int] = {
    "NED": 5,
    "responding": 4,
    "stable": 3,
    "mixed": 2,
    "progressing": 1,
}
#: Responses that are RECIST 1.1 overall-response categories (``best_response``).
RECIST_CATEGORIES = frozenset(code.value for code in OVERALL_CODES)
#: Clinician-recorded disease status (``clinician_status``).
CLINICIAN_STATUSES = frozenset(CLINICIAN_RANK)
#: Clinician statuses that need ``sd_min_days`` since the line start to count.
STABLE = frozenset({"stable", "mixed"})
#: RECIST categories that need ``sd_min_days`` since the line start to count (else NE).
_RECIST_STABLE = ("SD", "non-CR/non-PD")
_CODE = {code.value: i for i, code in enumerate(OVERALL_CODES)}
SOURCE_PRIORITY: dict[str, int] = {"recist": 4, "recorded": 3, "clinician": 2, "stop_reason": 1}
_QUIET = ("unknown", "other", "ongoing")


def _first_after(left: pl.LazyFrame, events: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Add ``name``: the first event day strictly after the line start (same patient)."""
    right = events.select(PID, pl.col("day").alias(name)).unique().sort(name)
    right = right.with_columns(pl.col(name).alias("__day"))
    # left rows are sorted by patient, then start (within each patient: what join_asof needs)
    joined = left.join_asof(
        right,
        left_on="start",
        right_on="__day",
        by=PID,
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    return joined.drop("__day")


def _owned(assessments: pl.LazyFrame, lines: pl.LazyFrame) -> pl.LazyFrame:
    """Each assessment with the line it belongs to (the last one started before it)."""
    spans = lines.select(PID, "line", pl.col("start").alias("l_start")).sort("l_start")
    spans = spans.with_columns(pl.col("l_start").alias("__s"))
    # assessments are sorted by patient, day, source priority: sorted within each patient
    joined = assessments.join_asof(
        spans,
        left_on="day",
        right_on="__s",
        by=PID,
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    return joined.filter(pl.col("line").is_not_null()).drop("__s")


def _clinician(owned: pl.LazyFrame, rules: LineRules) -> pl.LazyFrame:
    """Return the best clinician-recorded status within each line's response window."""
    since = pl.col("day") - pl.col("l_start")
    early = pl.col("response").is_in(sorted(STABLE)) & (since < rules.sd_min_days)
    rows = owned.filter(
        pl.col("response").is_in(sorted(CLINICIAN_STATUSES))
        & (pl.col("limit").is_null() | (pl.col("day") <= pl.col("limit")))
        & ~early
    )
    rows = rows.with_columns(
        pl.col("response").replace_strict(CLINICIAN_RANK, default=0).alias("__rank"),
        (-since).alias("__recent"),
    )
    keys = ["__rank", "__priority", "__recent", "response"]
    return (
        rows.sort([PID, "line", *keys])
        .group_by([PID, "line"])
        .agg(
            pl.col("response").last().alias("clinician_status"),
            pl.col("day").last().alias("clinician_status_date"),
        )
    )


def recist_series(owned: pl.DataFrame, rules: LineRules) -> pl.DataFrame:
    """Return the RECIST time points of each line: one a day, from the best source.

    Rows are the assessments in RECIST categories within the line's response window, sorted by
    patient, line and day. On a day with several sources, the one of highest
    ``SOURCE_PRIORITY`` gives the time point. When a line's series mixes non-CR/non-PD (a
    non-target-only reading) with PR or SD (measurable disease, from another source), the
    disease is measurable: non-CR/non-PD reads as SD, so that the series is one kind of
    disease as RECIST 1.1 requires.
    """
    rows = owned.lazy().select(
        PID, "line", "day", "response", "source", "__priority", "l_start", "limit"
    )
    rows = rows.filter(
        pl.col("response").is_in(sorted(RECIST_CATEGORIES))
        & (pl.col("limit").is_null() | (pl.col("day") <= pl.col("limit")))
    )  # in the order of ``owned``: patient, day (so line), source priority
    first = (
        pl.col(PID).ne_missing(pl.col(PID).shift(1)) | (pl.col("line") != pl.col("line").shift(1))
    ).fill_null(True)
    # sorted rows: the first row of a day is that day's time point (no hashing)
    rows = rows.filter(first | (pl.col("day") != pl.col("day").shift(1)).fill_null(True))
    rows = rows.with_columns(first.cum_sum().alias("__series"))
    measurable = rows.group_by("__series").agg(
        pl.col("response").is_in(["PR", "SD"]).any().alias("__measurable")
    )
    rows = rows.join(measurable, on="__series", how="left", maintain_order="left")
    as_sd = (pl.col("response") == "non-CR/non-PD") & pl.col("__measurable")
    response = pl.when(as_sd).then(pl.lit("SD")).otherwise(pl.col("response"))
    since = pl.col("day") - pl.col("l_start")
    early = response.is_in(_RECIST_STABLE) & (since < rules.sd_min_days)
    return collect(
        rows.with_columns(
            response.alias("response"),
            since.alias("__since"),
            pl.when(early).then(pl.lit("NE")).otherwise(response).alias("__shown"),
        ).drop("__measurable")
    )


def _best(owned: pl.DataFrame, rules: LineRules) -> pl.LazyFrame:
    """Best overall response per line, without and with confirmation (RECIST 1.1).

    The categories come from the one RECIST rule,
    :func:`~netline.clinical.recist.vectorised.best_response_codes`, over each line's series
    (:func:`recist_series`; days counted from the line start). The date and source shown are
    those of the assessment that shows the best response (a stable reading before
    ``sd_min_days`` shows NE), of the highest-priority source, earliest first.
    """
    rows = recist_series(owned, rules)
    types: dict[str, pl.DataType] = {
        PID: owned.schema[PID],
        "line": pl.Int32(),
        "best_response": pl.String(),
        "best_response_source": pl.String(),
        "best_response_date": pl.Int32(),
        "best_response_confirmed": pl.String(),
    }
    schema = pl.Schema(types)
    if rows.height == 0:
        return pl.LazyFrame(schema=schema)
    codes = rows.get_column("response").replace_strict(_CODE, return_dtype=pl.Int8)
    groups, best, confirmed = best_response_codes(
        rows.get_column("__series").to_numpy(),
        rows.get_column("__since").to_numpy().astype(np.float64),
        codes.to_numpy(),
        min_sd_days=float(rules.sd_min_days),
    )
    names = {i: code.value for i, code in enumerate(OVERALL_CODES)}
    decided = pl.LazyFrame(
        [
            pl.Series("__series", groups).cast(rows.schema["__series"]),
            pl.Series("__best", best),
            pl.Series("__confirmed", confirmed),
        ]
    ).select(
        "__series",
        pl.col("__best").replace_strict(names, return_dtype=pl.String).alias("best_response"),
        pl.col("__confirmed")
        .replace_strict(names, return_dtype=pl.String)
        .alias("best_response_confirmed"),
    )
    series = rows.lazy()
    first = (pl.col("__series") != pl.col("__series").shift(1)).fill_null(True)
    per_series = series.filter(first).select(PID, "line", "__series")
    per_series = per_series.join(decided, on="__series", how="left", maintain_order="left")
    shown = series.join(decided.select("__series", "best_response"), on="__series")
    shown = shown.filter(pl.col("__shown") == pl.col("best_response")).sort(
        ["__series", "__priority", "day"], descending=[False, True, False]
    )
    shown = shown.filter(first).select(
        "__series",
        pl.col("source").alias("best_response_source"),
        pl.col("day").alias("best_response_date"),
    )
    out = per_series.join(shown, on="__series", how="left")
    return out.select(schema.names()).cast(schema)


def line_outcomes(
    lines_in: pl.DataFrame,
    assessments_in: pl.DataFrame,
    procedures_in: pl.DataFrame,
    followup_in: pl.DataFrame,
    rules: LineRules,
) -> pl.DataFrame:
    """Add first progression, best response, PFS, TTNT, OS and the end reason to each line.

    Frames that several branches read are materialised once (a lazy plan would repeat them).
    """
    lines = lines_in.lazy()
    priority = pl.col("source").replace_strict(SOURCE_PRIORITY, default=0, return_dtype=pl.Int8)
    assessments = assessments_in.lazy().with_columns(priority.alias("__priority"))
    assessments = assessments.sort([PID, "day", "__priority"], descending=[False, False, True])
    procedures = procedures_in.lazy()
    followup = followup_in.lazy()
    progressions = assessments.filter(pl.col("progression"))
    lines = _first_after(lines, progressions, "first_pd")
    lines = _first_after(lines, procedures, "next_procedure")
    therapy = procedures.filter(pl.col("kind").is_in(sorted(rules.next_therapy_procedures)))
    lines = _first_after(lines, therapy, "next_therapy_procedure")
    lines = lines.join(followup, on=PID, how="left", maintain_order="left")
    limit = pl.col("first_pd")
    if rules.response_window_ends_at_procedure:
        limit = pl.min_horizontal("first_pd", "next_procedure")
    procedure_first = pl.col("next_therapy_procedure").is_not_null() & (
        pl.col("next_start").is_null() | (pl.col("next_therapy_procedure") < pl.col("next_start"))
    )
    lines = lines.with_columns(
        limit.alias("limit"),
        procedure_first.alias("__by_procedure"),
        pl.min_horizontal("next_start", "next_therapy_procedure").alias("next_therapy"),
    )
    lines = collect(lines).lazy()
    owned = _owned(assessments, lines)
    owned = owned.join(
        lines.select(PID, "line", "limit", "next_therapy"), on=[PID, "line"], how="left"
    )
    owned_rows = collect(owned)
    owned = owned_rows.lazy()
    lines = lines.join(_best(owned_rows, rules), on=[PID, "line"], how="left")
    lines = lines.join(_clinician(owned, rules), on=[PID, "line"], how="left")
    before_therapy = pl.col("next_therapy").is_null() | (pl.col("day") <= pl.col("next_therapy"))
    last_owned = (
        owned.filter(before_therapy)
        .group_by([PID, "line"])
        .agg(pl.col("day").max().alias("last_assessment"))
    )
    lines = lines.join(last_owned, on=[PID, "line"], how="left")
    last_any = assessments.group_by(PID).agg(pl.col("day").max().alias("patient_last_assessment"))
    lines = lines.join(last_any, on=PID, how="left")
    return collect(_survival(lines, rules).sort([PID, "line"]))


def _survival(lines: pl.LazyFrame, rules: LineRules) -> pl.LazyFrame:
    start = pl.col("start")
    at_next = rules.pfs_censor_at_next_line
    bound = pl.col("next_therapy").fill_null(pl.col("fu_end")) if at_next else pl.col("fu_end")
    pd_event = pl.col("first_pd").is_not_null() & (pl.col("first_pd") <= bound)
    death_event = (
        pl.col("death").is_not_null() & (pl.col("death") <= bound) & (pl.col("death") >= start)
    )
    event_day = pl.min_horizontal(
        pl.when(pd_event).then(pl.col("first_pd")), pl.when(death_event).then(pl.col("death"))
    )
    is_pd = pd_event & (~death_event | (pl.col("first_pd") <= pl.col("death")))
    censored_next = pl.col("next_therapy").is_not_null() & pl.lit(at_next)
    next_reason = (
        pl.when(pl.col("__by_procedure"))
        .then(pl.lit("censored_procedure"))
        .otherwise(pl.lit("censored_next_line"))
    )
    if rules.pfs_censor_date == "last_follow_up":
        censor_day = bound
        censor_reason = (
            pl.when(censored_next).then(next_reason).otherwise(pl.lit("censored_end_of_follow_up"))
        )
    else:
        if at_next:
            last = pl.col("last_assessment")
        else:
            last = pl.when(pl.col("patient_last_assessment") > start).then(
                pl.col("patient_last_assessment")
            )
        censor_day = last.fill_null(start)
        censor_reason = (
            pl.when(last.is_null())
            .then(pl.lit("censored_no_assessment"))
            .when(censored_next)
            .then(next_reason)
            .otherwise(pl.lit("censored_last_assessment"))
        )
    pfs_event = pd_event | death_event
    pfs_day = pl.when(pfs_event).then(event_day).otherwise(censor_day)
    pfs_reason = (
        pl.when(is_pd)
        .then(pl.lit("progression"))
        .when(death_event)
        .then(pl.lit("death"))
        .otherwise(censor_reason)
    )
    has_next = pl.col("next_therapy").is_not_null()
    ttnt_reason = (
        pl.when(has_next & pl.col("__by_procedure"))
        .then(pl.lit("procedure"))
        .when(has_next)
        .then(pl.lit("next_line"))
        .when(pl.col("death").is_not_null())
        .then(pl.lit("death"))
        .otherwise(pl.lit("censored"))
    )
    grace = rules.end_grace_days
    pd_ends = (
        pl.col("first_pd").is_not_null()
        & (pl.col("first_pd") <= pl.col("end") + grace)
        & (pl.col("next_start").is_null() | (pl.col("first_pd") <= pl.col("next_start")))
    )
    truncated = (pl.col("next_start") < pl.col("natural_end")).fill_null(False)
    reason = pl.col("last_reason")
    end_reason = (
        pl.when(pl.col("kind").is_not_null())
        .then(pl.lit("procedure"))
        .when(pl.col("ongoing"))
        .then(pl.lit("ongoing"))
        .when(pd_ends | (reason == "progression").fill_null(False))
        .then(pl.lit("progression"))
        .when(truncated)
        .then(pl.lit("new_line"))
        .when(reason.is_not_null() & ~reason.is_in(_QUIET))
        .then(reason)
        .when((pl.col("death") <= pl.col("end") + grace).fill_null(False))
        .then(pl.lit("death"))
        .when(pl.col("next_start").is_not_null())
        .then(pl.lit("new_line"))
        .otherwise(pl.lit("unknown"))
    )
    end = pl.when(pl.col("ongoing")).then(pl.max_horizontal("fu_end", "start")).otherwise("end")
    return lines.with_columns(
        end.alias("end"),
        end_reason.alias("end_reason"),
        pl.col("first_pd").alias("first_progression"),
        (pfs_day - start).cast(pl.Int32).alias("pfs_days"),
        pfs_event.alias("pfs_event"),
        pfs_reason.alias("pfs_reason"),
        (pl.col("next_therapy").fill_null(pl.col("fu_end")) - start)
        .cast(pl.Int32)
        .alias("ttnt_days"),
        (has_next | pl.col("death").is_not_null()).alias("ttnt_event"),
        ttnt_reason.alias("ttnt_reason"),
        (pl.col("fu_end") - start).cast(pl.Int32).alias("os_days"),
        pl.col("death").is_not_null().alias("os_event"),
    ).with_columns((pl.col("end") - pl.col("start")).cast(pl.Int32).alias("duration_days"))


def patient_outcomes(lines: pl.LazyFrame, followup: pl.LazyFrame) -> pl.LazyFrame:
    """Per patient: number of lines, OS from three origins and the EMA PFS2."""
    l1 = lines.filter(pl.col("line") == 1).select(PID, pl.col("start").alias("l1_start"))
    l2 = lines.filter(pl.col("line") == 2).select(PID, pl.col("first_pd").alias("l2_pd"))
    count = lines.group_by(PID).agg(pl.col("line").max().alias("n_lines"))
    p = followup.join(l1, on=PID, how="left").join(l2, on=PID, how="left")
    p = p.join(count, on=PID, how="left")
    has_l1 = pl.col("l1_start").is_not_null()
    event_day = pl.min_horizontal("l2_pd", "death")
    event = has_l1 & event_day.is_not_null()
    day = pl.when(event).then(event_day).otherwise(pl.col("fu_end"))
    reason = (
        pl.when(~has_l1)
        .then(pl.lit(None, pl.String))
        .when(
            pl.col("l2_pd").is_not_null()
            & (pl.col("death").is_null() | (pl.col("l2_pd") <= pl.col("death")))
        )
        .then(pl.lit("progression"))
        .when(pl.col("death").is_not_null())
        .then(pl.lit("death"))
        .otherwise(pl.lit("censored_end_of_follow_up"))
    )
    return p.select(
        PID,
        pl.col("n_lines").fill_null(0).cast(pl.Int32),
        "diagnosis",
        "first_metastasis",
        pl.col("l1_start").alias("first_line_start"),
        "death",
        "last_follow_up",
        (pl.col("fu_end") - pl.col("diagnosis")).cast(pl.Int32).alias("os_from_diagnosis_days"),
        (pl.col("fu_end") - pl.col("first_metastasis"))
        .cast(pl.Int32)
        .alias("os_from_metastasis_days"),
        (pl.col("fu_end") - pl.col("l1_start")).cast(pl.Int32).alias("os_from_first_line_days"),
        pl.col("death").is_not_null().alias("os_event"),
        pl.when(has_l1).then((day - pl.col("l1_start")).cast(pl.Int32)).alias("pfs2_ema_days"),
        pl.when(has_l1).then(event).alias("pfs2_ema_event"),
        reason.alias("pfs2_ema_reason"),
    ).sort(PID)
