"""Registry-fitted models: recover known parameters from a synthetic per-line table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from netline.errors import InvalidInputError
from netline.simulation import parse_model, simulate
from netline.simulation.fit import fit_line_models

TRUE_MEDIANS = {"a": 12.0, "b": 9.0, "c": 18.0}
TRUE_SHAPE = 1.3
TRUE_LINE_HR = 1.4
TRUE_PRIOR_MTOR_HR = 1.6
TRUE_KI67_HR = 2.0


def synthetic_registry(patients: int, seed: int) -> pd.DataFrame:
    """Per-line rows drawn from a Weibull PH model with known history effects."""
    rng = np.random.default_rng(seed)
    rows = []
    for pid in range(patients):
        ki67 = float(rng.random() < 0.35)
        n_lines = int(rng.integers(1, 4))
        order = rng.permutation(list(TRUE_MEDIANS))[:n_lines]
        seen: set[str] = set()
        for j, therapy in enumerate(order):
            lin = (
                j * math.log(TRUE_LINE_HR)
                + ("a" in seen) * math.log(TRUE_PRIOR_MTOR_HR)
                + ki67 * math.log(TRUE_KI67_HR)
            )
            scale = TRUE_MEDIANS[therapy] / math.log(2) ** (1 / TRUE_SHAPE)
            t = scale * (rng.exponential() / math.exp(lin)) ** (1 / TRUE_SHAPE)
            c = rng.uniform(6, 72)
            rows.append(
                {
                    "patient": pid,
                    "line": j + 1,
                    "therapy": str(therapy),
                    "pfs_months": min(t, c),
                    "pfs_event": int(t <= c),
                    "prior_mtor_inhibitor": float("a" in seen),
                    "ki67_high": ki67,
                }
            )
            seen.add(str(therapy))
    return pd.DataFrame(rows)


def test_fit_recovers_the_generating_parameters() -> None:
    fit = fit_line_models(synthetic_registry(2500, seed=11), covariates=["ki67_high"])
    assert fit.shape.lo <= TRUE_SHAPE <= fit.shape.hi
    assert fit.line_hr.lo <= TRUE_LINE_HR <= fit.line_hr.hi
    prior = fit.prior_hrs["mtor_inhibitor"]
    assert prior.lo <= TRUE_PRIOR_MTOR_HR <= prior.hi
    ki67 = fit.covariate_hrs["ki67_high"]
    assert ki67.lo <= TRUE_KI67_HR <= ki67.hi
    for name, true in TRUE_MEDIANS.items():
        m = fit.medians[name]
        assert m.lo <= true <= m.hi, (name, m)


def test_fitted_model_simulates() -> None:
    fit = fit_line_models(synthetic_registry(800, seed=3), covariates=["ki67_high"])
    base = {
        "name": "fitted",
        "background_mortality": None,
        "population": {"covariates": {"ki67_high": {"kind": "bernoulli", "p": 0.35}}},
        "therapies": {
            "a": {"agents": ["everolimus"]},
            "b": {"agents": ["sunitinib"]},
            "c": {"agents": ["temozolomide"]},
        },
        "bsc": {"survival": {"distribution": "exponential", "median": 6.0}},
        "sequences": [["a", "b"], ["b", "a"]],
    }
    result = simulate(parse_model(fit.model(base)), patients=500, draws=5)
    assert result.sequences_table()["os_mean"].notna().all()


def test_bad_tables_are_refused_with_every_problem() -> None:
    table = synthetic_registry(20, seed=1).drop(columns=["therapy"])
    table.loc[0, "pfs_months"] = -1.0
    with pytest.raises(InvalidInputError) as exc:
        fit_line_models(table)
    assert "therapy" in str(exc.value)
    table = synthetic_registry(20, seed=1)
    table.loc[0, "pfs_months"] = -1.0
    with pytest.raises(InvalidInputError, match="pfs_months"):
        fit_line_models(table)
