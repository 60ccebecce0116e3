"""The new-patient form: plain fields in, a validated record out, problems shown per field.

The form adds no rules of its own: it assembles the same mapping a case file would hold and
passes it to :func:`netline.records.record_from_data`, so the browser sees exactly the problems
the command line would print, each placed next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from netline.errors import Problem
from netline.records import CaseRecord, record_from_data
from netline.records.vocabulary import (
    Differentiation,
    FunctioningSyndrome,
    Organ,
    PrimarySite,
    Sex,
)

#: Form field → the record path its problems are reported under.
FIELD_PATHS = {
    "record_id": "id",
    "sex": "patient.sex",
    "birth_year": "patient.birth_year",
    "diagnosed": "index_date",
    "site": "primary.site",
    "size_mm": "primary.size_mm",
    "differentiation": "primary.histology.differentiation",
    "ki67_percent": "primary.histology.ki67_percent",
    "functioning_syndrome": "primary.functioning_syndrome",
    "liver_metastases": "metastases",
    "last_follow_up": "patient.last_follow_up",
}


def choices(vocabulary: Iterable[Any]) -> list[tuple[str, str]]:
    """(value, label) pairs of a vocabulary for a select box, labels in plain words."""
    return [(item.value, item.value.replace("_", " ")) for item in vocabulary]


CHOICES = {
    "sex": choices(Sex),
    "site": choices(PrimarySite),
    "differentiation": choices(Differentiation),
    "functioning_syndrome": choices(FunctioningSyndrome),
}


@dataclass
class NewPatientForm:
    """What the clinician typed, kept as text so the form can be shown again unchanged."""

    record_id: str = ""
    sex: str = "female"
    birth_year: str = ""
    diagnosed: str = ""
    site: str = PrimarySite.PANCREAS_HEAD.value
    size_mm: str = ""
    differentiation: str = Differentiation.WELL.value
    ki67_percent: str = ""
    functioning_syndrome: str = FunctioningSyndrome.NONE.value
    liver_metastases: str = ""
    last_follow_up: str = ""

    @classmethod
    def from_form(cls, data: Mapping[str, str]) -> NewPatientForm:
        """Take the known fields of a submitted form, trimmed."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v.strip() for k, v in data.items() if k in names})

    def errors_by_field(self, problems: Iterable[Problem]) -> dict[str, list[str]]:
        """Each problem under the form field it concerns (others under ``"_form"``)."""
        errors: dict[str, list[str]] = {}
        for problem in problems:
            name = next(
                (
                    field_name
                    for field_name, path in FIELD_PATHS.items()
                    if problem.location == path
                    or problem.location.startswith(path + ".")
                    or problem.location.startswith(path + "[")
                ),
                "_form",
            )
            value = "" if problem.value is None else f"got {problem.value!r}; "
            errors.setdefault(name, []).append(f"{value}expected {problem.expected}")
        return errors

    def values(self) -> dict[str, str]:
        """Return the fields as a mapping (for the template)."""
        return asdict(self)


def _number(text: str) -> Any:
    """Return a number when the text is one, else the text (the model names the problem)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def record_from_form(form: NewPatientForm) -> CaseRecord:
    """Build and validate the record; raises InvalidRecordError with every problem."""
    histology: dict[str, Any] = {"specimen": "primary", "differentiation": form.differentiation}
    if form.ki67_percent:
        histology["ki67_percent"] = _number(form.ki67_percent)
    primary: dict[str, Any] = {
        "site": form.site,
        "diagnosed": "index",
        "functioning_syndrome": form.functioning_syndrome,
        "histology": histology,
    }
    if form.size_mm:
        primary["size_mm"] = _number(form.size_mm)
    patient: dict[str, Any] = {"id": form.record_id, "sex": form.sex}
    if form.birth_year:
        patient["birth_year"] = _number(form.birth_year)
    if form.last_follow_up:
        patient["last_follow_up"] = form.last_follow_up
    data: dict[str, Any] = {
        "netline_case": 1,
        "id": form.record_id,
        "source": "entered in the netline web app",
        "index_date": form.diagnosed,
        "patient": patient,
        "primary": primary,
    }
    if form.liver_metastases:
        data["metastases"] = [
            {
                "organ": Organ.LIVER.value,
                "found": "index",
                "lesion_count": _number(form.liver_metastases),
            }
        ]
    return record_from_data(data, source="new patient form")
