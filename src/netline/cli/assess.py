"""``netline assess``: the course of one patient at a glance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app, user_errors


@app.command()
def assess(
    case: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON (docs/assess.md).")
    ] = False,
) -> None:
    """Summarise a patient's course: grade, stage, surgeries, therapies, responses."""
    with user_errors():
        from netline.assessment import assess as run_assessment
        from netline.assessment import render_text
        from netline.records import load_case

        result = run_assessment(load_case(case))
        if as_json:
            import json

            typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            typer.echo(render_text(result), nl=False)
