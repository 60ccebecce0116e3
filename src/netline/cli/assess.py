"""``netline assess``: the course of one patient at a glance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app
from netline.cli._output import json_text


@app.command()
def assess(
    case: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON (docs/assess.md).")
    ] = False,
) -> None:
    """Summarise a patient's course: grade, stage, surgeries, therapies, responses."""
    from netline.assessment import assess as run_assessment
    from netline.assessment import render_text
    from netline.records import load_case

    result = run_assessment(load_case(case))
    if as_json:
        typer.echo(json_text(result.to_dict()))
    else:
        typer.echo(render_text(result), nl=False)
