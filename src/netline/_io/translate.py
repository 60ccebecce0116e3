"""One translator from pydantic's validation errors to plain-language problems.

No regular expression, pydantic type name or pydantic sentence reaches a user: each error type
has its own wording, a non-finite number is always reported as such (never "out of range"),
and a validator's own message is shown as the reason the value was refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, get_args

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_core.core_schema import ErrorType

from netline.errors import Problem

__all__ = ["expected_text", "format_location", "problems_from_validation"]

_FINITE = "a finite number (not NaN or infinity)"
_MAPPING = "a mapping of fields (name: value)"

# pydantic error type -> wording; {name} is filled from the error's context
_WORDING: dict[str, str] = {
    "missing": "a value (this field is required)",
    "greater_than": "a number greater than {gt}",
    "greater_than_equal": "a number of at least {ge}",
    "less_than": "a number less than {lt}",
    "less_than_equal": "a number of at most {le}",
    "multiple_of": "a multiple of {multiple_of}",
    "finite_number": _FINITE,
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number of ordinary size",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "string_unicode": "text",
    "string_too_short": "text of at least {min_length} character(s)",
    "string_too_long": "text of at most {max_length} characters",
    "string_pattern_mismatch": "text in the documented form",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list without repeats",
    "too_short": "at least {min_length} item(s)",
    "too_long": "at most {max_length} item(s)",
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "dataclass_type": _MAPPING,
    "date_type": "a date as YYYY-MM-DD",
    "date_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "a date as YYYY-MM-DD (without a time)",
    "datetime_type": "a date and time (YYYY-MM-DDTHH:MM)",
    "datetime_parsing": "a date and time (YYYY-MM-DDTHH:MM)",
    "literal_error": "one of {expected}",
    "enum": "one of {expected}",
    "union_tag_invalid": "a 'type' among {expected_tags}",
    "union_tag_not_found": "a '{discriminator}' field",
    "is_instance_of": "a value of the documented kind",
    "url_parsing": "a web address (https://...)",
    "frozen_field": "no change to this field",
}
# error types defined by pydantic itself; any other type is netline's own, worded as expected
_PYDANTIC_TYPES = frozenset(get_args(ErrorType))
# validator messages that state a complaint rather than an expectation
_COMPLAINTS = ("unknown", "invalid", "not ", "no ", "cannot", "duplicate", "missing", "too ")


def format_location(parts: list[int | str] | tuple[int | str, ...]) -> str:
    """Join location parts as a dotted path with list indexes: ``events[3].stop``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def problems_from_validation(
    exc: ValidationError | list[ErrorDetails],
    *,
    skip_part: Callable[[tuple[int | str, ...], int], bool] | None = None,
    extra_field_hint: str = "check the spelling",
    expected_for: Mapping[str, str] | None = None,
    adjust: Callable[[Any, list[int | str], object], tuple[list[int | str], object]] | None = None,
) -> list[Problem]:
    """Translate pydantic's errors into problems naming path, value and expectation.

    Parameters
    ----------
    exc : ValidationError or list of ErrorDetails
        The error pydantic raised, or the part of its ``errors()`` to translate.
    skip_part : callable, optional
        ``skip_part(loc, i)`` is true for location parts that are not user-visible fields
        (discriminator tags of unions). Validator names are always skipped.
    extra_field_hint : str
        Advice shown for a field that does not exist.
    expected_for : mapping, optional
        Expectation text by pydantic error type, overriding the default wording.
    adjust : callable, optional
        ``adjust(error, parts, value) -> (parts, value)`` to point a model-level error at
        the field it is about.

    Returns
    -------
    list of Problem
        One problem per error, in pydantic's order (the order of the fields in the model).
    """
    problems: list[Problem] = []
    errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else exc
    for error in errors:
        loc = tuple(error["loc"])
        parts: list[int | str] = [
            part
            for i, part in enumerate(loc)
            if not (isinstance(part, str) and _internal(part))
            and not (skip_part is not None and skip_part(loc, i))
        ]
        value: object = error.get("input")
        if adjust is not None:
            parts, value = adjust(error, parts, value)
        expected = expected_text(error, extra_field_hint, expected_for or {})
        problems.append(Problem(format_location(parts), _plain(value), expected))
    return problems


def expected_text(
    error: Any,
    extra_field_hint: str = "check the spelling",
    overrides: Mapping[str, str] | None = None,
) -> str:
    """Return what was expected, in plain words, for one pydantic error."""
    kind = str(error["type"])
    value = error.get("input")
    if isinstance(value, float) and not math.isfinite(value):
        return _FINITE
    if overrides and kind in overrides:
        return overrides[kind]
    if kind not in _PYDANTIC_TYPES:
        return str(error.get("msg", "")) or "a valid value"
    if kind == "extra_forbidden":
        return f"no field of this name here ({extra_field_hint})"
    if kind in ("value_error", "assertion_error"):
        return _validator_message(error)
    wording = _WORDING.get(kind)
    if wording is None:
        return "a valid value"
    context = {key: _context_text(v) for key, v in (error.get("ctx") or {}).items()}
    try:
        return wording.format(**context)
    except (KeyError, IndexError):
        return wording.split(" {")[0].split("{")[0].strip() or "a valid value"


def _validator_message(error: Any) -> str:
    context = error.get("ctx") or {}
    raw = context.get("error")
    message = str(raw) if raw is not None else str(error.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, ", "expected ", "must be "):
        message = message.removeprefix(prefix)
    if message.lower().startswith(_COMPLAINTS):
        return f"a valid value (refused: {message})"
    return message or "a valid value"


def _context_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _internal(part: str) -> bool:
    return part.startswith("function-") or "[" in part


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: "..." if isinstance(v, Mapping | list) else v for k, v in value.items()}
    return value
