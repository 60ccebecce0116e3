"""``netline timeline``: the figure of one patient's course."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app, user_errors

_FORMATS = (".png", ".svg", ".pdf", ".html")


@app.command()
def timeline(
    case: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Where to write the figure: .png, .svg or .pdf (static) or .html (interactive).",
        ),
    ],
) -> None:
    """Draw the course of a patient: lines of therapy, PRRT cycles, surgeries, responses."""
    with user_errors():
        from netline.errors import InvalidInputError

        if out.suffix.lower() not in _FORMATS:
            raise InvalidInputError.single(
                "--out", str(out), "a file ending in " + ", ".join(_FORMATS)
            )
        from netline.course import derive_course
        from netline.course.timeline import save_timeline, timeline_data
        from netline.records import load_case

        record = load_case(case)
        data = timeline_data(derive_course(record), record)
        path = save_timeline(data, out)
        lines = ", ".join(f"L{bar.number} {bar.label}" for bar in data.lines) or "no lines"
        typer.echo(f"{path}: {lines}")
