"""Choi and modified Choi response criteria (Choi 2007; knowledge base A3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.clinical.choi import ChoiResponse, choi_response
from netline.errors import InsufficientDataError, InvalidInputError

C = ChoiResponse


@pytest.mark.parametrize(
    ("size_now", "hu_now", "modified", "expected"),
    [
        # baseline 100 mm, 100 HU
        (90.0, 100.0, False, C.PR),  # size -10 %
        (90.1, 100.0, False, C.SD),
        (100.0, 85.0, False, C.PR),  # attenuation -15 %
        (100.0, 85.1, False, C.SD),
        (90.0, 85.0, True, C.PR),  # modified: both
        (90.0, 100.0, True, C.SD),  # modified: size alone is not enough
        (100.0, 80.0, True, C.SD),  # modified: attenuation alone is not enough
        (110.0, 100.0, False, C.PD),  # size +10 %, no attenuation drop
        (109.9, 100.0, False, C.SD),
        (115.0, 80.0, False, C.PR),  # bigger but much less dense: PR by attenuation
        (115.0, 80.0, True, C.SD),  # modified: not PR, and not PD (attenuation dropped)
        (0.0, 100.0, False, C.CR),
    ],
)
def test_choi(size_now: float, hu_now: float, modified: bool, expected: ChoiResponse) -> None:
    finding = choi_response(
        baseline_sum_mm=100,
        current_sum_mm=size_now,
        baseline_attenuation_hu=100,
        current_attenuation_hu=hu_now,
        new_lesions=False,
        modified=modified,
    )
    assert finding.value is expected
    assert finding.edition == ("modified" if modified else "2007")
    assert any("exploratory" in n for n in finding.notes)
    assert finding.references == ("choi2007",)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"new_lesions": True}, C.PD),
        ({"new_intratumoural_nodules": True}, C.PD),
        ({"non_measurable_progression": True}, C.SD),  # blocks PR
        ({"residual_non_measurable_disease": True, "current_sum_mm": 0.0}, C.PR),
    ],
)
def test_choi_flags(kwargs: dict[str, object], expected: ChoiResponse) -> None:
    arguments: dict[str, object] = {
        "baseline_sum_mm": 100,
        "current_sum_mm": 80,
        "baseline_attenuation_hu": 100,
        "current_attenuation_hu": 70,
        "new_lesions": False,
    }
    arguments.update(kwargs)
    assert choi_response(**arguments).value is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("size_now", "modified", "expected"),
    [
        (80.0, False, C.PR),  # size alone decides PR
        (95.0, True, C.SD),  # modified: size criterion fails, attenuation cannot help
        (0.0, False, C.CR),
    ],
)
def test_choi_without_attenuation_when_it_does_not_matter(
    size_now: float, modified: bool, expected: ChoiResponse
) -> None:
    finding = choi_response(
        baseline_sum_mm=100, current_sum_mm=size_now, new_lesions=False, modified=modified
    )
    assert finding.value is expected


@pytest.mark.parametrize(("size_now", "modified"), [(95.0, False), (120.0, False), (80.0, True)])
def test_choi_needs_attenuation_when_it_decides(size_now: float, modified: bool) -> None:
    with pytest.raises(InsufficientDataError) as info:
        choi_response(
            baseline_sum_mm=100, current_sum_mm=size_now, new_lesions=False, modified=modified
        )
    assert info.value.missing == ("baseline_attenuation_hu", "current_attenuation_hu")


def test_one_attenuation_value_is_not_used() -> None:
    finding = choi_response(
        baseline_sum_mm=100, current_sum_mm=80, baseline_attenuation_hu=90, new_lesions=False
    )
    assert finding.value is C.PR
    assert any("Only one attenuation" in n for n in finding.notes)


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [
        ({"baseline_sum_mm": 0}, "baseline_sum_mm"),
        ({"current_sum_mm": -1}, "current_sum_mm"),
        ({"baseline_attenuation_hu": -20}, "baseline_attenuation_hu"),
        ({"current_attenuation_hu": 5000}, "current_attenuation_hu"),
        ({"new_lesions": "no"}, "new_lesions"),
    ],
)
def test_invalid_choi(kwargs: dict[str, object], location: str) -> None:
    arguments: dict[str, object] = {
        "baseline_sum_mm": 100,
        "current_sum_mm": 80,
        "baseline_attenuation_hu": 100,
        "current_attenuation_hu": 70,
        "new_lesions": False,
    }
    arguments.update(kwargs)
    with pytest.raises(InvalidInputError) as info:
        choi_response(**arguments)  # type: ignore[arg-type]
    assert location in {p.location for p in info.value.problems}


sizes = st.floats(min_value=1, max_value=300, allow_nan=False)
hus = st.floats(min_value=1, max_value=300, allow_nan=False)


@given(base=sizes, now=sizes, base_hu=hus, now_hu=hus, modified=st.booleans())
def test_new_lesions_always_pd(
    base: float, now: float, base_hu: float, now_hu: float, modified: bool
) -> None:
    finding = choi_response(
        baseline_sum_mm=base,
        current_sum_mm=now,
        baseline_attenuation_hu=base_hu,
        current_attenuation_hu=now_hu,
        new_lesions=True,
        modified=modified,
    )
    assert finding.value is C.PD


@given(base=sizes, now=sizes, base_hu=hus, now_hu=hus)
def test_modified_pr_implies_original_pr(
    base: float, now: float, base_hu: float, now_hu: float
) -> None:
    common = {
        "baseline_sum_mm": base,
        "current_sum_mm": now,
        "baseline_attenuation_hu": base_hu,
        "current_attenuation_hu": now_hu,
        "new_lesions": False,
    }
    if choi_response(**common, modified=True).value is C.PR:  # type: ignore[arg-type]
        assert choi_response(**common).value is C.PR  # type: ignore[arg-type]
