"""In-silico treatment sequences: model spec, parameters with PSA, vectorised engine, outputs.

Structure (:mod:`~netline.simulation.spec`), parameters (:mod:`~netline.simulation.parameters`)
and engine (:mod:`~netline.simulation.engine`) are kept apart: a model file says what is
simulated, parameters are arrays with PSA draws as the leading axis, and the engine runs any
plan without knowing what a tumour is. See ``docs/simulate.md``.

Examples
--------
>>> from netline.simulation import simulate
>>> result = simulate("examples/models/pnet-sequences.yaml", draws=50)  # doctest: +SKIP
>>> result.sequences_table().head()  # doctest: +SKIP
"""

from __future__ import annotations

from netline.simulation.engine import EngineSettings, RawResult, run_plan
from netline.simulation.estimates import Estimate, estimate, load_estimates
from netline.simulation.frailty import frailty_sensitivity
from netline.simulation.lifetable import LifeTable, load_life_table
from netline.simulation.parameters import (
    Figure,
    Parameters,
    ParamSpec,
    Source,
    hr_from_landmarks,
    hr_param,
    median_param,
    sample_parameters,
    weibull_shape_from_arms,
    weibull_shape_from_landmark,
)
from netline.simulation.patient import PatientSimulation, simulate_patient
from netline.simulation.plan import ModelPlan, Population
from netline.simulation.run import simulate
from netline.simulation.spec import (
    CompiledModel,
    ModelSpec,
    compile_model,
    load_model,
    parse_model,
    sample_population,
)
from netline.simulation.summary import SimulationResult
from netline.simulation.synthesis import Pooled, random_effects

__all__ = [
    "CompiledModel",
    "EngineSettings",
    "Estimate",
    "Figure",
    "LifeTable",
    "ModelPlan",
    "ModelSpec",
    "ParamSpec",
    "Parameters",
    "PatientSimulation",
    "Pooled",
    "Population",
    "RawResult",
    "SimulationResult",
    "Source",
    "compile_model",
    "estimate",
    "frailty_sensitivity",
    "hr_from_landmarks",
    "hr_param",
    "load_estimates",
    "load_life_table",
    "load_model",
    "median_param",
    "parse_model",
    "random_effects",
    "run_plan",
    "sample_parameters",
    "sample_population",
    "simulate",
    "simulate_patient",
    "weibull_shape_from_arms",
    "weibull_shape_from_landmark",
]
