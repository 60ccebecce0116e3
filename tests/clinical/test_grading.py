"""WHO grading and mitotic-count normalisation (knowledge base A1)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.clinical.grading import (
    LEGACY_HPF_AREA_MM2,
    Grade,
    MitosisUnit,
    WHOEdition,
    microscope_field_area,
    mitoses_per_2mm2,
    who_grade,
)
from netline.errors import InsufficientDataError, InvalidInputError
from netline.records.vocabulary import Differentiation

WELL = Differentiation.WELL


def locations(error: InvalidInputError) -> dict[str, object]:
    return {p.location: p.value for p in error.problems}


# --------------------------------------------------------------------------- Ki-67 and mitoses


@pytest.mark.parametrize(
    ("ki67", "expected"),
    [
        (0.0, Grade.NET_G1),
        (2.0, Grade.NET_G1),
        (2.5, Grade.NET_G1),  # the old 2-3 % gap is G1 since WHO 2017
        (2.99, Grade.NET_G1),
        (3.0, Grade.NET_G2),
        (10.0, Grade.NET_G2),
        (20.0, Grade.NET_G2),
        (20.1, Grade.NET_G3),
        (55.0, Grade.NET_G3),
        (100.0, Grade.NET_G3),
    ],
)
@pytest.mark.parametrize("edition", ["2019", "2022"])
def test_ki67_boundaries(ki67: float, expected: Grade, edition: str) -> None:
    finding = who_grade(
        ki67_percent=ki67, mitoses_per_2mm2=None, differentiation=WELL, edition=edition
    )
    assert finding.value is expected
    assert finding.verified
    assert "Ki-67" in finding.reason
    assert "graded on the Ki-67 alone" in finding.reason


@pytest.mark.parametrize(
    ("mitoses", "expected"),
    [
        (0.0, Grade.NET_G1),
        (1.9, Grade.NET_G1),
        (2.0, Grade.NET_G2),
        (20.0, Grade.NET_G2),
        (20.5, Grade.NET_G3),
        (21.0, Grade.NET_G3),
    ],
)
def test_mitotic_boundaries(mitoses: float, expected: Grade) -> None:
    finding = who_grade(ki67_percent=None, mitoses_per_2mm2=mitoses, differentiation=WELL)
    assert finding.value is expected
    assert "graded on the mitotic count alone" in finding.reason


@pytest.mark.parametrize(
    ("ki67", "mitoses", "expected", "discordant"),
    [
        (1.0, 1.0, Grade.NET_G1, False),
        (1.0, 5.0, Grade.NET_G2, True),  # higher grade wins
        (15.0, 0.0, Grade.NET_G2, True),
        (15.0, 25.0, Grade.NET_G3, True),
        (25.0, 1.0, Grade.NET_G3, True),
    ],
)
def test_higher_grade_wins(ki67: float, mitoses: float, expected: Grade, discordant: bool) -> None:
    finding = who_grade(ki67_percent=ki67, mitoses_per_2mm2=mitoses, differentiation=WELL)
    assert finding.value is expected
    assert ("discordant" in finding.reason) is discordant


def test_seed_case_primary_is_net_g2() -> None:
    # Case report: PNET G2, 3.5 cm, mitotic count 6 per 10 HPF, Ki-67 10 %.
    mitoses = mitoses_per_2mm2(6, unit="per_10hpf")
    assert mitoses.value == 6.0
    assert "10 HPF ≈ 2 mm²" in mitoses.reason
    finding = who_grade(ki67_percent=10, mitoses_per_2mm2=mitoses.value, differentiation="well")
    assert finding.value is Grade.NET_G2
    assert finding.inputs["grade_by_ki67"] == "G2"
    assert finding.inputs["grade_by_mitoses"] == "G2"
    assert finding.references == ("who2019", "rindi2018")
    assert finding.edition == "2019"


def test_seed_case_liver_metastasis_ki67_12_is_g2() -> None:
    finding = who_grade(ki67_percent=12, mitoses_per_2mm2=None, differentiation=WELL)
    assert finding.value is Grade.NET_G2


# --------------------------------------------------------------------------- differentiation


@pytest.mark.parametrize(
    ("edition", "expected"),
    [("2019", Grade.NEC), ("2022", Grade.NEC), ("2010", Grade.NEC_G3)],
)
@pytest.mark.parametrize(("ki67", "mitoses"), [(80.0, 40.0), (5.0, 1.0), (None, None)])
def test_poorly_differentiated_is_nec_regardless(
    edition: str, expected: Grade, ki67: float | None, mitoses: float | None
) -> None:
    finding = who_grade(
        ki67_percent=ki67,
        mitoses_per_2mm2=mitoses,
        differentiation=Differentiation.POORLY,
        edition=edition,
    )
    assert finding.value is expected
    assert "regardless" in finding.reason
    low_indices = ki67 is not None and ki67 <= 20
    assert any("defined by morphology" in n for n in finding.notes) is low_indices


def test_nec_not_graded_note_in_2022_only() -> None:
    nec_2022 = who_grade(
        ki67_percent=70, mitoses_per_2mm2=None, differentiation="poorly", edition="2022"
    )
    nec_2019 = who_grade(ki67_percent=70, mitoses_per_2mm2=None, differentiation="poorly")
    assert any("not graded" in n for n in nec_2022.notes)
    assert not any("not graded" in n for n in nec_2019.notes)
    assert nec_2022.references[0] == "rindi2022"


def test_unknown_differentiation_g3_needs_morphology() -> None:
    finding = who_grade(ki67_percent=35, mitoses_per_2mm2=None, differentiation="unknown")
    assert finding.value is Grade.NET_G3
    assert any("excluded by morphology" in n for n in finding.notes)
    low = who_grade(ki67_percent=10, mitoses_per_2mm2=None, differentiation="unknown")
    assert low.value is Grade.NET_G2
    assert not any("excluded by morphology" in n for n in low.notes)


@pytest.mark.parametrize("edition", ["2019", "2022"])
def test_minen_note(edition: str) -> None:
    finding = who_grade(
        ki67_percent=5, mitoses_per_2mm2=None, differentiation=WELL, edition=edition
    )
    assert any("MiNEN" in n and "30 %" in n for n in finding.notes)


# --------------------------------------------------------------------------- WHO 2010


@pytest.mark.parametrize(
    ("ki67", "expected", "verified"),
    [
        (2.0, Grade.NET_G1, True),
        (2.5, Grade.NET_G2, False),  # the 2-3 % gap: G2, flagged
        (2.99, Grade.NET_G2, False),
        (3.0, Grade.NET_G2, True),
        (20.0, Grade.NET_G2, True),
        (20.1, Grade.NEC_G3, True),
    ],
)
def test_who_2010(ki67: float, expected: Grade, verified: bool) -> None:
    finding = who_grade(
        ki67_percent=ki67, mitoses_per_2mm2=None, differentiation=WELL, edition=WHOEdition.WHO_2010
    )
    assert finding.value is expected
    assert finding.verified is verified
    assert finding.references == ("who2010",)
    assert any("2-3 % gap" in n for n in finding.notes) is (not verified)


def test_who_2010_well_differentiated_g3_note() -> None:
    finding = who_grade(
        ki67_percent=30, mitoses_per_2mm2=None, differentiation=WELL, edition="2010"
    )
    assert finding.value is Grade.NEC_G3
    assert any("no NET G3" in n for n in finding.notes)


# --------------------------------------------------------------------------- errors


def test_both_indices_missing() -> None:
    with pytest.raises(InsufficientDataError) as info:
        who_grade(ki67_percent=None, mitoses_per_2mm2=None, differentiation=WELL)
    assert info.value.missing == ("ki67_percent", "mitoses_per_2mm2")


@pytest.mark.parametrize(
    ("kwargs", "location", "value"),
    [
        ({"ki67_percent": 120}, "ki67_percent", 120),
        ({"ki67_percent": -0.1}, "ki67_percent", -0.1),
        ({"ki67_percent": math.nan}, "ki67_percent", None),
        ({"ki67_percent": True}, "ki67_percent", True),
        ({"mitoses_per_2mm2": -1}, "mitoses_per_2mm2", -1),
        ({"differentiation": "moderate"}, "differentiation", "moderate"),
        ({"edition": "2017"}, "edition", "2017"),
    ],
)
def test_invalid_grade_inputs(kwargs: dict[str, object], location: str, value: object) -> None:
    arguments: dict[str, object] = {
        "ki67_percent": 5.0,
        "mitoses_per_2mm2": 1.0,
        "differentiation": "well",
    }
    arguments.update(kwargs)
    with pytest.raises(InvalidInputError) as info:
        who_grade(**arguments)  # type: ignore[arg-type]
    found = locations(info.value)
    assert location in found
    if value is not None:
        assert found[location] == value


def test_every_problem_reported_at_once() -> None:
    with pytest.raises(InvalidInputError) as info:
        who_grade(ki67_percent=120, mitoses_per_2mm2=-1, differentiation="x", edition="1")
    assert set(locations(info.value)) == {
        "ki67_percent",
        "mitoses_per_2mm2",
        "differentiation",
        "edition",
    }


# --------------------------------------------------------------------------- mitotic count


def test_field_area_from_optics() -> None:
    assert microscope_field_area(22, 40) == pytest.approx(0.2376, abs=1e-4)
    with pytest.raises(InvalidInputError) as info:
        microscope_field_area(0, 40)
    assert locations(info.value) == {"field_number_mm": 0}


@pytest.mark.parametrize(
    ("count", "kwargs", "expected"),
    [
        (6, {"unit": "per_2mm2"}, 6.0),
        (6, {"unit": MitosisUnit.PER_10HPF}, 6.0),
        (6, {"unit": "per_10hpf", "n_fields": 10}, 6.0),
        (30, {"unit": "per_fields", "n_fields": 50, "field_area_mm2": 0.2}, 6.0),
        (3, {"unit": "per_fields", "n_fields": 10, "field_area_mm2": 0.5}, 1.2),
        # FN 22, 40x: 10 HPF = 2.376 mm², so 6 per 10 HPF is 5.05 per 2 mm².
        (
            6,
            {"unit": "per_10hpf", "field_number_mm": 22, "objective_magnification": 40},
            6 * 2 / (10 * math.pi * (22 / 80) ** 2),
        ),
        (6, {"unit": "per_10hpf", "field_area_mm2": 0.25}, 4.8),
        (
            12,
            {
                "unit": "per_fields",
                "n_fields": 20,
                "field_number_mm": 20,
                "objective_magnification": 40,
            },
            12 * 2 / (20 * math.pi * 0.25**2),
        ),
    ],
)
def test_mitoses_normalisation(count: float, kwargs: dict[str, object], expected: float) -> None:
    finding = mitoses_per_2mm2(count, **kwargs)  # type: ignore[arg-type]
    assert finding.value == pytest.approx(expected)
    assert finding.rule == "WHO mitotic count"


def test_small_counted_area_is_noted() -> None:
    small = mitoses_per_2mm2(2, unit="per_fields", n_fields=10, field_area_mm2=0.2)
    assert small.value == pytest.approx(2.0)
    assert any("extrapolation" in n for n in small.notes)
    full = mitoses_per_2mm2(10, unit="per_fields", n_fields=50, field_area_mm2=0.2)
    assert not full.notes


def test_legacy_convention_is_stated() -> None:
    finding = mitoses_per_2mm2(6, unit="per_10hpf")
    assert finding.inputs["field_area_mm2"] == LEGACY_HPF_AREA_MM2
    assert "legacy convention" in finding.reason
    assert finding.notes


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [
        ({"unit": "per_hpf"}, "unit"),
        ({"unit": "per_2mm2", "n_fields": 10}, "n_fields"),
        ({"unit": "per_2mm2", "field_area_mm2": 0.2}, "field_area_mm2"),
        ({"unit": "per_10hpf", "n_fields": 12}, "n_fields"),
        ({"unit": "per_fields", "n_fields": 0, "field_area_mm2": 0.2}, "n_fields"),
        ({"unit": "per_fields", "n_fields": 10, "field_area_mm2": 3.0}, "field_area_mm2"),
        (
            {
                "unit": "per_fields",
                "n_fields": 10,
                "field_area_mm2": 0.2,
                "field_number_mm": 22,
                "objective_magnification": 40,
            },
            "field_area_mm2",
        ),
    ],
)
def test_invalid_mitosis_arguments(kwargs: dict[str, object], location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        mitoses_per_2mm2(5, **kwargs)  # type: ignore[arg-type]
    assert location in locations(info.value)


def test_negative_count() -> None:
    with pytest.raises(InvalidInputError) as info:
        mitoses_per_2mm2(-2, unit="per_2mm2")
    assert locations(info.value) == {"count": -2}


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"unit": "per_fields", "field_area_mm2": 0.2}, ("n_fields",)),
        ({"unit": "per_fields", "n_fields": 10}, ("field_area_mm2",)),
        ({"unit": "per_10hpf", "field_number_mm": 22}, ("objective_magnification",)),
    ],
)
def test_missing_field_information(kwargs: dict[str, object], missing: tuple[str, ...]) -> None:
    with pytest.raises(InsufficientDataError) as info:
        mitoses_per_2mm2(5, **kwargs)  # type: ignore[arg-type]
    assert info.value.missing == missing


# --------------------------------------------------------------------------- properties

_ORDER = {Grade.NET_G1: 1, Grade.NET_G2: 2, Grade.NET_G3: 3, Grade.NEC_G3: 3}
ki67s = st.floats(min_value=0, max_value=100, allow_nan=False)
counts = st.floats(min_value=0, max_value=200, allow_nan=False)


@given(a=ki67s, b=ki67s, edition=st.sampled_from(["2010", "2019", "2022"]))
def test_grade_is_monotone_in_ki67(a: float, b: float, edition: str) -> None:
    low, high = sorted((a, b))
    g_low = who_grade(
        ki67_percent=low, mitoses_per_2mm2=None, differentiation=WELL, edition=edition
    )
    g_high = who_grade(
        ki67_percent=high, mitoses_per_2mm2=None, differentiation=WELL, edition=edition
    )
    assert _ORDER[g_low.value] <= _ORDER[g_high.value]


@given(ki67=ki67s, mitoses=counts)
def test_combined_grade_is_the_higher_index(ki67: float, mitoses: float) -> None:
    both = who_grade(ki67_percent=ki67, mitoses_per_2mm2=mitoses, differentiation=WELL)
    by_ki67 = who_grade(ki67_percent=ki67, mitoses_per_2mm2=None, differentiation=WELL)
    by_mitoses = who_grade(ki67_percent=None, mitoses_per_2mm2=mitoses, differentiation=WELL)
    assert _ORDER[both.value] == max(_ORDER[by_ki67.value], _ORDER[by_mitoses.value])


@given(
    count=st.integers(min_value=0, max_value=500),
    n_fields=st.integers(min_value=1, max_value=100),
    area=st.floats(min_value=0.05, max_value=1.0),
)
def test_per_fields_scales_to_2mm2(count: int, n_fields: int, area: float) -> None:
    finding = mitoses_per_2mm2(count, unit="per_fields", n_fields=n_fields, field_area_mm2=area)
    assert finding.value == pytest.approx(count * 2 / (n_fields * area))
    assert finding.inputs["counted_area_mm2"] == pytest.approx(n_fields * area)


@pytest.mark.parametrize(
    ("histology", "mitoses", "grade"),
    [
        (
            {
                "ki67_percent": 10,
                "differentiation": "well",
                "mitotic_count": {"count": 6, "unit": "per_10hpf"},
            },
            6.0,
            "NET G2",
        ),
        ({"ki67_percent": 12, "differentiation": "well"}, None, "NET G2"),
        (
            {
                "differentiation": "well",
                "mitotic_count": {
                    "count": 30,
                    "unit": "per_fields",
                    "n_fields": 50,
                    "field_area_mm2": 0.2,
                },
            },
            6.0,
            "NET G2",
        ),
        ({"ki67_percent": 40, "differentiation": "poorly"}, None, "NEC"),
    ],
)
def test_grade_histology_normalises_then_grades(
    histology: dict[str, object], mitoses: float | None, grade: str
) -> None:
    from netline.clinical import grade_histology
    from netline.records import Histology

    count, finding = grade_histology(Histology.model_validate(histology))
    assert (None if count is None else count.value) == (
        None if mitoses is None else pytest.approx(mitoses)
    )
    assert finding.value == grade


def test_grade_histology_without_indices_is_insufficient() -> None:
    from netline.clinical import grade_histology
    from netline.errors import InsufficientDataError
    from netline.records import Histology

    with pytest.raises(InsufficientDataError):
        grade_histology(Histology(differentiation="well"))
