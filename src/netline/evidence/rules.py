"""Profile models: eligibility criteria, dose-modification and decision rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, model_validator

from netline.evidence.criteria import (
    Criterion,
    Range,
    Test,
)
from netline.evidence.facts import PatientFacts, as_facts, fact_value
from netline.evidence.models import DoseSpec
from netline.evidence.provenance import (
    Characteristic,
    Sourced,
)
from netline.evidence.vocab import (
    _ID_PATTERN,
    DoseAction,
    ProfileKind,
    ToxicityKind,
    Unit,
    Verification,
    _Model,
)

# --------------------------------------------------------------------------- profiles


class DoseModificationRule(Sourced):
    """A dose-modification rule by toxicity and CTCAE grade (activities in GBq)."""

    id: str = Field(pattern=_ID_PATTERN)
    toxicity: ToxicityKind
    label: str
    trigger_grades: tuple[int, ...] = ()
    trigger_any: tuple[tuple[Test, ...], ...] = ()
    action: DoseAction
    resume_when_grade_at_most: int | None = Field(default=None, ge=0, le=4)
    resume_when: str | None = None
    resume_activity_gbq: float | None = Field(default=None, gt=0)
    rechallenge_activity_gbq: float | None = Field(default=None, gt=0)
    discontinue_if_recurrent_grade_at_least: int | None = Field(default=None, ge=1, le=5)
    discontinue_if_recurrent: bool = False
    discontinue_if_delay_weeks_at_least: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _triggered(self) -> DoseModificationRule:
        if not self.trigger_grades and not self.trigger_any:
            raise ValueError("a rule needs trigger_grades or trigger_any")
        if any(not 1 <= g <= 5 for g in self.trigger_grades):
            raise ValueError("CTCAE grades run from 1 to 5")
        return self

    def applies(
        self,
        grade: int | None = None,
        facts: PatientFacts | Mapping[str, object] | None = None,
    ) -> bool:
        """Whether the rule is triggered by a CTCAE grade or by laboratory facts.

        Parameters
        ----------
        grade : int, optional
            CTCAE grade of the toxicity.
        facts : PatientFacts or Mapping[str, object], optional
            The patient's facts (a mapping is read by knowledge-base name); ``trigger_any``
            fires when every test of one of its groups holds. An unknown fact never fires it.
        """
        if grade is not None and grade in self.trigger_grades:
            return True
        if facts is None:
            return False
        patient = as_facts(facts)
        return any(
            all(test.evaluate(fact_value(patient, test.field)) is True for test in group)
            for group in self.trigger_any
        )


class AdministrationRule(Sourced):
    """A timing rule around administration (e.g. SSA wash-out before PRRT)."""

    id: str = Field(pattern=_ID_PATTERN)
    subject: str
    relation: Literal[
        "stop_before_first_dose",
        "allowed_until_before_each_dose",
        "give_after_each_dose",
        "avoid_before_next_dose",
        "start_before_each_dose",
        "continue_after_each_dose",
        "continue_after_last_dose",
    ]
    window: Range | None = None
    unit: Unit | None = None


class DecisionRule(Sourced):
    """An ordered decision rule: the first rule whose tests hold gives the outcome."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    when_all: tuple[Test, ...] = ()
    when_any: tuple[Test, ...] = ()
    outcome: str

    def evaluate(self, facts: PatientFacts | Mapping[str, object]) -> bool | None:
        """Whether the rule fires; ``None`` when a needed fact is unknown."""
        patient = as_facts(facts)
        results: list[bool | None] = [
            t.evaluate(fact_value(patient, t.field)) for t in self.when_all
        ]
        if self.when_any:
            branch = [t.evaluate(fact_value(patient, t.field)) for t in self.when_any]
            results.append(
                True if any(b is True for b in branch) else None if None in branch else False
            )
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True


class Profile(_Model):
    """An eligibility, dosing or surgical-criteria profile."""

    id: str = Field(pattern=_ID_PATTERN)
    kind: ProfileKind
    label: str
    description: str
    default: bool = False
    therapy: str | None = None
    criteria: tuple[Criterion, ...] = ()
    standard_dose: tuple[DoseSpec, ...] = ()
    administration: tuple[AdministrationRule, ...] = ()
    rules: tuple[DoseModificationRule, ...] = ()
    decision_rules: tuple[DecisionRule, ...] = ()
    facts: tuple[Characteristic, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> Profile:
        if not (self.criteria or self.rules or self.decision_rules or self.standard_dose):
            raise ValueError("a profile needs criteria, rules, decision_rules or standard_dose")
        return self

    @property
    def status(self) -> Verification:
        """The least certain status of the profile's parts."""
        parts: list[Sourced | Criterion] = [
            *self.criteria,
            *self.standard_dose,
            *self.administration,
            *self.rules,
            *self.decision_rules,
        ]
        return Verification.worst([p.status for p in parts])


class ProfilesFile(_Model):
    """``profiles.yaml``."""

    version: str = Field(min_length=1)
    profiles: tuple[Profile, ...]
