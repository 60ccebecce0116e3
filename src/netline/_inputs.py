"""The one input layer: reading user files strictly and reporting every problem plainly.

Every loader (case files, the knowledge base, simulation models) reads its files here, so that
a bad file is refused the same way everywhere, with each problem naming the file, line and
column, the field path, the value given and what was expected:

* :func:`read_document` / :func:`parse_document` read YAML by the YAML 1.2 core schema (no
  octal ``035``, no ``yes``/``no`` booleans, no sexagesimal numbers, no implicit dates; an
  unquoted ``2011-02-30`` stays text for the date parser to refuse) and JSON with the
  :mod:`json` module; duplicate keys, YAML aliases, ``NaN``/``Infinity``/``.nan``/``.inf`` and
  integers of more than :data:`MAX_INT_DIGITS` digits are refused; files over
  :data:`MAX_BYTES`, nesting deeper than :data:`MAX_DEPTH` and more than :data:`MAX_NODES`
  values are refused before any work (docs/case-files.md);
* :func:`problems_from_validation` turns pydantic's errors into plain-language problems and
  :meth:`Document.locate` gives each its line and column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from netline._io.json_positions import clean_json, parse_json
from netline._io.limits import MAX_BYTES, MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, LimitExceededError
from netline._io.translate import expected_text, format_location, problems_from_validation
from netline._io.yaml_core import Positions, parse_yaml, yaml_mark
from netline.errors import InvalidInputError, Problem

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "Document",
    "expected_text",
    "format_location",
    "parse_document",
    "problems_from_validation",
    "read_document",
    "read_text",
    "yaml_problem",
]

Format = Literal["yaml", "json"]


class _LazyPositions(Mapping[str, tuple[int, int]]):
    """Positions of a clean JSON document, found only when a problem needs them."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._positions: Positions | None = None

    def _load(self) -> Positions:
        if self._positions is None:
            self._positions = parse_json(self._text)[1]
        return self._positions

    def __getitem__(self, key: str) -> tuple[int, int]:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


@dataclass(frozen=True)
class Document:
    """A parsed input file: its data and the line and column of every value.

    Parameters
    ----------
    data : object
        The parsed value (mappings, lists, text, numbers, booleans, ``None``).
    positions : dict
        Location string (``"events[3].stop"``) -> (line, column), 1-based.
    source : str, optional
        The file name, for messages.
    """

    data: Any
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    source: str | None = None

    def position(self, location: str) -> tuple[int, int] | None:
        """Return the position of a field, or of the nearest enclosing value that has one."""
        where = location
        while True:
            found = self.positions.get(where)
            if found is not None or not where:
                return found
            cut = max(where.rfind("."), where.rfind("["))
            where = where[:cut] if cut > 0 else ""

    def locate(self, problems: list[Problem]) -> list[Problem]:
        """Return the problems with the line and column of their field filled in."""
        out: list[Problem] = []
        for problem in problems:
            found = None if problem.line is not None else self.position(problem.location)
            out.append(problem if found is None else problem.at(*found))
        return out


def _too_large(size: int, where: str) -> Problem:
    return Problem(
        "",
        f"{where} of {size / 1024 / 1024:.1f} MiB",
        f"a file of at most {MAX_BYTES // 1024 // 1024} MiB",
    )


def read_text(path: str | Path, what: str, error: type[InvalidInputError]) -> str:
    """Return a UTF-8 file's text, or raise ``error`` naming the file and what it should be.

    Files over :data:`MAX_BYTES` are refused before they are read.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
        if file.is_file() and size > MAX_BYTES:
            raise error([_too_large(size, "a file")], source=str(file))
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "it is a folder" if file.is_dir() else type(exc).__name__
        if isinstance(exc, FileNotFoundError):
            reason = "no such file"
        raise error(
            [Problem("", str(file), f"a readable UTF-8 {what} ({reason})")], source=str(file)
        ) from None


def read_document(
    path: str | Path, what: str, error: type[InvalidInputError] = InvalidInputError
) -> Document:
    """Read and parse a YAML or JSON file (JSON when its name ends in ``.json``).

    Parameters
    ----------
    path : str or Path
        The file.
    what : str
        What the file should be, for messages ("case file", "model file").
    error : type of InvalidInputError
        The error raised, listing every problem.

    Raises
    ------
    InvalidInputError
        ``error``, if the file cannot be read, passes a limit or is not valid YAML or JSON.
    """
    text = read_text(path, what, error)
    fmt: Format = "json" if str(path).lower().endswith(".json") else "yaml"
    return parse_document(text, source=str(path), error=error, fmt=fmt)


def parse_document(
    text: str,
    *,
    source: str | None = None,
    error: type[InvalidInputError] = InvalidInputError,
    fmt: Format | None = None,
) -> Document:
    """Parse YAML or JSON text strictly; see the module documentation for the rules.

    Parameters
    ----------
    text : str
        The text.
    source : str, optional
        The file name, for messages.
    error : type of InvalidInputError
        The error raised.
    fmt : {"yaml", "json"}, optional
        The format; by default JSON when ``source`` ends in ``.json`` or when the text is a
        JSON object or array, otherwise YAML.

    Raises
    ------
    InvalidInputError
        ``error``, listing every problem, each with its line and column.
    """
    if len(text) > MAX_BYTES:
        raise error([_too_large(len(text.encode("utf-8")), "a text")], source=source)
    if fmt is None:
        fmt = "json" if (source or "").lower().endswith(".json") or _looks_json(text) else "yaml"
    if fmt == "json":
        clean, data = clean_json(text)
        if clean:
            return Document(data, _LazyPositions(text), source)
    try:
        data, positions, problems = parse_json(text) if fmt == "json" else parse_yaml(text)
    except json.JSONDecodeError as exc:
        expected = f"valid JSON ({exc.msg})"
        problem = Problem("", _line_text(text, exc.lineno), expected, exc.lineno, exc.colno)
        raise error([problem], source=source) from None
    except yaml.YAMLError as exc:
        raise error([yaml_problem(exc, text=text)], source=source) from None
    except LimitExceededError as exc:
        line, column = _position(text, exc.offset)
        raise error([Problem("", exc.what, exc.expected, line, column)], source=source) from None
    except RecursionError:
        problem = Problem("", "very deep nesting", f"at most {MAX_DEPTH} levels of nesting")
        raise error([problem], source=source) from None
    if problems:
        raise error(problems, source=source)
    return Document(data, positions, source)


def _looks_json(text: str) -> bool:
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        json.loads(text, parse_constant=lambda name: None)
    except (ValueError, RecursionError):
        return False
    return True


def _position(text: str, offset: int | None) -> tuple[int | None, int | None]:
    if offset is None:
        return None, None
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _line_text(text: str, line: int | None) -> str | None:
    """Return the text of a line (1-based), shown as the value of a syntax error."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines):
        return None
    return lines[line - 1].strip() or None


def yaml_problem(exc: yaml.YAMLError, where: str = "", *, text: str | None = None) -> Problem:
    """Describe a YAML syntax error, with its line and column when the parser gives them."""
    line, column = yaml_mark(exc)
    detail = getattr(exc, "problem", None) or "syntax error"
    if text is None and line is not None:
        # callers without the text (and so without a value to show) name the place in words
        detail = f"{detail}, at line {line}, column {column}"
    value = _line_text(text, line) if text is not None else None
    return Problem(where, value, f"valid YAML or JSON ({detail})", line, column)
