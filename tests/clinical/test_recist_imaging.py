"""RECIST time points from the scans of a record (replaces course/_recist.py)."""

from __future__ import annotations

import datetime as dt

from netline.clinical.recist import (
    NewLesions,
    ScanResponse,
    imaging_timepoints,
    new_lesions_of,
    select_targets,
)
from netline.records.model import Imaging, Lesion
from netline.records.vocabulary import ImagingModality, Organ

D = dt.date


def ct(day: D, sizes: dict[str, float | None], scan_id: str, **extra: object) -> Imaging:
    lesions = [Lesion(id=k, organ=Organ.LIVER, diameter_mm=v) for k, v in sizes.items()]
    extra_lesions = extra.pop("lesions", [])
    assert isinstance(extra_lesions, list)
    return Imaging(
        id=scan_id,
        date=day,
        modality=ImagingModality.CT,
        lesions=lesions + extra_lesions,
        **extra,
    )


def responses(points: list[ScanResponse]) -> list[tuple[D, str]]:
    return [(p.date, p.response) for p in points]


def test_reappearance_after_cr_is_pd_with_its_date() -> None:
    scans = [
        ct(D(2020, 1, 1), {"a": 30.0}, "b"),
        ct(D(2020, 3, 1), {"a": 0.0}, "s1"),
        ct(D(2020, 5, 1), {"a": 0.0}, "s2"),
        ct(D(2020, 7, 1), {"a": 4.0}, "s3"),
    ]
    points = imaging_timepoints(scans, [D(2020, 1, 2)])
    assert responses(points) == [
        (D(2020, 3, 1), "CR"),
        (D(2020, 5, 1), "CR"),
        (D(2020, 7, 1), "PD"),
    ]
    assert points[-1].progression_date == D(2020, 7, 1)


def test_equivocal_lesion_confirmed_later_dates_progression_back() -> None:
    suspected = Lesion(id="new1", organ=Organ.LIVER, new=True, equivocal=True)
    confirmed = Lesion(id="new1", organ=Organ.LIVER, new=True, diameter_mm=12.0)
    scans = [
        ct(D(2021, 1, 1), {"a": 30.0}, "b"),
        ct(D(2021, 4, 1), {"a": 29.0}, "s1", lesions=[suspected]),
        ct(D(2021, 7, 1), {"a": 29.0}, "s2", lesions=[confirmed]),
    ]
    points = imaging_timepoints(scans, [D(2021, 1, 2)])
    assert responses(points) == [(D(2021, 4, 1), "SD"), (D(2021, 7, 1), "PD")]
    assert points[0].equivocal_new
    assert points[0].progression_date is None
    assert points[1].progression_date == D(2021, 4, 1)


def test_equivocal_lesion_that_goes_away_is_not_progression() -> None:
    scans = [
        ct(D(2021, 1, 1), {"a": 30.0}, "b"),
        ct(D(2021, 4, 1), {"a": 29.0}, "s1", new_lesions=True, new_lesions_equivocal=True),
        ct(D(2021, 7, 1), {"a": 29.0}, "s2", new_lesions=False),
    ]
    points = imaging_timepoints(scans, [])
    assert responses(points) == [(D(2021, 4, 1), "SD"), (D(2021, 7, 1), "SD")]
    assert all(p.progression_date is None for p in points)


def test_unmeasured_scan_with_unequivocal_new_lesion_is_pd() -> None:
    pet = Imaging(id="pet", date=D(2021, 5, 1), modality=ImagingModality.SSTR_PET, new_lesions=True)
    equivocal_pet = Imaging(
        id="pet0",
        date=D(2021, 3, 1),
        modality=ImagingModality.SSTR_PET,
        new_lesions=True,
        new_lesions_equivocal=True,
    )
    scans = [ct(D(2021, 1, 1), {"a": 30.0}, "b"), equivocal_pet, pet]
    points = imaging_timepoints(scans, [])
    # the equivocal PET has no response of its own but dates the progression back
    assert responses(points) == [(D(2021, 5, 1), "PD")]
    assert points[0].progression_date == D(2021, 3, 1)


def test_new_lesions_of() -> None:
    day = D(2021, 1, 1)
    assert new_lesions_of(ct(day, {}, "x")) is NewLesions.ABSENT
    assert new_lesions_of(ct(day, {}, "x", new_lesions=True)) is NewLesions.PRESENT
    both = ct(day, {}, "x", new_lesions=True, new_lesions_equivocal=True)
    assert new_lesions_of(both) is NewLesions.EQUIVOCAL
    mixed = [
        Lesion(id="n1", organ=Organ.LUNG, new=True, equivocal=True),
        Lesion(id="n2", organ=Organ.LUNG, new=True),
    ]
    assert new_lesions_of(ct(day, {}, "x", lesions=mixed)) is NewLesions.PRESENT


def test_select_targets_two_per_organ_largest_first() -> None:
    scan = ct(D(2021, 1, 1), {"a": 12.0, "b": 40.0, "c": 30.0, "d": 9.0}, "b")
    assert [lesion.id for lesion in select_targets(scan)] == ["b", "c"]
