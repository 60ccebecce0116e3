"""Survival analytics with lifelines: Kaplan-Meier, log-rank, Cox PH with a PH check.

Every estimator is lifelines'; this module only shapes the data (which durations, which
events, which groups and covariates) and the results. Times are in months
(days / (365.25 / 12)). The tests compare the estimates with R's ``survival`` package.

Endpoints
    ``pfs``, ``ttnt``  per line (``line``; default the first), from the line's start;
    ``os``             from the start of ``line``, or from diagnosis when ``line`` is None;
    ``pfs2_ema``       from the start of the first line to progression on the second line
                       or death (the engine's definition), per patient.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from netline.errors import InsufficientDataError, InvalidInputError
from netline.registry._course import DAYS_PER_MONTH
from netline.registry._render import render_table
from netline.registry.analytics.cohort import ARROW, COMBINATION, Cohort
from netline.registry.analytics.colours import colour_of

__all__ = ["CoxResult", "KaplanMeier", "cox", "cox_data", "kaplan_meier", "survival_data"]

Endpoint = Literal["os", "pfs", "ttnt", "pfs2_ema"]
_GROUPINGS = ("regimen", "class", "sequence")
_LEGEND_UP_TO = 8  # more groups than this: no legend over the curves
#: Times (months) at which numbers at risk are reported.
AT_RISK_MONTHS = (0, 12, 24, 36, 48, 60)


@contextmanager
def _lifelines_quiet() -> Iterator[None]:
    """Silence the deprecation warnings lifelines 0.30 triggers in pandas 3 (not ours)."""
    import pandas as pd  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        for category in (FutureWarning, DeprecationWarning, pd.errors.Pandas4Warning):
            warnings.filterwarnings("ignore", category=category)
        yield


def survival_data(
    cohort: Cohort, endpoint: Endpoint = "os", line: int | None = 1, by: str | None = None
) -> Any:
    """Return the durations (months), events and groups of an endpoint.

    Parameters
    ----------
    cohort : Cohort
    endpoint : {"os", "pfs", "ttnt", "pfs2_ema"}
    line : int or None
        The line (per-line endpoints); ``None`` with ``"os"``: from diagnosis.
    by : str, optional
        ``"regimen"`` or ``"class"`` of the line, ``"sequence"`` (the classes of the lines up
        to it), or a column of ``cohort.facts`` (e.g. ``"grade"``).

    Returns
    -------
    pandas.DataFrame
        ``patient_id``, ``months``, ``event`` and ``group``; rows without a duration dropped.
    """
    import pandas as pd

    if endpoint not in ("os", "pfs", "ttnt", "pfs2_ema"):
        raise InvalidInputError.single("endpoint", endpoint, "one of os, pfs, ttnt, pfs2_ema")
    per_patient = endpoint == "pfs2_ema" or (endpoint == "os" and line is None)
    if per_patient:
        frame = cohort.patients
        days, event = (
            ("pfs2_ema_days", "pfs2_ema_event")
            if endpoint == "pfs2_ema"
            else ("os_from_diagnosis_days", "os_event")
        )
        rows = frame[["patient_id", days, event]].rename(columns={days: "days", event: "event"})
    else:
        if line is None or line < 1:
            raise InvalidInputError.single("line", line, f"a line number for {endpoint}")
        days, event = f"{endpoint}_days", f"{endpoint}_event"
        rows = cohort.lines.loc[cohort.lines["line"] == line, ["patient_id", days, event]].rename(
            columns={days: "days", event: "event"}
        )
    needed = {"sequence": ["sequence_class"]}.get(str(by), [by] if by in cohort.facts else [])
    if needed:  # only the patient facts the grouping reads
        rows = rows.merge(cohort.facts[["patient_id", *needed]], on="patient_id", how="left")
    rows = rows[rows["days"].notna()].copy()
    rows["months"] = rows["days"].astype(float) / DAYS_PER_MONTH
    rows["event"] = rows["event"].fillna(False).astype(bool)
    rows["group"] = _groups(rows, by, cohort, line if not per_patient else 1)
    return pd.DataFrame(rows[["patient_id", "months", "event", "group"]]).reset_index(drop=True)


def _groups(rows: Any, by: str | None, cohort: Cohort, line: int | None) -> Any:
    if by is None:
        return ["all"] * len(rows)
    number = line or 1
    if by in ("regimen", "class"):
        column = "regimen" if by == "regimen" else "classes"
        first = cohort.lines.loc[cohort.lines["line"] == number, ["patient_id", column]]
        first = first.set_index("patient_id")[column]
        return rows["patient_id"].map(first).fillna("no line").tolist()
    if by == "sequence":
        return [
            ARROW.join(s.split(ARROW)[:number]) if s else "no line"
            for s in rows["sequence_class"].fillna("")
        ]
    if by in cohort.facts.columns:
        return rows[by].map(lambda v: "missing" if v is None or v != v else str(v)).tolist()
    raise InvalidInputError.single(
        "by", by, "regimen, class, sequence or a patient fact such as grade or site"
    )


@dataclass(frozen=True)
class KMGroup:
    """The Kaplan-Meier estimate of one group."""

    name: str
    n: int
    events: int
    median: float | None
    median_ci: tuple[float | None, float | None]
    months: tuple[float, ...]
    survival: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    at_risk: tuple[int, ...]


@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier curves with a log-rank test.

    Attributes
    ----------
    groups : tuple of KMGroup
        Curves (lifelines ``KaplanMeierFitter``; 95% log(-log) confidence band), median with
        its confidence interval, numbers at risk at :data:`AT_RISK_MONTHS`.
    logrank : dict or None
        ``statistic``, ``df`` and ``p`` of the log-rank test across groups (two or more).
    """

    schema_version: ClassVar[str] = "1"

    endpoint: str
    line: int | None
    by: str | None
    groups: tuple[KMGroup, ...]
    logrank: dict[str, float] | None
    cohort: str
    _fitters: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the curves and the test as JSON-ready data."""
        return {
            "schema_version": self.schema_version,
            "endpoint": self.endpoint,
            "line": self.line,
            "by": self.by,
            "cohort": self.cohort,
            "at_risk_months": list(AT_RISK_MONTHS),
            "groups": [
                {
                    "name": g.name,
                    "n": g.n,
                    "events": g.events,
                    "median_months": g.median,
                    "median_ci": list(g.median_ci),
                    "months": list(g.months),
                    "survival": list(g.survival),
                    "lower": list(g.lower),
                    "upper": list(g.upper),
                    "at_risk": list(g.at_risk),
                }
                for g in self.groups
            ],
            "logrank": self.logrank,
        }

    def render(self, fmt: str = "text") -> str:
        """Render the summary (groups, medians, at risk, log-rank)."""
        header = ["Group", "n", "Events", "Median, months (95% CI)"] + [
            f"At risk {m} mo" for m in AT_RISK_MONTHS
        ]
        rows = [
            [g.name, str(g.n), str(g.events), _median_text(g), *(str(a) for a in g.at_risk)]
            for g in self.groups
        ]
        notes = [f"Cohort: {self.cohort}."]
        if self.logrank is not None:
            lr = self.logrank
            notes.append(
                f"Log-rank: chi-square {lr['statistic']:.2f}, df {lr['df']:.0f}, p {_p(lr['p'])}."
            )
        title = f"Kaplan-Meier, {self.endpoint.upper()}" + (
            f", line {self.line}" if self.line else ""
        )
        return render_table(title, header, rows, fmt, self.to_dict(), notes)

    def plot(self, path: str | Path | None = None) -> Any:
        """Draw the curves with confidence bands and numbers at risk; save if ``path``.

        The figure is laid out in inches: the curves keep their height, and the table of
        numbers at risk below them grows by one row per group, so no row is ever cut off.
        """
        import matplotlib.pyplot as plt

        rows = len(self.groups) + 1  # the "At risk" heading and one row per group
        label_in = 0.55 + 0.075 * max([6, *(min(len(g.name), 28) for g in self.groups)])
        width, left, right = 9.0, max(1.2, label_in), 0.3
        top, curves, gap, row_in, bottom = 0.45, 3.6, 0.6, 0.2, 0.15
        height = top + curves + gap + rows * row_in + bottom
        fig = plt.figure(figsize=(width, height))
        span = (width - left - right) / width
        ax = fig.add_axes(
            (left / width, (bottom + rows * row_in + gap) / height, span, curves / height)
        )
        table = fig.add_axes((left / width, bottom / height, span, rows * row_in / height))
        colour_by = "regimen" if self.by == "regimen" else "class"
        for fitter in self._fitters:
            fitter.plot_survival_function(
                ax=ax, ci_show=True, color=colour_of(str(fitter._label), colour_by)
            )
        ax.set_xlabel("Months")
        ax.set_ylabel(f"{self.endpoint.upper()} probability")
        ax.set_ylim(0, 1.02)
        ax.set_xticks(AT_RISK_MONTHS)
        ax.set_xlim(0, AT_RISK_MONTHS[-1])
        # numbers at risk under the curves, one row per group, in the group's colour
        table.set_xlim(ax.get_xlim())
        table.set_ylim(rows - 0.5, -0.5)
        table.axis("off")
        names = table.get_yaxis_transform()  # x in axes fraction, y in rows
        table.text(-0.05, 0, "At risk", transform=names, ha="right", va="center", fontsize=8)
        for row, group in enumerate(self.groups, start=1):
            colour = colour_of(group.name, colour_by)
            table.text(
                -0.05, row, group.name[:28], transform=names, ha="right", va="center",
                fontsize=7.5, color=colour,
            )  # fmt: skip
            for month, count in zip(AT_RISK_MONTHS, group.at_risk, strict=True):
                table.text(
                    month, row, str(count), ha="center", va="center", fontsize=7.5, color=colour
                )
        ax.set_title(self.render("text").splitlines()[0])
        if len(self.groups) <= _LEGEND_UP_TO:
            ax.legend(fontsize=7.5, loc="upper right")
        else:  # the table of numbers at risk names the groups, in their colours
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
        if path is not None:
            from netline._atomic import atomic_path

            try:
                with atomic_path(Path(path)) as temporary:  # whole or not at all
                    fig.savefig(temporary, dpi=150)
            finally:
                plt.close(fig)
        return fig


def _median_text(group: KMGroup) -> str:
    def num(x: float | None) -> str:
        return "NR" if x is None else f"{x:.1f}"

    low, high = group.median_ci
    return f"{num(group.median)} ({num(low)}-{num(high)})"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)


def kaplan_meier(
    cohort: Cohort, endpoint: Endpoint = "os", line: int | None = 1, by: str | None = None
) -> KaplanMeier:
    """Estimate survival curves (Kaplan-Meier) and compare them (log-rank).

    Parameters are those of :func:`survival_data`.

    Returns
    -------
    KaplanMeier

    Raises
    ------
    InsufficientDataError
        When no patient has the endpoint.

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 1958;53:457-81.
    .. [2] Davidson-Pilon C. lifelines: survival analysis in Python. JOSS 2019;4:1317.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test
    from lifelines.utils import median_survival_times

    data = survival_data(cohort, endpoint, line, by)
    if data.empty:
        raise InsufficientDataError([f"{endpoint} durations"], "no patient in the cohort has it")
    groups, fitters = [], []
    for name, rows in sorted(data.groupby("group"), key=lambda item: str(item[0])):
        with _lifelines_quiet():
            fitter = KaplanMeierFitter().fit(rows["months"], rows["event"], label=str(name))
        band = fitter.confidence_interval_survival_function_
        lower, upper = band.iloc[:, 0], band.iloc[:, 1]
        median_band = median_survival_times(fitter.confidence_interval_)
        groups.append(
            KMGroup(
                name=str(name),
                n=len(rows),
                events=int(rows["event"].sum()),
                median=_finite(fitter.median_survival_time_),
                median_ci=(
                    _finite(median_band.iloc[0, 0]),
                    _finite(median_band.iloc[0, 1]),
                ),
                months=tuple(float(t) for t in fitter.survival_function_.index),
                survival=tuple(float(s) for s in fitter.survival_function_.iloc[:, 0]),
                lower=tuple(float(v) for v in lower),
                upper=tuple(float(v) for v in upper),
                at_risk=tuple(int((rows["months"] >= m).sum()) for m in AT_RISK_MONTHS),
            )
        )
        fitters.append(fitter)
    logrank = None
    if len(groups) > 1:
        with _lifelines_quiet():
            test = multivariate_logrank_test(data["months"], data["group"], data["event"])
        logrank = {
            "statistic": float(test.test_statistic),
            "df": float(test.degrees_of_freedom),
            "p": float(test.p_value),
        }
    return KaplanMeier(
        endpoint, line, by, tuple(groups), logrank, cohort.describe(), tuple(fitters)
    )


# --------------------------------------------------------------------------- Cox


def cox_data(
    cohort: Cohort,
    endpoint: Literal["pfs", "ttnt", "os"] = "pfs",
    lines: tuple[int, int | None] = (1, None),
) -> Any:
    """Return one row per line with its duration, event and candidate covariates.

    Covariates: ``line`` (number), ``prior_<class>`` (any earlier line of the patient gave
    that class, 0/1), ``current_<class>`` (this line gives it, 0/1), ``age_at_diagnosis``,
    ``ki67_percent``.
    """
    import numpy as np
    import pandas as pd

    first, last = lines
    all_lines = cohort.lines
    keep = (all_lines["line"] >= first) & all_lines[f"{endpoint}_days"].notna()
    if last is not None:
        keep &= all_lines["line"] <= last
    codes, uniques = pd.factorize(all_lines["classes"])
    split = [set(str(u).split(COMBINATION)) for u in uniques]
    classes = sorted(set().union(*split))
    # earlier lines of the same patient: a running count over lines in order, minus this one
    order = np.lexsort((all_lines["line"].to_numpy(), all_lines["patient_id"].to_numpy()))
    patient_sorted = all_lines["patient_id"].to_numpy()[order]
    rows = all_lines[keep]
    wanted = keep.to_numpy()
    facts = cohort.facts.set_index("patient_id")
    out = pd.DataFrame(
        {
            "patient_id": rows["patient_id"].to_numpy(),
            "months": rows[f"{endpoint}_days"].to_numpy(dtype=float) / DAYS_PER_MONTH,
            "event": rows[f"{endpoint}_event"].fillna(False).to_numpy(dtype=bool).astype(int),
            "line": rows["line"].to_numpy(dtype=int),
            "age_at_diagnosis": facts["age_at_diagnosis"]
            .reindex(rows["patient_id"])
            .to_numpy(dtype=float),
            "ki67_percent": facts["ki67_percent"].reindex(rows["patient_id"]).to_numpy(dtype=float),
        }
    )
    for cls in classes:
        current = np.array([cls in s for s in split], dtype=np.int64)[codes]
        running = pd.Series(current[order]).groupby(patient_sorted, sort=False).cumsum()
        earlier = np.empty(len(current), dtype=np.int64)
        earlier[order] = running.to_numpy() - current[order]
        out[f"current_{cls}"] = current[wanted]
        out[f"prior_{cls}"] = (earlier[wanted] > 0).astype(np.int64)
    return out


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional-hazards model with its PH check.

    Attributes
    ----------
    coefficients : dict
        Per covariate: ``coef``, ``se``, ``hr``, ``hr_lower``, ``hr_upper``, ``p``.
    ph_test : dict
        Per covariate: ``statistic`` and ``p`` of the scaled Schoenfeld-residual test (rank
        time transform); a small p suggests non-proportional hazards.
    """

    schema_version: ClassVar[str] = "1"

    endpoint: str
    covariates: tuple[str, ...]
    n: int
    events: int
    robust: bool
    coefficients: dict[str, dict[str, float]]
    ph_test: dict[str, dict[str, float]]
    concordance: float
    dropped: int
    cohort: str

    def to_dict(self) -> dict[str, Any]:
        """Return the model as JSON-ready data."""
        return {
            "schema_version": self.schema_version,
            "endpoint": self.endpoint,
            "covariates": list(self.covariates),
            "n": self.n,
            "events": self.events,
            "robust": self.robust,
            "coefficients": self.coefficients,
            "ph_test": self.ph_test,
            "concordance": self.concordance,
            "dropped_for_missing_values": self.dropped,
            "cohort": self.cohort,
        }

    def render(self, fmt: str = "text") -> str:
        """Render the hazard ratios and the PH check."""
        header = ["Covariate", "HR (95% CI)", "p", "PH test p"]
        rows = [
            [
                name,
                f"{c['hr']:.2f} ({c['hr_lower']:.2f}-{c['hr_upper']:.2f})",
                _p(c["p"]),
                _p(self.ph_test[name]["p"]) if name in self.ph_test else "-",
            ]
            for name, c in self.coefficients.items()
        ]
        notes = [
            f"Cohort: {self.cohort}. {self.n} rows, {self.events} events, "
            f"{self.dropped} dropped for missing values; concordance {self.concordance:.3f}.",
            "Standard errors are robust (clustered on patient)."
            if self.robust
            else "Standard errors are model-based.",
        ]
        return render_table(
            f"Cox PH, {self.endpoint.upper()}", header, rows, fmt, self.to_dict(), notes
        )


def cox(
    cohort: Cohort,
    covariates: tuple[str, ...] | list[str],
    endpoint: Literal["pfs", "ttnt", "os"] = "pfs",
    lines: tuple[int, int | None] = (1, None),
    robust: bool | None = None,
) -> CoxResult:
    """Fit a Cox proportional-hazards model (lifelines, Efron ties) and check PH.

    lifelines fits the model (Efron ties, its batched form at every size) and computes the
    robust variance and the PH test; the score and Schoenfeld residuals behind them are
    lifelines' formulas in linear time (:mod:`._lifelines_linear`), so 10^6 lines fit in
    minutes.

    Parameters
    ----------
    cohort : Cohort
    covariates : sequence of str
        Columns of :func:`cox_data` (e.g. ``["line", "prior_radioligand", "age_at_diagnosis"]``).
    endpoint : {"pfs", "ttnt", "os"}
        Per-line endpoint.
    lines : (first, last)
        Lines included (``last`` None: all from ``first``).
    robust : bool, optional
        Robust (sandwich) standard errors clustered on patient; default: when a patient
        contributes more than one line.

    Returns
    -------
    CoxResult

    Raises
    ------
    InvalidInputError
        When a covariate is unknown.
    InsufficientDataError
        When fewer rows than covariates + 2 remain, or a covariate does not vary.

    References
    ----------
    .. [1] Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.
    .. [2] Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on
       weighted residuals. Biometrika 1994;81:515-26.
    """
    from lifelines.statistics import proportional_hazard_test

    from netline.registry.analytics._lifelines_linear import linear_cox_fitter

    data = cox_data(cohort, endpoint, lines)
    unknown = [
        c for c in covariates if c not in data.columns or c in ("months", "event", "patient_id")
    ]
    if unknown:
        known = [c for c in data.columns if c not in ("months", "event", "patient_id")]
        raise InvalidInputError.single("covariates", unknown, "columns among " + ", ".join(known))
    chosen = data[["patient_id", "months", "event", *covariates]]
    complete = chosen.dropna()
    flat = [c for c in covariates if complete[c].nunique() < 2]
    if len(complete) < len(covariates) + 2 or flat:
        raise InsufficientDataError(
            flat or ["rows"],
            f"a Cox model needs varying covariates and more rows ({len(complete)})",
        )
    if robust is None:
        robust = bool(complete["patient_id"].duplicated().any())
    frame = complete if robust else complete.drop(columns="patient_id")
    fitter = linear_cox_fitter()
    with _lifelines_quiet():
        fitter.fit(
            frame,
            duration_col="months",
            event_col="event",
            cluster_col="patient_id" if robust else None,
            robust=robust,
            batch_mode=True,
            fit_options={"precision": 1e-12, "r_precision": 1e-14, "max_steps": 200},
        )
    coefficients = _coefficients(fitter.summary, covariates)
    with _lifelines_quiet():
        ph = proportional_hazard_test(fitter, frame, time_transform="rank")
    ph_summary = ph.summary
    ph_test = {
        str(name): {"statistic": float(row["test_statistic"]), "p": float(row["p"])}
        for name, row in ph_summary.iterrows()
    }
    return CoxResult(
        endpoint=endpoint,
        covariates=tuple(covariates),
        n=len(complete),
        events=int(complete["event"].sum()),
        robust=robust,
        coefficients=coefficients,
        ph_test=ph_test,
        concordance=float(fitter.concordance_index_),
        dropped=len(chosen) - len(complete),
        cohort=cohort.describe(),
    )


def _coefficients(summary: Any, covariates: Sequence[str]) -> dict[str, dict[str, float]]:
    return {
        name: {
            "coef": float(summary.loc[name, "coef"]),
            "se": float(summary.loc[name, "se(coef)"]),
            "hr": float(summary.loc[name, "exp(coef)"]),
            "hr_lower": float(summary.loc[name, "exp(coef) lower 95%"]),
            "hr_upper": float(summary.loc[name, "exp(coef) upper 95%"]),
            "p": float(summary.loc[name, "p"]),
        }
        for name in covariates
    }
