"""Small models shared by the simulator tests."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "name": "test model",
    "background_mortality": None,
    "therapies": {
        "a": {"classes": ["x"], "pfs": {"distribution": "exponential", "median": 10.0}},
        "b": {"classes": ["y"], "pfs": {"distribution": "exponential", "median": 8.0}},
    },
    "bsc": {"survival": {"distribution": "exponential", "median": 6.0}},
    "sequences": [["a", "b"]],
    "simulation": {"patients": 1000, "draws": 4, "seed": 7, "psa": False},
}


def model(**changes: Any) -> dict[str, Any]:
    """A copy of the base model with top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data


RICH: dict[str, Any] = {
    "name": "rich test model",
    "population": {
        "age": {"mean": 62, "sd": 8},
        "female": 0.4,
        "covariates": {
            "ki67_high": {"kind": "bernoulli", "p": 0.4},
            "ki67": {"kind": "lognormal", "median": 5, "sd": 0.5},
        },
    },
    "background_mortality": {"table": "us_ssa_2020", "multiplier": 3.0},
    "therapies": {
        "ssa": {
            "agents": ["lanreotide"],
            "pfs": {"distribution": "weibull", "median": 20.0, "shape": 1.4, "hr": 0.8},
            "death_rate": 0.004,
            "utility": {"on_treatment": 0.8},
            "cost": {"per_month": 1000, "start": 500},
        },
        "eve": {
            "agents": ["everolimus"],
            "pfs": {"distribution": "lognormal", "median": 11.0, "sdlog": 0.9},
            "toxicity": {
                "probability": 0.3,
                "timing": {"kind": "uniform", "low": 1, "high": 6},
                "on_stop": "next_line",
            },
            "utility": {"on_treatment": 0.7, "off_treatment": 0.75},
            "cost": {"per_month": 5000, "toxicity": 2000},
        },
        "sun": {
            "agents": ["sunitinib"],
            "pfs": {
                "distribution": "piecewise",
                "starts": [0, 6, 18],
                "rates": [0.05, 0.08, 0.12],
            },
            "max_duration_months": 24,
            "toxicity": {"probability": 0.2, "timing": {"kind": "uniform", "high": 9}},
            "utility": {"on_treatment": 0.7},
            "cost": {"per_month": 4000},
        },
        "prrt": {
            "agents": ["lu177_dotatate"],
            "pfs": {"distribution": "weibull", "median": 25.0, "shape": 0.9},
            "death_rate": 0.003,
            "toxicity": {
                "probability": 0.25,
                "timing": {
                    "kind": "cycles",
                    "cycle_months": 2,
                    "planned": 4,
                    "stop_after": [0.5, 0.3, 0.2],
                },
            },
            "conversion": {
                "probability": 0.2,
                "at_months": 8,
                "mortality": 0.1,
                "after": {"distribution": "exponential", "median": 30},
                "cost": 30000,
            },
            "utility": {"on_treatment": 0.75},
            "cost": {"start": 100000},
        },
    },
    "bsc": {
        "survival": {"distribution": "exponential", "median": 9.0},
        "utility": 0.6,
        "cost_per_month": 800,
    },
    "modifiers": [
        {"name": "late", "when": {"line": {"min": 2}}, "hr": 1.3},
        {"name": "xres", "when": {"prior_same_class": True}, "hr": 1.7},
        {
            "name": "after_mtor",
            "applies_to": ["sun"],
            "when": {"prior_agent": "everolimus"},
            "hr": 1.5,
        },
        {"name": "ki67", "applies_to": ["prrt"], "when": {"covariate": "ki67_high"}, "hr": 1.6},
        {
            "name": "ki67_cont",
            "applies_to": ["ssa"],
            "per_unit": "ki67",
            "reference": 5,
            "hr": 1.05,
        },
        {"name": "clock", "when": {"months_since_start": {"min": 24}}, "hr": 1.25},
        {"name": "bsc_lines", "target": "bsc", "when": {"line": {"min": 4}}, "hr": 1.4},
        {"name": "death_late", "target": "death", "when": {"line": {"min": 2}}, "hr": 2.0},
    ],
    "sequences": [["ssa", "eve", "sun", "prrt"], ["prrt", "ssa", "sun"], ["eve", "sun"]],
    "discount": {"costs": 0.035, "qalys": 0.015},
    "death_cost": 5000,
    "progression_cost": 700,
    "simulation": {"patients": 4000, "draws": 2, "seed": 11, "psa": False, "horizon_years": 30},
}
