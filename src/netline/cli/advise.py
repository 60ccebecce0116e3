"""``netline advise``: options for the tumour board at a decision point, or a replay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app
from netline.cli._output import json_text


def _parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    from netline.errors import InvalidInputError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError.single("--at", text, "a date as YYYY-MM-DD") from None


@app.command()
def advise(
    case: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="Decision date (YYYY-MM-DD); default: the latest date."),
    ] = None,
    replay: Annotated[
        bool,
        typer.Option("--replay", help="Walk the course decision point by decision point."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON (docs/advise.md).")
    ] = False,
    as_html: Annotated[
        bool, typer.Option("--html", help="Print an HTML fragment for the web app.")
    ] = False,
    detail: Annotated[
        int, typer.Option("--detail", min=0, help="Options shown in full in the text output.")
    ] = 5,
) -> None:
    """Show the reasonable next steps with evidence, caveats and reasons for their order.

    netline supports the tumour board; it does not replace it.
    """
    from netline.errors import InvalidInputError

    if replay and at is not None:
        raise InvalidInputError.single("--at", at, "no --at with --replay")
    if as_json and as_html:
        raise InvalidInputError.single("--html", True, "either --json or --html")
    when = _parse_date(at)
    from netline.records import load_case

    record = load_case(case)
    if replay:
        from netline.advice import render_replay_html, render_replay_text
        from netline.advice import replay as run_replay

        walked = run_replay(record)
        if as_json:
            typer.echo(json_text(walked.to_dict()))
        elif as_html:
            typer.echo(render_replay_html(walked))
        else:
            typer.echo(render_replay_text(walked), nl=False)
        return
    from netline.advice import advise as run_advise
    from netline.advice import render_html, render_text

    result = run_advise(record, when)
    if as_json:
        typer.echo(json_text(result.to_dict()))
    elif as_html:
        typer.echo(render_html(result))
    else:
        typer.echo(render_text(result, detail=detail), nl=False)
