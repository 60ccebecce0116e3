"""Loading and checking a model file; the model's schema and compilation are re-exported.

A model file says *what* is simulated: therapies and their per-line progression-free survival
(PFS) distributions, toxicity discontinuation, death, optional conversion surgery, utilities and
costs, history modifiers (line number, cross-resistance by mode-of-action class, specific prior
agents, time since the sequence started, patient covariates), a shared frailty, the population,
the sequences and the run settings. Every number may carry its uncertainty and its source. See
``docs/simulate.md`` for the format and ``examples/models/`` for complete files.

:func:`load_model` reads and validates a file, listing every problem at once;
:func:`~netline.simulation.compile.compile_model` turns a spec into the engine's
:class:`~netline.simulation.plan.ModelPlan` plus the parameter specifications to sample.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from netline._inputs import Document, parse_document, problems_from_validation, read_document
from netline.errors import InvalidInputError, Problem, UnknownKeyError
from netline.records.vocabulary import AgentClass, agent_info
from netline.simulation.compile import (
    CompiledModel,
    compile_model,
    expand_sequences,
    sample_population,
)
from netline.simulation.model_spec import (
    MAX_SEQUENCES,
    FrailtySpec,
    GenerateSpec,
    ModelSpec,
    PopulationSpec,
    TherapySpec,
)

__all__ = [
    "CompiledModel",
    "FrailtySpec",
    "ModelSpec",
    "PopulationSpec",
    "TherapySpec",
    "compile_model",
    "expand_sequences",
    "load_model",
    "parse_model",
    "sample_population",
]

_ID = r"^[a-z0-9][a-z0-9_]*$"
#: What an unknown agent is told (the records vocabulary lists them all).
AGENT_EXPECTED = (
    "an agent of netline's vocabulary, e.g. everolimus, sunitinib, lanreotide, "
    "lu177_dotatate, streptozocin (netline.records.vocabulary)"
)


def agent_expected(exc: UnknownKeyError) -> str:
    """Return what an unknown agent is told, keeping the vocabulary's suggestion if any."""
    text = str(exc)
    at = text.find("did you mean")
    return AGENT_EXPECTED if at < 0 else f"{AGENT_EXPECTED}; {text[at:].rstrip('?')}?"


def load_model(path: str | Path) -> ModelSpec:
    """Read and validate a model file (YAML or JSON).

    Raises
    ------
    InvalidInputError
        If the file cannot be read or is invalid; every problem is listed (field path, value,
        expectation), including references between parts (unknown therapies, classes, agents).
    """
    document = read_document(path, "model file", InvalidInputError)
    return _validate(document.data, document)


def parse_model(text: str | Mapping[str, Any], source: str | None = None) -> ModelSpec:
    """Validate a model given as YAML text or as an already-parsed mapping."""
    if isinstance(text, str):
        document = parse_document(text, source=source, error=InvalidInputError)
        return _validate(document.data, document)
    return _validate(text, Document(text, {}, source))


def _validate(data: object, document: Document) -> ModelSpec:
    """Check the schema, then the references between parts; locate every problem."""
    source = document.source
    if not isinstance(data, Mapping):
        raise InvalidInputError(
            [Problem("", type(data).__name__, "a mapping with name, therapies, bsc, sequences")],
            source=source,
        )
    try:
        spec = ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(document.locate(_translate(exc)), source=source) from None
    problems = _cross_check(spec)
    if problems:
        raise InvalidInputError(document.locate(problems), source=source)
    return spec


def _translate(exc: ValidationError) -> list[Problem]:
    return problems_from_validation(
        exc,
        skip_part=lambda loc, i: loc[i] in ("uniform", "cycles"),
        extra_field_hint="check the spelling in docs/simulate.md",
    )


def _known_class(name: str) -> bool:
    return name in {c.value for c in AgentClass}


def _cross_check(spec: ModelSpec) -> list[Problem]:
    problems: list[Problem] = []
    therapies = set(spec.therapies)
    classes: set[str] = set()
    agents: set[str] = set()
    for key, therapy in spec.therapies.items():
        if not _matches_id(key):
            problems.append(Problem(f"therapies.{key}", key, "an identifier like 'prrt_lu177'"))
        for i, agent in enumerate(therapy.agents):
            try:
                info = agent_info(agent)
            except UnknownKeyError as exc:
                problems.append(Problem(f"therapies.{key}.agents[{i}]", agent, agent_expected(exc)))
                continue
            agents.add(info.agent.value)
            classes.add(info.agent_class.value)
        if therapy.classes is not None:
            classes.update(therapy.classes)
        elif not therapy.agents:
            problems.append(
                Problem(f"therapies.{key}", "no agents", "agents (or explicit classes)")
            )
    for i, seq in enumerate(spec.sequences):
        lines = (
            seq.lines if seq.lines is not None else (seq.generate.therapies if seq.generate else [])
        )
        where = "lines" if seq.lines is not None else "generate.therapies"
        for j, name in enumerate(lines):
            if name not in therapies:
                problems.append(
                    Problem(f"sequences[{i}].{where}[{j}]", name, f"a therapy: {sorted(therapies)}")
                )
        if seq.generate is not None:
            gen = seq.generate
            if gen.min_length > gen.max_length or gen.max_length > len(gen.therapies):
                problems.append(
                    Problem(
                        f"sequences[{i}].generate",
                        (gen.min_length, gen.max_length),
                        f"1 <= min_length <= max_length <= {len(gen.therapies)}",
                    )
                )
    covariates = set(spec.population.covariates)
    for i, mod in enumerate(spec.modifiers):
        where = f"modifiers[{i}]"
        if mod.applies_to != "all":
            for j, name in enumerate(mod.applies_to):
                if name not in therapies:
                    problems.append(Problem(f"{where}.applies_to[{j}]", name, "a therapy"))
            if mod.target == "bsc":
                problems.append(
                    Problem(f"{where}.applies_to", mod.applies_to, "'all' for a bsc target")
                )
        when = mod.when
        for field in ("prior_class", "no_prior_class"):
            value = getattr(when, field)
            if value is not None and value not in classes and not _known_class(value):
                problems.append(
                    Problem(f"{where}.when.{field}", value, f"a class: {sorted(classes)}")
                )
        excluded = mod.per_prior_line_excluding
        if excluded is not None and excluded not in classes and not _known_class(excluded):
            problems.append(
                Problem(f"{where}.per_prior_line_excluding", excluded, "a mode-of-action class")
            )
        for field in ("prior_agent", "no_prior_agent"):
            value = getattr(when, field)
            if value is not None:
                try:
                    agent_info(value)
                except UnknownKeyError as exc:
                    problems.append(Problem(f"{where}.when.{field}", value, agent_expected(exc)))
        if when.prior_therapy is not None and when.prior_therapy not in therapies:
            problems.append(Problem(f"{where}.when.prior_therapy", when.prior_therapy, "a therapy"))
        for field in ("covariate", "not_covariate"):
            value = getattr(when, field)
            if value is not None and value not in covariates:
                problems.append(
                    Problem(f"{where}.when.{field}", value, f"a covariate: {sorted(covariates)}")
                )
        if mod.per_unit is not None and mod.per_unit not in covariates:
            problems.append(
                Problem(f"{where}.per_unit", mod.per_unit, f"a covariate: {sorted(covariates)}")
            )
        if mod.target == "bsc" and when.prior_same_class:
            problems.append(
                Problem(f"{where}.when.prior_same_class", True, "not used with target bsc")
            )
    problems.extend(_size_problems(spec))
    names = [m.name for m in spec.modifiers]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("modifiers", name, "unique modifier names"))
    ids = [s.id for s in spec.sequences if s.id is not None]
    for name in sorted({n for n in ids if ids.count(n) > 1}):
        problems.append(Problem("sequences", name, "unique sequence ids"))
    return problems


def _matches_id(key: str) -> bool:
    return re.fullmatch(_ID, key) is not None


def count_generated(gen: GenerateSpec, limit: int = MAX_SEQUENCES) -> int:
    """How many orderings a generator makes, counted without enumerating them.

    Counting stops just above ``limit`` (the exact size of an absurd model is not needed).
    """
    n = len(set(gen.therapies))
    total = 0
    for length in range(gen.min_length, min(gen.max_length, n) + 1):
        total += math.perm(n, length)
        if total > limit:
            return limit + 1
    return total


def _size_problems(spec: ModelSpec) -> list[Problem]:
    total = 0
    for seq in spec.sequences:
        total += 1 if seq.lines is not None else count_generated(seq.generate)  # type: ignore[arg-type]
        if total > MAX_SEQUENCES:
            return [
                Problem(
                    "sequences",
                    f"more than {MAX_SEQUENCES:,} sequences",
                    f"at most {MAX_SEQUENCES:,} (shorter max_length or fewer therapies in "
                    "generate)",
                )
            ]
    return []
