"""``netline timeline``: the figure of one patient's course."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app

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
    from netline._atomic import atomic_path, check_output_file

    check_output_file(out, suffixes=_FORMATS)
    from netline.course import derive_course
    from netline.course.timeline import save_timeline, timeline_data
    from netline.records import load_case

    record = load_case(case)
    data = timeline_data(derive_course(record), record)
    with atomic_path(out) as temporary:
        save_timeline(data, temporary)
    lines = ", ".join(f"L{bar.number} {bar.label}" for bar in data.lines) or "no lines"
    typer.echo(f"{out}: {lines}")
