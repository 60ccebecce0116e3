"""Export a registry to OMOP CDM v5.4 tables, with lines of therapy as EPISODE rows.

Tables written (CSV or Parquet, one file each):

* ``person`` -- sex, birth date (or year); ``person_source_value`` is netline's patient id.
* ``observation_period`` -- from the diagnosis (or first event) to the last follow-up.
* ``condition_occurrence`` -- the primary tumour (``primary:<site>``) and each metastasis
  (``metastasis:<organ>``), dated.
* ``drug_exposure`` -- one row per systemic therapy (agent, start, stop, reason stopped;
  ``quantity`` is the number of cycles).
* ``procedure_occurrence`` -- surgery (``surgery:<procedure>``, organs in
  ``modifier_source_value``), local therapy (``local_therapy:<modality>``, organ) and imaging
  (``imaging:<modality>``).
* ``measurement`` -- Ki-67 of the primary tumour and every laboratory result.
* ``observation`` -- the functioning syndrome, recorded imaging responses (linked to their
  imaging procedure by ``observation_event_id``) and clinicians' disease status.
* ``death`` -- date and cause.
* ``episode`` / ``episode_event`` -- each line of therapy and its drug exposures.

Concept ids come from the NET concept sets (:mod:`netline.registry._omop_vocab`, most of
them marked unverified there); netline's own code is always in ``*_source_value``, so that
:func:`netline.registry.omop_import.import_omop` reads the tables back. What OMOP cannot
carry is listed in ``docs/registry.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from netline.errors import InvalidInputError
from netline.records import (
    CaseRecord,
    DiseaseStatus,
    Imaging,
    LabPanel,
    LocalTherapy,
    Surgery,
    SystemicTherapy,
)
from netline.registry import _course
from netline.registry._omop_vocab import (
    MEAS_LESION,
    OBS_DISEASE_STATUS,
    OBS_FUNCTIONING,
    concept_id,
    pack_lesion,
    scan_findings,
)

__all__ = ["OMOP_TABLES", "export_omop", "export_records"]

#: The tables :func:`export_omop` writes; the first eight are read back by the importer.
OMOP_TABLES = (
    "person",
    "observation_period",
    "condition_occurrence",
    "drug_exposure",
    "procedure_occurrence",
    "measurement",
    "observation",
    "death",
    "episode",
    "episode_event",
)
#: Field concept of procedure_occurrence.procedure_occurrence_id (for observation_event_id).
_PROCEDURE_FIELD_CONCEPT = 1147082
_EHR = 32817  # type concept "EHR" (unverified; see the concept sets' note)


def export_omop(
    registry: Any, folder: str | Path, fmt: Literal["csv", "parquet"] = "csv"
) -> dict[str, int]:
    """Write the registry's patients as OMOP CDM v5.4 tables; return the rows per table.

    Parameters
    ----------
    registry : Registry
        An open registry.
    folder : str or Path
        Where to write ``<table>.csv`` or ``<table>.parquet`` (created if needed).
    fmt : {"csv", "parquet"}
    """
    return export_records(registry.records(), folder, fmt)


def export_records(
    records: list[CaseRecord], folder: str | Path, fmt: Literal["csv", "parquet"] = "csv"
) -> dict[str, int]:
    """Write records (no registry needed) as OMOP CDM v5.4 tables. See :func:`export_omop`."""
    import pandas as pd  # type: ignore[import-untyped]

    if fmt not in ("csv", "parquet"):
        raise InvalidInputError.single("fmt", fmt, "csv or parquet")
    records = sorted(records, key=lambda r: r.patient.id)
    person_id = {r.patient.id: i + 1 for i, r in enumerate(records)}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in (*OMOP_TABLES, "_links")}
    for record in records:
        _record_rows(record, person_id[record.patient.id], rows)
    out = {name: _typed(pd.DataFrame(rows[name], columns=_COLUMNS[name])) for name in OMOP_TABLES}
    out |= _episodes(records, person_id, pd.DataFrame(rows["_links"]))
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, frame in out.items():
        if fmt == "csv":
            frame.to_csv(target / f"{name}.csv", index=False)
        else:
            frame.to_parquet(target / f"{name}.parquet", index=False)
    return {name: len(out[name]) for name in OMOP_TABLES}


def _typed(frame: Any) -> Any:
    """Give integer columns (ids, concepts, counts) a nullable integer type."""
    for column in frame.columns:
        if column.endswith(("_id", "_of_birth")) or column in ("quantity", "episode_number"):
            frame[column] = frame[column].astype("float64").astype("Int64")
    return frame


_COLUMNS: dict[str, list[str]] = {
    "person": [
        "person_id", "gender_concept_id", "year_of_birth", "month_of_birth", "day_of_birth",
        "birth_datetime", "race_concept_id", "ethnicity_concept_id", "location_id",
        "provider_id", "care_site_id", "person_source_value", "gender_source_value",
        "gender_source_concept_id", "race_source_value", "race_source_concept_id",
        "ethnicity_source_value", "ethnicity_source_concept_id",
    ],
    "observation_period": [
        "observation_period_id", "person_id", "observation_period_start_date",
        "observation_period_end_date", "period_type_concept_id",
    ],
    "condition_occurrence": [
        "condition_occurrence_id", "person_id", "condition_concept_id", "condition_start_date",
        "condition_start_datetime", "condition_end_date", "condition_end_datetime",
        "condition_type_concept_id", "condition_status_concept_id", "stop_reason",
        "provider_id", "visit_occurrence_id", "visit_detail_id", "condition_source_value",
        "condition_source_concept_id", "condition_status_source_value",
    ],
    "drug_exposure": [
        "drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
        "drug_exposure_start_datetime", "drug_exposure_end_date", "drug_exposure_end_datetime",
        "verbatim_end_date", "drug_type_concept_id", "stop_reason", "refills", "quantity",
        "days_supply", "sig", "route_concept_id", "lot_number", "provider_id",
        "visit_occurrence_id", "visit_detail_id", "drug_source_value", "drug_source_concept_id",
        "route_source_value", "dose_unit_source_value",
    ],
    "procedure_occurrence": [
        "procedure_occurrence_id", "person_id", "procedure_concept_id", "procedure_date",
        "procedure_datetime", "procedure_end_date", "procedure_end_datetime",
        "procedure_type_concept_id", "modifier_concept_id", "quantity", "provider_id",
        "visit_occurrence_id", "visit_detail_id", "procedure_source_value",
        "procedure_source_concept_id", "modifier_source_value",
    ],
    "measurement": [
        "measurement_id", "person_id", "measurement_concept_id", "measurement_date",
        "measurement_datetime", "measurement_time", "measurement_type_concept_id",
        "operator_concept_id", "value_as_number", "value_as_concept_id", "unit_concept_id",
        "range_low", "range_high", "provider_id", "visit_occurrence_id", "visit_detail_id",
        "measurement_source_value", "measurement_source_concept_id", "unit_source_value",
        "unit_source_concept_id", "value_source_value", "measurement_event_id",
        "meas_event_field_concept_id",
    ],
    "observation": [
        "observation_id", "person_id", "observation_concept_id", "observation_date",
        "observation_datetime", "observation_type_concept_id", "value_as_number",
        "value_as_string", "value_as_concept_id", "qualifier_concept_id", "unit_concept_id",
        "provider_id", "visit_occurrence_id", "visit_detail_id", "observation_source_value",
        "observation_source_concept_id", "unit_source_value", "qualifier_source_value",
        "value_source_value", "observation_event_id", "obs_event_field_concept_id",
    ],
    "death": [
        "person_id", "death_date", "death_datetime", "death_type_concept_id",
        "cause_concept_id", "cause_source_value", "cause_source_concept_id",
    ],
    "episode": [
        "episode_id", "person_id", "episode_concept_id", "episode_start_date",
        "episode_start_datetime", "episode_end_date", "episode_end_datetime",
        "episode_parent_id", "episode_number", "episode_object_concept_id",
        "episode_type_concept_id", "episode_source_value", "episode_source_concept_id",
    ],
    "episode_event": ["episode_id", "event_id", "episode_event_field_concept_id"],
}  # fmt: skip


def _add(rows: dict[str, list[dict[str, Any]]], table: str, **values: Any) -> int:
    """Append a row (the id column numbered in order); return its id."""
    bucket = rows[table]
    new_id = len(bucket) + 1
    key = _COLUMNS[table][0]
    row = dict.fromkeys(_COLUMNS[table]) | {key: new_id} | values
    bucket.append(row)
    return new_id


def _record_rows(record: CaseRecord, person: int, rows: dict[str, list[dict[str, Any]]]) -> None:
    patient, primary = record.patient, record.primary
    born = patient.birth_date
    sex = patient.sex.value
    rows["person"].append(
        dict.fromkeys(_COLUMNS["person"])
        | {
            "person_id": person,
            "gender_concept_id": concept_id("gender", sex),
            "year_of_birth": born.year if born else patient.birth_year,
            "month_of_birth": born.month if born else None,
            "day_of_birth": born.day if born else None,
            "race_concept_id": 0,
            "ethnicity_concept_id": 0,
            "person_source_value": patient.id,
            "gender_source_value": sex,
        }
    )
    dates = [d for d in (primary.diagnosed, *(e.when for e in record.events)) if d]
    if patient.last_follow_up is not None and dates:
        _add(
            rows,
            "observation_period",
            person_id=person,
            observation_period_start_date=min(min(dates), patient.last_follow_up),
            observation_period_end_date=patient.last_follow_up,
            period_type_concept_id=_EHR,
        )
    if patient.death_date is not None:
        rows["death"].append(
            dict.fromkeys(_COLUMNS["death"])
            | {
                "person_id": person,
                "death_date": patient.death_date,
                "death_type_concept_id": _EHR,
                "cause_concept_id": 0,
                "cause_source_value": patient.cause_of_death,
            }
        )
    _tumour_rows(record, person, rows)
    therapies = 0
    for event in record.events:
        if isinstance(event, SystemicTherapy):
            _drug_rows(event, person, therapies, rows)
            therapies += 1
        else:
            _event_rows(event, person, rows)


def _condition(rows: dict[str, list[dict[str, Any]]], person: int, **values: Any) -> None:
    _add(rows, "condition_occurrence", person_id=person, condition_type_concept_id=_EHR, **values)


def _tumour_rows(record: CaseRecord, person: int, rows: dict[str, list[dict[str, Any]]]) -> None:
    primary = record.primary
    site = primary.site.value
    start = primary.diagnosed or min((e.when for e in record.events), default=None)
    _condition(
        rows,
        person,
        condition_concept_id=concept_id("primary_site", site),
        condition_start_date=start,
        condition_source_value=f"primary:{site}",
        condition_status_source_value=None if primary.diagnosed else "date unknown",
    )
    for met in record.metastases:
        organ = met.organ.value
        _condition(
            rows,
            person,
            condition_concept_id=concept_id("metastasis", organ),
            condition_start_date=met.found,
            condition_source_value=f"metastasis:{organ}",
        )
    if primary.functioning_syndrome.value != "unknown" and start is not None:
        _observation(rows, person, start, OBS_FUNCTIONING, primary.functioning_syndrome.value)
    ki67 = primary.histology.ki67_percent if primary.histology else None
    when = (primary.histology.date if primary.histology else None) or primary.diagnosed
    if ki67 is not None and when is not None:
        _add(
            rows,
            "measurement",
            person_id=person,
            measurement_concept_id=concept_id("measurement", "ki67_percent"),
            measurement_date=when,
            measurement_type_concept_id=_EHR,
            value_as_number=ki67,
            unit_source_value="%",
            measurement_source_value="ki67_percent",
        )


def _observation(
    rows: dict[str, list[dict[str, Any]]], person: int, date: Any, source: str, value: str,
    event: int | None = None, qualifier: str | None = None,
) -> None:  # fmt: skip
    _add(
        rows,
        "observation",
        person_id=person,
        observation_concept_id=0,
        observation_date=date,
        observation_type_concept_id=_EHR,
        value_as_string=value,
        observation_source_value=source,
        qualifier_source_value=qualifier,
        observation_event_id=event,
        obs_event_field_concept_id=_PROCEDURE_FIELD_CONCEPT if event else None,
    )


def _procedure(
    rows: dict[str, list[dict[str, Any]]], person: int, date: Any, source: str, modifier: str
) -> int:
    return _add(
        rows,
        "procedure_occurrence",
        person_id=person,
        procedure_concept_id=0,
        procedure_date=date,
        procedure_type_concept_id=_EHR,
        procedure_source_value=source,
        modifier_source_value=modifier or None,
    )


def _drug_rows(
    therapy: SystemicTherapy, person: int, link: int, rows: dict[str, list[dict[str, Any]]]
) -> None:
    """One drug_exposure per therapy, or one per cycle (``sig`` "cycle k of n") if it has cycles.

    OMOP requires an end date: an ongoing therapy (or one whose stop is not known) ends at its
    start here, and its real state is in ``verbatim_end_date`` (empty) and ``stop_reason``.
    """
    agent = therapy.agent.value
    reason = therapy.reason_stopped.value if therapy.reason_stopped else None
    common = {
        "person_id": person,
        "drug_concept_id": concept_id("agent", agent),
        "drug_type_concept_id": _EHR,
        "drug_source_value": agent,
    }
    if not therapy.cycles:
        until = None if reason == "ongoing" else therapy.stop
        row_id = _add(
            rows,
            "drug_exposure",
            **common,
            drug_exposure_start_date=therapy.start,
            drug_exposure_end_date=until or therapy.start,
            verbatim_end_date=therapy.stop,
            stop_reason=reason,
        )
        rows["_links"].append({"id": row_id, "person_id": person, "therapy": link, "first": True})
        return
    n = len(therapy.cycles)
    for k, cycle in enumerate(therapy.cycles, start=1):
        last = k == n
        row_id = _add(
            rows,
            "drug_exposure",
            **common,
            drug_exposure_start_date=therapy.start if k == 1 else cycle.date,
            drug_exposure_end_date=cycle.date,
            verbatim_end_date=therapy.stop if last else None,
            stop_reason=reason if last else None,
            quantity=cycle.activity_gbq,
            dose_unit_source_value="GBq" if cycle.activity_gbq is not None else None,
            sig=f"cycle {k} of {n}",
        )
        rows["_links"].append({"id": row_id, "person_id": person, "therapy": link, "first": k == 1})


def _event_rows(event: Any, person: int, rows: dict[str, list[dict[str, Any]]]) -> None:
    if isinstance(event, Surgery):
        organs = ";".join(o.value for o in event.organs)
        _procedure(rows, person, event.date, f"surgery:{event.procedure.value}", organs)
    elif isinstance(event, LocalTherapy):
        source = f"local_therapy:{event.modality.value}"
        _procedure(rows, person, event.date, source, event.organ.value)
    elif isinstance(event, Imaging):
        scan = _procedure(rows, person, event.date, f"imaging:{event.modality.value}", "")
        for source, value in scan_findings(event):
            _observation(rows, person, event.date, source, value, scan)
        for lesion in event.lesions:
            _add(
                rows,
                "measurement",
                person_id=person,
                measurement_concept_id=0,
                measurement_date=event.date,
                measurement_type_concept_id=_EHR,
                value_as_number=lesion.diameter_mm,
                unit_source_value="mm",
                measurement_source_value=MEAS_LESION,
                value_source_value=pack_lesion(lesion),
                measurement_event_id=scan,
                meas_event_field_concept_id=_PROCEDURE_FIELD_CONCEPT,
            )
    elif isinstance(event, DiseaseStatus):
        basis = ";".join(event.basis) or None
        status = event.status.value
        _observation(rows, person, event.date, OBS_DISEASE_STATUS, status, qualifier=basis)
    elif isinstance(event, LabPanel):
        for result in event.results:
            analyte = result.analyte.value
            _add(
                rows,
                "measurement",
                person_id=person,
                measurement_concept_id=concept_id("measurement", analyte),
                measurement_date=event.date,
                measurement_type_concept_id=_EHR,
                value_as_number=result.value,
                range_low=result.lower_limit,
                range_high=result.upper_limit,
                unit_source_value=result.unit,
                measurement_source_value=analyte,
            )


def _episodes(records: list[CaseRecord], person_id: dict[str, int], links: Any) -> dict[str, Any]:
    """Return ``episode`` (one row per line) and ``episode_event`` (its drug exposures)."""
    import pandas as pd

    course = _course.derive_lines(_course.tables_from_records(records))
    # each drug_exposure row knows its therapy's place among the patient's systemic
    # therapies in record order, which is the course tables' episode_id (0, 1, ...)
    exposure = pd.DataFrame(
        {
            "drug_exposure_id": links.get("id", pd.Series(dtype="int64")),
            "person_id": links.get("person_id", pd.Series(dtype="int64")),
            "episode_id": links.get("therapy", pd.Series(dtype="int64")),
        }
    )
    lines = course.lines.to_pandas()
    lines["person_id"] = lines["patient_id"].astype(str).map(person_id)
    lines = lines.sort_values(["person_id", "line"]).reset_index(drop=True)
    lines["omop_episode"] = range(1, len(lines) + 1)
    episode = pd.DataFrame(
        {
            "episode_id": lines["omop_episode"],
            "person_id": lines["person_id"],
            "episode_concept_id": 0,
            "episode_start_date": lines["start"],
            "episode_end_date": lines["end"],
            "episode_number": lines["line"],
            "episode_object_concept_id": 0,
            "episode_type_concept_id": _EHR,
            "episode_source_value": lines["label"],
        },
        columns=_COLUMNS["episode"],
    )
    mapping = course.episode_lines.to_pandas()
    mapping["person_id"] = mapping["patient_id"].astype(str).map(person_id)
    links = mapping.merge(exposure, on=["person_id", "episode_id"]).merge(
        lines[["person_id", "line", "omop_episode"]], on=["person_id", "line"]
    )
    episode_event = pd.DataFrame(
        {
            "episode_id": links["omop_episode"],
            "event_id": links["drug_exposure_id"],
            "episode_event_field_concept_id": 0,
        }
    ).sort_values(["episode_id", "event_id"])
    return {"episode": episode, "episode_event": episode_event}
