"""Reading and writing case files (YAML or JSON), with every problem reported at once.

Loading goes in three steps, and any problem found stops the load with an
:class:`~netline.errors.InvalidRecordError` that lists them all:

1. parse the text (YAML is a superset of JSON, so one parser reads both);
2. resolve relative dates (:mod:`netline.records.dates`) against the index date, the birth date
   and the ids of events;
3. validate the record (:class:`~netline.records.model.CaseRecord`), translating pydantic's
   errors into :class:`~netline.errors.Problem` objects that name the field path, the value
   and what was expected.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from netline._inputs import problems_from_validation, read_text, yaml_problem
from netline.errors import InvalidRecordError, Problem
from netline.records.dates import parse_relative
from netline.records.model import EVENT_TYPES, CaseRecord

__all__ = ["dump_case", "load_case", "parse_case", "record_from_data"]

_DATE_KEYS = frozenset(
    {
        "date",
        "start",
        "stop",
        "found",
        "diagnosed",
        "death_date",
        "last_follow_up",
        "birth_date",
        "since",
        "resolved",
        "index_date",
    }
)
_DATE_FORMS = "an ISO date (YYYY-MM-DD) or an offset such as 'index + 3 months'"

# custom error type -> the field inside the failing object it is about
_ERROR_FIELD = {
    "stop_before_start": "stop",
    "ongoing_with_stop": "stop",
    "cycle_outside": "cycles",
    "cycle_order": "cycles",
    "activity_not_radioligand": "cycles",
    "resolved_before_onset": "resolved",
    "nodes": "positive",
    "birth_mismatch": "birth_year",
    "fields_needed": "n_fields",
    "unknown_unit": "unit",
    "negative_lab": "value",
    "lab_value": "value",
    "duplicate_lesion": "lesions",
}


def load_case(path: str | Path) -> CaseRecord:
    """Read a case file (``.yaml``, ``.yml`` or ``.json``).

    Parameters
    ----------
    path : str or Path
        The case file.

    Returns
    -------
    CaseRecord
        The validated record, with relative dates resolved and lab values in canonical units.

    Raises
    ------
    InvalidRecordError
        If the file cannot be read or fails validation; every problem is listed.
    """
    text = read_text(path, "case file", InvalidRecordError)
    return parse_case(text, source=str(path))


def parse_case(text: str, source: str | None = None) -> CaseRecord:
    """Parse the text of a case file (YAML or JSON). See :func:`load_case`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidRecordError([yaml_problem(exc)], source=source) from None
    return record_from_data(data, source=source)


def record_from_data(data: object, source: str | None = None) -> CaseRecord:
    """Validate already-parsed case data (a mapping as read from YAML or JSON)."""
    if not isinstance(data, Mapping):
        raise InvalidRecordError(
            [Problem("", _type_name(data), "a mapping with 'id', 'patient' and 'primary'")],
            source=source,
        )
    resolved, problems = resolve_dates(data)
    if problems:
        raise InvalidRecordError(problems, source=source)
    try:
        return CaseRecord.model_validate(resolved)
    except ValidationError as exc:
        raise InvalidRecordError(translate(exc), source=source) from None


def dump_case(record: CaseRecord, path: str | Path | None = None, fmt: str = "yaml") -> str:
    """Write a record as a case file with absolute dates; return the text.

    Parameters
    ----------
    record : CaseRecord
    path : str or Path, optional
        Where to write; the format follows its suffix (``.json`` for JSON, else YAML).
    fmt : {"yaml", "json"}
        The format when no path is given.
    """
    data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    events = [
        {"type": event.type, **dumped}
        for event, dumped in zip(record.events, data.get("events", []), strict=True)
    ]
    data = {"netline_case": 1, **data, **({"events": events} if events else {})}
    if path is not None:
        fmt = "json" if str(path).endswith(".json") else "yaml"
    text = (
        json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if fmt == "json"
        else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


# --------------------------------------------------------------------------- dates


def _date_slots(node: Any, path: str = "") -> Iterator[tuple[Any, Any, str]]:
    """Yield (container, key, path) for every date-valued field in the raw data."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            if key in _DATE_KEYS and isinstance(value, str | dt.date):
                yield node, key, child
            else:
                yield from _date_slots(value, child)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _date_slots(value, f"{path}[{i}]")


def resolve_dates(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Resolve every relative date; return the new data and the problems found."""
    out: dict[str, Any] = copy.deepcopy(dict(data))
    problems: list[Problem] = []
    pending: list[tuple[Any, Any, str, Any]] = []
    for container, key, path in _date_slots(out):
        value = container[key]
        if isinstance(value, dt.datetime):
            container[key] = value.date()
        elif isinstance(value, dt.date):
            continue
        else:
            try:
                container[key] = dt.date.fromisoformat(value.strip())
                continue
            except ValueError:
                pass
            try:
                relative = parse_relative(value)
            except ValueError as exc:
                problems.append(Problem(path, value, f"{_DATE_FORMS} ({exc})"))
                continue
            if relative is None:
                problems.append(Problem(path, value, _DATE_FORMS))
                continue
            pending.append((container, key, path, relative))

    progress = True
    while pending and progress:
        progress = False
        anchors = _anchors(out)
        still: list[tuple[Any, Any, str, Any]] = []
        for container, key, path, relative in pending:
            anchor = anchors.get(relative.anchor)
            if isinstance(anchor, dt.date):
                container[key] = relative.resolve(anchor)
                progress = True
            else:
                still.append((container, key, path, relative))
        pending = still

    known = sorted(_anchors(out, include_unresolved=True))
    for container, key, path, relative in pending:
        if relative.anchor in known:
            expected = f"an anchor '{relative.anchor}' with a resolvable date (circular offsets?)"
        else:
            expected = f"an offset from a known anchor: {', '.join(known)}"
        problems.append(Problem(path, container[key], expected))
    return out, problems


def _anchors(data: Mapping[str, Any], include_unresolved: bool = False) -> dict[str, object]:
    anchors: dict[str, object] = {}

    def offer(name: str, value: object) -> None:
        if isinstance(value, dt.date) or (include_unresolved and value is not None):
            anchors[name] = value

    offer("index", data.get("index_date"))
    patient = data.get("patient")
    if isinstance(patient, Mapping):
        offer("birth", patient.get("birth_date"))
    events = data.get("events")
    if isinstance(events, list):
        for event in events:
            if isinstance(event, Mapping) and isinstance(event.get("id"), str):
                offer(event["id"], event.get("start", event.get("date")))
                offer(f"{event['id']}.stop", event.get("stop"))
    return anchors


# --------------------------------------------------------------------------- errors


def translate(exc: ValidationError) -> list[Problem]:
    """Turn pydantic's errors on a case file into problems (path, value, expectation)."""
    errors = exc.errors(include_url=False)
    integrity = [e for e in errors if e["type"] == "record_integrity"]
    problems: list[Problem] = problems_from_validation(
        [e for e in errors if e["type"] != "record_integrity"],
        skip_part=_union_tag,
        extra_field_hint="check the spelling against `netline schema`",
        expected_for={
            "union_tag_invalid": f"an event 'type': one of {', '.join(EVENT_TYPES)}",
            "union_tag_not_found": f"a 'type' field: one of {', '.join(EVENT_TYPES)}",
        },
        adjust=_point_at_field,
    )
    for error in integrity:
        problems.extend((error.get("ctx") or {})["problems"])
    return problems


def _union_tag(loc: tuple[int | str, ...], i: int) -> bool:
    """Tell whether a location part is the tag pydantic inserts for an event union."""
    return i > 0 and isinstance(loc[i - 1], int) and loc[i] in EVENT_TYPES


def _point_at_field(
    error: Any, parts: list[int | str], value: object
) -> tuple[list[int | str], object]:
    field = _ERROR_FIELD.get(error["type"])
    if field is not None and isinstance(value, Mapping):
        return [*parts, field], value.get(field)
    return parts, value


def _type_name(value: object) -> str:
    return "nothing (empty file)" if value is None else f"a {type(value).__name__}"
