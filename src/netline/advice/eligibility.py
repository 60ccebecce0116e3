"""Eligibility: knowledge-base profiles and trial entry criteria evaluated on a decision state.

* :func:`check_profile` evaluates every criterion of a profile (PRRT eligibility, liver
  resection, debulking, Milan-NET): ``hard`` failures exclude, ``relative`` failures flag,
  ``population`` failures mean the evidence is extrapolated, and unknown criteria are listed
  as things to check.
* :func:`check_entry` says whether the patient would have met a trial's entry criteria.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from netline._time import DAYS_PER_MONTH
from netline.advice._logic import check_criterion
from netline.advice.state import DecisionState
from netline.evidence.schema import (
    CriterionKind,
    FunctioningScope,
    Operator,
    Population,
    Profile,
    Test,
    Verification,
)

__all__ = ["CriterionCheck", "EntryCheck", "ProfileCheck", "check_entry", "check_profile"]


@dataclass(frozen=True, slots=True)
class CriterionCheck:
    """One criterion of a profile, evaluated.

    Attributes
    ----------
    id, label : str
    kind : str
        ``hard``, ``relative`` or ``population``.
    outcome : str
        ``met``, ``failed``, ``unknown``, ``waived`` or ``possible``.
    value : object
        The patient's value (``None`` when unknown).
    test : str
        The criterion in words, e.g. ``"platelets_10e9_l ≥ 75 10^9/L"``.
    ref, status : str
        The criterion's reference key and verification status.
    note : str or None
    """

    id: str
    label: str
    kind: str
    outcome: str
    value: object
    test: str
    ref: str
    status: str
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        value = self.value
        if isinstance(value, float):
            value = round(value, 2)
        elif isinstance(value, frozenset | set):
            value = sorted(str(v) for v in value)
        elif value is not None and not isinstance(value, int | str | bool):
            value = str(getattr(value, "value", value))
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "outcome": self.outcome,
            "value": value,
            "test": self.test,
            "ref": self.ref,
            "status": self.status,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ProfileCheck:
    """A profile evaluated on the patient.

    Attributes
    ----------
    profile_id, label : str
    default : bool
        Whether it is the knowledge base's default profile of its kind.
    checks : tuple of CriterionCheck
    """

    profile_id: str
    label: str
    default: bool
    checks: tuple[CriterionCheck, ...]

    def with_outcome(self, outcome: str, kind: str | None = None) -> tuple[CriterionCheck, ...]:
        """Return the criteria with an outcome (and, optionally, a kind)."""
        return tuple(
            c for c in self.checks if c.outcome == outcome and (kind is None or c.kind == kind)
        )

    @property
    def hard_failures(self) -> tuple[CriterionCheck, ...]:
        """Hard criteria that fail."""
        return self.with_outcome("failed", CriterionKind.HARD.value)

    @property
    def relative_failures(self) -> tuple[CriterionCheck, ...]:
        """Relative criteria that fail (relative contraindications)."""
        return self.with_outcome("failed", CriterionKind.RELATIVE.value)

    @property
    def unknown(self) -> tuple[CriterionCheck, ...]:
        """Hard or relative criteria that cannot be evaluated (or hold only on another reading)."""
        return tuple(
            c
            for c in self.checks
            if c.outcome in ("unknown", "possible") and c.kind != CriterionKind.POPULATION.value
        )

    @property
    def outside_population(self) -> tuple[CriterionCheck, ...]:
        """Population criteria that fail: the evidence is extrapolated."""
        return self.with_outcome("failed", CriterionKind.POPULATION.value)

    @property
    def verdict(self) -> str:
        """``ineligible``, ``caution``, ``unclear`` or ``eligible``."""
        if self.hard_failures:
            return "ineligible"
        if self.relative_failures:
            return "caution"
        if self.unknown:
            return "unclear"
        return "eligible"

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "profile": self.profile_id,
            "label": self.label,
            "default": self.default,
            "verdict": self.verdict,
            "criteria": [c.to_dict() for c in self.checks],
        }


def check_profile(profile: Profile, state: DecisionState) -> ProfileCheck:
    """Evaluate every criterion of a profile on a decision state.

    References
    ----------
    .. [1] Strosberg J et al. N Engl J Med 2017;376:125-135 (NETTER-1 entry criteria, the
       default PRRT profile).
    .. [2] Zaknun JJ et al. Eur J Nucl Med Mol Imaging 2013;40:800-816.
    """
    checks = []
    for criterion in profile.criteria:
        outcome = check_criterion(criterion, state.facts, state.alternatives)
        checks.append(
            CriterionCheck(
                id=criterion.id,
                label=criterion.label,
                kind=criterion.kind.value,
                outcome=outcome.outcome,
                value=outcome.value,
                test=criterion.describe(),
                ref=criterion.ref,
                status=criterion.status.value,
                note=outcome.note or criterion.note,
            )
        )
    return ProfileCheck(profile.id, profile.label, profile.default, tuple(checks))


@dataclass(frozen=True, slots=True)
class EntryCheck:
    """Whether the patient would have met a trial's entry criteria.

    Attributes
    ----------
    verdict : str
        ``met``, ``not met`` or ``unknown``.
    failed : tuple of str
        The entry criteria the patient does not meet.
    unknown : tuple of str
        Entry criteria that cannot be checked from the record.
    ref, status : str
        The population's reference and verification status.
    """

    verdict: str
    failed: tuple[str, ...]
    unknown: tuple[str, ...]
    ref: str
    status: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "verdict": self.verdict,
            "failed": list(self.failed),
            "unknown": list(self.unknown),
            "ref": self.ref,
            "status": self.status,
        }


_ENTRY_WORDS = {"months_since_diagnosis": "diagnosed within {threshold:g} months"}


def _entry_text(test: Test) -> str:
    """Say an entry test in words (``diagnosed within 6 months``), else give its formula."""
    words = _ENTRY_WORDS.get(test.field)
    if (
        words is not None
        and test.operator is Operator.LE
        and isinstance(test.threshold, int | float)
    ):
        return words.format(threshold=test.threshold)
    return test.describe()


def check_entry(population: Population, state: DecisionState) -> EntryCheck:
    """Check a trial population's structured entry criteria against the patient.

    Reads sites, differentiation, grades, Ki-67 range, SSTR requirement, functioning scope,
    progression (and its window), prior lines, line, prior classes or agents required or
    excluded, and the further ``entry_criteria`` tests on the patient's facts (the time from
    diagnosis of NETTER-2).
    """
    failed: list[str] = []
    unknown: list[str] = []

    def judge(ok: bool | None, text: str) -> None:
        if ok is False:
            failed.append(text)
        elif ok is None:
            unknown.append(text)

    sites = [s.value for s in population.sites]
    judge(
        None if state.site_group is None else state.site_group in sites, "site " + "/".join(sites)
    )
    if population.differentiation is not None:
        want = population.differentiation.value
        judge(
            None if state.differentiation is None else state.differentiation == want,
            f"{want} differentiated",
        )
    if population.grades:
        grades = [g.value for g in population.grades]
        judge(None if state.grade is None else state.grade in grades, "grade " + "/".join(grades))
    if population.ki67_percent is not None:
        judge(
            None
            if state.ki67_percent is None
            else population.ki67_percent.contains(state.ki67_percent),
            f"Ki-67 {population.ki67_percent} %",
        )
    if population.sstr_required:
        judge(state.sstr_positive, "SSTR-positive")
    if population.functioning is FunctioningScope.NON_FUNCTIONING:
        judge(None if state.functioning is None else state.functioning == "none", "non-functioning")
    elif population.functioning is FunctioningScope.FUNCTIONING:
        judge(None if state.functioning is None else state.functioning != "none", "functioning")
    if population.progression_required:
        window = population.progression_window_months
        text = "documented progression" + (f" within {window:g} months" if window else "")
        progressed: bool | None = None
        if state.last_progression is not None:
            progressed = window is None or (state.at - state.last_progression) <= dt.timedelta(
                days=window * DAYS_PER_MONTH
            )
        elif state.disease_course is not None:
            progressed = False
        judge(progressed, text)
    prior = len([line for line in state.lines if line.agent_classes != ("supportive",)])
    if population.prior_lines is not None:
        judge(
            population.prior_lines.contains(prior), f"prior systemic lines {population.prior_lines}"
        )
    if population.line is not None:
        judge(population.line.contains(state.next_line), f"line {population.line}")
    for cls in population.prior_classes_required:
        judge(cls.value in state.prior_classes, f"prior {cls.value}")
    for cls in population.prior_classes_excluded:
        judge(cls.value not in state.prior_classes, f"no prior {cls.value}")
    for agent in population.prior_agents_excluded:
        judge(agent.value not in state.prior_agents, f"no prior {agent.value}")
    for test in population.entry_criteria:
        judge(test.evaluate(state.facts.value(test.field)), _entry_text(test))
    verdict = "not met" if failed else ("unknown" if unknown else "met")
    status = population.status
    return EntryCheck(
        verdict,
        tuple(failed),
        tuple(unknown),
        population.ref,
        status.value if isinstance(status, Verification) else str(status),
    )
