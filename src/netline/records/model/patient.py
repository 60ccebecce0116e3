"""The patient: identity, performance status, comorbidities and body measurements."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from netline._time import DAYS_PER_YEAR
from netline.records.model._base import Identifier, _Model
from netline.records.vocabulary import ComorbidityKind, Sex

__all__ = ["BodyMeasurement", "Comorbidity", "Patient", "PerformanceStatus"]


class PerformanceStatus(_Model):
    """Performance status on a date: ECOG and/or Karnofsky."""

    date: dt.date
    ecog: int | None = Field(default=None, ge=0, le=5)
    karnofsky: int | None = Field(default=None, ge=0, le=100, multiple_of=10)

    @model_validator(mode="after")
    def _one_scale(self) -> PerformanceStatus:
        if self.ecog is None and self.karnofsky is None:
            raise PydanticCustomError("missing_scale", "an 'ecog' or a 'karnofsky' value")
        return self


class Comorbidity(_Model):
    """A comorbidity relevant to NET treatment."""

    kind: ComorbidityKind
    detail: str | None = None
    since: dt.date | None = None


class BodyMeasurement(_Model):
    """Weight and height on a date (for creatinine clearance and dosing)."""

    date: dt.date
    weight_kg: float | None = Field(default=None, gt=0, le=400)
    height_cm: float | None = Field(default=None, gt=0, le=260)


class Patient(_Model):
    """Who the patient is, and how the follow-up ended."""

    id: Identifier
    sex: Sex
    birth_date: dt.date | None = None
    birth_year: int | None = Field(default=None, ge=1880, le=2100)
    performance: list[PerformanceStatus] = Field(default_factory=list)
    comorbidities: list[Comorbidity] = Field(default_factory=list)
    body: list[BodyMeasurement] = Field(default_factory=list)
    death_date: dt.date | None = None
    cause_of_death: str | None = None
    last_follow_up: dt.date | None = None

    @model_validator(mode="after")
    def _birth_consistent(self) -> Patient:
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            raise PydanticCustomError(
                "birth_mismatch",
                "birth_year equal to the year of birth_date ({year})",
                {"year": self.birth_date.year},
            )
        return self

    def age_at(self, when: dt.date) -> float | None:
        """Age in years on a date (from the birth date, else mid-year of the birth year)."""
        born = self.birth_date or (
            dt.date(self.birth_year, 7, 1) if self.birth_year is not None else None
        )
        if born is None:
            return None
        return (when - born).days / DAYS_PER_YEAR
