"""How a guideline condition is matched to a patient when facts are unknown or at an edge.

Two rules keep unknown or borderline facts from promoting an option (issue 12 item 4):

* **Unknown grade.** A statement that restricts the grade or the differentiation does not
  apply while that fact is unknown: it is shown as "would apply if", never as support. A
  statement that does not restrict them is unaffected.
* **Ki-67 band edge.** When the patient's Ki-67 lies within ± 2 percentage points of a cut-off
  that a statement uses, or when specimens lie on both sides of the cut-off, the statement is
  evaluated on both sides: if the answers differ it applies only *possibly*, naming the edge.

The ± 2-point margin is netline's reading of the reproducibility of the Ki-67 index (it is not
a knowledge-base figure; docs/advise.md §3 says so).

References
----------
.. [1] Rindi G et al. Mod Pathol 2018;31:1770-1786 (WHO grading of NEN by Ki-67).
.. [2] Kos-Kudła B et al. J Neuroendocrinol 2023;35:e13343 (Ki-67 10 % in NF-pNET therapy
   choice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from netline.advice._logic import Applicability, condition_keys
from netline.advice.state import DecisionState
from netline.evidence import KnowledgeBase
from netline.evidence.facts import PatientFacts
from netline.evidence.schema import Condition, Range, Trial

__all__ = ["KI67_EDGE_POINTS", "TrialFit", "ki67_cutoffs", "match_trial", "refine"]

#: Percentage points around a Ki-67 cut-off within which the band is read as an edge.
KI67_EDGE_POINTS = 2.0
_GRADE_KEYS = frozenset({"grade", "differentiation"})


def _ranges(condition: Condition) -> Iterable[Range]:
    if condition.ki67_percent is not None:
        yield condition.ki67_percent
    for branch in condition.any_of:
        yield from _ranges(branch)


def ki67_cutoffs(condition: Condition) -> tuple[float, ...]:
    """Return the Ki-67 cut-offs (percent) a condition uses, its ``any_of`` branches included."""
    found: set[float] = set()
    for value_range in _ranges(condition):
        for bound in (value_range.min, value_range.max):
            if bound is not None:
                found.add(float(bound))
    return tuple(sorted(found))


def _edge_values(
    ki67: float, others: Iterable[float], cutoffs: Iterable[float]
) -> list[tuple[float, float]]:
    """Return readings of Ki-67 on both sides of each nearby cut-off: (cut-off, value)."""
    readings: list[tuple[float, float]] = []
    values = [ki67, *others]
    for cut in cutoffs:
        below = [v for v in values if v < cut]
        above = [v for v in values if v > cut]
        if abs(ki67 - cut) <= KI67_EDGE_POINTS or (below and above):
            readings.append((cut, cut - KI67_EDGE_POINTS))
            readings.append((cut, cut + KI67_EDGE_POINTS))
            readings.append((cut, cut))
    return readings


def refine(
    condition: Condition,
    result: Applicability,
    facts: PatientFacts,
    specimen_ki67: Iterable[float] = (),
) -> Applicability:
    """Apply the unknown-grade and Ki-67 band-edge rules to an evaluated condition.

    Parameters
    ----------
    condition : Condition
        The guideline condition (statement or option).
    result : Applicability
        Its evaluation on the patient's facts (:func:`~netline.advice._logic.evaluate_condition`).
    facts : PatientFacts
        The patient's facts.
    specimen_ki67 : iterable of float
        The Ki-67 of every specimen (a cut-off between them is an edge).

    Returns
    -------
    Applicability
        ``False`` for a grade-dependent statement while the grade is unknown; ``None`` with
        the edge named when the Ki-67 answer changes across a nearby cut-off; else ``result``.
    """
    keys = condition_keys(condition)
    if result.value is None and _GRADE_KEYS & set(result.missing) & keys:
        return Applicability(False, result.missing, result.holds_if)
    ki67 = facts.ki67
    if "ki67" not in keys or ki67 is None:
        return result
    holds_if: list[str] = []
    for cut, value in _edge_values(float(ki67), specimen_ki67, ki67_cutoffs(condition)):
        other = condition.evaluate(facts.replace(ki67=value))
        if other != result.value:
            text = f"Ki-67 on the other side of the {cut:g} % cut-off (band edge)"
            if text not in holds_if:
                holds_if.append(text)
    if not holds_if:
        return result
    return Applicability(None, result.missing, (*result.holds_if, *holds_if))


@dataclass(frozen=True, slots=True)
class TrialFit:
    """How one trial's evidence fits the patient (the documented matching order).

    Attributes
    ----------
    match : tuple of str
        What matched, in the order the evidence is ranked by (agent, design, population).
    published : str or None
        The publication date (ISO) when the knowledge base gives one.
    later : bool
        Published after the decision date: shown marked, never the headline.
    withheld : str or None
        Why the trial's median is not the patient's expected outcome (a treatment-naive or
        first-course figure after the same drug), else ``None``.
    """

    match: tuple[str, ...]
    published: str | None
    later: bool
    withheld: str | None


def _published(trial: Trial, kb: KnowledgeBase) -> dt.date | None:
    found = getattr(trial, "published", None)
    if found is None:
        try:
            found = getattr(kb.reference(trial.ref), "published", None)
        except KeyError:
            found = None
    return found if isinstance(found, dt.date) else None


def _retreatment(trial: Trial) -> bool:
    if getattr(trial, "retreatment", False) is True:
        return True
    text = f"{trial.name} {trial.population.description or ''}".lower()
    return "re-treatment" in text or "retreatment" in text


def match_trial(
    state: DecisionState,
    trial: Trial,
    agents: frozenset[str],
    kb: KnowledgeBase,
    *,
    same_agent: bool,
    pancreatic: bool,
) -> TrialFit:
    """Say how a trial's evidence fits the patient at the decision date.

    The order (docs/advise.md §4): evidence not published by the decision date last; the same
    agent before the same class; figures that fit the exposure (re-treatment evidence for
    re-treatment; never a treatment-naive figure after progression on the same drug); entry
    criteria the patient would have met (every structured criterion); then randomised before
    single-arm before retrospective; the subgroup that matches the line and prior therapy; a
    pancreatic population; phase III.

    References
    ----------
    .. [1] Strosberg J et al. N Engl J Med 2017;376:125-135 (NETTER-1: first-course PRRT).
    .. [2] Yao JC et al. N Engl J Med 2011;364:514-523 (RADIANT-3 subgroups by prior therapy).
    """
    match = ["same agent" if same_agent else "same class (the arm does not name the agent)"]
    published = _published(trial, kb)
    later = published is not None and published > state.at
    if published is None:
        match.append("publication date unknown")
    else:
        match.append(
            f"published {published.isoformat()}" + (" (after the decision date)" if later else "")
        )
    exposed = [line for line in state.lines if set(line.agents) & agents]
    withheld: str | None = None
    if exposed and not _retreatment(trial):
        if any(line.progressed_on for line in exposed):
            withheld = (
                f"{trial.name} enrolled patients not treated with this drug before, and the "
                "disease progressed on it"
            )
        elif all(line.ongoing for line in exposed):
            started = min(line.start for line in exposed)
            withheld = (
                f"{trial.name} gives figures from the start of treatment; this continues a "
                f"therapy started on {started.isoformat()}"
            )
        else:
            withheld = f"{trial.name} gives first-course figures; this would be re-treatment"
    elif exposed:
        match.append("re-treatment evidence")
    match.append("pancreatic population" if pancreatic else "mixed population")
    return TrialFit(
        tuple(match), None if published is None else published.isoformat(), later, withheld
    )
