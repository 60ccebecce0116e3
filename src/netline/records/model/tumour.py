"""The tumour: primary, specimens and their grade, regional nodes, thrombus, metastases."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from netline.records.model._base import Percent, _Model
from netline.records.vocabulary import (
    Differentiation,
    FunctioningSyndrome,
    HereditarySyndrome,
    InvadedStructure,
    Organ,
    PrimarySite,
    ThrombusKind,
    Vessel,
)

__all__ = [
    "Histology",
    "Metastasis",
    "MitoticCount",
    "PrimaryTumour",
    "RegionalNodes",
    "ReportedGrade",
    "VascularThrombus",
]


class MitoticCount(_Model):
    """A mitotic count with the area it was counted over.

    ``per_2mm2`` is the WHO 2019 unit; ``per_10hpf`` is the legacy unit; ``per_fields`` is a
    count over ``n_fields`` microscope fields of ``field_area_mm2`` each.
    """

    count: float = Field(ge=0)
    unit: Literal["per_2mm2", "per_10hpf", "per_fields"]
    n_fields: int | None = Field(default=None, gt=0)
    field_area_mm2: float | None = Field(default=None, gt=0, le=2)

    @model_validator(mode="after")
    def _fields_given(self) -> MitoticCount:
        if self.unit == "per_fields" and (self.n_fields is None or self.field_area_mm2 is None):
            raise PydanticCustomError(
                "fields_needed", "'n_fields' and 'field_area_mm2' when unit is 'per_fields'"
            )
        if self.unit != "per_fields" and (
            self.n_fields is not None or self.field_area_mm2 is not None
        ):
            raise PydanticCustomError(
                "fields_needed",
                "no 'n_fields' or 'field_area_mm2' unless unit is 'per_fields' "
                "(the area of {unit} is fixed)",
                {"unit": self.unit},
            )
        return self


_GRADE_TEXT = re.compile(
    r"^\s*(?P<category>NET|NEC)?\s*(?:G(?P<grade>[123]))?\s*"
    r"(?:\(\s*WHO\s*(?P<edition>\d{4})\s*\))?\s*$",
    re.IGNORECASE,
)


class ReportedGrade(_Model):
    """A grade as the report states it, when the Ki-67 and mitotic count behind it are not given.

    Written as a mapping or as text: ``"NET G2"``, ``"G1 (WHO 2013)"``, ``"NEC"``. It is used
    only when nothing better is known (a Ki-67 or a mitotic count always wins) and is shown as
    reported, with its edition when the report names one.
    """

    category: Literal["NET", "NEC"] = "NET"
    grade: Literal[1, 2, 3] | None = None
    who_edition: int | None = Field(default=None, ge=1980, le=2100)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if not isinstance(data, str):
            return data
        match = _GRADE_TEXT.match(data)
        if match is None or not (match["category"] or match["grade"]):
            raise PydanticCustomError(
                "reported_grade",
                "a grade such as 'NET G2', 'G1 (WHO 2010)' or 'NEC'",
            )
        parsed: dict[str, Any] = {"category": (match["category"] or "NET").upper()}
        if match["grade"]:
            parsed["grade"] = int(match["grade"])
        if match["edition"]:
            parsed["who_edition"] = int(match["edition"])
        return parsed

    @model_validator(mode="after")
    def _nec_has_no_grade(self) -> ReportedGrade:
        if self.category == "NEC" and self.grade not in (None, 3):
            raise PydanticCustomError("nec_grade", "no grade 1 or 2 for a carcinoma (NEC)")
        return self

    @property
    def text(self) -> str:
        """The grade as text, e.g. ``"NET G2"`` or ``"NET G1 (WHO 2010)"``."""
        grade = f" G{self.grade}" if self.grade is not None else ""
        edition = f" (WHO {self.who_edition})" if self.who_edition is not None else ""
        return f"{self.category}{grade}{edition}"


_REPORTED_GRADE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "string",
            "description": "e.g. 'NET G2', 'G1 (WHO 2010)', 'NEC'",
            "pattern": r"^\s*(NET|NEC|net|nec)?\s*([Gg][123])?\s*(\(\s*WHO\s*\d{4}\s*\))?\s*$",
        },
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "category": {"enum": ["NET", "NEC"]},
                "grade": {"enum": [1, 2, 3]},
                "who_edition": {"type": "integer", "minimum": 1980, "maximum": 2100},
            },
        },
    ],
    "title": "Reported grade",
}
ReportedGradeInput = Annotated[ReportedGrade, WithJsonSchema(_REPORTED_GRADE_SCHEMA)]


class Histology(_Model):
    """Differentiation and proliferation of one specimen."""

    specimen: Literal["primary", "liver_metastasis", "lymph_node", "other_metastasis"] = "primary"
    date: dt.date | None = None
    differentiation: Differentiation = Differentiation.UNKNOWN
    ki67_percent: Percent | None = None
    mitotic_count: MitoticCount | None = None
    reported_grade: ReportedGradeInput | None = None


class RegionalNodes(_Model):
    """Regional lymph nodes examined and found positive."""

    examined: int | None = Field(default=None, ge=0)
    positive: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _positive_le_examined(self) -> RegionalNodes:
        if (
            self.examined is not None
            and self.positive is not None
            and self.positive > self.examined
        ):
            raise PydanticCustomError(
                "nodes",
                "'positive' ({p}) not above 'examined' ({e})",
                {"p": self.positive, "e": self.examined},
            )
        return self


class VascularThrombus(_Model):
    """A thrombus in a vessel near the primary: tumour thrombus (with its extent) or bland clot.

    ``extent`` says how far it reaches in the report's words (e.g. "to the hepatic hilus").
    A tumour thrombus does not change the pancreatic NET T category in AJCC/UICC 8 (only the
    coeliac axis and superior mesenteric artery make T4); it is shown beside the stage.
    """

    vessel: Vessel
    kind: ThrombusKind = ThrombusKind.TUMOUR
    extent: str | None = None
    occlusive: bool | None = None
    found: dt.date | None = None


class PrimaryTumour(_Model):
    """The primary tumour."""

    site: PrimarySite
    diagnosed: dt.date | None = None
    size_mm: float | None = Field(default=None, gt=0, le=300)
    invasion: list[InvadedStructure] = Field(default_factory=list)
    multifocal: bool = False
    functioning_syndrome: FunctioningSyndrome = FunctioningSyndrome.UNKNOWN
    hereditary_syndrome: HereditarySyndrome = HereditarySyndrome.UNKNOWN
    histology: Histology | None = None
    regional_nodes: RegionalNodes | None = None
    vascular_thrombus: list[VascularThrombus] = Field(default_factory=list)


class Metastasis(_Model):
    """A metastatic site and the date it was first found."""

    organ: Organ
    found: dt.date
    detail: str | None = None
    lesion_count: int | None = Field(default=None, ge=1)
