"""Export a registry to OMOP CDM v5.4 tables, with lines of therapy as EPISODE rows.

Tables written (CSV or Parquet, one file each): ``person``, ``condition_occurrence``
(primary tumour and distant metastases), ``drug_exposure`` (one row per therapy episode of
the course tables), ``death``, ``episode`` (one row per line of therapy) and
``episode_event`` (the drug exposures of each line).

Concepts: gender uses the OMOP standard concepts 8507 (male) and 8532 (female). Every other
``*_concept_id`` is 0 ("no matching concept") with netline's code in the ``*_source_value``
column: the NET concept sets (SNOMED CT / ICD-O-3 for pNET and metastatic sites, RxNorm for
agents, the OMOP oncology episode concepts) are listed in ``docs/registry.md`` as to be
mapped; no concept id is given here that has not been checked against the vocabulary.
Importing OMOP tables is not implemented yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from netline.errors import InvalidInputError
from netline.registry import _course

__all__ = ["OMOP_TABLES", "export_omop"]

OMOP_TABLES = (
    "person",
    "condition_occurrence",
    "drug_exposure",
    "death",
    "episode",
    "episode_event",
)
_GENDER = {"male": 8507, "female": 8532}


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
    import pandas as pd  # type: ignore[import-untyped]

    if fmt not in ("csv", "parquet"):
        raise InvalidInputError.single("fmt", fmt, "csv or parquet")
    facts = registry.facts().to_pandas()
    tables = registry.course_tables()
    course = _course.derive_lines(tables)
    person_id = {pid: i + 1 for i, pid in enumerate(sorted(facts["patient_id"]))}
    records = {r.patient.id: r for r in registry.records()}
    out = {
        "person": _person(facts, records, person_id),
        "condition_occurrence": _conditions(records, person_id),
        "death": pd.DataFrame(
            [
                {
                    "person_id": person_id[pid],
                    "death_date": r.patient.death_date,
                    "death_datetime": None,
                    "death_type_concept_id": 0,
                    "cause_concept_id": 0,
                    "cause_source_value": r.patient.cause_of_death,
                    "cause_source_concept_id": 0,
                }
                for pid, r in sorted(records.items())
                if r.patient.death_date is not None
            ]
        ),
    }
    out |= _drugs_and_episodes(tables, course, person_id)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, frame in out.items():
        if fmt == "csv":
            frame.to_csv(target / f"{name}.csv", index=False)
        else:
            frame.to_parquet(target / f"{name}.parquet", index=False)
    return {name: len(frame) for name, frame in out.items()}


def _person(facts: Any, records: dict[str, Any], person_id: dict[str, int]) -> Any:
    import pandas as pd

    rows = []
    for pid in sorted(person_id):
        patient = records[pid].patient
        born = patient.birth_date
        rows.append(
            {
                "person_id": person_id[pid],
                "gender_concept_id": _GENDER.get(patient.sex.value, 0),
                "year_of_birth": born.year if born else patient.birth_year,
                "month_of_birth": born.month if born else None,
                "day_of_birth": born.day if born else None,
                "birth_datetime": None,
                "race_concept_id": 0,
                "ethnicity_concept_id": 0,
                "location_id": None,
                "provider_id": None,
                "care_site_id": None,
                "person_source_value": pid,
                "gender_source_value": patient.sex.value,
                "gender_source_concept_id": 0,
                "race_source_value": None,
                "race_source_concept_id": 0,
                "ethnicity_source_value": None,
                "ethnicity_source_concept_id": 0,
            }
        )
    return pd.DataFrame(rows)


def _condition(cid: int, person: int, start: Any, source: str) -> dict[str, Any]:
    return {
        "condition_occurrence_id": cid,
        "person_id": person,
        "condition_concept_id": 0,
        "condition_start_date": start,
        "condition_start_datetime": None,
        "condition_end_date": None,
        "condition_end_datetime": None,
        "condition_type_concept_id": 0,
        "condition_status_concept_id": 0,
        "stop_reason": None,
        "provider_id": None,
        "visit_occurrence_id": None,
        "visit_detail_id": None,
        "condition_source_value": source,
        "condition_source_concept_id": 0,
        "condition_status_source_value": None,
    }


def _conditions(records: dict[str, Any], person_id: dict[str, int]) -> Any:
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for pid, record in sorted(records.items()):
        person = person_id[pid]
        if record.primary.diagnosed is not None:
            site = f"neuroendocrine tumour of {record.primary.site.value}"
            rows.append(_condition(len(rows) + 1, person, record.primary.diagnosed, site))
        for met in record.metastases:
            if met.organ.is_distant:
                source = f"metastasis to {met.organ.value}"
                rows.append(_condition(len(rows) + 1, person, met.found, source))
    return pd.DataFrame(rows)


def _drugs_and_episodes(tables: Any, course: Any, person_id: dict[str, int]) -> dict[str, Any]:
    import pandas as pd

    episodes = tables.episodes.to_pandas()
    follow = tables.followup.to_pandas().set_index("patient_id")["last_follow_up"]
    episodes["patient_id"] = episodes["patient_id"].astype(str)
    episodes = episodes.sort_values(["patient_id", "episode_id"]).reset_index(drop=True)
    episodes["drug_exposure_id"] = range(1, len(episodes) + 1)
    drugs = pd.DataFrame(
        {
            "drug_exposure_id": episodes["drug_exposure_id"],
            "person_id": episodes["patient_id"].map(person_id),
            "drug_concept_id": 0,
            "drug_exposure_start_date": episodes["start"],
            "drug_exposure_start_datetime": None,
            # OMOP requires an end date: an ongoing therapy ends at the last follow-up
            "drug_exposure_end_date": episodes["stop"].fillna(episodes["patient_id"].map(follow)),
            "drug_exposure_end_datetime": None,
            "verbatim_end_date": episodes["stop"],
            "drug_type_concept_id": 0,
            "stop_reason": episodes["reason_stopped"],
            "refills": None,
            "quantity": episodes["cycles"],
            "days_supply": None,
            "sig": None,
            "route_concept_id": 0,
            "lot_number": None,
            "provider_id": None,
            "visit_occurrence_id": None,
            "visit_detail_id": None,
            "drug_source_value": episodes["agent"],
            "drug_source_concept_id": 0,
            "route_source_value": None,
            "dose_unit_source_value": None,
        }
    )
    lines = course.lines.to_pandas()
    lines["patient_id"] = lines["patient_id"].astype(str)
    lines = lines.sort_values(["patient_id", "line"]).reset_index(drop=True)
    lines["episode_id"] = range(1, len(lines) + 1)
    episode = pd.DataFrame(
        {
            "episode_id": lines["episode_id"],
            "person_id": lines["patient_id"].map(person_id),
            "episode_concept_id": 0,
            "episode_start_date": lines["start"],
            "episode_start_datetime": None,
            "episode_end_date": lines["end"],
            "episode_end_datetime": None,
            "episode_parent_id": None,
            "episode_number": lines["line"],
            "episode_object_concept_id": 0,
            "episode_type_concept_id": 0,
            "episode_source_value": lines["label"],
            "episode_source_concept_id": 0,
        }
    )
    mapping = course.episode_lines.to_pandas()
    mapping["patient_id"] = mapping["patient_id"].astype(str)
    links = mapping.merge(
        episodes[["patient_id", "episode_id", "drug_exposure_id"]], on=["patient_id", "episode_id"]
    )
    links = links.merge(
        lines[["patient_id", "line", "episode_id"]].rename(columns={"episode_id": "omop_episode"}),
        on=["patient_id", "line"],
    )
    episode_event = pd.DataFrame(
        {
            "episode_id": links["omop_episode"],
            "event_id": links["drug_exposure_id"],
            "episode_event_field_concept_id": 0,
        }
    ).sort_values(["episode_id", "event_id"])
    return {"drug_exposure": drugs, "episode": episode, "episode_event": episode_event}
