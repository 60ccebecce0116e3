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
    simulate,
    timeline,
)
from netline.cli._app import app, main

__all__ = ["app", "main"]
