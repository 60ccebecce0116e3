"""Reading user files and turning parser and pydantic errors into :class:`Problem` objects.

Shared by every loader (case files, the knowledge base, simulation models) so that a bad file
is reported the same way everywhere: the field path, the value given, what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from netline.errors import InvalidInputError, Problem

__all__ = ["format_location", "problems_from_validation", "read_text", "yaml_problem"]


def read_text(path: str | Path, what: str, error: type[InvalidInputError]) -> str:
    """Return a UTF-8 file's text, or raise ``error`` naming the file and what it should be."""
    file = Path(path)
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(
            [Problem("", str(file), f"a readable UTF-8 {what} ({type(exc).__name__})")],
            source=str(file),
        ) from None


def yaml_problem(exc: yaml.YAMLError, where: str = "") -> Problem:
    """Describe a YAML syntax error, with its line and column when the parser gives them."""
    mark = getattr(exc, "problem_mark", None)
    position = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    location = ":".join(part for part in (where, position) if part)
    detail = getattr(exc, "problem", None) or "syntax error"
    return Problem(location, None, f"valid YAML or JSON ({detail})")


def format_location(parts: list[int | str]) -> str:
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
        (discriminator tags of unions, validator names). Validator names are always skipped.
    extra_field_hint : str
        Advice shown for a field that does not exist.
    expected_for : mapping, optional
        Expectation text by pydantic error type, overriding pydantic's message.
    adjust : callable, optional
        ``adjust(error, parts, value) -> (parts, value)`` to point a model-level error at
        the field it is about.
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
        problems.append(
            Problem(
                format_location(parts),
                _plain(value),
                _expected(error, extra_field_hint, expected_for or {}),
            )
        )
    return problems


def _internal(part: str) -> bool:
    return part.startswith("function-") or "[" in part


def _expected(error: Any, extra_field_hint: str, expected_for: Mapping[str, str]) -> str:
    kind = error["type"]
    if kind in expected_for:
        return expected_for[kind]
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        return f"no field of this name here ({extra_field_hint})"
    message = str(error["msg"])
    for prefix in ("Input should be ", "Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: "..." if isinstance(v, Mapping | list) else v for k, v in value.items()}
    return value
