"""``netline schema``: print or write the JSON Schema of a case file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the schema to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of a netline case file (YAML or JSON)."""
    from netline._atomic import check_output_file, write_text_atomic
    from netline.cli._output import json_text
    from netline.records import case_file_schema

    if out is not None:
        check_output_file(out)
    text = json_text(case_file_schema()) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        typer.echo(f"wrote {out}", err=True)
