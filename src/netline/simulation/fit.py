r"""Models fitted from a registry: line-specific Weibull PFS with history covariates.

The input is a plain per-line table, one row per line of therapy of a patient (what a netline
registry's analytics give; the registry itself is connected elsewhere):

============== =========================================================================
``patient``    patient identifier
``line``       line number (1 = first)
``therapy``    the model's therapy key for that line
``pfs_months`` progression-free survival on the line (months)
``pfs_event``  1 if progression or death ended it, 0 if censored
``prior_*``    0/1: an earlier line belonged to that class (e.g. ``prior_mtor_inhibitor``)
covariates     any other numeric columns named in ``covariates``
============== =========================================================================

One Weibull accelerated-failure-time model is fitted to all lines (lifelines'
:class:`~lifelines.WeibullAFTFitter`): a scale per therapy, the number of prior lines, the
prior-class indicators and the covariates, with a common shape :math:`\rho`. A Weibull AFT
model is also a proportional-hazards model, and a coefficient :math:`\beta` on the log time
scale is a hazard ratio :math:`\exp(-\rho\beta)`; each therapy's median at reference
(first line, no prior classes, covariates 0) is :math:`\lambda (\ln 2)^{1/\rho}`.
:meth:`LineModelFit.model` turns the fit into a model file mapping (therapies and history
modifiers with their uncertainty), so the sequences can be simulated.

References
----------
.. [1] Collett D. Modelling Survival Data in Medical Research, 3rd ed. CRC Press, 2015,
   chapter 6 (the Weibull model as PH and AFT).
.. [2] Davidson-Pilon C. lifelines: survival analysis in Python. J Open Source Softw
   2019;4(40):1317.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from netline.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

__all__ = ["LineModelFit", "fit_line_models"]

_Z95 = 1.959963984540054
_REQUIRED = ("patient", "line", "therapy", "pfs_months", "pfs_event")


@dataclass(frozen=True)
class Effect:
    """A fitted hazard ratio with its 95 % CI (shape uncertainty not propagated)."""

    value: float
    lo: float
    hi: float


@dataclass
class LineModelFit:
    """A fitted line model.

    Attributes
    ----------
    shape : Effect
        Common Weibull shape (rho) with its CI.
    medians : dict of str to Effect
        Each therapy's median PFS at reference (first line, no prior classes, covariates 0).
    line_hr : Effect
        Hazard ratio per prior line.
    prior_hrs : dict of str to Effect
        Hazard ratio of each prior class (key: class name).
    covariate_hrs : dict of str to Effect
        Hazard ratio per unit of each covariate.
    n_lines, n_events : int
    """

    shape: Effect
    medians: dict[str, Effect]
    line_hr: Effect
    prior_hrs: dict[str, Effect] = field(default_factory=dict)
    covariate_hrs: dict[str, Effect] = field(default_factory=dict)
    n_lines: int = 0
    n_events: int = 0

    def model(self, base: dict[str, Any], source: str = "registry") -> dict[str, Any]:
        """Return a model-file mapping with the fitted therapies and history modifiers.

        Parameters
        ----------
        base : dict
            The rest of the model (``name``, ``bsc``, ``sequences``, ``population`` ...);
            its ``therapies`` entries may carry agents, costs and utilities, which are kept.
        source : str
            Reference key recorded with every fitted number.
        """
        note = f"fitted: {self.n_lines} lines, {self.n_events} events (Weibull AFT)"

        def param(e: Effect) -> dict[str, Any]:
            return {
                "value": e.value,
                "ci": [e.lo, e.hi],
                "source": {"ref": source, "status": "derived", "note": note},
            }

        therapies = {k: dict(v) for k, v in base.get("therapies", {}).items()}
        for name, median in self.medians.items():
            t = therapies.setdefault(name, {"classes": [f"fitted_{name}"]})
            t["pfs"] = {
                "distribution": "weibull",
                "median": param(median),
                "shape": param(self.shape),
            }
        modifiers = list(base.get("modifiers", []))
        modifiers.append(
            {"name": "fitted_line", "per_prior_line_beyond": 0, "hr": param(self.line_hr)}
        )
        for cls, e in self.prior_hrs.items():
            modifiers.append(
                {"name": f"fitted_prior_{cls}", "when": {"prior_class": cls}, "hr": param(e)}
            )
        for cov, e in self.covariate_hrs.items():
            modifiers.append({"name": f"fitted_{cov}", "per_unit": cov, "hr": param(e)})
        return {**base, "therapies": therapies, "modifiers": modifiers}


def _check(table: pd.DataFrame, covariates: Sequence[str]) -> list[Problem]:
    problems = [
        Problem(col, None, "a column of the per-line table")
        for col in (*_REQUIRED, *covariates)
        if col not in table.columns
    ]
    if problems:
        return problems
    t = table["pfs_months"].to_numpy(dtype=float)
    bad = ~np.isfinite(t) | (t <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        problems.append(
            Problem(
                f"pfs_months[row {i}]", float(t[i]), f"positive months ({int(bad.sum())} bad rows)"
            )
        )
    ev = table["pfs_event"].to_numpy()
    if not np.isin(ev, (0, 1)).all():
        problems.append(Problem("pfs_event", "other values", "0 or 1"))
    if table["line"].min() < 1:
        problems.append(Problem("line", int(table["line"].min()), "line numbers from 1"))
    return problems


def fit_line_models(
    table: pd.DataFrame, covariates: Sequence[str] = (), reference: str | None = None
) -> LineModelFit:
    """Fit line-specific Weibull PFS models with history covariates to a per-line table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per line (columns above); ``prior_<class>`` columns are used as history.
    covariates : sequence of str
        Further numeric columns to adjust for (e.g. ``ki67_high``).
    reference : str, optional
        Therapy used as the intercept (default: the most frequent).

    Returns
    -------
    LineModelFit

    Raises
    ------
    InvalidInputError
        For missing columns or invalid values (every problem listed).
    """
    import pandas as pd
    from lifelines import WeibullAFTFitter

    problems = _check(table, covariates)
    if problems:
        raise InvalidInputError(problems, source="per-line table")
    therapies = list(table["therapy"].value_counts().index)
    ref = reference or therapies[0]
    prior_cols = [c for c in table.columns if c.startswith("prior_")]
    df = pd.DataFrame(
        {
            "T": table["pfs_months"].astype(float),
            "E": table["pfs_event"].astype(int),
            "prior_lines": table["line"].astype(float) - 1.0,
        }
    )
    dummies = [t for t in therapies if t != ref]
    for t in dummies:
        df[f"therapy_{t}"] = (table["therapy"] == t).astype(float)
    for col in (*prior_cols, *covariates):
        df[col] = table[col].astype(float)
    with warnings.catch_warnings():
        # lifelines 0.30 calls DataFrame.std positionally; pandas 3 warns about pandas 4.
        warnings.filterwarnings("ignore", message="Starting with pandas version 4.0")
        fitter = WeibullAFTFitter().fit(df, "T", "E")
    params = fitter.params_
    se = fitter.standard_errors_
    rho_log = float(params[("rho_", "Intercept")])
    rho = math.exp(rho_log)
    rho_se = float(se[("rho_", "Intercept")])
    shape = Effect(rho, math.exp(rho_log - _Z95 * rho_se), math.exp(rho_log + _Z95 * rho_se))

    def hr(name: str) -> Effect:
        b = float(params[("lambda_", name)])
        s = float(se[("lambda_", name)])
        return Effect(
            math.exp(-rho * b), math.exp(-rho * (b + _Z95 * s)), math.exp(-rho * (b - _Z95 * s))
        )

    intercept = float(params[("lambda_", "Intercept")])
    cov = fitter.variance_matrix_
    medians: dict[str, Effect] = {}
    for t in therapies:
        names = [("lambda_", "Intercept")] + ([("lambda_", f"therapy_{t}")] if t != ref else [])
        log_lam = intercept + sum(float(params[n]) for n in names[1:])
        var = float(sum(cov.loc[a, b] for a in names for b in names))
        log_med = log_lam + math.log(math.log(2.0)) / rho
        s = math.sqrt(max(var, 0.0))
        medians[t] = Effect(
            math.exp(log_med), math.exp(log_med - _Z95 * s), math.exp(log_med + _Z95 * s)
        )
    return LineModelFit(
        shape=shape,
        medians=medians,
        line_hr=hr("prior_lines"),
        prior_hrs={c.removeprefix("prior_"): hr(c) for c in prior_cols},
        covariate_hrs={c: hr(c) for c in covariates},
        n_lines=len(df),
        n_events=int(df["E"].sum()),
    )
