"""The long tables the course engine reads: episodes, assessments, follow-up, procedures.

One patient's :class:`~netline.records.CaseRecord`, a registry import and the synthetic cohort
generator all produce the same four tables, so that one engine derives the lines of therapy
of one patient or of a million.

``episodes``
    One row per therapy episode: ``patient_id``, ``episode_id`` (unique within the patient),
    ``event_id`` (the record's event id, if any), ``agent``, ``agent_class``, ``start``,
    ``stop`` (null while ongoing), ``cycles``, ``reason_stopped``, ``clinical_trial``.
``assessments``
    One row per dated response or progression finding: ``patient_id``, ``date``,
    ``response`` (``CR``, ``PR``, ``SD``, ``PD``, ``NE``, ``non-CR/non-PD`` for RECIST and
    recorded responses; ``NED``, ``responding``, ``stable``, ``mixed``, ``progressing`` for
    clinician-recorded status), ``progression``, ``source`` (``recist``, ``recorded``,
    ``clinician``, ``stop_reason``), ``event_id``, ``note`` (optional; e.g. that a new lesion
    was equivocal and does not count as progression unless confirmed).
``followup``
    One row per patient: ``patient_id``, ``diagnosis``, ``first_metastasis`` (first distant
    metastasis), ``death``, ``last_follow_up`` (always filled: the last date known alive).
``procedures``
    Surgeries and local therapies: ``patient_id``, ``procedure_id``, ``event_id``, ``date``,
    ``kind`` (``surgery`` or ``local_therapy``), ``procedure``, ``intent``, ``margin``,
    ``pathological_complete_response``, ``organs``.

Dates are Arrow ``date32``; ``patient_id`` may be a string or an integer, the same in every
table. Text columns may be plain or dictionary-encoded strings (compact for large cohorts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from netline.clinical.recist import NewLesions, imaging_timepoints, new_lesions_of
from netline.course._columns import table_of
from netline.course.rules import LineRules
from netline.errors import InvalidInputError, Problem
from netline.records.model import (
    CaseRecord,
    DiseaseStatus,
    Imaging,
    LocalTherapy,
    Surgery,
    SystemicTherapy,
)
from netline.records.vocabulary import DiseaseStatusValue, ReasonStopped

__all__ = [
    "ASSESSMENT_COLUMNS",
    "EPISODE_COLUMNS",
    "FOLLOWUP_COLUMNS",
    "PROCEDURE_COLUMNS",
    "CourseTables",
    "tables_from_records",
]

EPISODE_COLUMNS: dict[str, pa.DataType] = {
    "episode_id": pa.int64(),
    "event_id": pa.string(),
    "agent": pa.string(),
    "agent_class": pa.string(),
    "start": pa.date32(),
    "stop": pa.date32(),
    "cycles": pa.int32(),
    "reason_stopped": pa.string(),
    "clinical_trial": pa.bool_(),
}
ASSESSMENT_COLUMNS: dict[str, pa.DataType] = {
    "date": pa.date32(),
    "response": pa.string(),
    "progression": pa.bool_(),
    "source": pa.string(),
    "event_id": pa.string(),
    "note": pa.string(),
}
FOLLOWUP_COLUMNS: dict[str, pa.DataType] = {
    "diagnosis": pa.date32(),
    "first_metastasis": pa.date32(),
    "death": pa.date32(),
    "last_follow_up": pa.date32(),
}
PROCEDURE_COLUMNS: dict[str, pa.DataType] = {
    "procedure_id": pa.int64(),
    "event_id": pa.string(),
    "date": pa.date32(),
    "kind": pa.string(),
    "procedure": pa.string(),
    "intent": pa.string(),
    "margin": pa.string(),
    "pathological_complete_response": pa.bool_(),
    "organs": pa.string(),
}
_TABLES: dict[str, dict[str, pa.DataType]] = {
    "episodes": EPISODE_COLUMNS,
    "assessments": ASSESSMENT_COLUMNS,
    "followup": FOLLOWUP_COLUMNS,
    "procedures": PROCEDURE_COLUMNS,
}
_OPTIONAL_BY_TABLE = {
    "episodes": {"event_id", "cycles", "reason_stopped", "clinical_trial", "stop"},
    "assessments": {"event_id", "response", "note"},
    "followup": {"diagnosis", "first_metastasis", "death"},
    "procedures": {
        "event_id",
        "intent",
        "margin",
        "pathological_complete_response",
        "organs",
        "procedure_id",
    },
}

_CLINICIAN_RESPONSE = {
    DiseaseStatusValue.NO_EVIDENCE_OF_DISEASE: "NED",
    DiseaseStatusValue.RESPONDING: "responding",
    DiseaseStatusValue.STABLE: "stable",
    DiseaseStatusValue.MIXED: "mixed",
    DiseaseStatusValue.PROGRESSING: "progressing",
}


def _schema(name: str, id_type: pa.DataType) -> pa.Schema:
    return pa.schema([("patient_id", id_type), *_TABLES[name].items()])


def _coerce(name: str, data: Any, id_type: pa.DataType | None) -> pa.Table:
    if isinstance(data, pa.Table):
        table = data
    elif hasattr(data, "to_arrow") and not hasattr(data, "columns"):
        table = data.to_arrow()
    else:
        import pandas as pd  # type: ignore[import-untyped]

        if not isinstance(data, pd.DataFrame):
            raise InvalidInputError.single(name, type(data).__name__, "an Arrow table or pandas")
        table = pa.Table.from_pandas(data, preserve_index=False)
    problems = []
    if "patient_id" not in table.column_names:
        problems.append(Problem(f"{name}.patient_id", None, "a patient_id column"))
    columns = _TABLES[name]
    optional = _OPTIONAL_BY_TABLE[name]
    for column in columns:
        if column not in table.column_names and column not in optional:
            problems.append(Problem(f"{name}.{column}", None, f"a '{column}' column"))
    if problems:
        raise InvalidInputError(problems)
    pid = table.column("patient_id")
    pid_type = id_type or pid.type
    if pa.types.is_large_string(pid_type) or pa.types.is_dictionary(pid_type):
        pid_type = pa.string()
    if not (pa.types.is_string(pid_type) or pa.types.is_integer(pid_type)):
        raise InvalidInputError.single(
            f"{name}.patient_id", str(pid.type), "string or integer patient ids"
        )
    arrays = []
    fields = []
    for field in _schema(name, pid_type):
        if field.name in table.column_names:
            column = table.column(field.name)
            target = field.type
            if _dictionary_of_strings(column.type) and pa.types.is_string(field.type):
                target = column.type  # dictionary-encoded text stays compact
            if column.null_count == len(column):
                # an empty or all-missing column (pandas makes an empty date column float)
                arrays.append(pa.nulls(len(column), type=field.type))
                fields.append(field)
                continue
            try:
                arrays.append(column.cast(target))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InvalidInputError.single(
                    f"{name}.{field.name}", str(column.type), f"{field.type} ({exc})"
                ) from None
            fields.append(pa.field(field.name, target))
        else:
            fill: object = False if field.name == "clinical_trial" else None
            arrays.append(pa.array([fill] * table.num_rows, type=field.type))
            fields.append(field)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _dictionary_of_strings(dtype: pa.DataType) -> bool:
    return bool(pa.types.is_dictionary(dtype) and pa.types.is_string(dtype.value_type))


@dataclass(frozen=True)
class CourseTables:
    """The four long tables of one or many patients' courses.

    Build it from Arrow tables or pandas frames with :meth:`from_frames` (columns are checked
    and cast), from records with :func:`tables_from_records`, or from Parquet files with
    :meth:`read_parquet`.

    Parameters
    ----------
    episodes, assessments, followup, procedures : pyarrow.Table
        The tables described in :mod:`netline.course.tables`.
    """

    episodes: pa.Table
    assessments: pa.Table
    followup: pa.Table
    procedures: pa.Table

    @classmethod
    def from_frames(
        cls,
        episodes: Any,
        assessments: Any,
        followup: Any,
        procedures: Any | None = None,
    ) -> CourseTables:
        """Check and cast four tables (Arrow or pandas) into :class:`CourseTables`.

        Raises
        ------
        InvalidInputError
            When a required column is missing or cannot be cast.
        """
        follow = _coerce("followup", followup, None)
        id_type = follow.schema.field("patient_id").type
        if procedures is None:
            procedures = pa.table(
                {"patient_id": pa.array([], type=id_type)}
                | {k: pa.array([], type=t) for k, t in PROCEDURE_COLUMNS.items()}
            )
        return cls(
            episodes=_coerce("episodes", episodes, id_type),
            assessments=_coerce("assessments", assessments, id_type),
            followup=follow,
            procedures=_coerce("procedures", procedures, id_type),
        )

    @classmethod
    def from_rows(
        cls,
        episodes: Iterable[Mapping[str, object]],
        assessments: Iterable[Mapping[str, object]],
        followup: Iterable[Mapping[str, object]],
        procedures: Iterable[Mapping[str, object]] = (),
    ) -> CourseTables:
        """Build the tables from rows (dictionaries keyed by column name).

        Optional columns left out of a row are null.

        Raises
        ------
        InvalidInputError
            When the follow-up is empty or a value does not fit its column.
        """
        follow = list(followup)
        if not follow:
            raise InvalidInputError.single("followup", [], "at least one patient")
        first = follow[0].get("patient_id")
        id_type = pa.int64() if isinstance(first, int) else pa.string()
        built = {}
        for name, rows in (
            ("episodes", episodes),
            ("assessments", assessments),
            ("followup", follow),
            ("procedures", procedures),
        ):
            schema = _schema(name, id_type)
            items = [{f.name: row.get(f.name) for f in schema} for row in rows]
            try:
                built[name] = pa.Table.from_pylist(items, schema=schema)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise InvalidInputError.single(name, "rows", f"values that fit ({exc})") from None
        return cls(**built)

    @property
    def n_patients(self) -> int:
        """Number of patients (rows of ``followup``)."""
        return int(self.followup.num_rows)

    def as_dict(self) -> dict[str, pa.Table]:
        """Return the four tables by name."""
        return {
            "episodes": self.episodes,
            "assessments": self.assessments,
            "followup": self.followup,
            "procedures": self.procedures,
        }

    def write_parquet(self, directory: str | Path) -> None:
        """Write one Parquet file per table into ``directory`` (created if needed)."""
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for name, table in self.as_dict().items():
            pq.write_table(table, path / f"{name}.parquet")

    @classmethod
    def read_parquet(cls, directory: str | Path) -> CourseTables:
        """Read the tables written by :meth:`write_parquet`."""
        import pyarrow.parquet as pq

        path = Path(directory)
        tables = {name: pq.read_table(path / f"{name}.parquet") for name in _TABLES}
        return cls.from_frames(**tables)

    def select(self, patient_ids: Iterable[object]) -> CourseTables:
        """Return the tables restricted to some patients."""
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        wanted = pa.array(list(patient_ids), type=self.followup.schema.field("patient_id").type)
        return CourseTables(
            **{
                name: table.filter(pc.is_in(table.column("patient_id"), value_set=wanted))
                for name, table in self.as_dict().items()
            }
        )


def _rows_to_table(rows: list[dict[str, object]], name: str) -> pa.Table:
    """Build a table of the named schema from rows (missing keys are nulls)."""
    return table_of(rows, _schema(name, pa.string()))


def _treatment_starts(record: CaseRecord, gap_days: int) -> list[dt.date]:
    """Dates that reset the RECIST baseline.

    Every surgery, local therapy and systemic start, except the continuation of an agent: the
    same agent again within ``gap_days`` of its previous episode's stop, when that episode did
    not stop for progression (further PRRT cycles, an SSA after a pause).
    """
    starts: list[dt.date] = []
    previous: dict[str, SystemicTherapy] = {}
    for therapy in record.of_type(SystemicTherapy):
        last = previous.get(therapy.agent)
        continuation = (
            last is not None
            and (therapy.start - last.until).days <= gap_days
            and last.reason_stopped is not ReasonStopped.PROGRESSION
        )
        if not continuation:
            starts.append(therapy.start)
        previous[therapy.agent] = therapy
    starts += [event.date for event in record.of_type(Surgery)]
    starts += [event.date for event in record.of_type(LocalTherapy)]
    return starts


_EQUIVOCAL = "equivocal new lesion: not progression unless a later scan confirms it (RECIST 1.1)"
_EQUIVOCAL_RECORDED = (
    "recorded PD rests on an equivocal new lesion: not counted as progression unless a later "
    "scan confirms it (RECIST 1.1)"
)


def _backdated(confirmed_on: dt.date) -> str:
    return (
        "progression dated back to the first sighting of an equivocal new lesion, confirmed "
        f"on {confirmed_on.isoformat()} (RECIST 1.1)"
    )


def _scan_rows(record: CaseRecord, rules: LineRules) -> list[dict[str, object]]:
    """Assessments from imaging: RECIST time points (netline.clinical) and recorded responses.

    A new lesion reported as equivocal is not progression unless a later scan confirms it;
    then progression counts from its first sighting. The ``note`` column says so.
    """
    pid = record.patient.id
    rows: list[dict[str, object]] = []
    scans = record.of_type(Imaging)
    points = imaging_timepoints(scans, _treatment_starts(record, rules.restart_gap_days))
    confirmed = [p.progression_date for p in points if p.progression_date is not None]
    with_point = set()
    for point in points:
        with_point.add(point.event_id)
        note = _EQUIVOCAL if point.equivocal_new and point.response != "PD" else None
        day = point.date
        if point.progression_date is not None and point.progression_date < point.date:
            note, day = _backdated(point.date), point.progression_date
        rows.append(
            {
                "patient_id": pid,
                "date": day,
                "response": point.response,
                "progression": point.response == "PD",
                "source": "recist",
                "event_id": point.event_id,
                "note": note,
            }
        )
    for scan in scans:
        equivocal = new_lesions_of(scan) is NewLesions.EQUIVOCAL
        unconfirmed = equivocal and not any(day <= scan.date for day in confirmed)
        if unconfirmed and scan.id not in with_point:
            rows.append(
                {
                    "patient_id": pid,
                    "date": scan.date,
                    "response": None,
                    "progression": False,
                    "source": "recist",
                    "event_id": scan.id,
                    "note": _EQUIVOCAL,
                }
            )
        if scan.recorded_response is None:
            continue
        response: str | None = scan.recorded_response.value
        note = None
        if response == "PD" and unconfirmed:
            response, note = None, _EQUIVOCAL_RECORDED
        rows.append(
            {
                "patient_id": pid,
                "date": scan.date,
                "response": response,
                "progression": response == "PD",
                "source": "recorded",
                "event_id": scan.id,
                "note": note,
            }
        )
    return rows


def _record_rows(
    record: CaseRecord, rules: LineRules
) -> tuple[dict[str, list[dict[str, object]]], dict[str, object]]:
    pid = record.patient.id
    episodes: list[dict[str, object]] = []
    for i, therapy in enumerate(record.of_type(SystemicTherapy)):
        ongoing = therapy.reason_stopped is ReasonStopped.ONGOING
        stop = None if ongoing else (therapy.stop or (therapy.until if therapy.cycles else None))
        episodes.append(
            {
                "patient_id": pid,
                "episode_id": i,
                "event_id": therapy.id,
                "agent": therapy.agent.value,
                "agent_class": therapy.agent_class.value,
                "start": therapy.start,
                "stop": stop,
                "cycles": len(therapy.cycles) or None,
                "reason_stopped": therapy.reason_stopped.value if therapy.reason_stopped else None,
                "clinical_trial": therapy.clinical_trial,
            }
        )
    assessments = _scan_rows(record, rules)
    for status in record.of_type(DiseaseStatus):
        code = _CLINICIAN_RESPONSE.get(status.status)
        if code is not None:
            assessments.append(
                {
                    "patient_id": pid,
                    "date": status.date,
                    "response": code,
                    "progression": code == "progressing",
                    "source": "clinician",
                    "event_id": status.id,
                }
            )
    for therapy in record.of_type(SystemicTherapy):
        if therapy.reason_stopped is ReasonStopped.PROGRESSION and therapy.stop is not None:
            assessments.append(
                {
                    "patient_id": pid,
                    "date": therapy.stop,
                    "response": "PD",
                    "progression": True,
                    "source": "stop_reason",
                    "event_id": therapy.id,
                }
            )
    procedures: list[dict[str, object]] = []
    local: list[Surgery | LocalTherapy] = [*record.of_type(Surgery), *record.of_type(LocalTherapy)]
    for j, event in enumerate(sorted(local, key=lambda e: e.date)):
        if isinstance(event, Surgery):
            pathology = event.pathology
            row: dict[str, object] = {
                "kind": "surgery",
                "procedure": event.procedure.value,
                "intent": event.intent.value,
                "margin": event.margin.value if event.margin else None,
                "pathological_complete_response": (
                    pathology.pathological_complete_response if pathology else None
                ),
                "organs": ",".join(organ.value for organ in event.organs),
            }
        else:
            row = {
                "kind": "local_therapy",
                "procedure": event.modality.value,
                "intent": None,
                "margin": None,
                "pathological_complete_response": None,
                "organs": event.organ.value,
            }
        procedures.append(
            {"patient_id": pid, "procedure_id": j, "event_id": event.id, "date": event.date} | row
        )
    distant = [m.found for m in record.metastases if m.organ.is_distant]
    patient = record.patient
    followup: dict[str, object] = {
        "patient_id": pid,
        "diagnosis": record.primary.diagnosed,
        "first_metastasis": min(distant) if distant else None,
        "death": patient.death_date,
        "last_follow_up": patient.death_date or patient.last_follow_up or record.last_date,
    }
    tables = {"episodes": episodes, "assessments": assessments, "procedures": procedures}
    return tables, followup


def _tables_of(rows: Mapping[str, list[dict[str, object]]]) -> CourseTables:
    """Return the rows of :func:`_record_rows` (``followup`` included) as the engine's tables."""
    return CourseTables(**{name: _rows_to_table(rows[name], name) for name in _TABLES})


def tables_from_records(
    records: CaseRecord | Iterable[CaseRecord], rules: LineRules | None = None
) -> CourseTables:
    """Flatten one or many clinical records into the engine's long tables.

    RECIST 1.1 time-point responses are computed here from the lesions measured on each
    scan (:func:`netline.clinical.recist.imaging_timepoints`; the baseline resets at each
    treatment start except the continuation of an agent); recorded responses,
    clinician-recorded disease
    status and (opt-in) therapies stopped for progression become assessments of their own.

    Parameters
    ----------
    records : CaseRecord or iterable of CaseRecord
        The patients; their ``patient.id`` must be unique.
    rules : LineRules, optional
        Only ``restart_gap_days`` is used here (a same-agent restart within it does not
        reset the RECIST baseline).

    Returns
    -------
    CourseTables

    Raises
    ------
    InvalidInputError
        When two records share a patient id.
    """
    rules = rules or LineRules()
    many = [records] if isinstance(records, CaseRecord) else list(records)
    collected: dict[str, list[dict[str, object]]] = {name: [] for name in _TABLES}
    seen: set[str] = set()
    for record in many:
        if record.patient.id in seen:
            raise InvalidInputError.single(
                "patient.id", record.patient.id, "a patient id used by one record only"
            )
        seen.add(record.patient.id)
        rows, followup = _record_rows(record, rules)
        for name, items in rows.items():
            collected[name].extend(items)
        collected["followup"].append(followup)
    return _tables_of(collected)
