"""REDCap import: a data dictionary and a records CSV export, read through a mapping file.

The mapping file (YAML, ``examples/registry/redcap/mapping.yaml``) says which REDCap field
fills which netline field; the user edits it to fit an existing project. Its parts:

``record_id``
    The REDCap record id field (one patient per record).
``fields``
    Non-repeating fields: ``netline.path: redcap_field`` (e.g. ``primary.diagnosed: dx_date``)
    or ``netline.path: {field: redcap_field, values: {redcap_code: netline_value}}`` when the
    project's choice codes are not netline's own.
``instruments``
    Repeating instruments (rows with ``redcap_repeat_instrument``): each has ``into``
    (``metastases`` or ``events``), for events a ``type`` (``systemic_therapy``,
    ``imaging``, ...), and ``fields`` as above, relative to one item.
``events`` (longitudinal projects only)
    Every ``redcap_event_name`` of the export: ``{event: {}}`` for an event whose rows hold
    the non-repeating fields, ``{event: {instrument: name}}`` for an event whose rows (a
    repeating event's instances, or a single instance) are each one item of that
    instrument. A row of a repeating instrument inside any event names its instrument in
    ``redcap_repeat_instrument`` as in a classic project. A non-repeating field recorded
    twice with different values (at two events) is an error naming both rows.

Every value is checked by the case-file rules (:mod:`netline.records`); a problem is reported
with the CSV row, the REDCap field and the value. :func:`template_dictionary` writes the data
dictionary of a NET registry project whose choice codes are netline's, so it imports with the
bundled mapping unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from netline.errors import InvalidInputError, InvalidRecordError, Problem
from netline.records import CaseRecord, record_from_data
from netline.registry.importers._locate import locate

__all__ = ["read_redcap", "template_dictionary"]

_REPEAT = "redcap_repeat_instrument"
_INSTANCE = "redcap_repeat_instance"
_EVENT = "redcap_event_name"
_DICT_FIELD = "Variable / Field Name"


def _load_mapping(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInputError.single(
            str(path), "unreadable", f"a YAML mapping file ({exc})"
        ) from None
    if not isinstance(data, dict) or "record_id" not in data or "fields" not in data:
        raise InvalidInputError.single(
            str(path), type(data).__name__, "a mapping with record_id and fields"
        )
    return data


def _spec(value: Any) -> tuple[str, dict[str, str]]:
    if isinstance(value, Mapping):
        return str(value["field"]), {str(k): str(v) for k, v in (value.get("values") or {}).items()}
    return str(value), {}


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _fill(
    row: Mapping[str, str], fields: Mapping[str, Any], into: dict[str, Any], where: dict[str, str]
) -> None:
    for path, raw_spec in fields.items():
        name, values = _spec(raw_spec)
        text = (row.get(name) or "").strip()
        if not text:
            continue
        value: Any = values.get(text, text)
        _put(into, path, value)
        where[path] = name


def _dictionary_fields(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or _DICT_FIELD not in reader.fieldnames:
            raise InvalidInputError.single(
                str(path), reader.fieldnames, f"a REDCap data dictionary (column {_DICT_FIELD!r})"
            )
        return {row[_DICT_FIELD] for row in reader}


def _mapped_fields(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = [("record_id", str(mapping["record_id"]))]
    found += [(f"fields.{p}", _spec(s)[0]) for p, s in mapping["fields"].items()]
    for name, instrument in (mapping.get("instruments") or {}).items():
        found += [
            (f"instruments.{name}.fields.{p}", _spec(s)[0]) for p, s in instrument["fields"].items()
        ]
    return found


def read_redcap(
    dictionary: str | Path, records: str | Path, mapping: str | Path
) -> tuple[list[tuple[str, CaseRecord | InvalidInputError]], str]:
    """Read a REDCap records export into netline records (one per REDCap record).

    Parameters
    ----------
    dictionary : path
        The project's data dictionary (CSV).
    records : path
        The records export (CSV, raw values, with ``redcap_repeat_instrument`` and
        ``redcap_repeat_instance`` for repeating instruments, and ``redcap_event_name`` in a
        longitudinal project, whose events the mapping's ``events`` block names).
    mapping : path
        The mapping file (YAML).

    Returns
    -------
    items : list of (str, CaseRecord or InvalidInputError)
        Each record with where it came from (``file record <id>``).
    source : str

    Raises
    ------
    InvalidInputError
        When the mapping names a field the data dictionary does not have.
    """
    dictionary, records, mapping = Path(dictionary), Path(records), Path(mapping)
    spec = _load_mapping(mapping)
    known = _dictionary_fields(dictionary)
    missing = [
        Problem(f"{mapping}: {where}", name, f"a field of {dictionary.name}")
        for where, name in _mapped_fields(spec)
        if name not in known
    ]
    instruments_named = spec.get("instruments") or {}
    missing += [
        Problem(f"{mapping}: events.{event}.instrument", config["instrument"], "an instrument")
        for event, config in (spec.get("events") or {}).items()
        if config and config.get("instrument") and config["instrument"] not in instruments_named
    ]
    if missing:
        raise InvalidInputError(missing)
    rid = str(spec["record_id"])
    instruments: Mapping[str, Any] = spec.get("instruments") or {}
    by_record: dict[str, dict[str, Any]] = {}
    with records.open(newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            key = (row.get(rid) or "").strip()
            if not key:
                by_record.setdefault(
                    f"row {number}",
                    {"rows": [], "error": Problem(f"row {number}", None, f"a value in {rid}")},
                )
                continue
            entry = by_record.setdefault(key, {"rows": []})
            entry["rows"].append((number, row))
    items: list[tuple[str, CaseRecord | InvalidInputError]] = []
    for key, entry in by_record.items():
        where_name = f"{records} record {key}"
        if "error" in entry:
            items.append(
                (f"{records} {key}", InvalidRecordError([entry["error"]], source=str(records)))
            )
            continue
        items.append((where_name, _record(key, entry["rows"], spec, instruments, records)))
    return items, str(records)


def _instrument_of(
    number: int, row: Mapping[str, str], spec: Mapping[str, Any], instruments: Mapping[str, Any]
) -> tuple[str, Problem | None]:
    """Return the instrument a row fills ("" for the non-repeating fields), or a problem.

    A row of a repeating instrument names it in ``redcap_repeat_instrument``. In a
    longitudinal project (a mapping with ``events``), a row without one belongs to its
    ``redcap_event_name``: an event mapped to an ``instrument`` (a repeating event, or an
    event that holds one instance) makes the row one item of it; any other mapped event
    holds the non-repeating fields.
    """
    instrument = (row.get(_REPEAT) or "").strip()
    events: Mapping[str, Any] | None = spec.get("events")
    if not instrument and events is not None:
        event = (row.get(_EVENT) or "").strip()
        if event not in events:
            expected = "an event of the mapping: " + ", ".join(events)
            return "", Problem(f"row {number}, field {_EVENT}", event or None, expected)
        instrument = str((events[event] or {}).get("instrument") or "")
    if instrument and instrument not in instruments:
        field = _REPEAT if (row.get(_REPEAT) or "").strip() else _EVENT
        expected = "an instrument of the mapping: " + ", ".join(instruments)
        return "", Problem(f"row {number}, field {field}", instrument, expected)
    return instrument, None


def _record(
    key: str,
    rows: list[tuple[int, Mapping[str, str]]],
    spec: Mapping[str, Any],
    instruments: Mapping[str, Any],
    source: Path,
) -> CaseRecord | InvalidInputError:
    data: dict[str, Any] = {
        "id": f"redcap-{key}",
        "patient": {"id": key},
        "metastases": [],
        "events": [],
    }
    trace: dict[str, str] = {}
    problems: list[Problem] = []
    base: dict[str, tuple[int, str]] = {}
    for number, row in rows:
        instrument, problem = _instrument_of(number, row, spec, instruments)
        if problem is not None:
            problems.append(problem)
            continue
        if not instrument:
            where: dict[str, str] = {}
            before = _flat(data)
            _fill(row, spec["fields"], data, where)
            for path, name in where.items():
                if path in base and before.get(path) != _flat(data).get(path):
                    first, first_name = base[path]
                    problems.append(
                        Problem(
                            f"row {number}, field {name}",
                            _flat(data).get(path),
                            f"the value of row {first}, field {first_name} "
                            f"({before.get(path)!r}): {path} is recorded once",
                        )
                    )
                base.setdefault(path, (number, name))
            trace |= {path: f"row {number}, field {name}" for path, name in where.items()}
            continue
        config = instruments[instrument]
        item: dict[str, Any] = {"type": config["type"]} if config.get("type") else {}
        where = {}
        _fill(row, config["fields"], item, where)
        bucket = data[config["into"]]
        prefix = f"{config['into']}[{len(bucket)}]"
        trace |= {f"{prefix}.{path}": f"row {number}, field {name}" for path, name in where.items()}
        event = (row.get(_EVENT) or "").strip()
        label = " ".join(x for x in (event, instrument, f"#{row.get(_INSTANCE) or 1}") if x)
        trace[prefix] = f"row {number} ({label})"
        bucket.append(item)
    if problems:
        return InvalidRecordError(problems, source=str(source))
    try:
        return record_from_data(data, source=str(source))
    except InvalidRecordError as error:
        return InvalidRecordError([locate(p, trace) for p in error.problems], source=str(source))


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat |= _flat(value, f"{prefix}{key}.")
        elif not isinstance(value, list):
            flat[f"{prefix}{key}"] = value
    return flat


def template_dictionary(mapping: str | Path, out: str | Path) -> Path:
    """Write a REDCap data dictionary (CSV) for the fields of a mapping file.

    Choice fields list netline's own codes, so records entered in the project import with
    the same mapping unchanged.
    """
    from netline.records.vocabulary import (
        Agent,
        FunctioningSyndrome,
        ImagingModality,
        Organ,
        PrimarySite,
        ReasonStopped,
        RecordedResponse,
        Sex,
    )

    choices = {
        "patient.sex": Sex,
        "primary.site": PrimarySite,
        "primary.functioning_syndrome": FunctioningSyndrome,
        "organ": Organ,
        "agent": Agent,
        "reason_stopped": ReasonStopped,
        "modality": ImagingModality,
        "recorded_response": RecordedResponse,
    }
    dates = (
        "date",
        "start",
        "stop",
        "found",
        "diagnosed",
        "birth_date",
        "death_date",
        "last_follow_up",
    )
    spec = _load_mapping(Path(mapping))
    rows = [(str(spec["record_id"]), "patient", "record_id", "text", "Record ID", "", "")]
    forms = [("patient", spec["fields"])] + [
        (name, i["fields"]) for name, i in (spec.get("instruments") or {}).items()
    ]
    for form, fields in forms:
        for path, raw in fields.items():
            name, _ = _spec(raw)
            options = choices.get(path)
            if options is not None:
                rows.append(
                    (
                        name,
                        form,
                        path,
                        "dropdown",
                        path,
                        " | ".join(f"{o.value}, {o.value}" for o in options),
                        "",
                    )
                )
            elif path.split(".")[-1] in dates:
                rows.append((name, form, path, "text", path, "", "date_ymd"))
            else:
                rows.append(
                    (name, form, path, "text", path, "", "number" if "percent" in path else "")
                )
    target = Path(out)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                _DICT_FIELD,
                "Form Name",
                "Section Header",
                "Field Type",
                "Field Label",
                "Choices, Calculations, OR Slider Labels",
                "Text Validation Type OR Show Slider Number",
            ]
        )
        for name, form, _path, kind, label, choice_text, validation in rows:
            writer.writerow([name, form, "", kind, label, choice_text, validation])
    return target
