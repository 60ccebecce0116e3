"""``netline check``: validity problems and plausibility warnings of a case file.

Exit status: 0 valid with no warning, 1 valid with plausibility warnings, 2 invalid (every
problem listed, each with its file, line and column).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from netline.cli._app import EXIT_INPUT, app

if TYPE_CHECKING:
    from netline._inputs import Document
    from netline.errors import Problem
    from netline.records.plausibility import PlausibilityWarning

#: Exit status of a valid case file with plausibility warnings.
EXIT_WARNINGS = 1
_SCHEMA_VERSION = "1"


def _problem_dict(problem: Problem) -> dict[str, Any]:
    value = problem.value
    return {
        "location": problem.location,
        "line": problem.line,
        "column": problem.column,
        "value": value if isinstance(value, int | float | str | bool | None) else str(value),
        "expected": problem.expected,
    }


def _position(document: Document, location: str) -> tuple[int, int] | None:
    """Return the line and column of a field (an option such as --at has none)."""
    return None if location.startswith("--") else document.position(location)


def _warning_dict(document: Document, warning: PlausibilityWarning) -> dict[str, Any]:
    position = _position(document, warning.location)
    line, column = position if position is not None else (None, None)
    return {**warning.to_dict(), "line": line, "column": column}


@app.command()
def check(
    case: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).")],
    at: Annotated[
        str | None, typer.Option("--at", help="Decision date (YYYY-MM-DD) to check as well.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check a case file: validity problems (exit 2), plausibility warnings (exit 1), or OK (0)."""
    from netline._inputs import read_document
    from netline.cli._output import json_text
    from netline.errors import InvalidInputError, InvalidRecordError
    from netline.records.casefile import record_from_document
    from netline.records.plausibility import plausibility_warnings

    when: dt.date | None = None
    if at is not None:
        try:
            when = dt.date.fromisoformat(at)
        except ValueError:
            raise InvalidInputError.single("--at", at, "a date as YYYY-MM-DD") from None
    try:
        document = read_document(case, "case file", InvalidRecordError)
        record = record_from_document(document)
    except InvalidRecordError as error:
        if not as_json:
            raise
        report = {
            "schema_version": _SCHEMA_VERSION,
            "file": str(case),
            "valid": False,
            "problems": [_problem_dict(p) for p in error.problems],
            "warnings": [],
        }
        typer.echo(json_text(report))
        raise typer.Exit(EXIT_INPUT) from None
    warnings = plausibility_warnings(record, at=when)
    if as_json:
        report = {
            "schema_version": _SCHEMA_VERSION,
            "file": str(case),
            "valid": True,
            "problems": [],
            "warnings": [_warning_dict(document, w) for w in warnings],
        }
        typer.echo(json_text(report))
    else:
        typer.echo(f"{case}: valid case file ({len(record.events)} events)")
        if warnings:
            noun = "warning" if len(warnings) == 1 else "warnings"
            typer.echo(f"{len(warnings)} plausibility {noun} (possible, but check them):")
        for warning in warnings:
            position = _position(document, warning.location)
            where = f"{case}:{position[0]}:{position[1]}: " if position else ""
            typer.echo(f"  - {where}{warning}")
            typer.echo(f"      source: {warning.source}")
    if warnings:
        raise typer.Exit(EXIT_WARNINGS)
