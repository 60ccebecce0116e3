"""Three-valued evaluation of knowledge-base conditions and criteria on a patient's facts.

The knowledge base answers ``True``, ``False`` or ``None`` (a needed fact is missing). Some facts
are known only as a range (a hepatic-involvement band) or with a reading netline cannot settle
(whether a documented progression is slow or rapid); such facts carry *alternatives*. A
condition that fails on the primary value but holds on an alternative is reported as
*possible*, with the reading under which it would hold, never as applying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from netline.evidence.facts import FACT_NAMES, PatientFacts, fact_value
from netline.evidence.schema import Condition, Criterion, Test

__all__ = [
    "Applicability",
    "CriterionOutcome",
    "check_criterion",
    "evaluate_condition",
    "fact_words",
    "reading_words",
]

#: Condition field -> the PatientFacts field it tests.
_CONDITION_KEYS: tuple[tuple[str, str], ...] = (
    ("sites", "site"),
    ("differentiation", "differentiation"),
    ("grades", "grade"),
    ("ki67_percent", "ki67"),
    ("sstr_positive", "sstr_positive"),
    ("fdg_sstr_discordant", "fdg_sstr_discordant"),
    ("functioning", "functioning"),
    ("symptomatic", "symptomatic"),
    ("tumour_burden", "tumour_burden"),
    ("hepatic_burden_percent", "hepatic_burden"),
    ("disease_course", "disease_course"),
    ("prior_non_ssa_lines", "prior_non_ssa_lines"),
    ("line", "line"),
    ("resectable", "resectable"),
    ("advanced", "advanced"),
    ("metastatic", "metastatic"),
    ("extra_abdominal_metastases", "extra_abdominal_metastases"),
    ("progression_on_ssa", "progression_on_ssa"),
    ("objective_response", "objective_response"),
)


#: condition_keys answers by condition (the condition is kept, so its id stays its own)
_KEYS: dict[int, tuple[Condition, frozenset[str]]] = {}


def condition_keys(condition: Condition) -> frozenset[str]:
    """Return the PatientFacts fields a condition restricts (its ``any_of`` branches included)."""
    found = _KEYS.get(id(condition))
    if found is not None and found[0] is condition:
        return found[1]
    if len(_KEYS) > 10_000:
        _KEYS.clear()
    keys = _condition_keys(condition)
    _KEYS[id(condition)] = (condition, keys)
    return keys


def _condition_keys(condition: Condition) -> frozenset[str]:
    keys = {
        key
        for field, key in _CONDITION_KEYS
        if getattr(condition, field) not in (None, (), frozenset())
    }
    if condition.prior_classes_all or condition.prior_classes_any or condition.prior_classes_none:
        keys.add("prior_classes")
    for branch in condition.any_of:
        keys |= condition_keys(branch)
    return frozenset(keys)


#: Plain words for each facts field: the description of its first knowledge-base name.
_FACT_WORDS: dict[str, str] = {}
for _name in FACT_NAMES.values():
    _FACT_WORDS.setdefault(_name.field, _name.description)


def fact_words(field: str) -> str:
    """Return the plain words for a ``PatientFacts`` field, for people.

    Parameters
    ----------
    field : str
        A field name (``sstr_positive``).

    Returns
    -------
    str
        Its description in :data:`netline.evidence.facts.FACT_NAMES` ("SSTR-positive disease").
    """
    return _FACT_WORDS.get(field, field.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Applicability:
    """Whether a condition holds: ``True``, ``False``, or ``None`` (possible).

    Attributes
    ----------
    value : bool or None
    missing : tuple of str
        Facts the condition needs that are unknown.
    holds_if : tuple of str
        Alternative readings under which it would hold (``"disease_course = slowly_progressive"``).
    """

    value: bool | None
    missing: tuple[str, ...] = ()
    holds_if: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``"applies"``, ``"possible"`` or ``"does not apply"``."""
        if self.value is True:
            return "applies"
        return "possible" if self.value is None else "does not apply"

    def explain(self) -> str:
        """Say why a possible condition is not settled."""
        parts = []
        if self.missing:
            parts.append("unknown: " + ", ".join(fact_words(m) for m in self.missing))
        if self.holds_if:
            parts.append("holds if " + " or ".join(reading_words(h) for h in self.holds_if))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "value": self.value,
            "label": self.label,
            "missing": list(self.missing),
            "holds_if": list(self.holds_if),
        }


def _show(value: object) -> str:
    return str(getattr(value, "value", value))


def reading_words(reading: str) -> str:
    """Return an alternative reading (``"tumour_burden = high"``) in plain words for people.

    ``holds_if`` keeps the ``field = value`` form for machines (JSON); text and HTML show
    "tumour burden category is high". A reading in words already is returned as it is.
    """
    field, sep, value = reading.partition(" = ")
    if not sep or " " in field:
        return reading
    return f"{fact_words(field)} is {value.replace('_', ' ')}"


def evaluate_condition(
    condition: Condition,
    facts: PatientFacts,
    alternatives: Mapping[str, tuple[object, ...]],
) -> Applicability:
    """Evaluate a guideline condition, trying the alternative readings of uncertain facts.

    ``alternatives`` holds other readings by PatientFacts field (a band's edges, the pace of
    a progression); an unknown fact gives ``None`` (possible), never ``True``.
    """
    primary = condition.evaluate(facts)
    if primary is True:
        return Applicability(True)
    keys = condition_keys(condition)
    holds_if: list[str] = []
    for key, values in alternatives.items():
        if key not in keys:
            continue
        for value in values:
            if condition.evaluate(facts.replace(**{key: value})) is True:
                holds_if.append(f"{key} = {_show(value)}")
    missing = tuple(sorted(k for k in keys if getattr(facts, k) is None))
    if holds_if:
        return Applicability(None, missing, tuple(holds_if))
    if primary is None:
        return Applicability(None, missing)
    return Applicability(False)


@dataclass(frozen=True, slots=True)
class CriterionOutcome:
    """How one eligibility criterion fares: ``met``, ``failed``, ``unknown`` or ``waived``.

    ``possible`` marks a criterion that fails on the primary reading of a fact known only as a
    range, but holds on another reading.
    """

    outcome: str
    value: object = None
    note: str | None = None


def _evaluate_test(test: Test, facts: PatientFacts) -> bool | None:
    return test.evaluate(fact_value(facts, test.field))


def check_criterion(
    criterion: Criterion,
    facts: PatientFacts,
    alternatives: Mapping[str, tuple[object, ...]],
) -> CriterionOutcome:
    """Evaluate one criterion (with its ``unless`` waiver and any alternative readings).

    The criterion names its fact as the knowledge base does (``platelets_10e9_l``); the value
    is read from the field that name maps to, in the name's unit.
    """
    value = fact_value(facts, criterion.field)
    result = criterion.evaluate(value)
    if result is not True and criterion.unless:
        waivers = [_evaluate_test(t, facts) for t in criterion.unless]
        if all(w is True for w in waivers):
            return CriterionOutcome("waived", value, "waived: " + _describe(criterion.unless))
    if result is True:
        return CriterionOutcome("met", value)
    if result is None:
        return CriterionOutcome("unknown", value)
    entry = FACT_NAMES[criterion.field]
    for other in alternatives.get(entry.field, ()):
        if isinstance(other, int | float) and not isinstance(other, bool):
            other = other * entry.scale
        if criterion.evaluate(other) is True:
            unit = f" {entry.unit}" if entry.unit else ""
            return CriterionOutcome(
                "possible", value, f"holds if {entry.description} is {_show(other)}{unit}"
            )
    return CriterionOutcome("failed", value)


def _describe(tests: tuple[Test, ...]) -> str:
    return " and ".join(t.describe() for t in tests)
