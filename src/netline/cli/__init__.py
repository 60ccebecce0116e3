"""The ``netline`` command line: one verb per job.

Start-up is kept fast by importing nothing heavy here: each command imports what it needs
when it runs.
"""

from __future__ import annotations

from netline.cli import advise, assess, evidence, schema, simulate, timeline  # noqa: F401  (each module registers its commands)
from netline.cli._app import app, main

__all__ = ["app", "main"]
