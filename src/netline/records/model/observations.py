"""Observations: imaging with its lesions, lab panels, adverse events and disease status."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from netline.records.model._base import Identifier, LiverInvolvement, Millimetres, _Model
from netline.records.model.events import KnownAgent, _Event
from netline.records.units import CANONICAL_UNITS, UNITLESS, accepted_units, to_canonical
from netline.records.vocabulary import (
    Analyte,
    DiseaseStatusValue,
    ImagingModality,
    Organ,
    RecordedResponse,
)

__all__ = ["AdverseEvent", "DiseaseStatus", "Imaging", "LabPanel", "LabResult", "Lesion"]


class Lesion(_Model):
    """A lesion measured on one scan; the same ``id`` follows it across scans."""

    id: Identifier
    organ: Organ
    lymph_node: bool = False
    diameter_mm: Millimetres | None = None
    target: bool = False
    new: bool = False
    equivocal: bool = Field(
        default=False,
        description=(
            "The report calls this new lesion suspected or equivocal (RECIST 1.1: not progression "
            "unless a later scan confirms it)."
        ),
    )
    attenuation_hu: float | None = Field(default=None, ge=-1000, le=3000)
    sstr_uptake: int | None = Field(default=None, ge=0, le=4)
    fdg_avid: bool | None = None


class Imaging(_Event):
    """An imaging assessment."""

    type: Literal["imaging"] = "imaging"
    date: dt.date
    modality: ImagingModality
    lesions: list[Lesion] = Field(default_factory=list)
    organs_involved: list[Organ] = Field(default_factory=list)
    organs_clear: list[Organ] = Field(
        default_factory=list,
        description=(
            "Organs this scan examined and found free of tumour: involvement recorded there "
            "before this date is cleared until tumour is found there again."
        ),
    )
    new_lesions: bool | None = None
    new_lesions_equivocal: bool = Field(
        default=False,
        description=(
            "The new lesions reported at this scan are suspected or equivocal (RECIST 1.1: not "
            "progression unless a later scan confirms them)."
        ),
    )
    non_target_progression: bool | None = None
    sstr_uptake_score: int | None = Field(default=None, ge=0, le=4)
    liver_involvement: LiverInvolvement | None = None
    recorded_response: RecordedResponse | None = None
    finding: str | None = None

    @model_validator(mode="after")
    def _unique_lesions(self) -> Imaging:
        both = sorted(set(self.organs_involved) & set(self.organs_clear))
        if both:
            raise PydanticCustomError(
                "organ_involved_and_clear",
                "an organ either involved or clear on one scan, not both ({organs})",
                {"organs": ", ".join(organ.value for organ in both)},
            )
        ids = [lesion.id for lesion in self.lesions]
        if len(ids) != len(set(ids)):
            raise PydanticCustomError("duplicate_lesion", "each lesion id once per scan")
        if self.new_lesions_equivocal and self.new_lesions is False:
            raise PydanticCustomError(
                "equivocal_without_new_lesion",
                "new_lesions_equivocal only together with new_lesions: true",
            )
        for lesion in self.lesions:
            if lesion.equivocal and not lesion.new:
                raise PydanticCustomError(
                    "equivocal_not_new", "a lesion marked equivocal must also be marked new"
                )
        return self


class LabResult(_Model):
    """One lab value, stored in its analyte's canonical unit (the original is kept)."""

    analyte: Analyte
    value: float
    unit: str
    lower_limit: float | None = None
    upper_limit: float | None = None
    original_value: float | None = None
    original_unit: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _convert(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("original_unit") is not None:
            return data
        try:
            analyte = Analyte(str(data.get("analyte")))
        except ValueError:
            return data  # the field validator reports the unknown analyte
        value = data.get("value")
        if isinstance(value, bool):
            raise PydanticCustomError("lab_value", "a number (not true/false)")
        if not isinstance(value, int | float) or not math.isfinite(value):
            return data  # the field validator refuses non-numbers, NaN and infinities
        unit = data.get("unit")
        if unit is not None and not isinstance(unit, str):
            return data
        if unit is None and analyte not in UNITLESS:
            raise PydanticCustomError(
                "unknown_unit",  # located at the unit field by the case-file translator
                "a 'unit' for {analyte} (netline does not assume one): one of {units}",
                {"analyte": analyte.value, "units": ", ".join(accepted_units(analyte))},
            )
        try:
            converted = to_canonical(analyte, float(value), unit)
        except KeyError:
            raise PydanticCustomError(
                "unknown_unit",
                "a unit for {analyte}: one of {units}",
                {"analyte": analyte.value, "units": ", ".join(accepted_units(analyte))},
            ) from None
        out = dict(data)
        factor = converted.value / value if value else None
        for limit in ("lower_limit", "upper_limit"):
            limit_value = data.get(limit)
            if (
                isinstance(limit_value, int | float)
                and not isinstance(limit_value, bool)
                and math.isfinite(limit_value)
            ):
                out[limit] = (
                    to_canonical(analyte, float(limit_value), unit).value
                    if factor is None
                    else round(limit_value * factor, 6)
                )
        out.update(
            value=converted.value,
            unit=converted.unit,
            original_value=converted.original_value,
            original_unit=converted.original_unit,
        )
        return out

    @model_validator(mode="after")
    def _plausible(self) -> LabResult:
        if self.unit != CANONICAL_UNITS[self.analyte]:
            raise PydanticCustomError("unit", "{unit}", {"unit": CANONICAL_UNITS[self.analyte]})
        if self.value < 0:
            raise PydanticCustomError("negative_lab", "a value of zero or more")
        return self


class LabPanel(_Event):
    """Lab results drawn on one date."""

    type: Literal["labs"] = "labs"
    date: dt.date
    results: list[LabResult] = Field(min_length=1)

    def get(self, analyte: Analyte) -> LabResult | None:
        """Return the result for an analyte, if measured."""
        return next((r for r in self.results if r.analyte is analyte), None)


class AdverseEvent(_Event):
    """An adverse event graded with CTCAE."""

    type: Literal["adverse_event"] = "adverse_event"
    date: dt.date
    term: str = Field(min_length=2)
    grade: int = Field(ge=1, le=5)
    attributed_to: KnownAgent | None = None
    resolved: dt.date | None = None
    serious: bool = False

    @model_validator(mode="after")
    def _resolved_after_onset(self) -> AdverseEvent:
        if self.resolved is not None and self.resolved < self.date:
            raise PydanticCustomError(
                "resolved_before_onset",
                "'resolved' on or after the onset date {d}",
                {"d": str(self.date)},
            )
        return self


class DiseaseStatus(_Event):
    """Disease status as recorded by a clinician."""

    type: Literal["disease_status"] = "disease_status"
    date: dt.date
    status: DiseaseStatusValue
    symptomatic_from_bulk: bool | None = None
    hormonal_syndrome_controlled: bool | None = None
    basis: list[Literal["imaging", "clinical", "pathology", "markers", "symptoms"]] = Field(
        default_factory=list
    )
