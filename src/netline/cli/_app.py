"""Typer application and the error handling shared by every command."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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
    rich_markup_mode=None,
)

#: Exit code for input netline cannot accept (bad file, unknown id, missing data).
EXIT_INPUT = 2
#: Exit code for an unexpected internal error (a bug: please report it).
EXIT_INTERNAL = 70


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn every error into a clear message on stderr and an exit code; never a traceback.

    Set ``NETLINE_DEBUG=1`` to see the traceback of an unexpected error.
    """
    from netline.errors import NetlineError

    try:
        yield
    except NetlineError as error:
        print(f"netline: {error}", file=sys.stderr)
        raise typer.Exit(EXIT_INPUT) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:
        if os.environ.get("NETLINE_DEBUG"):
            raise
        print(
            f"netline: internal error ({type(error).__name__}: {error}). This is a bug; "
            "run again with NETLINE_DEBUG=1 and report the traceback.",
            file=sys.stderr,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def main() -> None:
    """Run the command line."""
    app()
