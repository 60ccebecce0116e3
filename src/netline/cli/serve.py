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


@app.command("serve-cds")
def serve_cds(
    data: Annotated[
        Path,
        typer.Option(help="Folder of the state the CDS processes share (the app's data folder)."),
    ] = Path(".netline"),
    clients: Annotated[
        Path | None,
        typer.Option(help="Trusted CDS clients: a JSON file, issuer -> JWKS."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8001,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1,
    public_url: Annotated[
        str | None,
        typer.Option(help="The address clients call (their tokens' audience); default host:port."),
    ] = None,
) -> None:
    """Start the CDS Hooks service alone (no registry, no pages), in one or more processes."""
    from netline.web.serve import serve_cds as run

    run(data, host, port, workers=workers, clients=clients, public_url=public_url)
