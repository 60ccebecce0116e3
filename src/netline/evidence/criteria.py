"""Criteria: ranges, guideline conditions, subgroup definitions and eligibility tests.

Everything here evaluates on :class:`~netline.evidence.facts.PatientFacts` and answers
``True``, ``False`` or ``None`` (a needed fact is unknown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from netline.evidence.facts import FACT_NAMES, PatientFacts, as_facts
from netline.evidence.vocab import (
    _ID_PATTERN,
    Burden,
    CriterionKind,
    DiseaseCourse,
    Grade,
    Operator,
    SiteGroup,
    Verification,
    _Model,
)
from netline.records.vocabulary import (
    AgentClass,
    Differentiation,
    FunctioningSyndrome,
)


class Range(_Model):
    """A numeric interval; open ends are ``None``."""

    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        if self.min is not None and (
            value < self.min or (value == self.min and not self.min_inclusive)
        ):
            return False
        return not (
            self.max is not None
            and (value > self.max or (value == self.max and not self.max_inclusive))
        )

    def __str__(self) -> str:
        low = "" if self.min is None else f"{'≥' if self.min_inclusive else '>'} {self.min:g}"
        high = "" if self.max is None else f"{'≤' if self.max_inclusive else '<'} {self.max:g}"
        return " and ".join(part for part in (low, high) if part)


class IntRange(_Model):
    """An inclusive integer interval; open ends are ``None``."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    def contains(self, value: int) -> bool:
        """Whether ``value`` lies in the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def __str__(self) -> str:
        if self.min == self.max:
            return str(self.min)
        if self.max is None:
            return f"≥ {self.min}"
        if self.min is None:
            return f"≤ {self.max}"
        return f"{self.min}–{self.max}"


class SubgroupCriteria(_Model):
    """Structured definition of a subgroup; empty or ``None`` fields do not restrict."""

    prior_classes_all: tuple[AgentClass, ...] = ()
    prior_classes_any: tuple[AgentClass, ...] = ()
    prior_classes_none: tuple[AgentClass, ...] = ()
    prior_lines: IntRange | None = None
    sites: tuple[SiteGroup, ...] = ()


def describe_criteria(criteria: SubgroupCriteria) -> str:
    """Return a subgroup's definition in words (``"prior: ssa"``)."""
    parts = []
    if criteria.prior_classes_all:
        parts.append("prior: " + ", ".join(c.value for c in criteria.prior_classes_all))
    if criteria.prior_classes_any:
        parts.append("prior any of: " + ", ".join(c.value for c in criteria.prior_classes_any))
    if criteria.prior_classes_none:
        parts.append("no prior: " + ", ".join(c.value for c in criteria.prior_classes_none))
    if criteria.prior_lines is not None:
        parts.append(f"prior lines {criteria.prior_lines}")
    if criteria.sites:
        parts.append("site: " + ", ".join(s.value for s in criteria.sites))
    return "; ".join(parts) or "(not restricted)"


class Condition(_Model):
    """When a guideline statement applies; every given field must hold (``any_of``: one of).

    Fields left empty or ``None`` do not restrict. Each field tests one
    :class:`~netline.evidence.facts.PatientFacts` field (``ki67_percent`` tests ``ki67``,
    ``hepatic_burden_percent`` tests ``hepatic_burden``, ``grades`` tests ``grade``, the
    ``prior_classes_*`` fields test ``prior_classes``; the others test the field of their name).
    """

    sites: tuple[SiteGroup, ...] = ()
    differentiation: Differentiation | None = None
    grades: tuple[Grade, ...] = ()
    ki67_percent: Range | None = None
    sstr_positive: bool | None = None
    fdg_sstr_discordant: bool | None = None
    functioning: tuple[FunctioningSyndrome, ...] = ()
    symptomatic: bool | None = None
    tumour_burden: tuple[Burden, ...] = ()
    hepatic_burden_percent: Range | None = None
    disease_course: tuple[DiseaseCourse, ...] = ()
    prior_classes_all: tuple[AgentClass, ...] = ()
    prior_classes_any: tuple[AgentClass, ...] = ()
    prior_classes_none: tuple[AgentClass, ...] = ()
    prior_non_ssa_lines: IntRange | None = None
    line: IntRange | None = None
    resectable: bool | None = None
    advanced: bool | None = None
    metastatic: bool | None = None
    extra_abdominal_metastases: bool | None = None
    progression_on_ssa: bool | None = None
    objective_response: bool | None = None
    any_of: tuple[Condition, ...] = ()

    def evaluate(self, facts: PatientFacts | Mapping[str, object]) -> bool | None:
        """Whether the condition holds for a patient's facts; ``None`` when facts are unknown.

        Parameters
        ----------
        facts : PatientFacts or Mapping[str, object]
            The patient's facts; a mapping is read by knowledge-base name
            (:func:`~netline.evidence.facts.as_facts`).

        Returns
        -------
        bool or None
            ``False`` as soon as one known fact fails; ``True`` when all hold; ``None`` when
            nothing fails but some needed fact is unknown.
        """
        patient = as_facts(facts)
        results = [check(patient) for check in self._checks()]
        if self.any_of:
            branches = [branch.evaluate(patient) for branch in self.any_of]
            results.append(
                True if any(b is True for b in branches) else None if None in branches else False
            )
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True

    def describe(self) -> list[str]:
        """Return the condition as short phrases, one per restricting field."""
        parts: list[str] = []
        lists: list[tuple[str, tuple[StrEnum, ...]]] = [
            ("site", self.sites),
            ("grade", self.grades),
            ("functioning", self.functioning),
            ("tumour burden", self.tumour_burden),
            ("course", self.disease_course),
        ]
        for name, values in lists:
            if values:
                parts.append(f"{name} in {{{', '.join(v.value for v in values)}}}")
        flags: list[tuple[str, object]] = [
            ("differentiation", self.differentiation.value if self.differentiation else None),
            ("SSTR-positive", self.sstr_positive),
            ("FDG/SSTR-discordant lesions", self.fdg_sstr_discordant),
            ("symptomatic", self.symptomatic),
            ("resectable", self.resectable),
            ("advanced disease", self.advanced),
            ("distant metastases", self.metastatic),
            ("extra-abdominal metastases", self.extra_abdominal_metastases),
            ("progression on an SSA", self.progression_on_ssa),
            ("objective response", self.objective_response),
        ]
        parts += [f"{name}: {value}" for name, value in flags if value is not None]
        ranges: list[tuple[str, Range | IntRange | None]] = [
            ("Ki-67 %", self.ki67_percent),
            ("hepatic burden %", self.hepatic_burden_percent),
            ("prior non-SSA lines", self.prior_non_ssa_lines),
            ("line", self.line),
        ]
        parts += [f"{name} {interval}" for name, interval in ranges if interval is not None]
        if self.prior_classes_all:
            parts.append("prior: " + ", ".join(c.value for c in self.prior_classes_all))
        if self.prior_classes_any:
            parts.append("prior any of: " + ", ".join(c.value for c in self.prior_classes_any))
        if self.prior_classes_none:
            parts.append("no prior: " + ", ".join(c.value for c in self.prior_classes_none))
        if self.any_of:
            branches = [" and ".join(branch.describe()) for branch in self.any_of]
            parts.append("any of: (" + ") or (".join(branches) + ")")
        return parts

    def _checks(self) -> list[_Check]:
        checks: list[_Check] = []
        members: list[tuple[str, tuple[object, ...]]] = [
            ("site", self.sites),
            ("grade", self.grades),
            ("functioning", self.functioning),
            ("tumour_burden", self.tumour_burden),
            ("disease_course", self.disease_course),
        ]
        for key, allowed in members:
            if allowed:
                checks.append(_member(key, allowed))
        flags: list[tuple[str, object]] = [
            ("differentiation", self.differentiation),
            ("sstr_positive", self.sstr_positive),
            ("fdg_sstr_discordant", self.fdg_sstr_discordant),
            ("symptomatic", self.symptomatic),
            ("resectable", self.resectable),
            ("advanced", self.advanced),
            ("metastatic", self.metastatic),
            ("extra_abdominal_metastases", self.extra_abdominal_metastases),
            ("progression_on_ssa", self.progression_on_ssa),
            ("objective_response", self.objective_response),
        ]
        for key, expected in flags:
            if expected is not None:
                checks.append(_member(key, (expected,)))
        for key, interval in (
            ("ki67", self.ki67_percent),
            ("hepatic_burden", self.hepatic_burden_percent),
            ("prior_non_ssa_lines", self.prior_non_ssa_lines),
            ("line", self.line),
        ):
            if interval is not None:
                checks.append(_within(key, interval))
        if self.prior_classes_all or self.prior_classes_any or self.prior_classes_none:
            checks.append(
                _prior(
                    set(self.prior_classes_all),
                    set(self.prior_classes_any),
                    set(self.prior_classes_none),
                )
            )
        return checks


_Check = Callable[[PatientFacts], bool | None]


def _member(key: str, allowed: tuple[object, ...]) -> _Check:
    def check(facts: PatientFacts) -> bool | None:
        value = getattr(facts, key)
        return None if value is None else value in allowed

    return check


def _within(key: str, interval: Range | IntRange) -> _Check:
    def check(facts: PatientFacts) -> bool | None:
        value = getattr(facts, key)
        if value is None:
            return None
        if not isinstance(value, int | float):
            return False
        if isinstance(interval, IntRange):
            return interval.contains(int(value))
        return interval.contains(float(value))

    return check


def _prior(required: set[AgentClass], some: set[AgentClass], excluded: set[AgentClass]) -> _Check:
    def check(facts: PatientFacts) -> bool | None:
        value = facts.prior_classes
        if value is None:
            return None
        return prior_classes_match(set(value), required, some, excluded)

    return check


def prior_classes_match(
    given: set[AgentClass],
    required: set[AgentClass] | tuple[AgentClass, ...] = (),
    some: set[AgentClass] | tuple[AgentClass, ...] = (),
    excluded: set[AgentClass] | tuple[AgentClass, ...] = (),
) -> bool:
    """Whether prior classes ``given`` include all ``required``, one of ``some``, none excluded."""
    return (
        set(required) <= given
        and (not some or bool(set(some) & given))
        and not (set(excluded) & given)
    )


class FieldSpec(_Model):
    """A patient field that criteria can test: its type and canonical unit."""

    type: Literal["number", "bool", "category"]
    unit: str | None = None
    description: str


#: The names eligibility tests may use (read at knowledge-base load), derived from the one
#: name table :data:`netline.evidence.facts.FACT_NAMES`.
FIELDS: dict[str, FieldSpec] = {
    name: FieldSpec(type=entry.type, unit=entry.unit, description=entry.description)
    for name, entry in FACT_NAMES.items()
    if entry.type != "classes"
}


class Test(_Model):
    """``field operator threshold``; holds when the patient's value satisfies it."""

    field: str
    operator: Operator
    threshold: int | float | str | bool | tuple[str, ...] | None = None
    unit: str | None = None

    def evaluate(self, value: object) -> bool | None:
        """Whether ``value`` satisfies the test; ``None`` when the value is missing."""
        if value is None:
            return None
        op, threshold = self.operator, self.threshold
        if op is Operator.IS_TRUE:
            return value is True
        if op is Operator.IS_FALSE:
            return value is False
        if op in (Operator.IN, Operator.NOT_IN):
            members = threshold if isinstance(threshold, tuple) else (threshold,)
            inside = str(value) in {str(m) for m in members}
            return inside if op is Operator.IN else not inside
        if op in (Operator.EQ, Operator.NE):
            same = str(value) == str(threshold)
            return same if op is Operator.EQ else not same
        if not isinstance(value, int | float) or not isinstance(threshold, int | float):
            return False
        x, t = float(value), float(threshold)
        return {
            Operator.GE: x >= t,
            Operator.GT: x > t,
            Operator.LE: x <= t,
            Operator.LT: x < t,
        }[op]

    def describe(self) -> str:
        """Return the test in words, e.g. ``"platelets_10e9_l ≥ 75 10^9/L"``."""
        symbols = {
            Operator.GE: "≥",
            Operator.GT: ">",
            Operator.LE: "≤",
            Operator.LT: "<",
            Operator.EQ: "=",
            Operator.NE: "≠",
            Operator.IN: "in",
            Operator.NOT_IN: "not in",
        }
        if self.operator is Operator.IS_TRUE:
            return f"{self.field} is true"
        if self.operator is Operator.IS_FALSE:
            return f"{self.field} is false"
        threshold = self.threshold
        if isinstance(threshold, tuple):
            shown = "{" + ", ".join(threshold) + "}"
        elif isinstance(threshold, float):
            shown = repr(threshold)
        else:
            shown = str(threshold)
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.field} {symbols[self.operator]} {shown}{unit}"


class Criterion(Test):
    """A sourced eligibility criterion; ``unless`` tests, when all hold, waive it."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    kind: CriterionKind
    unless: tuple[Test, ...] = ()
    ref: str = Field(min_length=1)
    status: Verification
    reported_in: str | None = None
    note: str | None = None
