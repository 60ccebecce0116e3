"""The ``netline`` command line: one verb per job.

Start-up is kept fast by importing nothing heavy here: each command imports what it needs
when it runs. Every command runs inside the one error boundary of :mod:`netline.cli._app`.
"""

from __future__ import annotations

from netline.cli import (  # noqa: F401  (each module registers its commands)
    advise,
    assess,
    check,
    evidence,
    schema,
    serve,
    simulate,
    timeline,
)
from netline.cli._app import app, main
from netline.cli.cohort import cohort_app
from netline.cli.registry import registry_app

app.add_typer(registry_app, name="registry")
app.add_typer(cohort_app, name="cohort")

__all__ = ["app", "main"]
