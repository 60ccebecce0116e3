"""``netline serve``: the tumour-board web app, REST API and CDS Hooks service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app


@app.command()
def serve(
    data: Annotated[
        Path,
        typer.Option(help="Folder of the registry, accounts and audit log (created on first use)."),
    ] = Path(".netline"),
    examples: Annotated[
        Path, typer.Option(help="Published example cases loaded into a new registry.")
    ] = Path("examples"),
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Start the web app on the embedded registry, with demo data and a demo login."""
    from netline.web.serve import serve as run

    run(data, examples if examples.is_dir() else None, host, port)
