"""WHO grade of gastro-entero-pancreatic neuroendocrine neoplasms (knowledge base section A1).

Two calculators: :func:`mitoses_per_2mm2` brings a mitotic count to the WHO unit (mitoses per
2 mm²), and :func:`who_grade` assigns the grade from Ki-67, the mitotic count and the
differentiation, under WHO 2019 (default), WHO 2022 or the legacy WHO 2010 scheme.
"""

from __future__ import annotations

import math
from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.errors import InsufficientDataError
from netline.records.model import Histology
from netline.records.vocabulary import Differentiation

__all__ = [
    "LEGACY_HPF_AREA_MM2",
    "Grade",
    "MitosisUnit",
    "WHOEdition",
    "grade_histology",
    "microscope_field_area",
    "mitoses_per_2mm2",
    "who_grade",
]

#: Area of one high-power field assumed by legacy "per 10 HPF" reporting (10 HPF ≈ 2 mm²).
LEGACY_HPF_AREA_MM2 = 0.2

#: Area over which WHO 2019 counts mitoses (50 fields of 0.2 mm²); the count is given per 2 mm².
_WHO_COUNTED_AREA_MM2 = 10.0


class MitosisUnit(StrEnum):
    """How a mitotic count was reported (same identifiers as the clinical record)."""

    PER_2MM2 = "per_2mm2"
    PER_10HPF = "per_10hpf"
    PER_FIELDS = "per_fields"


class WHOEdition(StrEnum):
    """Edition of the WHO classification used for grading."""

    WHO_2010 = "2010"
    WHO_2019 = "2019"
    WHO_2022 = "2022"


class Grade(StrEnum):
    """WHO category and grade of a neuroendocrine neoplasm.

    ``NEC`` is the WHO 2019/2022 category (high grade by definition, not graded in 2022);
    ``NEC_G3`` is the WHO 2010 category, which covered every neoplasm with Ki-67 > 20 %.
    """

    NET_G1 = "NET G1"
    NET_G2 = "NET G2"
    NET_G3 = "NET G3"
    NEC = "NEC"
    NEC_G3 = "NEC G3"


_REFERENCES: dict[WHOEdition, tuple[str, ...]] = {
    WHOEdition.WHO_2010: ("who2010",),
    WHOEdition.WHO_2019: ("who2019", "rindi2018"),
    WHOEdition.WHO_2022: ("rindi2022", "rindi2018"),
}


def microscope_field_area(field_number_mm: float, objective_magnification: float) -> float:
    """Return the area of one microscope field in mm².

    The field diameter at the specimen is the eyepiece field number divided by the objective
    magnification, so the area is ``π·(FN / (2·magnification))²``.

    Parameters
    ----------
    field_number_mm : float
        Eyepiece field number in mm (e.g. 22).
    objective_magnification : float
        Objective magnification (e.g. 40 for a 40× objective).

    Returns
    -------
    float
        Field area in mm² (FN 22 with a 40× objective gives 0.238 mm²).

    Raises
    ------
    InvalidInputError
        If either number is not positive and finite.

    References
    ----------
    WHO Classification of Tumours, Digestive System Tumours, 5th ed. (2019) [who2019]: mitoses
    are counted per 2 mm²; the field-area arithmetic is derived (knowledge base A1).
    """
    checks = Checks()
    fn = _check_field_number(checks, field_number_mm)
    mag = _check_magnification(checks, objective_magnification)
    checks.done()
    return _circle_area(fn, mag)


def mitoses_per_2mm2(
    count: float,
    *,
    unit: MitosisUnit | str,
    n_fields: int | None = None,
    field_area_mm2: float | None = None,
    field_number_mm: float | None = None,
    objective_magnification: float | None = None,
) -> Finding[float]:
    """Normalise a mitotic count to mitoses per 2 mm² (the WHO 2019 unit).

    * ``per_2mm2``: returned unchanged; no field arguments may be given.
    * ``per_10hpf``: legacy unit. Without a field size the legacy convention 1 HPF ≈ 0.2 mm²
      (10 HPF ≈ 2 mm²) is applied and said so in the reason; with a field size (area, or field
      number and objective) the count is rescaled to 2 mm² over 10 fields of that size.
    * ``per_fields``: ``count`` mitoses over ``n_fields`` fields of a known size:
      ``count × 2 / (n_fields × field_area_mm2)``.

    The field size is given either as ``field_area_mm2`` or as ``field_number_mm`` with
    ``objective_magnification`` (area = π·(FN / (2·magnification))²), not both.

    Parameters
    ----------
    count : float
        Number of mitoses counted (≥ 0).
    unit : MitosisUnit or str
        ``"per_2mm2"``, ``"per_10hpf"`` or ``"per_fields"``.
    n_fields : int, optional
        Number of fields counted (``per_fields``; ``per_10hpf`` accepts only 10).
    field_area_mm2 : float, optional
        Area of one field in mm² (0 < area ≤ 2).
    field_number_mm : float, optional
        Eyepiece field number in mm, with ``objective_magnification``.
    objective_magnification : float, optional
        Objective magnification, with ``field_number_mm``.

    Returns
    -------
    Finding[float]
        Mitoses per 2 mm²; ``inputs`` holds the counted area and field size used.

    Raises
    ------
    InvalidInputError
        For a negative count, an unknown unit, field sizes out of range, field arguments that
        the unit does not use, or both a field area and a field number.
    InsufficientDataError
        When ``per_fields`` lacks ``n_fields`` or a field size, or only one of field number
        and objective magnification is given.

    References
    ----------
    WHO Classification of Tumours, Digestive System Tumours, 5th ed. (2019) [who2019];
    Rindi G et al., Mod Pathol 2018;31:1770-86 [rindi2018]. Counting 50 fields of 0.2 mm²
    (10 mm²) and expressing per 2 mm² is verified against a reproduction of the WHO table
    (knowledge base A1); the per-field arithmetic is derived from it.
    """
    n, resolved_unit, area, fn, mag = _read_mitoses(
        count, unit, n_fields, field_area_mm2, field_number_mm, objective_magnification
    )
    inputs: dict[str, object] = {"count": n, "unit": resolved_unit}
    refs = ("who2019", "rindi2018")
    if resolved_unit is MitosisUnit.PER_2MM2:
        return Finding(
            value=n,
            rule="WHO mitotic count",
            edition="2019",
            inputs=inputs,
            reason=f"{_num(n)} mitoses per 2 mm² as reported",
            references=refs,
        )

    if resolved_unit is MitosisUnit.PER_10HPF:
        fields = 10
        if area is None:
            return _legacy_finding(n, inputs, refs)
    else:
        if n_fields is None or area is None:
            absent = [
                name
                for name, value in (("n_fields", n_fields), ("field_area_mm2", area))
                if value is None
            ]
            raise InsufficientDataError(
                absent, "a count over microscope fields needs the number of fields and their size"
            )
        fields = n_fields

    return _fields_finding(n, fields, area, fn, mag, inputs, refs)


def _legacy_finding(n: float, inputs: dict[str, object], refs: tuple[str, ...]) -> Finding[float]:
    """Per 10 HPF without a field size: the legacy 10 HPF ≈ 2 mm² convention."""
    fields = 10
    inputs.update(n_fields=fields, field_area_mm2=LEGACY_HPF_AREA_MM2, counted_area_mm2=2.0)
    return Finding(
        value=n,
        rule="WHO mitotic count",
        edition="2019",
        inputs=inputs,
        reason=(
            f"{_num(n)} mitoses per 10 HPF taken as {_num(n)} per 2 mm² under the legacy "
            f"convention 1 HPF ≈ {LEGACY_HPF_AREA_MM2} mm² (10 HPF ≈ 2 mm²); give the "
            "field size to rescale exactly"
        ),
        references=refs,
        notes=(
            "Legacy convention applied: 10 HPF ≈ 2 mm². Real high-power fields differ "
            "(e.g. FN 22 with a 40× objective is 0.238 mm², so 10 HPF = 2.38 mm²).",
        ),
    )


def _fields_finding(
    n: float,
    fields: int,
    area: float,
    fn: float | None,
    mag: float | None,
    inputs: dict[str, object],
    refs: tuple[str, ...],
) -> Finding[float]:
    """Rescale a count over measured fields to per 2 mm²."""
    notes: list[str] = []
    counted = fields * area
    value = n * 2.0 / counted
    inputs.update(
        n_fields=fields,
        field_area_mm2=area,
        field_number_mm=fn,
        objective_magnification=mag,
        counted_area_mm2=counted,
    )
    if counted < _WHO_COUNTED_AREA_MM2:
        notes.append(
            f"Counted area {counted:.3g} mm² is below the 10 mm² (50 fields of 0.2 mm²) over "
            "which WHO counts; the per-2-mm² value is an extrapolation."
        )
    return Finding(
        value=value,
        rule="WHO mitotic count",
        edition="2019",
        inputs=inputs,
        reason=(
            f"{_num(n)} mitoses over {fields} fields of {area:.4g} mm² ({counted:.4g} mm²) "
            f"= {value:.3g} per 2 mm²"
        ),
        references=refs,
        notes=tuple(notes),
    )


def _read_mitoses(
    count: object,
    unit: object,
    n_fields: int | None,
    field_area_mm2: object,
    field_number_mm: object,
    objective_magnification: object,
) -> tuple[float, MitosisUnit, float | None, float | None, float | None]:
    """Check a mitotic count and its fields; return count, unit, field area and optics."""
    checks = Checks()
    n = checks.number("count", count, low=0, expected="a number of mitoses ≥ 0")
    resolved_unit = checks.member("unit", unit, MitosisUnit)
    area_given = field_area_mm2 is not None
    optics_given = field_number_mm is not None or objective_magnification is not None
    area = checks.optional_number(
        "field_area_mm2",
        field_area_mm2,
        low=0,
        high=2,
        low_open=True,
        expected="a field area in mm², 0 < area ≤ 2",
    )
    if n_fields is not None:
        checks.integer("n_fields", n_fields, low=1, expected="a whole number of fields ≥ 1")
    fn = None if field_number_mm is None else _check_field_number(checks, field_number_mm)
    mag = (
        None
        if objective_magnification is None
        else _check_magnification(checks, objective_magnification)
    )
    if area_given and optics_given:
        checks.add(
            "field_area_mm2",
            field_area_mm2,
            "either field_area_mm2 or field_number_mm with objective_magnification, not both",
        )
    if resolved_unit is MitosisUnit.PER_2MM2:
        for name, given in (
            ("n_fields", n_fields),
            ("field_area_mm2", field_area_mm2),
            ("field_number_mm", field_number_mm),
            ("objective_magnification", objective_magnification),
        ):
            if given is not None:
                checks.add(name, given, "nothing: the count is already per 2 mm²")
    if resolved_unit is MitosisUnit.PER_10HPF and n_fields not in (None, 10):
        checks.add("n_fields", n_fields, "10 or nothing: 'per_10hpf' is 10 fields by definition")
    checks.done()
    assert resolved_unit is not None  # checks.done() raised otherwise

    if optics_given:
        if fn is None or mag is None:
            missing = "objective_magnification" if fn is not None else "field_number_mm"
            raise InsufficientDataError(
                [missing], "a field area from optics needs both field number and objective"
            )
        area = _circle_area(fn, mag)

    return n, resolved_unit, area, fn, mag


def who_grade(
    *,
    ki67_percent: float | None,
    mitoses_per_2mm2: float | None,
    differentiation: Differentiation | str,
    edition: WHOEdition | str = WHOEdition.WHO_2019,
) -> Finding[Grade]:
    """Assign the WHO grade of a gastro-entero-pancreatic neuroendocrine neoplasm.

    Each available index gives a grade and the **higher** grade wins. WHO 2019 and 2022 use the
    same thresholds: Ki-67 < 3 % G1, 3-20 % G2, > 20 % G3 (so 2.99 → G1, 3.0 → G2, 20.0 → G2,
    20.1 → G3); mitoses per 2 mm² < 2 G1, 2-20 G2, > 20 G3. Differentiation decides NET
    versus NEC:

    * poorly differentiated → NEC whatever the numbers (WHO 2010: "NEC G3");
    * well differentiated → NET G1, G2 or G3 (WHO 2010 had no NET G3: Ki-67 > 20 % is "NEC G3");
    * unknown → graded as NET; when the grade is G3 a note says NEC must be excluded by
      morphology.

    Legacy WHO 2010: G1 Ki-67 ≤ 2 %, G2 3-20 %, G3 (NEC) > 20 %; mitoses < 2 / 2-20 / > 20 per
    10 HPF (≈ 2 mm²). The 2010 table leaves Ki-67 between 2 % and 3 % undefined; such a value
    (e.g. 2.5 %) is graded **G2** here, because G1 is defined only up to 2 % (the later move of
    the cut-off to < 3 % is what made 2.5 % a G1); that result is marked unverified with a note.

    Parameters
    ----------
    ki67_percent : float or None
        Ki-67 labelling index in % (0-100) in the hot spot; ``None`` if not done.
    mitoses_per_2mm2 : float or None
        Mitotic count per 2 mm² (see :func:`mitoses_per_2mm2`); ``None`` if not done.
    differentiation : Differentiation or str
        ``"well"``, ``"poorly"`` or ``"unknown"``.
    edition : WHOEdition or str, default "2019"
        ``"2019"``, ``"2022"`` or ``"2010"``.

    Returns
    -------
    Finding[Grade]
        The grade; ``inputs`` holds the grade given by each index.

    Raises
    ------
    InvalidInputError
        Ki-67 outside 0-100, a negative mitotic count, an unknown differentiation or edition.
    InsufficientDataError
        If both indices are missing and the tumour is not known to be poorly differentiated.

    References
    ----------
    WHO Classification of Tumours, Digestive System Tumours, 5th ed. (2019) [who2019];
    Rindi G et al., Mod Pathol 2018;31:1770-86 [rindi2018]; Rindi G et al., Endocr Pathol
    2022;33:115-154 [rindi2022]; WHO Classification of Tumours of the Digestive System, 4th ed.
    (2010) [who2010].
    """
    checks = Checks()
    ki67 = checks.optional_number(
        "ki67_percent", ki67_percent, low=0, high=100, expected="a percentage between 0 and 100"
    )
    mitoses = checks.optional_number(
        "mitoses_per_2mm2", mitoses_per_2mm2, low=0, expected="a mitotic count ≥ 0 per 2 mm²"
    )
    diff = checks.member("differentiation", differentiation, Differentiation)
    ed = checks.member("edition", edition, WHOEdition)
    checks.done()
    assert diff is not None
    assert ed is not None

    legacy = ed is WHOEdition.WHO_2010
    inputs: dict[str, object] = {
        "ki67_percent": ki67,
        "mitoses_per_2mm2": mitoses,
        "differentiation": diff,
        "edition": ed,
    }
    notes: list[str] = []
    parts: list[str] = []

    numeric_grade, verified = _index_grades(ki67, mitoses, legacy, inputs, parts, notes)
    grade = _morphology_grade(diff, numeric_grade, legacy, parts, notes)
    if not legacy:
        if ed is WHOEdition.WHO_2022 and grade is Grade.NEC:
            notes.append("WHO 2022: NECs are high grade by definition and are not graded.")
        notes.append(
            "If the neoplasm is a MiNEN (WHO 2022: each component ≥ 30 %), grade each component "
            "separately; this result grades one component."
        )

    return Finding(
        value=grade,
        rule="WHO grading",
        edition=ed.value,
        inputs=inputs,
        reason="; ".join(parts),
        references=_REFERENCES[ed],
        verified=verified,
        notes=tuple(notes),
    )


def _index_grades(
    ki67: float | None,
    mitoses: float | None,
    legacy: bool,
    inputs: dict[str, object],
    parts: list[str],
    notes: list[str],
) -> tuple[int | None, bool]:
    """Grade by Ki-67 and by mitoses; return the higher (or None) and whether verified."""
    verified = True
    ki67_grade = mitotic_grade = None
    if ki67 is not None:
        ki67_grade = _ki67_grade(ki67, legacy=legacy)
        inputs["grade_by_ki67"] = f"G{ki67_grade}"
        parts.append(f"Ki-67 {_num(ki67)} % → G{ki67_grade}")
        if legacy and 2 < ki67 < 3:
            verified = False
            notes.append(
                f"Ki-67 {_num(ki67)} % lies in the 2-3 % gap of the WHO 2010 table (G1 ≤ 2 %, "
                "G2 3-20 %); graded G2 because G1 is defined only up to 2 %. Under WHO 2019/2022 "
                "it would be G1 (< 3 %)."
            )
    else:
        parts.append("Ki-67 not given")
    if mitoses is not None:
        mitotic_grade = _mitotic_grade(mitoses)
        inputs["grade_by_mitoses"] = f"G{mitotic_grade}"
        unit = "per 10 HPF (≈ 2 mm²)" if legacy else "per 2 mm²"
        parts.append(f"mitoses {_num(mitoses)} {unit} → G{mitotic_grade}")
    else:
        parts.append("mitotic count not given")

    indices = [g for g in (ki67_grade, mitotic_grade) if g is not None]
    numeric_grade = max(indices) if indices else None
    if ki67_grade is not None and mitotic_grade is not None and ki67_grade != mitotic_grade:
        parts.append(f"discordant: higher grade G{numeric_grade} used")
    elif len(indices) == 1:
        used = "Ki-67" if ki67_grade is not None else "mitotic count"
        parts.append(f"graded on the {used} alone")

    return numeric_grade, verified


def _morphology_grade(
    diff: Differentiation,
    numeric_grade: int | None,
    legacy: bool,
    parts: list[str],
    notes: list[str],
) -> Grade:
    """Combine differentiation with the numeric grade."""
    if diff is Differentiation.POORLY:
        grade = Grade.NEC_G3 if legacy else Grade.NEC
        parts.append("poorly differentiated → " + grade.value + " regardless of the indices")
        if numeric_grade is not None and numeric_grade < 3:
            notes.append(
                "Poorly differentiated morphology with indices below the G3 range: NEC is "
                "defined by morphology, but NECs usually have Ki-67 > 20 % (often > 55 %); "
                "review the morphology and the hot-spot count."
            )
    elif numeric_grade is None:
        raise InsufficientDataError(
            ["ki67_percent", "mitoses_per_2mm2"],
            "grading a neuroendocrine tumour needs the Ki-67 index or the mitotic count",
        )
    else:
        grade = _numeric_to_grade(numeric_grade, legacy=legacy)
        if diff is Differentiation.UNKNOWN:
            parts.append(f"differentiation unknown → {grade.value}")
            if numeric_grade == 3:
                notes.append(
                    "Differentiation not recorded: a neoplasm with G3 indices may be a NET G3 or "
                    "a NEC, which must be excluded by morphology (NET G3 Ki-67 is typically "
                    "20-55 %, NEC usually > 55 %, but this is descriptive, not a cut-off)."
                )
        else:
            parts.append(f"well differentiated → {grade.value}")
        if legacy and numeric_grade == 3:
            notes.append(
                "WHO 2010 had no NET G3 category: every neoplasm with G3 indices was 'NEC G3'. "
                "A well-differentiated tumour with these indices is NET G3 under WHO 2019/2022."
            )

    return grade


def _check_field_number(checks: Checks, value: object) -> float:
    return checks.number(
        "field_number_mm", value, low=0, high=40, low_open=True, expected="mm, 0 < FN ≤ 40"
    )


def _check_magnification(checks: Checks, value: object) -> float:
    return checks.number(
        "objective_magnification", value, low=1, high=150, expected="a magnification of 1-150"
    )


def _circle_area(field_number_mm: float, objective_magnification: float) -> float:
    return math.pi * (field_number_mm / (2 * objective_magnification)) ** 2


def _ki67_grade(ki67: float, *, legacy: bool) -> int:
    if legacy:
        if ki67 <= 2:
            return 1
    elif ki67 < 3:
        return 1
    return 2 if ki67 <= 20 else 3


def _mitotic_grade(mitoses: float) -> int:
    if mitoses < 2:
        return 1
    return 2 if mitoses <= 20 else 3


def _numeric_to_grade(grade: int, *, legacy: bool) -> Grade:
    if grade == 1:
        return Grade.NET_G1
    if grade == 2:
        return Grade.NET_G2
    return Grade.NEC_G3 if legacy else Grade.NET_G3


def _num(value: float) -> str:
    return f"{value:g}"


def grade_histology(
    histology: Histology, edition: WHOEdition | str = WHOEdition.WHO_2019
) -> tuple[Finding[float] | None, Finding[Grade]]:
    """Grade one specimen of the clinical record.

    Normalises its mitotic count (when given) with :func:`mitoses_per_2mm2`, then grades it with
    :func:`who_grade`.

    Parameters
    ----------
    histology : Histology
        A specimen's differentiation, Ki-67 and mitotic count, as recorded.
    edition : WHOEdition or str
        The WHO edition to grade by.

    Returns
    -------
    tuple of (Finding or None, Finding)
        The mitotic count per 2 mm² (``None`` when not counted) and the grade.

    Raises
    ------
    InsufficientDataError
        When the specimen has neither a Ki-67 nor a mitotic count.

    References
    ----------
    .. [1] WHO Classification of Tumours, Digestive System Tumours, 5th ed. (2019).
    """
    mitoses: Finding[float] | None = None
    count = histology.mitotic_count
    if count is not None:
        mitoses = mitoses_per_2mm2(
            count.count,
            unit=count.unit,
            n_fields=count.n_fields,
            field_area_mm2=count.field_area_mm2,
        )
    grade = who_grade(
        ki67_percent=histology.ki67_percent,
        mitoses_per_2mm2=None if mitoses is None else mitoses.value,
        differentiation=histology.differentiation,
        edition=edition,
    )
    return mitoses, grade
