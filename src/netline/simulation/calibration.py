r"""The calibration and validation report (``netline calibrate``).

Part 1, calibration (internal consistency). For each single-agent trial the simulator's
parameters come from, the two arms' PFS distributions are derived from the knowledge base's
published figures and both arms are simulated as one-line sequences in a trial-like population
with background mortality. The simulated medians must lie within ±10 % of the published ones and
the simulated hazard ratio (two-group Cox model on the simulated patients) inside the published
95 % CI. Derivation, per trial:

* both medians reached: Weibull arms with a common shape chosen so that the medians agree with
  the HR, :math:`k = \\ln HR / \\ln(m_c / m_e)`;
* experimental median not reached (CLARINET, NETTER-1): the control's Weibull shape from its
  median and its landmark PFS rate, the experimental arm as the control with the HR implied by
  the two landmark rates, :math:`HR = \\ln S_e(t) / \\ln S_c(t)`; then checked against the
  landmark rate and the published HR instead of a median.

This is a consistency check of derivation and engine (float32, histograms, competing background
death), not evidence that the model is right: the targets are the data the parameters came from.

Part 2, external validation (:mod:`netline.simulation.validation`): SEQTOR and two real-world
sequence cohorts predicted from single-agent evidence and the derived history effects, without
any of their figures; medians, 12-month rates, PSA coverage and the direction of each
comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from netline.simulation.evidence import figure
from netline.simulation.parameters import (
    EvidenceRef,
    Figure,
    hr_from_landmarks,
    weibull_shape_from_arms,
    weibull_shape_from_landmark,
)
from netline.simulation.validation import (
    ENDPOINT_LABELS,
    Direction,
    Prediction,
    run_validation,
    validation_markdown,
)

if TYPE_CHECKING:
    from netline.evidence import KnowledgeBase

__all__ = ["CalibrationReport", "cox_hazard_ratio", "run_calibration"]

#: Trials whose arms are reproduced: (trial, endpoint, experimental arm, control arm, landmark).
CALIBRATION_TRIALS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("radiant3", "pfs", "everolimus", "placebo", None),
    ("sun1111", "pfs", "sunitinib", "placebo", None),
    ("clarinet", "pfs", "lanreotide", "placebo", "pfs_24m"),
    ("netter1", "pfs", "lu177_dotatate", "octreotide_high_dose", "pfs_20m"),
    ("compete", "pfs", "lu177_edotreotide", "everolimus", None),
    ("e2211", "pfs", "captem", "temozolomide", None),
)

#: Age used for every simulated trial population (an assumption: most trials' median ages
#: are 56-64 years; background mortality at these ages barely moves PFS).
TRIAL_AGE = 60.0
TOLERANCE = 0.10


def cox_hazard_ratio(
    time: NDArray[np.floating], event: NDArray[np.bool_], group: NDArray[np.bool_]
) -> tuple[float, float, float]:
    """Two-group Cox proportional-hazards estimate (Breslow; continuous times).

    Returns
    -------
    (hr, lower, upper)
        HR of ``group`` True vs False with its 95 % Wald interval.

    References
    ----------
    .. [1] Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.
    """
    order = np.argsort(time, kind="stable")
    g = group[order].astype(np.float64)
    d = event[order].astype(np.float64)
    n1 = np.cumsum(g[::-1])[::-1]
    n_all = np.arange(len(g), 0, -1, dtype=np.float64)
    n0 = n_all - n1
    beta = 0.0
    info = 1.0
    for _ in range(50):
        w = math.exp(beta)
        denom = n0 + n1 * w
        p1 = n1 * w / denom
        score = float(np.sum(d * (g - p1)))
        info = float(np.sum(d * p1 * (1 - p1)))
        step = score / info
        beta += step
        if abs(step) < 1e-10:
            break
    se = 1 / math.sqrt(info)
    return math.exp(beta), math.exp(beta - 1.96 * se), math.exp(beta + 1.96 * se)


@dataclass
class ArmResult:
    """One simulated trial arm against its published figure."""

    arm: str
    published_median: Figure | None
    simulated_median: float
    landmark_months: float | None = None
    published_landmark: float | None = None
    simulated_landmark: float | None = None
    derived_median: float = math.nan

    @property
    def median_error(self) -> float | None:
        """Relative error of the simulated median (``None`` when not reached)."""
        pub = self.published_median
        if pub is None or pub.value is None:
            return None
        return self.simulated_median / pub.value - 1

    @property
    def landmark_error(self) -> float | None:
        """Relative error of the simulated landmark PFS rate."""
        if self.published_landmark is None or self.simulated_landmark is None:
            return None
        return self.simulated_landmark / self.published_landmark - 1

    @property
    def ok(self) -> bool:
        """Within tolerance on the figure that was targeted."""
        err = self.median_error
        if err is None:
            err = self.landmark_error
        return err is not None and abs(err) <= TOLERANCE


@dataclass
class TrialResult:
    """One trial: both arms and the hazard ratio."""

    trial: str
    name: str
    method: str
    shape: float
    experimental: ArmResult
    control: ArmResult
    published_hr: Figure
    simulated_hr: tuple[float, float, float]

    @property
    def hr_in_ci(self) -> bool:
        """Whether the simulated HR lies in the published 95 % CI."""
        ci = self.published_hr.ci
        return ci is not None and ci[0] <= self.simulated_hr[0] <= ci[1]

    @property
    def ok(self) -> bool:
        """Both arms within tolerance and the HR inside its CI."""
        return self.experimental.ok and self.control.ok and self.hr_in_ci


@dataclass
class CalibrationReport:
    """Everything ``netline calibrate`` reports."""

    schema_version: ClassVar[str] = "2"

    trials: list[TrialResult]
    predictions: list[Prediction]
    directions: list[Direction]
    cohort_notes: list[str]
    patients: int
    seed: int
    kb_version: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (with ``schema_version``)."""
        return {
            "schema_version": self.schema_version,
            "kb_version": self.kb_version,
            "patients": self.patients,
            "seed": self.seed,
            "calibration": [
                {
                    "trial": t.trial,
                    "ok": t.ok,
                    "shape": t.shape,
                    "simulated_hr": list(t.simulated_hr),
                    "published_hr": t.published_hr.value,
                    "arms": [
                        {"arm": a.arm, "simulated_median": a.simulated_median, "ok": a.ok}
                        for a in (t.experimental, t.control)
                    ],
                }
                for t in self.trials
            ],
            "validation": [
                {
                    "study": p.study,
                    "arm": p.arm,
                    "endpoint": p.endpoint,
                    "published": p.published,
                    "ref": p.ref,
                    "status": p.status,
                    "predicted": p.mean,
                    "interval": [p.lo, p.hi],
                    "inside": p.inside,
                }
                for p in self.predictions
            ],
            "directions": [
                {
                    "study": d.study,
                    "endpoint": d.endpoint,
                    "predicted": d.predicted,
                    "published": d.published,
                    "agrees": d.agrees,
                    "probability": d.probability,
                }
                for d in self.directions
            ],
            "notes": list(self.cohort_notes) + list(self.notes),
        }

    def render(self, fmt: str) -> str:
        """Render as ``text``, ``json``, ``markdown`` or ``html``.

        Raises
        ------
        ValueError
            For another format.
        """
        if fmt == "text":
            return self.summary()
        if fmt == "markdown":
            return self.markdown()
        if fmt == "json":
            import json

            from netline.simulation.summary import finite_json

            return json.dumps(finite_json(self.to_dict()), indent=2, allow_nan=False)
        if fmt == "html":
            import html

            return (
                "<!doctype html><meta charset='utf-8'><title>netline calibration</title>"
                f"<pre>{html.escape(self.markdown())}</pre>"
            )
        raise ValueError(f"unknown format {fmt!r}: text, json, markdown or html")

    def summary(self) -> str:
        """Summarise in a few lines for the terminal."""
        good = sum(t.ok for t in self.trials)
        lines = [f"calibration: {good}/{len(self.trials)} trials within ±10 % and HR inside CI"]
        for t in self.trials:
            flag = "ok " if t.ok else "OFF"
            lines.append(
                f"  [{flag}] {t.name}: HR {t.simulated_hr[0]:.2f} (published "
                f"{_fig(t.published_hr)}); "
                + "; ".join(_arm_text(a) for a in (t.experimental, t.control))
            )
        inside = sum(p.inside for p in self.predictions)
        agree = sum(d.agrees for d in self.directions)
        lines.append(
            f"validation: {inside}/{len(self.predictions)} published values inside the 95 % PSA "
            f"interval; {agree}/{len(self.directions)} comparisons in the published direction"
        )
        for p in self.predictions:
            flag = "in " if p.inside else "OUT"
            lines.append(
                f"  [{flag}] {p.study} {p.arm} {ENDPOINT_LABELS[p.endpoint]}: predicted "
                f"{p.mean:.1f} ({p.lo:.1f}-{p.hi:.1f}) vs published {p.published:g}"
            )
        return "\n".join(lines)

    def markdown(self) -> str:
        """Render the full report as Markdown."""
        out = [
            "# netline simulator: calibration and external validation",
            "",
            f"Generated by `netline calibrate` on {date.today().isoformat()} "
            f"(knowledge base {self.kb_version}; {self.patients:,} simulated patients per arm, "
            f"seed {self.seed}). Regenerate with `netline calibrate --out report.md`.",
            "",
            "## 1. Calibration: the single-agent arms the parameters came from",
            "",
            "Target: simulated median PFS within ±10 % of the published median (or, where the",
            "median was not reached, the landmark PFS rate within ±10 %), simulated HR inside the",
            "published 95 % CI. Every published figure is read from the knowledge base",
            "(`netline.evidence`), with its reference key and verification status.",
            "",
            "| trial | arm | published median (mo) | simulated | error | landmark: published / "
            "simulated | status |",
            "|---|---|---|---|---|---|---|",
        ]
        for t in self.trials:
            for a in (t.experimental, t.control):
                pub = a.published_median
                pub_text = (
                    "not reached"
                    if pub is None or pub.value is None
                    else f"{pub.value:g} [{pub.status}, {pub.ref}]"
                )
                err = a.median_error
                land = "–"
                if a.published_landmark is not None and a.simulated_landmark is not None:
                    land = (
                        f"{a.landmark_months:g} mo: {a.published_landmark:.1f} % / "
                        f"{a.simulated_landmark:.1f} %"
                    )
                out.append(
                    f"| {t.name} | {a.arm} | {pub_text} | {a.simulated_median:.2f} | "
                    f"{'' if err is None else f'{err:+.1%}'} | {land} | {'ok' if a.ok else 'OFF'} |"
                )
        out += [
            "",
            "| trial | derivation | Weibull shape | published HR (95 % CI) | simulated HR (95 % "
            "CI) | inside CI |",
            "|---|---|---|---|---|---|",
        ]
        for t in self.trials:
            hr, lo, hi = t.simulated_hr
            out.append(
                f"| {t.name} | {t.method} | {t.shape:.3f} | {_fig(t.published_hr)} | "
                f"{hr:.3f} ({lo:.3f}–{hi:.3f}) | {'yes' if t.hr_in_ci else 'NO'} |"
            )
        out += [
            "",
            "These checks are internal consistency: the targets are the figures the parameters "
            "were",
            "derived from. They show that the derivation and the engine reproduce them (with",
            "background mortality from the US SSA 2020 life table competing, at age "
            f"{TRIAL_AGE:g}), not that the model predicts anything else.",
            "",
        ]
        out += validation_markdown(self.predictions, self.directions, self.cohort_notes)
        if self.notes:
            out += ["## Notes", "", *[f"- {note}" for note in self.notes], ""]
        return "\n".join(out)


def _fig(f: Figure) -> str:
    ci = f" ({f.ci[0]:g}–{f.ci[1]:g})" if f.ci else ""
    return f"{f.value:g}{ci} [{f.status}]"


def _arm_text(a: ArmResult) -> str:
    err = a.median_error
    if err is not None:
        return f"{a.arm} median {a.simulated_median:.1f} ({err:+.1%})"
    lerr = a.landmark_error
    return (
        f"{a.arm} landmark {a.simulated_landmark:.1f} % ({'' if lerr is None else f'{lerr:+.1%}'})"
    )


def _two_arm_model(
    med_e: float, med_c: float, shape: float, patients: int, seed: int
) -> dict[str, Any]:
    def therapy(median: float) -> dict[str, Any]:
        return {
            "classes": ["trial_arm"],
            "pfs": {"distribution": "weibull", "median": median, "shape": shape},
        }

    return {
        "name": "trial arms",
        "population": {"age": TRIAL_AGE, "female": 0.45},
        "background_mortality": {"table": "us_ssa_2020"},
        "therapies": {"experimental": therapy(med_e), "control": therapy(med_c)},
        "bsc": {"survival": {"distribution": "exponential", "median": 12.0}},
        "sequences": [["experimental"], ["control"]],
        "simulation": {
            "patients": patients,
            "draws": 1,
            "seed": seed,
            "psa": False,
            "curve_max_months": 480,
        },
    }


def _calibrate_trial(
    kb: KnowledgeBase, spec: tuple[str, str, str, str, str | None], patients: int, seed: int
) -> TrialResult:
    from netline.simulation.run import simulate
    from netline.simulation.spec import parse_model

    trial_id, endpoint, arm_e, arm_c, landmark = spec
    trial = kb.trial(trial_id)
    fig_e = figure(kb, EvidenceRef(trial=trial_id, endpoint=endpoint, arm=arm_e))
    fig_c = figure(kb, EvidenceRef(trial=trial_id, endpoint=endpoint, arm=arm_c))
    fig_hr = figure(kb, EvidenceRef(trial=trial_id, endpoint=endpoint, measure="hr"))
    assert fig_c.value is not None
    assert fig_hr.value is not None
    land_t: float | None = None
    land_e = land_c = None
    if fig_e.value is not None:
        shape = weibull_shape_from_arms(fig_e.value, fig_c.value, fig_hr.value)
        med_e = fig_e.value
        method = "both medians reached: common Weibull shape from medians and HR"
    else:
        assert landmark is not None
        ep = next(e for e in trial.endpoints if e.id == landmark)
        land_t = ep.timepoint_months
        q_e = figure(kb, EvidenceRef(trial=trial_id, endpoint=landmark, arm=arm_e))
        q_c = figure(kb, EvidenceRef(trial=trial_id, endpoint=landmark, arm=arm_c))
        assert land_t is not None
        assert q_e.value is not None
        assert q_c.value is not None
        land_e, land_c = q_e.value, q_c.value
        shape = weibull_shape_from_landmark(fig_c.value, land_t, land_c / 100)
        hr_land = hr_from_landmarks(land_e / 100, land_c / 100)
        med_e = fig_c.value * (1 / hr_land) ** (1 / shape)
        method = (
            f"experimental median not reached: control shape from its median and {land_t:g}-mo "
            f"PFS; experimental = control with HR {hr_land:.3f} implied by the {land_t:g}-mo rates"
        )
    result = simulate(
        parse_model(_two_arm_model(med_e, fig_c.value, shape, patients, seed)),
        progress=False,
        record_patients=True,
    )
    raw = result.raw
    pfs_e = raw.patient_records["pfs:0"][0].astype(np.float64)
    pfs_c = raw.patient_records["pfs:1"][0].astype(np.float64)
    time = np.concatenate([pfs_e, pfs_c])
    group = np.concatenate([np.ones(pfs_e.size, bool), np.zeros(pfs_c.size, bool)])
    hr = cox_hazard_ratio(time, np.ones(time.size, bool), group)

    def arm(
        name: str,
        fig: Figure,
        pfs: NDArray[np.float64],
        published_land: float | None,
        median: float,
    ) -> ArmResult:
        sim_land = None
        if land_t is not None:
            sim_land = float(np.mean(pfs > land_t) * 100)
        return ArmResult(
            name,
            fig if fig.value is not None else None,
            float(np.median(pfs)),
            land_t,
            published_land,
            sim_land,
            median,
        )

    return TrialResult(
        trial_id,
        trial.name,
        method,
        shape,
        arm(arm_e, fig_e, pfs_e, land_e, med_e),
        arm(arm_c, fig_c, pfs_c, land_c, fig_c.value),
        fig_hr,
        hr,
    )


def run_calibration(
    patients: int = 20_000, seed: int = 2026, kb: KnowledgeBase | None = None
) -> CalibrationReport:
    """Run the calibration checks and the SEQTOR prediction.

    Parameters
    ----------
    patients : int
        Simulated patients per trial arm.
    seed : int
    kb : KnowledgeBase, optional
        Default: the bundled knowledge base.
    """
    if kb is None:
        from netline.evidence import load_knowledge_base

        kb = load_knowledge_base()
    trials = [_calibrate_trial(kb, spec, patients, seed) for spec in CALIBRATION_TRIALS]
    predictions, directions, notes = run_validation(kb, seed=seed)
    return CalibrationReport(trials, predictions, directions, notes, patients, seed, kb.version)
