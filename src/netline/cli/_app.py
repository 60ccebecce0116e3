"""Typer application and the shared error handling of every command."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="netline",
    help=(
        "Treatment sequencing for advanced neuroendocrine tumours. netline supports the "
        "tumour board; it does not replace it."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Run the command line."""
    app()
