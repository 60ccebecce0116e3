"""Clinical records (:class:`~netline.records.CaseRecord`) from a synthetic cohort.

A per-patient loop, meant for small cohorts (examples, tests, the web demo): flattening the
records again with :func:`~netline.course.tables.tables_from_records` gives back the cohort's
tables, RECIST responses included (they are recomputed from the lesion measurements).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from netline.records.model import (
    CaseRecord,
    Cycle,
    DiseaseStatus,
    Imaging,
    LabPanel,
    LabResult,
    Lesion,
    Metastasis,
    Patient,
    PrimaryTumour,
    Surgery,
    SystemicTherapy,
)
from netline.records.vocabulary import (
    DiseaseStatusValue,
    ImagingModality,
    Margin,
    Organ,
    PrimarySite,
    ReasonStopped,
    Sex,
    SurgeryIntent,
    SurgicalProcedure,
)

if TYPE_CHECKING:
    from netline.course.synthetic import SyntheticCohort

__all__ = ["cohort_records"]

_STATUS = {
    "progressing": DiseaseStatusValue.PROGRESSING,
    "stable": DiseaseStatusValue.STABLE,
    "responding": DiseaseStatusValue.RESPONDING,
    "NED": DiseaseStatusValue.NO_EVIDENCE_OF_DISEASE,
}


def _group(table: Any, wanted: set[int] | None) -> dict[int, list[dict[str, Any]]]:
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in table.to_pylist():
        if wanted is None or row["patient_id"] in wanted:
            rows[row["patient_id"]].append(row)
    return rows


def _therapy_events(episodes: list[dict[str, Any]]) -> list[Any]:
    """Turn one patient's treatment episodes into systemic-therapy events."""
    events: list[Any] = []
    for ep in episodes:
        reason = ep["reason_stopped"]
        events.append(
            SystemicTherapy(
                id=f"tx{ep['episode_id']}",
                agent=ep["agent"],
                start=ep["start"],
                stop=ep["stop"],
                reason_stopped=ReasonStopped(reason) if reason else None,
                cycles=[Cycle(date=ep["start"])] if ep["cycles"] else [],
            )
        )
    return events


def _imaging_events(lesions: list[dict[str, Any]]) -> list[Any]:
    """Group one patient's lesion measurements by date into CT imaging events."""
    scans: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for lesion in lesions:
        scans[lesion["date"]].append(lesion)
    events: list[Any] = []
    for j, (date, measured) in enumerate(sorted(scans.items())):
        events.append(
            Imaging(
                id=f"ct{j}",
                date=date,
                modality=ImagingModality.CT,
                organs_involved=[Organ.LIVER],
                new_lesions=bool(measured[0]["new_lesions"]),
                lesions=[
                    Lesion(
                        id=m["lesion_id"],
                        organ=Organ(m["organ"]),
                        diameter_mm=m["diameter_mm"],
                        target=True,
                    )
                    for m in measured
                ],
            )
        )
    return events


def _status_events(assessments: list[dict[str, Any]]) -> list[Any]:
    """Turn one patient's clinician assessments into disease-status events."""
    clinician = [a for a in assessments if a["source"] == "clinician"]
    return [
        DiseaseStatus(
            id=f"status{j}",
            date=a["date"],
            status=_STATUS[a["response"]],
            basis=["imaging"],
        )
        for j, a in enumerate(clinician)
    ]


def _lab_events(labs: list[dict[str, Any]]) -> list[Any]:
    """Turn one patient's lab rows into single-result lab-panel events."""
    return [
        LabPanel(
            id=f"lab{j}",
            date=lab["date"],
            results=[
                LabResult.model_validate(
                    {"analyte": lab["analyte"], "value": lab["value"], "unit": lab["unit"]}
                )
            ],
        )
        for j, lab in enumerate(labs)
    ]


def _surgery_events(procedures: list[dict[str, Any]]) -> list[Any]:
    """Turn one patient's procedure rows into surgery events."""
    return [
        Surgery(
            id=f"surgery{j}",
            date=proc["date"],
            procedure=SurgicalProcedure(proc["procedure"]),
            organs=[Organ(o) for o in proc["organs"].split(",")],
            intent=SurgeryIntent(proc["intent"]),
            margin=Margin(proc["margin"]) if proc["margin"] else None,
        )
        for j, proc in enumerate(procedures)
    ]


def cohort_records(cohort: SyntheticCohort, patient_ids: Iterable[int] | None) -> list[CaseRecord]:
    """Build one record per patient (see :meth:`SyntheticCohort.records`)."""
    wanted = None if patient_ids is None else {int(p) for p in patient_ids}
    t = cohort.tables
    episodes = _group(t.episodes, wanted)
    assessments = _group(t.assessments, wanted)
    procedures = _group(t.procedures, wanted)
    labs = _group(cohort.labs, wanted)
    lesions = _group(cohort.lesions, wanted)
    follow = _group(t.followup, wanted)
    people = _group(cohort.patients, wanted)
    records = []
    for pid in sorted(follow):
        fu = follow[pid][0]
        person = people[pid][0]
        events: list[Any] = [
            *_therapy_events(episodes.get(pid, [])),
            *_imaging_events(lesions.get(pid, [])),
            *_status_events(assessments.get(pid, [])),
            *_lab_events(labs.get(pid, [])),
            *_surgery_events(procedures.get(pid, [])),
        ]
        records.append(
            CaseRecord(
                id=f"syn-{pid}",
                source="netline synthetic cohort",
                synthetic=True,
                patient=Patient(
                    id=f"syn-{pid}",
                    sex=Sex(person["sex"]),
                    birth_date=person["birth_date"],
                    death_date=fu["death"],
                    last_follow_up=fu["last_follow_up"],
                ),
                primary=PrimaryTumour(site=PrimarySite(person["site"]), diagnosed=fu["diagnosis"]),
                metastases=[Metastasis(organ=Organ.LIVER, found=fu["first_metastasis"])],
                events=events,
            )
        )
    return records
