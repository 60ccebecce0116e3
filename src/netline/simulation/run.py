"""The one-call Python API: :func:`simulate`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from netline._inputs import problems_from_validation
from netline.errors import InvalidInputError
from netline.simulation.engine import EngineSettings, check_size, run_plan
from netline.simulation.model_spec import SimulationSpec
from netline.simulation.parameters import Parameters, sample_parameters
from netline.simulation.spec import ModelSpec, compile_model, load_model, sample_population
from netline.simulation.summary import SimulationResult

__all__ = ["simulate"]


def simulate(
    model: ModelSpec | str | Path,
    *,
    patients: int | None = None,
    draws: int | None = None,
    seed: int | None = None,
    antithetic: bool | None = None,
    psa: bool | None = None,
    parameters: Parameters | None = None,
    workers: int = 1,
    progress: bool | None = None,
    record_patients: bool = False,
    chunk_draws: int | None = None,
    history: Sequence[frozenset[str]] = (),
) -> SimulationResult:
    """Simulate every sequence of a model; keyword arguments override the model's settings.

    Parameters
    ----------
    model : ModelSpec or path
        A validated spec or a model file (YAML).
    patients, draws, seed, antithetic, psa : optional
        Override ``simulation`` settings of the model. ``psa=False`` fixes every parameter at
        its point value (a deterministic base case, still with patient-level randomness).
    parameters : Parameters, optional
        Your own parameter draws (e.g. from a posterior) instead of sampling the spec's; they
        are checked against the model (nothing missing, extra, or out of range).
    workers : int
        Threads over chunks of PSA draws.
    progress : bool, optional
        Progress bar (default: only when stderr is a terminal).
    record_patients : bool
        Keep per-patient line durations and OS (small runs).
    chunk_draws : int, optional
        PSA draws per chunk (memory/speed trade-off).
    history : sequence of frozenset of str
        Lines already received before the sequences start, each as its groups (see
        :func:`netline.simulation.compile.groups_of_agents`); used by
        :func:`netline.simulation.patient.simulate_patient`.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InvalidInputError
        For an invalid model file, parameters or settings (every problem listed), or a run
        whose results would be too large (refused before any work).

    References
    ----------
    .. [1] Incerti D, Jansen JP. hesim: health economic simulation modeling and decision
       analysis. arXiv:2102.09437 (2021).

    Examples
    --------
    >>> from netline.simulation import simulate
    >>> result = simulate("examples/models/pnet-sequences.yaml", draws=20)  # doctest: +SKIP
    >>> table = result.sequences_table()  # doctest: +SKIP
    >>> table[["sequence", "os_mean", "os_mean_lo", "os_mean_hi"]]  # doctest: +SKIP
    """
    spec = model if isinstance(model, ModelSpec) else load_model(model)
    overrides: dict[str, object] = {
        "patients": patients,
        "draws": draws,
        "seed": seed,
        "antithetic": antithetic,
        "psa": psa,
    }
    settings = _merged_settings(spec.simulation, overrides)
    compiled = compile_model(spec, history=history)
    engine_settings = EngineSettings(
        patients=settings.patients,
        seed=settings.seed,
        antithetic=settings.antithetic,
        rmst_months=tuple(settings.rmst_months),
        curve_step_months=settings.curve_step_months,
        curve_max_months=max(settings.curve_max_months, *settings.rmst_months),
        resolution_months=settings.resolution_months,
        chunk_draws=chunk_draws,
        workers=workers,
        progress=progress,
        record_patients=record_patients,
    )
    check_size(compiled.plan, engine_settings, settings.draws)
    if parameters is None:
        parameters = sample_parameters(
            compiled.param_specs, settings.draws, settings.seed, psa=settings.psa
        )
    population = sample_population(
        spec.population, settings.patients, settings.seed, settings.antithetic
    )
    raw = run_plan(compiled.plan, parameters, population, engine_settings)
    labels = {key: t.label or key for key, t in spec.therapies.items()}
    return SimulationResult(raw, spec.name, labels)


def _merged_settings(base: SimulationSpec, overrides: dict[str, object]) -> SimulationSpec:
    """Return the model's run settings with the caller's overrides, checked by the same rules."""
    data = base.model_dump()
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return SimulationSpec.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc)
        raise InvalidInputError(problems, source="simulation settings") from None
