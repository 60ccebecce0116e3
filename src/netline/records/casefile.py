"""Reading and writing case files (YAML or JSON), with every problem reported at once.

Loading goes in three steps; the problems of all three are collected and reported together in
one :class:`~netline.errors.InvalidRecordError`, each with its file, line and column:

1. parse the text strictly (:mod:`netline._inputs`: YAML 1.2 core schema or JSON, duplicate
   keys, aliases, non-finite numbers and oversized files refused);
2. resolve relative dates (:mod:`netline.records.dates`) against the index date, the birth date
   and the ids of events (ids may not shadow those anchors);
3. validate the record (:class:`~netline.records.model.CaseRecord`); a date that could not be
   resolved is left out of this step, so that the rest of the record is still checked and the
   date's problem is not repeated as a consequence.

Root causes come first: a problem with the patient's birth or death date is listed before the
events it puts out of order, and a rule broken by many events in the same way (every event
before a wrong birth date) is listed once, naming how many events it concerns.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from netline._atomic import write_text_atomic
from netline._inputs import (
    MAX_NODES,
    Document,
    parse_document,
    problems_from_validation,
    read_document,
)
from netline._io.yaml_core import dump_yaml
from netline.errors import InvalidRecordError, Problem
from netline.records.dates import parse_relative, reserved_anchor
from netline.records.model import EVENT_TYPES, CaseRecord

__all__ = ["dump_case", "load_case", "parse_case", "record_from_data", "record_from_document"]

_IDENTIFIER = "an identifier: a letter, then at most 63 letters, digits, '_', '.' or '-'"
#: A rule broken in the same way by more events than this is listed once, with a count.
_GROUP_AFTER = 3

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
    "supportive_agent": "agent",
    "target_organ": "organ",
    "lesion_count": "lesions_treated",
    "organ_involved_and_clear": "organs_clear",
    "drug_name": "name",
    "nec_grade": "grade",
}


def load_case(path: str | Path) -> CaseRecord:
    """Read a case file (``.yaml``, ``.yml`` or ``.json``).

    Parameters
    ----------
    path : str or Path
        The case file (JSON when its name ends in ``.json``, YAML otherwise).

    Returns
    -------
    CaseRecord
        The validated record, with relative dates resolved and lab values in canonical units.

    Raises
    ------
    InvalidRecordError
        If the file cannot be read or fails validation; every problem is listed, each with
        its line and column.
    """
    return record_from_document(read_document(path, "case file", InvalidRecordError))


def parse_case(text: str, source: str | None = None) -> CaseRecord:
    """Parse the text of a case file (YAML or JSON). See :func:`load_case`."""
    return record_from_document(parse_document(text, source=source, error=InvalidRecordError))


def record_from_data(data: object, source: str | None = None) -> CaseRecord:
    """Validate already-parsed case data (a mapping as read from YAML or JSON)."""
    return record_from_document(Document(data, {}, source))


def record_from_document(document: Document) -> CaseRecord:
    """Validate a parsed case file, reporting every problem at once with its position.

    Raises
    ------
    InvalidRecordError
        Listing every problem: reserved ids, dates, then the record's own rules.
    """
    data, source = document.data, document.source
    if not isinstance(data, Mapping):
        raise InvalidRecordError(
            document.locate(
                [Problem("", _type_name(data), "a mapping with 'id', 'patient' and 'primary'")]
            ),
            source=source,
        )
    problems = _reserved_ids(data)
    resolved, date_problems, unresolved = _resolve(data)
    problems += date_problems
    try:
        record = CaseRecord.model_validate(resolved)
    except ValidationError as exc:
        problems += [p for p in translate(exc) if p.location not in unresolved]
    else:
        if not problems:
            return record
    raise InvalidRecordError(document.locate(problems), source=source)


def _reserved_ids(data: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    events = data.get("events")
    for i, event in enumerate(events if isinstance(events, list) else []):
        if isinstance(event, Mapping) and isinstance(event.get("id"), str):
            expected = reserved_anchor(event["id"])
            if expected is not None:
                problems.append(Problem(f"events[{i}].id", event["id"], expected))
    return problems


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
        json.dumps(data, indent=2, ensure_ascii=False) + "\n" if fmt == "json" else dump_yaml(data)
    )
    if path is not None:
        write_text_atomic(Path(path), text)
    return text


# --------------------------------------------------------------------------- dates


def _date_slots(data: Any) -> Iterator[tuple[Any, Any, str]]:
    """Yield (container, key, path) for every date-valued field in the raw data.

    The walk visits at most :data:`~netline._inputs.MAX_NODES` values, so that data built in
    Python with shared references (a "billion laughs" structure) cannot make it hang.
    """
    stack: list[tuple[Any, str]] = [(data, "")]
    visited = 0
    while stack:
        node, path = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise InvalidRecordError(
                [Problem("", f"more than {MAX_NODES:,} values", "a record of ordinary size")]
            )
        children: list[tuple[Any, str]] = []
        if isinstance(node, dict):
            for key, value in node.items():
                child = f"{path}.{key}" if path else str(key)
                if key in _DATE_KEYS and isinstance(value, str | dt.date):
                    yield node, key, child
                else:
                    children.append((value, child))
        elif isinstance(node, list):
            children = [(value, f"{path}[{i}]") for i, value in enumerate(node)]
        stack.extend(reversed(children))


def resolve_dates(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Resolve every relative date; return the new data and the problems found.

    A date that cannot be resolved is removed from the returned data (its problem says why).
    Dates relative to a date that failed are not reported one by one: the failed date's
    problem says how many depend on it.
    """
    out, problems, _ = _resolve(data)
    return out, problems


def _resolve(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem], set[str]]:
    """Resolve dates; return the data, the problems and the locations of removed dates."""
    out: dict[str, Any] = copy.deepcopy(dict(data))
    problems: list[Problem] = []
    failed: list[tuple[Any, Any]] = []
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
            except ValueError as exc:
                iso_error = _iso_problem(path, value, exc)
            if iso_error is not None:
                problems.append(iso_error)
                failed.append((container, key))
                continue
            try:
                relative = parse_relative(value)
            except ValueError as exc:
                problems.append(Problem(path, value, f"{_DATE_FORMS} ({exc})"))
                failed.append((container, key))
                continue
            if relative is None:
                problems.append(Problem(path, value, _DATE_FORMS))
                failed.append((container, key))
                continue
            pending.append((container, key, path, relative))

    progress = True
    while pending and progress:
        progress = False
        anchors = _anchors(out)
        still: list[tuple[Any, Any, str, Any]] = []
        for container, key, path, relative in pending:
            anchor = anchors.get(relative.anchor)
            if not isinstance(anchor, dt.date):
                still.append((container, key, path, relative))
                continue
            progress = True
            try:
                container[key] = relative.resolve(anchor)
            except ValueError as exc:
                problems.append(Problem(path, container[key], f"{_DATE_FORMS} ({exc})"))
                failed.append((container, key))
        pending = still

    known = sorted(_anchors(out, include_unresolved=True))
    failed_names = {_anchor_name(out, problem.location) for problem in problems}
    blocked = _blocked_by(out, pending, {name for name in failed_names if name is not None})
    for container, key, path, relative in pending:
        failed.append((container, key))
        if path in blocked:
            continue
        if relative.anchor in known:
            expected = f"an anchor '{relative.anchor}' with a resolvable date (circular offsets?)"
        else:
            expected = f"an offset from a known anchor: {', '.join(known)}"
        problems.append(Problem(path, container[key], expected))
    if blocked:
        problems = [_with_dependents(p, out, blocked) for p in problems]
    removed = {problem.location for problem in problems} | set(blocked)
    for container, key in failed:
        container.pop(key, None)
    return out, problems, removed


def _anchor_name(data: Mapping[str, Any], location: str) -> str | None:
    """Return the anchor name a date field provides (``index``, ``birth``, an event id)."""
    if location == "index_date":
        return "index"
    if location == "patient.birth_date":
        return "birth"
    head, _, field = location.rpartition(".")
    if head.startswith("events[") and head.endswith("]") and head[7:-1].isdigit():
        events = data.get("events")
        event = events[int(head[7:-1])] if isinstance(events, list) else None
        if isinstance(event, Mapping) and isinstance(event.get("id"), str):
            return f"{event['id']}.stop" if field == "stop" else str(event["id"])
    return None


def _blocked_by(
    data: Mapping[str, Any], pending: list[tuple[Any, Any, str, Any]], failed: set[str]
) -> dict[str, str]:
    """Map each pending date that depends, directly or not, on a failed anchor to that anchor."""
    roots = {name: name for name in failed}
    blocked: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for _container, _key, path, relative in pending:
            if path in blocked or relative.anchor not in roots:
                continue
            blocked[path] = roots[relative.anchor]
            provided = _anchor_name(data, path)
            if provided is not None and provided not in roots:
                roots[provided] = blocked[path]
            changed = True
    return blocked


def _with_dependents(problem: Problem, data: Mapping[str, Any], blocked: dict[str, str]) -> Problem:
    name = _anchor_name(data, problem.location)
    count = sum(anchor == name for anchor in blocked.values()) if name else 0
    if not count:
        return problem
    return Problem(
        problem.location,
        problem.value,
        f"{problem.expected}; {count} other dates are relative to '{name}' and were not checked",
        problem.line,
        problem.column,
    )


def _iso_problem(path: str, value: str, exc: ValueError) -> Problem | None:
    """Return the problem of an ISO-shaped value that is no real date (2011-02-30)."""
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit():
        return Problem(path, value, f"a real calendar date as YYYY-MM-DD ({exc})")
    return None


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
            if (
                isinstance(event, Mapping)
                and isinstance(event.get("id"), str)
                and reserved_anchor(event["id"]) is None
            ):
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
            "string_pattern_mismatch": _IDENTIFIER,
        },
        adjust=_point_at_field,
    )
    for error in integrity:
        problems.extend(root_causes_first((error.get("ctx") or {})["problems"]))
    return problems


def root_causes_first(problems: list[Problem]) -> list[Problem]:
    """Order cross-record problems root causes first and fold repeated consequences.

    Problems of the patient's own dates (birth, death, follow-up) come first, because a wrong
    birth or death date puts every event out of order. More than ``_GROUP_AFTER`` problems with
    the same expectation (every event "on or after birth (...)") become one problem naming the
    first field and how many others share it.
    """
    by_expectation: dict[str, list[Problem]] = {}
    for problem in problems:
        by_expectation.setdefault(problem.expected, []).append(problem)
    folded: list[Problem] = []
    for expectation, group in by_expectation.items():
        if len(group) <= _GROUP_AFTER:
            folded.extend(group)
            continue
        first = group[0]
        others = len(group) - 1
        folded.append(
            Problem(
                first.location,
                first.value,
                f"{expectation}; {others} other dates break the same rule "
                f"({', '.join(p.location for p in group[1:4])}{', ...' if others > 3 else ''});"
                " check the anchor date first",
                first.line,
                first.column,
            )
        )
    return sorted(folded, key=lambda p: not p.location.startswith("patient."))


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
