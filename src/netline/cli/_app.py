"""Typer application and the one error boundary every command runs inside.

The boundary is the application's command group (:class:`_Boundary`): every verb, including
those of sub-applications such as ``netline evidence``, is invoked through it, so no command
needs its own error handling:

* a :class:`~netline.errors.NetlineError` (bad input, unknown id, output that cannot be
  written) prints ``netline: <message>`` on stderr and exits with :data:`EXIT_INPUT` (2);
* an interrupt exits with 130 and a one-line message;
* anything else is a bug: a one-line message and :data:`EXIT_INTERNAL` (70); set
  ``NETLINE_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from netline._version import __version__

#: Exit code for input netline cannot accept (bad file, unknown id, missing data, bad --out).
EXIT_INPUT = 2
#: Exit code for an unexpected internal error (a bug: please report it).
EXIT_INTERNAL = 70
#: Exit code after an interrupt (128 + SIGINT).
EXIT_INTERRUPTED = 130


class _Boundary(TyperGroup):
    """The command group that turns every error into a message and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        from netline.errors import NetlineError

        try:
            return super().invoke(ctx)
        except NetlineError as error:
            print(f"netline: {error}", file=sys.stderr)
            raise typer.Exit(EXIT_INPUT) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except KeyboardInterrupt:
            print("netline: interrupted; nothing was written", file=sys.stderr)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:
            if os.environ.get("NETLINE_DEBUG"):
                raise
            print(
                f"netline: internal error ({type(error).__name__}: {error}). This is a bug; "
                "run again with NETLINE_DEBUG=1 and report the traceback.",
                file=sys.stderr,
            )
            raise typer.Exit(EXIT_INTERNAL) from None


app = typer.Typer(
    name="netline",
    cls=_Boundary,
    help=(
        "Treatment sequencing for advanced neuroendocrine tumours. netline supports the "
        "tumour board; it does not replace it."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"netline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Treatment sequencing for advanced neuroendocrine tumours.

    netline supports the tumour board; it does not replace it.
    """


def main() -> None:
    """Run the command line."""
    app(prog_name="netline")
