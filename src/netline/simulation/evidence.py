"""Parameters from the evidence knowledge base: trial arms, subgroups, hazard ratios.

This is the only module of the simulator that reads :mod:`netline.evidence`. It turns a
reference to a published figure (trial, endpoint, arm, subgroup) into a
:class:`~netline.simulation.parameters.Figure` and then into a parameter with its uncertainty:
medians and hazard ratios become log-normal PSA distributions whose log-scale SE comes from the
95 % CI (see :mod:`netline.simulation.parameters`). Figures without a CI are kept fixed and say
so in their source note; "not reached" medians are refused (calibrate from a landmark rate or
from an HR and the control median instead, see :mod:`netline.simulation.calibration`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netline.errors import InvalidInputError, NetlineError, Problem
from netline.simulation.parameters import EvidenceRef, Figure, ParamSpec, hr_param, median_param

if TYPE_CHECKING:
    from netline.evidence import KnowledgeBase

__all__ = ["figure", "hazard_ratio_arms", "resolve_evidence", "safety_count"]


def _endpoints(kb: KnowledgeBase, ref: EvidenceRef) -> tuple[Any, str]:
    trial = kb.trial(ref.trial)
    endpoints = trial.endpoints
    label = trial.name
    if ref.subgroup is not None:
        subgroup = next((s for s in trial.subgroups if s.id == ref.subgroup), None)
        if subgroup is None:
            known = ", ".join(s.id for s in trial.subgroups) or "none"
            raise InvalidInputError.single(
                "subgroup", ref.subgroup, f"a subgroup of {trial.name}: {known}"
            )
        endpoints = subgroup.endpoints
        label = f"{trial.name}, {subgroup.label}"
    return endpoints, label


def figure(kb: KnowledgeBase, ref: EvidenceRef) -> Figure:
    """Return the published figure a reference points to.

    Raises
    ------
    UnknownKeyError
        For an unknown trial.
    InvalidInputError
        For an unknown subgroup, endpoint, arm, or a missing hazard ratio.
    """
    endpoints, label = _endpoints(kb, ref)
    endpoint = next((e for e in endpoints if e.id == ref.endpoint), None)
    if endpoint is None:
        known = ", ".join(e.id for e in endpoints)
        raise InvalidInputError.single("endpoint", ref.endpoint, f"an endpoint of {label}: {known}")
    if ref.measure == "hr":
        comparison = endpoint.hazard_ratio
        if comparison is None or comparison.estimate is None:
            raise InvalidInputError.single("measure", "hr", f"{label} {ref.endpoint} has no HR")
        q = comparison.estimate
        text = f"{label}: {ref.endpoint} HR {comparison.experimental} vs {comparison.control}"
    else:
        if ref.arm is None:
            raise InvalidInputError.single("arm", None, f"an arm of {label}")
        q = endpoint.value_for(ref.arm)
        if q is None:
            known = ", ".join(v.arm for v in endpoint.values)
            raise InvalidInputError.single("arm", ref.arm, f"an arm with a value: {known}")
        text = f"{label}: {ref.endpoint}, {ref.arm} arm"
    value = None if q.not_reached else q.value
    if value is None and q.bounds is not None:
        value = (q.bounds[0] + q.bounds[1]) / 2
    return Figure(value, q.ci, q.ref, q.worst_status.value, text)


def hazard_ratio_arms(kb: KnowledgeBase, trial: str, endpoint: str = "pfs") -> tuple[str, str, str]:
    """Return the experimental and control arms of a trial's hazard ratio on ``endpoint``.

    Raises
    ------
    InvalidInputError
        If the endpoint has no hazard ratio.
    """
    ep = kb.trial(trial).endpoint(endpoint)
    comparison = None if ep is None else ep.hazard_ratio
    if comparison is None:
        raise InvalidInputError.single("trial", trial, f"a trial with an HR on {endpoint}")
    return str(comparison.experimental), str(comparison.control), endpoint


def safety_count(kb: KnowledgeBase, trial: str, item: str, arm: str) -> tuple[Figure, Figure]:
    """Return a safety item's count of patients in an arm, and the study's size.

    Raises
    ------
    InvalidInputError
        For an unknown item or arm, or a value that is not a count of patients.
    """
    found = kb.trial(trial)
    safety = next((s for s in found.safety if s.id == item), None)
    if safety is None:
        known = ", ".join(s.id for s in found.safety) or "none"
        raise InvalidInputError.single("safety", item, f"a safety item of {found.name}: {known}")
    q = next((v.value for v in safety.values if v.arm == arm), None)
    if q is None or q.value is None or str(q.unit) != "patients":
        raise InvalidInputError.single("arm", arm, f"an arm with a count of patients in {item}")
    n = found.n
    assert n.value is not None
    label = f"{found.name}: {safety.event}"
    return (
        Figure(q.value, None, q.ref, q.worst_status.value, label),
        Figure(n.value, None, n.ref, n.worst_status.value, f"{found.name}: patients"),
    )


def resolve_evidence(
    specs: dict[str, ParamSpec], kb: KnowledgeBase | None = None
) -> dict[str, ParamSpec]:
    """Replace every parameter that refers to evidence by the figure it refers to.

    Parameters
    ----------
    specs : dict of name to ParamSpec
    kb : KnowledgeBase, optional
        Default: the bundled knowledge base (loaded only if a parameter needs it).

    Raises
    ------
    InvalidInputError
        Listing every reference that cannot be resolved.
    """
    needing = {name: spec for name, spec in specs.items() if spec.evidence is not None}
    if not needing:
        return dict(specs)
    if kb is None:
        from netline.evidence import load_knowledge_base

        kb = load_knowledge_base()
    problems: list[Problem] = []
    out = dict(specs)
    for name, spec in needing.items():
        ref = spec.evidence
        assert ref is not None
        try:
            fig = figure(kb, ref)
            out[name] = hr_param(fig) if ref.measure == "hr" else median_param(fig)
        except InvalidInputError as exc:
            problems.extend(
                Problem(f"{name}.evidence.{p.location}", p.value, p.expected) for p in exc.problems
            )
        except NetlineError as exc:
            problems.append(
                Problem(f"{name}.evidence", ref.model_dump(exclude_none=True), str(exc))
            )
    if problems:
        raise InvalidInputError(problems, source="evidence")
    return out
