"""The compiled model the engine runs: plain data, no YAML, no tumour vocabulary.

A :class:`ModelPlan` is what :func:`netline.simulation.spec.compile_model` makes of a model spec:
therapies with their distributions (parameters referred to by name), the groups each therapy
belongs to (free strings: the spec layer fills them with mode-of-action classes and agents),
history modifiers, sequences, and settings. Parameters themselves are not here: they arrive as
:class:`~netline.simulation.parameters.Parameters`, checked against :attr:`ModelPlan.bounds`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from netline.simulation.distributions import DistributionKind
from netline.simulation.lifetable import LifeTable
from netline.simulation.parameters import Bounds

__all__ = [
    "ConditionPlan",
    "ConversionPlan",
    "ModelPlan",
    "ModifierPlan",
    "Population",
    "SurvivalPlan",
    "TherapyPlan",
    "ToxicityPlan",
]


@dataclass(frozen=True, slots=True)
class SurvivalPlan:
    """A time-to-event distribution whose parameters are named.

    ``params`` maps a role to a parameter name. Roles: ``median`` or ``rate`` (exponential),
    ``median`` or ``scale`` and ``shape`` (Weibull), ``median`` and ``sdlog`` (log-normal),
    ``rate0``, ``rate1``, ... (piecewise, with ``starts``). ``hr`` names an extra hazard ratio
    applied to the whole distribution.
    """

    kind: DistributionKind
    params: dict[str, str]
    starts: tuple[float, ...] = ()
    hr: str | None = None


@dataclass(frozen=True, slots=True)
class ToxicityPlan:
    """Discontinuation for toxicity: whether (probability) and when.

    ``timing`` is ``("uniform", low, high)`` months after the line starts, or
    ``("cycles", cycle_months, weights)`` where ``weights[j]`` is the relative chance of
    stopping after cycle ``j + 1``.
    """

    probability: str
    timing: tuple[str, float, float] | tuple[str, float, tuple[float, ...]]
    switch: bool = False


@dataclass(frozen=True, slots=True)
class ConversionPlan:
    """Response-driven conversion surgery during a line."""

    probability: str
    at: float
    mortality: str | None
    after: SurvivalPlan
    cost: str | None = None


@dataclass(frozen=True, slots=True)
class TherapyPlan:
    """One therapy as the engine sees it."""

    key: str
    groups: frozenset[str]
    pfs: SurvivalPlan
    death_rate: str | None = None
    toxicity: ToxicityPlan | None = None
    max_duration: float | None = None
    conversion: ConversionPlan | None = None
    utility_on: str | None = None
    utility_off: str | None = None
    cost_month: str | None = None
    cost_off_month: str | None = None
    cost_start: str | None = None
    cost_toxicity: str | None = None


@dataclass(frozen=True, slots=True)
class ConditionPlan:
    """When a modifier applies (all given conditions must hold, evaluated at line start).

    ``line_min``/``line_max``: the line number (1 = first). ``prior_same_group``: an earlier
    line shared a group with this therapy (or, with ``group``, shared that group).
    ``prior_group``: an earlier line belonged to the group. ``time_min``/``time_max``: months
    since the sequence started. ``covariate``: a patient covariate is true (non-zero).
    """

    line_min: int | None = None
    line_max: int | None = None
    prior_same_group: bool | None = None
    prior_group: str | None = None
    prior_group_absent: str | None = None
    time_min: float | None = None
    time_max: float | None = None
    covariate: str | None = None
    covariate_absent: str | None = None

    @property
    def structural(self) -> bool:
        """Whether the condition depends only on the sequence (not on the patient)."""
        return (
            self.time_min is None
            and self.time_max is None
            and self.covariate is None
            and self.covariate_absent is None
        )


@dataclass(frozen=True, slots=True)
class ModifierPlan:
    """A history- or covariate-dependent hazard ratio.

    ``per_prior_line_beyond``: when set to ``b``, the HR applies once per prior line beyond
    ``b`` (at line ``L`` it is raised to ``max(0, L - 1 - b)``), a log-linear line effect.
    """

    name: str
    target: Literal["pfs", "death", "bsc"]
    when: ConditionPlan
    hr: str
    therapies: frozenset[str] | None = None
    per_unit: str | None = None
    reference: float = 0.0
    per_prior_line_beyond: int | None = None
    per_prior_line_excluding: str | None = None

    def applies_to(self, therapy: str | None) -> bool:
        """Whether the modifier concerns this therapy (``None`` for best supportive care)."""
        if self.target == "bsc":
            return therapy is None
        return therapy is not None and (self.therapies is None or therapy in self.therapies)


@dataclass(frozen=True, slots=True)
class Population:
    """The simulated patients (fixed across PSA draws).

    Parameters
    ----------
    age : ndarray, shape (patients,)
        Age in years at the start of the sequence.
    female : ndarray of bool, shape (patients,)
    covariates : dict of str to ndarray
        Patient covariates, each of shape (patients,).
    """

    age: NDArray[np.float64]
    female: NDArray[np.bool_]
    covariates: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of patients."""
        return int(self.age.shape[0])


@dataclass(frozen=True)
class ModelPlan:
    """Everything the engine needs except the parameter values.

    ``frailty_variance`` names the parameter of a patient-level frailty shared by the PFS
    hazards of every line (see :mod:`netline.simulation.frailty`). ``history`` lists the groups
    of lines a patient has already received before the simulated sequences start: they count
    as prior lines for every modifier, and line numbers continue after them.
    """

    therapies: dict[str, TherapyPlan]
    bsc: SurvivalPlan
    sequences: tuple[tuple[str, ...], ...]
    sequence_ids: tuple[str, ...]
    bounds: dict[str, Bounds]
    modifiers: tuple[ModifierPlan, ...] = ()
    bsc_death_rate: str | None = None
    bsc_utility: str | None = None
    bsc_cost_month: str | None = None
    death_cost: str | None = None
    progression_cost: str | None = None
    life_table: LifeTable | None = None
    background_multiplier: float = 1.0
    discount_costs: float = 0.0
    discount_qalys: float = 0.0
    horizon_months: float | None = None
    frailty_variance: str | None = None
    history: tuple[frozenset[str], ...] = ()

    @property
    def has_utilities(self) -> bool:
        """Whether QALYs can be computed."""
        return self.bsc_utility is not None or any(
            t.utility_on is not None for t in self.therapies.values()
        )

    @property
    def has_costs(self) -> bool:
        """Whether costs can be computed."""
        names = [self.bsc_cost_month, self.death_cost, self.progression_cost]
        for t in self.therapies.values():
            names += [t.cost_month, t.cost_off_month, t.cost_start, t.cost_toxicity]
            if t.conversion is not None:
                names.append(t.conversion.cost)
        return any(n is not None for n in names)
