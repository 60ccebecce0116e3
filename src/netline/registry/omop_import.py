"""Import OMOP CDM v5.4 tables (CSV or Parquet, read by DuckDB) into netline records.

A folder holds one file per table, ``<table>.csv`` or ``<table>.parquet`` (names in any
case): ``person`` (required), ``observation_period``, ``condition_occurrence``,
``drug_exposure``, ``procedure_occurrence``, ``measurement``, ``observation`` and ``death``.
Rows are recognised through the NET concept sets (:mod:`netline.registry._omop_vocab`): a row
that is not about the NET (another condition, another drug) is left out silently; a row that
is, but has a bad value, is an error naming the file, the line (CSV) or row (Parquet), the
field, the value and what was expected. One record is built per person and checked by the
case-file rules; by default an import with any bad row is refused whole.

What each table fills, and what OMOP cannot carry, is in ``docs/registry.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netline.errors import InvalidInputError, InvalidRecordError, Problem
from netline.records import CaseRecord, record_from_data
from netline.registry._omop_vocab import (
    MEAS_LESION,
    OBS_DISEASE_STATUS,
    OBS_FUNCTIONING,
    SCAN_FINDINGS,
    lookup,
    lookup_condition,
    lookup_procedure,
    put_finding,
    unpack_lesion,
)
from netline.registry._progress import iterate
from netline.registry.importers._locate import locate

__all__ = ["OMOP_IMPORT_TABLES", "import_omop", "read_omop"]

#: The tables read, in order; only ``person`` is required.
OMOP_IMPORT_TABLES = (
    "person",
    "observation_period",
    "death",
    "condition_occurrence",
    "drug_exposure",
    "procedure_occurrence",
    "measurement",
    "observation",
)
_REQUIRED = {
    "person": ("person_id", "year_of_birth"),
    "observation_period": ("person_id", "observation_period_end_date"),
    "death": ("person_id", "death_date"),
    "condition_occurrence": ("person_id", "condition_start_date"),
    "drug_exposure": ("person_id", "drug_exposure_start_date"),
    "procedure_occurrence": ("person_id", "procedure_date"),
    "measurement": ("person_id", "measurement_date"),
    "observation": ("person_id", "observation_date"),
}
_CYCLE = re.compile(r"cycle (\d+) of (\d+)")


@dataclass
class _Row:
    """One row of a table, with where it was read (for error messages)."""

    where: str
    cells: dict[str, str | None]
    problems: list[Problem]

    def text(self, name: str) -> str | None:
        value = self.cells.get(name)
        value = value.strip() if isinstance(value, str) else value
        return value or None

    def _bad(self, name: str, value: object, expected: str) -> None:
        self.problems.append(Problem(f"{self.where}, field {name}", value, expected))

    def integer(self, name: str, required: bool = False) -> int | None:
        value = self.text(name)
        if value is None:
            if required:
                self._bad(name, None, "an integer")
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or number != int(number):
            self._bad(name, value, "an integer")
            return None
        return int(number)

    def number(self, name: str, required: bool = False) -> float | None:
        value = self.text(name)
        try:
            return None if value is None and not required else float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self._bad(name, value, "a number")
            return None

    def date(self, name: str, required: bool = False) -> dt.date | None:
        value = self.text(name)
        if value is None:
            if required:
                self._bad(name, None, "a date (YYYY-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            self._bad(name, value, "a date (YYYY-MM-DD)")
            return None


@dataclass
class _Person:
    """A record being assembled from the rows of one person."""

    where: str
    row: str
    data: dict[str, Any]
    trace: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    scans: dict[int, dict[str, Any]] = field(default_factory=dict)
    labs: dict[dt.date, dict[str, Any]] = field(default_factory=dict)
    primary_from: dt.date | None = None
    open_cycles: dict[str, dict[str, Any]] = field(default_factory=dict)

    def event(self, item: dict[str, Any], where: str) -> dict[str, Any]:
        self.trace[f"events[{len(self.data['events'])}]"] = where
        self.data["events"].append(item)
        return item


def _find_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise InvalidInputError.single(str(folder), "not a folder", "a folder of OMOP tables")
    files: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        name, suffix = path.stem.lower(), path.suffix.lower()
        if name in OMOP_IMPORT_TABLES and suffix in (".csv", ".parquet"):
            if name in files:
                raise InvalidInputError.single(
                    str(path), files[name].name, f"one file for table {name} (CSV or Parquet)"
                )
            files[name] = path
    if "person" not in files:
        raise InvalidInputError.single(
            str(folder), sorted(p.name for p in folder.iterdir()), "person.csv or person.parquet"
        )
    return files


def _read_table(con: Any, table: str, path: Path) -> list[_Row]:
    """Read one table as text cells with DuckDB; check its required columns."""
    import duckdb

    parquet = path.suffix.lower() == ".parquet"
    query = (
        "SELECT COLUMNS(*)::VARCHAR FROM read_parquet(?)"
        if parquet
        else "SELECT * FROM read_csv(?, all_varchar = true, header = true)"
    )
    try:
        result = con.execute(query, [str(path)])
        columns = [d[0].lower() for d in result.description]
        values = result.fetchall()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        raise InvalidInputError.single(
            str(path), "unreadable", f"an OMOP {table} table ({message})"
        ) from None
    missing = [c for c in _REQUIRED[table] if c not in columns]
    if missing:
        raise InvalidInputError.single(
            str(path), columns, f"the OMOP {table} columns " + ", ".join(missing)
        )
    unit, offset = ("row", 1) if parquet else ("line", 2)
    return [
        _Row(f"{path} {unit} {i + offset}", dict(zip(columns, cells, strict=True)), [])
        for i, cells in enumerate(values)
    ]


def read_omop(
    folder: str | Path, *, progress: bool | None = None
) -> tuple[list[tuple[str, CaseRecord | InvalidInputError]], str]:
    """Read a folder of OMOP CDM v5.4 tables into netline records (one per person).

    Parameters
    ----------
    folder : path
        The folder of ``<table>.csv`` / ``<table>.parquet`` files.
    progress : bool, optional
        Show a progress bar on stderr (default: on a terminal, from 1,000 persons).

    Returns
    -------
    items : list of (str, CaseRecord or InvalidInputError)
        Each person's record (or its problems) with where it was read; a row of another
        table naming no known person is an item of its own.
    source : str

    Raises
    ------
    InvalidInputError
        When the folder has no person table, or a table cannot be read or lacks a column.
    """
    import duckdb

    root = Path(folder)
    files = _find_files(root)
    con = duckdb.connect()
    try:
        tables = {name: _read_table(con, name, path) for name, path in files.items()}
    finally:
        con.close()
    people, orphans = _people(tables["person"])
    for name in OMOP_IMPORT_TABLES[1:]:
        for row in tables.get(name, []):
            pid = row.integer("person_id", required=True)
            person = people.get(pid) if pid is not None else None
            if person is None:
                if not row.problems:
                    row.problems.append(
                        Problem(
                            f"{row.where}, field person_id",
                            row.text("person_id"),
                            "a person_id of the person table",
                        )
                    )
                orphans.append(row)
                continue
            _FILL[name](person, row)
            person.problems.extend(row.problems)
    items: list[tuple[str, CaseRecord | InvalidInputError]] = [
        ("rows of no person", InvalidRecordError(row.problems, source=str(root))) for row in orphans
    ]
    checking = iterate(list(people.values()), "checking OMOP persons", "person", progress, 1000)
    items += [(person.where, _finish(person, root)) for person in checking]
    return items, str(root)


def import_omop(
    registry: Any,
    folder: str | Path,
    *,
    who: str | None = None,
    keep_valid: bool = False,
    progress: bool | None = None,
) -> Any:
    """Import a folder of OMOP CDM v5.4 tables into a registry, all or nothing.

    Parameters
    ----------
    registry : Registry
        An open registry (:func:`netline.registry.open_registry`).
    folder : path
        The folder of OMOP tables (see :func:`read_omop`).
    who : str, optional
        Who imports (default: the operating-system user).
    keep_valid : bool
        Import the valid persons and report the others; by default one bad row refuses the
        whole import and nothing is written.
    progress : bool, optional
        Show a progress bar on stderr (default: on a terminal, from 1,000 persons).

    Returns
    -------
    ImportReport

    Raises
    ------
    ImportRefusedError
        When a row is bad and ``keep_valid`` is false (nothing is written).
    """
    items, source = read_omop(folder, progress=progress)
    return registry.import_records(items, source=source, who=who, keep_valid=keep_valid)


# ---------------------------------------------------------------------- rows to records


def _people(rows: list[_Row]) -> tuple[dict[int, _Person], list[_Row]]:
    people: dict[int, _Person] = {}
    bad: list[_Row] = []
    for row in rows:
        pid = row.integer("person_id", required=True)
        year = row.integer("year_of_birth")
        month, day = row.integer("month_of_birth"), row.integer("day_of_birth")
        if pid is not None and pid in people:
            row.problems.append(
                Problem(f"{row.where}, field person_id", pid, "a person_id not used before")
            )
        if pid is None or pid in people:
            bad.append(row)
            continue
        sex = lookup("gender", row.text("gender_concept_id"), row.text("gender_source_value"))
        if sex is None and (row.integer("gender_concept_id") or row.text("gender_source_value")):
            row.problems.append(
                Problem(
                    f"{row.where}, field gender_concept_id",
                    row.text("gender_concept_id"),
                    "a gender concept of the concept sets (8507, 8532) or 0 with no source value",
                )
            )
        patient: dict[str, Any] = {"id": row.text("person_source_value") or f"omop-{pid}"}
        patient["sex"] = sex or "unknown"
        if year is not None and month is not None and day is not None:
            patient["birth_date"] = f"{year:04d}-{month:02d}-{day:02d}"
        elif year is not None:
            patient["birth_year"] = year
        person = _Person(
            f"person {pid} ({patient['id']})",
            row.where,
            {"id": f"omop-{patient['id']}", "patient": patient, "metastases": [], "events": []},
            problems=list(row.problems),
        )
        person.trace |= {
            "patient.id": f"{row.where}, field person_source_value",
            "patient.birth_date": f"{row.where}, fields year/month/day_of_birth",
            "patient.birth_year": f"{row.where}, field year_of_birth",
            "patient": row.where,
        }
        people[pid] = person
    return people, bad


def _period(person: _Person, row: _Row) -> None:
    end = row.date("observation_period_end_date", required=True)
    patient = person.data["patient"]
    if end is not None and (patient.get("last_follow_up") or dt.date.min) < end:
        patient["last_follow_up"] = end
        person.trace["patient.last_follow_up"] = f"{row.where}, field observation_period_end_date"


def _death(person: _Person, row: _Row) -> None:
    patient = person.data["patient"]
    patient["death_date"] = row.date("death_date", required=True)
    if row.text("cause_source_value"):
        patient["cause_of_death"] = row.text("cause_source_value")
    person.trace["patient.death_date"] = f"{row.where}, field death_date"


def _condition(person: _Person, row: _Row) -> None:
    found = lookup_condition(row.text("condition_concept_id"), row.text("condition_source_value"))
    if found is None:
        return
    kind, code = found
    start = row.date("condition_start_date", required=True)
    where = f"{row.where}, field condition_source_value"
    if kind == "metastasis":
        person.trace[f"metastases[{len(person.data['metastases'])}]"] = where
        person.data["metastases"].append({"organ": code, "found": start})
        return
    if person.primary_from is not None and start is not None and person.primary_from <= start:
        return  # the earliest primary-tumour row gives the site and diagnosis date
    person.primary_from = start
    primary = person.data.setdefault("primary", {})
    primary["site"] = code
    if row.text("condition_status_source_value") != "date unknown":
        primary["diagnosed"] = start
    person.trace |= {
        "primary.site": where,
        "primary.diagnosed": f"{row.where}, field condition_start_date",
    }


def _drug(person: _Person, row: _Row) -> None:
    agent = lookup("agent", row.text("drug_concept_id"), row.text("drug_source_value"))
    if agent is None:
        return
    start = row.date("drug_exposure_start_date", required=True)
    cycle = _CYCLE.fullmatch(row.text("sig") or "")
    therapy = person.open_cycles.get(agent) if cycle and cycle[1] != "1" else None
    if therapy is None:
        therapy = person.event(
            {
                "type": "systemic_therapy",
                "id": f"drug-{row.text('drug_exposure_id') or len(person.data['events'])}",
                "agent": agent,
                "start": start,
            },
            row.where,
        )
    if cycle:
        # one row per cycle (netline's export): the cycle's date is the row's end date
        given: dict[str, Any] = {"date": row.date("drug_exposure_end_date", required=True)}
        if row.text("quantity") is not None and row.text("dose_unit_source_value") == "GBq":
            given["activity_gbq"] = row.number("quantity")
        therapy.setdefault("cycles", []).append(given)
        person.open_cycles[agent] = therapy
        if cycle[1] != cycle[2]:
            return
        person.open_cycles.pop(agent)
    reason = row.text("stop_reason")
    stop = row.date("verbatim_end_date")
    end = row.date("drug_exposure_end_date")
    if (
        stop is None
        and not cycle
        and reason != "ongoing"
        and end is not None
        and start is not None
        and end > start
    ):
        # an end date equal to the start is OMOP's filler for "not known"
        stop = end
    if stop is not None:
        therapy["stop"] = stop
    if reason is not None:
        therapy["reason_stopped"] = reason
        person.trace[f"events[{person.data['events'].index(therapy)}].reason_stopped"] = (
            f"{row.where}, field stop_reason"
        )


def _procedure(person: _Person, row: _Row) -> None:
    found = lookup_procedure(row.text("procedure_source_value"))
    if found is None:
        return
    kind, code = found
    date = row.date("procedure_date", required=True)
    modifier = row.text("modifier_source_value")
    pid = row.text("procedure_occurrence_id") or str(len(person.data["events"]))
    item: dict[str, Any] = {"type": kind, "id": f"procedure-{pid}", "date": date}
    if kind == "surgery":
        item |= {"procedure": code, "organs": modifier.split(";") if modifier else []}
    elif kind == "local_therapy":
        item |= {"modality": code} | ({"organ": modifier} if modifier else {})
    else:
        item |= {"modality": code}
        key = row.integer("procedure_occurrence_id")
        if key is not None:
            person.scans[key] = item
    person.event(item, f"{row.where}, field procedure_source_value")


def _measurement(person: _Person, row: _Row) -> None:
    source = row.text("measurement_source_value")
    if source == MEAS_LESION:
        _lesion(person, row)
        return
    code = lookup("measurement", row.text("measurement_concept_id"), source)
    if code is None and source is not None and source in _analytes():
        code = source
    if code is None:
        return
    date = row.date("measurement_date", required=True)
    value = row.number("value_as_number", required=True)
    if code == "ki67_percent":
        primary = person.data.setdefault("primary", {})
        histology: dict[str, Any] = {"ki67_percent": value}
        if date is not None and date != primary.get("diagnosed"):
            histology["date"] = date
        primary["histology"] = histology
        person.trace["primary.histology"] = f"{row.where}, field value_as_number"
        return
    result: dict[str, Any] = {
        "analyte": code,
        "value": value,
        "unit": row.text("unit_source_value"),
    }
    for name, column in (("lower_limit", "range_low"), ("upper_limit", "range_high")):
        if row.text(column) is not None:
            result[name] = row.number(column)
    if date is None:
        return
    panel = person.labs.get(date)
    if panel is None:
        panel = person.event({"type": "labs", "date": date, "results": []}, row.where)
        person.labs[date] = panel
    n = len(panel["results"])
    index = person.data["events"].index(panel)
    person.trace[f"events[{index}].results[{n}]"] = row.where
    panel["results"].append(result)


def _observation(person: _Person, row: _Row) -> None:
    source = row.text("observation_source_value")
    value = row.text("value_as_string")
    where = f"{row.where}, field value_as_string"
    if source == OBS_FUNCTIONING:
        person.data.setdefault("primary", {})["functioning_syndrome"] = value
        person.trace["primary.functioning_syndrome"] = where
    elif source == OBS_DISEASE_STATUS:
        basis = row.text("qualifier_source_value")
        item: dict[str, Any] = {"type": "disease_status"}
        item["date"] = row.date("observation_date", required=True)
        item |= {"status": value} | ({"basis": basis.split(";")} if basis else {})
        person.event(item, where)
    elif source in SCAN_FINDINGS:
        scan = _scan_of(person, row, "observation_event_id")
        if scan is not None:
            put_finding(scan, source, value)
            index = person.data["events"].index(scan)
            person.trace[f"events[{index}].{SCAN_FINDINGS[source]}"] = where


def _scan_of(person: _Person, row: _Row, column: str) -> dict[str, Any] | None:
    """Return the imaging event a row is linked to by ``column``, or record a problem."""
    key = row.integer(column, required=True)
    scan = person.scans.get(key) if key is not None else None
    if scan is None and key is not None:
        row.problems.append(
            Problem(
                f"{row.where}, field {column}",
                key,
                "the procedure_occurrence_id of one of this person's scans",
            )
        )
    return scan


def _lesion(person: _Person, row: _Row) -> None:
    scan = _scan_of(person, row, "measurement_event_id")
    if scan is None:
        return
    lesion = unpack_lesion(row.text("value_source_value") or "")
    if row.text("value_as_number") is not None:
        lesion["diameter_mm"] = row.number("value_as_number")
    lesions = scan.setdefault("lesions", [])
    index = person.data["events"].index(scan)
    person.trace[f"events[{index}].lesions[{len(lesions)}]"] = (
        f"{row.where}, field value_source_value"
    )
    lesions.append(lesion)


_FILL: dict[str, Callable[[_Person, _Row], None]] = {
    "observation_period": _period,
    "death": _death,
    "condition_occurrence": _condition,
    "drug_exposure": _drug,
    "procedure_occurrence": _procedure,
    "measurement": _measurement,
    "observation": _observation,
}


def _analytes() -> set[str]:
    from netline.records.vocabulary import Analyte

    return {a.value for a in Analyte}


def _finish(person: _Person, root: Path) -> CaseRecord | InvalidInputError:
    if "site" not in person.data.get("primary", {}):
        person.problems.append(
            Problem(
                person.row,
                "no NET primary tumour",
                "a condition_occurrence row of a NET primary tumour (see the NET concept sets)",
            )
        )
    if person.problems:
        return InvalidRecordError(person.problems, source=str(root))
    try:
        return record_from_data(_jsonable(person.data), source=str(root))
    except InvalidRecordError as error:
        return InvalidRecordError(
            [locate(p, person.trace) for p in error.problems], source=str(root)
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
