"""The vectorised RECIST series against the scalar one (hypothesis property test)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netline._jit import forced
from netline.clinical.recist import (
    LesionMeasurement,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    ScanAssessment,
    TimePoint,
    best_overall_response,
    response_series,
)
from netline.clinical.recist._model import gone
from netline.clinical.recist.vectorised import (
    NEW_LESION_CODES,
    NON_TARGET_CODES,
    OVERALL_CODES,
    best_response_codes,
    series_response_codes,
)
from netline.errors import InvalidInputError
from netline.records.vocabulary import Organ

# sizes on a 0.5 mm grid around the 5 mm / 20 % / 30 % boundaries
SIZES = st.sampled_from([0.0, 0.5, 3.0, 4.5, 5.0, 8.0, 9.5, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0])
MAYBE_SIZE = st.one_of(st.none(), SIZES, SIZES, SIZES)


@st.composite
def series(draw: st.DrawFn) -> tuple[list[LesionMeasurement], list[ScanAssessment]]:
    n_targets = draw(st.integers(0, 3))
    nodes = [draw(st.booleans()) for _ in range(n_targets)]
    baseline = [
        LesionMeasurement(f"t{i}", Organ.LIVER, node, draw(st.sampled_from([10.0, 15.0, 20.0])))
        for i, node in enumerate(nodes)
    ]
    has_non_target = n_targets == 0 or draw(st.booleans())
    scans = []
    for k in range(draw(st.integers(1, 6))):
        targets = []
        for i, node in enumerate(nodes):
            size = draw(MAYBE_SIZE)
            if size is None and draw(st.booleans()):
                continue  # left out: not measured
            targets.append(LesionMeasurement(f"t{i}", Organ.LIVER, node, size))
        non_target = draw(st.sampled_from(list(NonTargetResponse))) if has_non_target else None
        new = draw(
            st.sampled_from(
                [NewLesions.ABSENT] * 3
                + [NewLesions.EQUIVOCAL] * 2
                + [NewLesions.PRESENT, NewLesions.NOT_ASSESSED]
            )
        )
        scans.append(ScanAssessment(30.0 * (k + 1), targets, non_target, new))
    return baseline, scans


def _rows(
    baseline: list[LesionMeasurement], scans: list[ScanAssessment]
) -> list[tuple[float, bool, bool, int, int]]:
    rows = [
        (
            sum(x.diameter_mm or 0.0 for x in baseline) if baseline else np.nan,
            False,
            False,
            -1,
            0,
        )
    ]
    for scan in scans:
        now = {x.id: x for x in scan.targets}
        measured = [
            now[b.id] for b in baseline if b.id in now and now[b.id].diameter_mm is not None
        ]
        total = 0.0
        for lesion in measured:
            total += lesion.diameter_mm or 0.0
        rows.append(
            (
                total if baseline else np.nan,
                all(gone(x) for x in measured),
                len(measured) < len(baseline),
                -1 if scan.non_target is None else NON_TARGET_CODES.index(scan.non_target),
                NEW_LESION_CODES.index(NewLesions(str(scan.new_lesions))),
            )
        )
    return rows


@settings(max_examples=150, deadline=None)
@given(st.lists(series(), min_size=1, max_size=4))
def test_vectorised_matches_scalar(
    cohort: list[tuple[list[LesionMeasurement], list[ScanAssessment]]],
) -> None:
    group, columns = [], []
    for g, (baseline, scans) in enumerate(cohort):
        for row in _rows(baseline, scans):
            group.append(g)
            columns.append(row)
    sums, gone_, unmeasured, non_target, new = (np.array(c) for c in zip(*columns, strict=True))
    response, revised = series_response_codes(group, sums, gone_, unmeasured, non_target, new)
    position = 0
    for baseline, scans in cohort:
        expected = response_series(baseline, scans).value
        assert response[position] == -1
        got = [OVERALL_CODES[c] for c in response[position + 1 : position + 1 + len(scans)]]
        got_revised = [OVERALL_CODES[c] for c in revised[position + 1 : position + 1 + len(scans)]]
        assert got == [p.response for p in expected.points]
        assert got_revised == [p.revised for p in expected.points]
        position += 1 + len(scans)


def test_vectorised_empty() -> None:
    response, revised = series_response_codes([], [], [], [], [], [])
    assert response.size == revised.size == 0


def test_vectorised_checks_shapes_and_order() -> None:
    with pytest.raises(InvalidInputError):
        series_response_codes([0, 0], [1.0], [False, False], [False, False], [-1, -1], [0, 0])
    with pytest.raises(InvalidInputError):
        series_response_codes([1, 0], [1.0, 1.0], [False, False], [False, False], [-1, -1], [0, 0])


R = OverallResponse
TARGET_KINDS = [R.CR, R.PR, R.SD, R.PD, R.NE]
NON_TARGET_KINDS = [R.CR, R.NON_CR_NON_PD, R.PD, R.NE]


@st.composite
def timelines(draw: st.DrawFn) -> list[TimePoint]:
    kinds = draw(st.sampled_from([TARGET_KINDS, NON_TARGET_KINDS]))
    gaps = draw(
        st.lists(st.sampled_from([7.0, 14.0, 21.0, 28.0, 35.0, 42.0]), min_size=1, max_size=7)
    )
    day = 0.0
    points = []
    for gap in gaps:
        day += gap
        points.append(TimePoint(day, draw(st.sampled_from(kinds))))
    return points


@settings(max_examples=200, deadline=None)
@given(st.lists(timelines(), min_size=1, max_size=5))
@pytest.mark.parametrize("mode", ["python", "compiled"])
def test_best_response_vectorised_matches_scalar(mode: str, cohort: list[list[TimePoint]]) -> None:
    # the loop kernel in both execution modes (netline._jit) against the scalar rule
    group = [g for g, points in enumerate(cohort) for _ in points]
    day = [p.day for points in cohort for p in points]
    code = [OVERALL_CODES.index(p.response) for points in cohort for p in points]
    with forced(mode):
        groups, best, confirmed = best_response_codes(group, day, code)
    assert list(groups) == list(range(len(cohort)))
    for g, points in enumerate(cohort):
        assert OVERALL_CODES[best[g]] is best_overall_response(points).value
        assert OVERALL_CODES[confirmed[g]] is best_overall_response(points, confirmation=True).value


def test_best_response_rules_by_example() -> None:
    # CR at 56 confirmed at 84; PR after CR counts as PD; SD before 42 days does not count
    group = [0, 0, 0, 1, 1, 2, 2]
    day = [56.0, 84.0, 112.0, 28.0, 70.0, 28.0, 56.0]
    code = [OVERALL_CODES.index(r) for r in (R.CR, R.CR, R.PR, R.SD, R.PD, R.PR, R.PR)]
    _, best, confirmed = best_response_codes(group, day, code)
    assert [OVERALL_CODES[c] for c in best] == [R.CR, R.PD, R.PR]
    assert [OVERALL_CODES[c] for c in confirmed] == [R.CR, R.PD, R.PR]


@st.composite
def spaced_timelines(draw: st.DrawFn) -> list[TimePoint]:
    """Any days (fractions, gaps from 0.5 to 60), any kinds of one disease type."""
    kinds = draw(st.sampled_from([TARGET_KINDS, NON_TARGET_KINDS]))
    gaps = draw(st.lists(st.floats(0.5, 60.0, allow_nan=False), min_size=1, max_size=9))
    day, points = 0.0, []
    for gap in gaps:
        day += gap
        points.append(TimePoint(day, draw(st.sampled_from(kinds))))
    return points


@settings(max_examples=300, deadline=None)
@given(
    st.lists(spaced_timelines(), min_size=1, max_size=6),
    st.lists(st.integers(1, 2**61), min_size=6, max_size=6),
    st.sampled_from([0.0, 1.0, 28.0, 42.0, 56.5]),
    st.sampled_from([0.0, 7.0, 28.0, 30.5]),
)
@pytest.mark.parametrize("mode", ["python", "compiled"])
def test_best_response_any_ids_and_durations_match_scalar(
    mode: str, cohort: list[list[TimePoint]], steps: list[int], min_sd: float, min_conf: float
) -> None:
    # group ids: increasing, any size (up to about 2**63), not dense
    ids = [sum(steps[: g + 1]) for g in range(len(cohort))]
    group = [ids[g] for g, points in enumerate(cohort) for _ in points]
    day = [p.day for points in cohort for p in points]
    code = [OVERALL_CODES.index(p.response) for points in cohort for p in points]
    with forced(mode):
        groups, best, confirmed = best_response_codes(
            group, day, code, min_sd_days=min_sd, min_confirmation_days=min_conf
        )
    assert list(groups) == ids
    for g, points in enumerate(cohort):
        scalar = best_overall_response(points, min_sd_days=min_sd, min_confirmation_days=min_conf)
        assert OVERALL_CODES[best[g]] is scalar.value
        with_confirmation = best_overall_response(
            points, confirmation=True, min_sd_days=min_sd, min_confirmation_days=min_conf
        )
        assert OVERALL_CODES[confirmed[g]] is with_confirmation.value
