"""The grade of each specimen: computed from Ki-67 and mitoses, else as the report states it."""

from __future__ import annotations

import datetime as dt

from netline.assessment.parts import SpecimenGrade
from netline.clinical._result import Finding
from netline.clinical.grading import LEGACY_HPF_AREA_MM2, Grade, grade_histology
from netline.errors import InsufficientDataError
from netline.records.model import CaseRecord, Histology, MitoticCount, ReportedGrade
from netline.records.vocabulary import label

__all__ = ["mitoses_conversion", "mitoses_text", "specimen_grades"]


def mitoses_text(count: MitoticCount) -> str:
    """Write a mitotic count as reported, e.g. ``"6/10 HPF"``."""
    number = f"{count.count:g}"
    if count.unit == "per_10hpf":
        return f"{number}/10 HPF"
    if count.unit == "per_2mm2":
        return f"{number}/2 mm²"
    return f"{number} in {count.n_fields} fields"


def mitoses_conversion(count: MitoticCount, per_2mm2: float) -> str | None:
    """Say how a count was brought to mitoses per 2 mm², or ``None`` when it needed nothing.

    ``"6 per 10 HPF ≈ 6 per 2 mm² with a 0.2 mm² field (legacy convention)"``.
    """
    value = f"{per_2mm2:.3g}"
    if count.unit == "per_10hpf":
        return (
            f"{count.count:g} per 10 HPF ≈ {value} per 2 mm² with a {LEGACY_HPF_AREA_MM2:g} mm² "
            "field (legacy convention: 10 HPF ≈ 2 mm²)"
        )
    if count.unit == "per_fields":
        return (
            f"{count.count:g} in {count.n_fields} fields of {count.field_area_mm2:g} mm² ≈ "
            f"{value} per 2 mm²"
        )
    return None


def _reported_finding(reported: ReportedGrade) -> Finding[Grade] | None:
    if reported.category == "NEC":
        value = Grade.NEC
    elif reported.grade is None:
        return None
    else:
        value = {1: Grade.NET_G1, 2: Grade.NET_G2, 3: Grade.NET_G3}[reported.grade]
    edition = (
        f"WHO {reported.who_edition}" if reported.who_edition is not None else "edition not stated"
    )
    return Finding(
        value=value,
        rule="grade as reported",
        edition=edition,
        inputs={"reported_grade": reported.text},
        reason=(
            f"{reported.text} as stated in the report; no Ki-67 or mitotic count is recorded, "
            "so netline cannot check it"
        ),
    )


def _one(histology: Histology, when: dt.date | None, warnings: list[str]) -> SpecimenGrade | None:
    count = histology.mitotic_count
    reported = histology.reported_grade
    try:
        mitoses, grade = grade_histology(histology)
    except InsufficientDataError as error:
        finding = None if reported is None else _reported_finding(reported)
        if finding is None:
            detail = "" if reported is None else f" (reported as {reported.text}, grade not stated)"
            warnings.append(f"{label(histology.specimen)} specimen not graded{detail}: {error}")
            return None
        return SpecimenGrade(
            histology.specimen,
            when,
            None,
            None,
            None,
            finding,
            reported=True,
            reported_grade=reported.text if reported is not None else None,
        )
    conversion = (
        None if count is None or mitoses is None else mitoses_conversion(count, mitoses.value)
    )
    stated = None if reported is None else _reported_finding(reported)
    if reported is not None and stated is not None and stated.value is not grade.value:
        warnings.append(
            f"{label(histology.specimen)} specimen: the report states {reported.text}; "
            f"the recorded Ki-67/mitoses give {grade.value} ({grade.rule} {grade.edition})"
        )
    return SpecimenGrade(
        histology.specimen,
        when,
        histology.ki67_percent,
        None if count is None else mitoses_text(count),
        mitoses,
        grade,
        reported_grade=None if reported is None else reported.text,
        mitoses_conversion=conversion,
    )


def specimen_grades(record: CaseRecord, warnings: list[str]) -> list[SpecimenGrade]:
    """Grade every specimen of the record, primary first.

    A specimen without a Ki-67 or a mitotic count takes the grade its report states
    (:class:`~netline.records.ReportedGrade`), marked as reported; a specimen with neither is
    left out with a warning. A reported grade that disagrees with the computed one is warned
    about, and the computed grade is kept.
    """
    grades = []
    for histology, when in record.specimens:
        graded = _one(histology, when, warnings)
        if graded is not None:
            grades.append(graded)
    return grades
