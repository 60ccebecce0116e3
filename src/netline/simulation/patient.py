"""Simulate the remaining sequences for one patient, from where the patient stands now.

The model file's sequences are read as candidate *remaining* sequences: they start at the
patient's next line. What is known about the patient replaces the model's population:

* **history**: the lines received so far (their agents) count as prior lines for every history
  modifier (prior class, prior agent, cross-resistance, the per-line effect), and line numbers
  continue after them;
* **age and sex** on the decision date, from the record;
* **covariates** the caller knows (e.g. ``ki67_high: 1``); a covariate that is not given keeps
  the model population's distribution, so an unknown fact widens the result rather than
  choosing a value;
* **exclusions**: sequences containing an excluded therapy (e.g. PRRT for an SSTR-negative
  tumour, as decided by the advice engine's eligibility) are dropped.

Time-since-start modifiers restart at the decision date. The result supports the tumour board's
discussion of the options; it is not a prediction for this patient and not a decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from netline.errors import InvalidInputError, Problem, UnknownKeyError
from netline.simulation.compile import groups_of_agents
from netline.simulation.model_spec import CovariateSpec, ModelSpec, SequenceSpec
from netline.simulation.spec import agent_expected, load_model

if TYPE_CHECKING:
    from netline.records.model import CaseRecord
    from netline.simulation.summary import SimulationResult

__all__ = ["PatientSimulation", "simulate_patient"]


@dataclass
class PatientSimulation:
    """The remaining sequences simulated for one patient.

    Attributes
    ----------
    result : SimulationResult
    patient_id : str
    at : datetime.date
    history : list of list of str
        Agents of the lines received so far.
    excluded : list of str
        Therapies left out, and the sequences dropped because of them.
    assumed : list of str
        Covariates not known for the patient (drawn from the model population).
    """

    schema_version: ClassVar[str] = "1"

    result: SimulationResult
    patient_id: str
    at: dt.date
    history: list[list[str]]
    excluded: list[str]
    dropped_sequences: int
    assumed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data: the patient's context and the simulation."""
        return {
            "schema_version": self.schema_version,
            "patient": self.patient_id,
            "at": self.at.isoformat(),
            "history": self.history,
            "excluded": self.excluded,
            "dropped_sequences": self.dropped_sequences,
            "assumed_covariates": self.assumed,
            "simulation": self.result.to_dict(),
        }

    def render(self, fmt: str) -> str:
        """Render as ``text``, ``json``, ``markdown`` or ``html``.

        Raises
        ------
        ValueError
            For another format.
        """
        if fmt == "json":
            import json

            return json.dumps(self.to_dict(), indent=2, allow_nan=False)
        body = self.result.render(fmt)  # raises ValueError for an unknown format
        lines = " > ".join("+".join(a) for a in self.history) or "none"
        head = (
            f"Patient {self.patient_id} on {self.at.isoformat()}; lines so far: {lines}; "
            f"excluded: {', '.join(self.excluded) or 'none'}; not known (population "
            f"distribution used): {', '.join(self.assumed) or 'none'}. "
            "Supports the tumour board's discussion; not a prediction or a decision."
        )
        if fmt == "html":
            import html

            return f"<p>{html.escape(head)}</p>\n{body}"
        return f"{head}\n\n{body}"


def _patient_population(
    spec: ModelSpec, record: CaseRecord, at: dt.date, covariates: Mapping[str, float]
) -> tuple[dict[str, Any], list[str]]:
    problems: list[Problem] = []
    age = record.patient.age_at(at)
    population = spec.population
    update: dict[str, Any] = {}
    if age is not None:
        if not 0 <= age <= 110:
            problems.append(Problem("patient age", round(age, 1), "0 to 110 years on `at`"))
        update["age"] = float(age)
    sex = record.patient.sex.value
    if sex in ("female", "male"):
        update["female"] = 1.0 if sex == "female" else 0.0
    covs = dict(population.covariates)
    for name, value in covariates.items():
        known = covs.get(name)
        if known is None:
            problems.append(
                Problem(f"covariates.{name}", value, f"a model covariate: {sorted(covs)}")
            )
            continue
        if known.kind == "bernoulli":
            if value not in (0, 1):
                problems.append(Problem(f"covariates.{name}", value, "0 or 1"))
                continue
            covs[name] = CovariateSpec(kind="bernoulli", p=float(value), label=known.label)
        elif known.kind == "lognormal" and value > 0:
            covs[name] = CovariateSpec(kind="lognormal", median=float(value), sd=0.0)
        else:
            covs[name] = CovariateSpec(kind="normal", mean=float(value), sd=0.0)
    if problems:
        raise InvalidInputError(problems, source=f"patient {record.id}")
    update["covariates"] = covs
    assumed = sorted(set(covs) - set(covariates))
    return update, assumed


def simulate_patient(
    record: CaseRecord,
    lines_so_far: Sequence[Iterable[str]],
    model: ModelSpec | str | Path,
    *,
    at: dt.date | None = None,
    covariates: Mapping[str, float] | None = None,
    exclude: Iterable[str] = (),
    **kwargs: Any,
) -> PatientSimulation:
    """Simulate the model's sequences as what comes next for one patient.

    Parameters
    ----------
    record : CaseRecord
        The patient's record (age and sex are taken from it).
    lines_so_far : sequence of iterables of str
        The agents of each line already received, in order (e.g. from the course engine).
    model : ModelSpec or path
        A model whose sequences are the candidate remaining sequences.
    at : datetime.date, optional
        Decision date (default: the record's last follow-up, else today).
    covariates : mapping, optional
        Known values of model covariates.
    exclude : iterable of str
        Therapies (model keys) not available to this patient.
    **kwargs
        Passed to :func:`netline.simulation.simulate` (``patients``, ``draws``, ``seed`` ...).

    Returns
    -------
    PatientSimulation

    Raises
    ------
    InvalidInputError
        For unknown agents, therapies or covariates, or when every sequence is excluded.
    """
    from netline.simulation.run import simulate

    spec = model if isinstance(model, ModelSpec) else load_model(model)
    when = at or record.patient.last_follow_up or dt.date.today()
    problems: list[Problem] = []
    history: list[frozenset[str]] = []
    agents_so_far: list[list[str]] = []
    for i, line in enumerate(lines_so_far):
        agents = list(line)
        try:
            history.append(groups_of_agents(agents))
        except UnknownKeyError as exc:
            problems.append(Problem(f"lines_so_far[{i}]", agents, agent_expected(exc)))
        agents_so_far.append(agents)
    excluded = sorted(set(exclude))
    for name in excluded:
        if name not in spec.therapies:
            problems.append(
                Problem("exclude", name, f"a therapy of the model: {sorted(spec.therapies)}")
            )
    if problems:
        raise InvalidInputError(problems, source=f"patient {record.id}")
    from netline.simulation.compile import expand_sequences

    sequences, ids = expand_sequences(spec)
    kept = [
        SequenceSpec(id=sid, lines=list(seq))
        for seq, sid in zip(sequences, ids, strict=True)
        if not set(seq) & set(excluded)
    ]
    if not kept:
        raise InvalidInputError.single(
            "exclude", excluded, "at least one sequence left to simulate"
        )
    update, assumed = _patient_population(spec, record, when, covariates or {})
    patient_spec = spec.model_copy(
        update={
            "population": spec.population.model_copy(update=update),
            "sequences": kept,
        }
    )
    result = simulate(patient_spec, history=history, **kwargs)
    return PatientSimulation(
        result,
        record.id,
        when,
        agents_so_far,
        excluded,
        len(sequences) - len(kept),
        assumed,
    )
