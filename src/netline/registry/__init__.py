"""The registry: a store of NET courses, importers and exporters, and outcome analytics.

* :func:`open_registry` -- the store (a DuckDB file created on first use; atomic imports,
  idempotent re-imports, an audit of every change).
* :func:`select_cohort` -- patients by site, grade, Ki-67, stage, functioning status, line,
  agent or class, sequence and dates, with their lines of therapy.
* :func:`table1`, :func:`kaplan_meier`, :func:`cox`, :func:`pathways`, :func:`swimmer` --
  analytics on a cohort (lifelines for every estimator).
* :func:`load_demo_registry`, :func:`load_case_series` -- bundled datasets.

Heavy modules are imported on first use (PEP 562). See ``docs/registry.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netline.registry.analytics.cohort import Cohort, select_cohort
    from netline.registry.analytics.pathways import Pathways, pathways
    from netline.registry.analytics.survival import CoxResult, KaplanMeier, cox, kaplan_meier
    from netline.registry.analytics.swimmer import SwimmerPlot, swimmer
    from netline.registry.analytics.table1 import Table1, table1
    from netline.registry.datasets import load_case_series, load_demo_registry
    from netline.registry.store import (
        ImportRefusedError,
        ImportReport,
        Registry,
        open_registry,
    )

__all__ = [
    "Cohort",
    "CoxResult",
    "ImportRefusedError",
    "ImportReport",
    "KaplanMeier",
    "Pathways",
    "Registry",
    "SwimmerPlot",
    "Table1",
    "cox",
    "kaplan_meier",
    "load_case_series",
    "load_demo_registry",
    "open_registry",
    "pathways",
    "select_cohort",
    "swimmer",
    "table1",
]

_LAZY = {
    "Cohort": "netline.registry.analytics.cohort",
    "select_cohort": "netline.registry.analytics.cohort",
    "Pathways": "netline.registry.analytics.pathways",
    "pathways": "netline.registry.analytics.pathways",
    "CoxResult": "netline.registry.analytics.survival",
    "KaplanMeier": "netline.registry.analytics.survival",
    "cox": "netline.registry.analytics.survival",
    "kaplan_meier": "netline.registry.analytics.survival",
    "SwimmerPlot": "netline.registry.analytics.swimmer",
    "swimmer": "netline.registry.analytics.swimmer",
    "Table1": "netline.registry.analytics.table1",
    "table1": "netline.registry.analytics.table1",
    "load_case_series": "netline.registry.datasets",
    "load_demo_registry": "netline.registry.datasets",
    "ImportRefusedError": "netline.registry.store",
    "ImportReport": "netline.registry.store",
    "Registry": "netline.registry.store",
    "open_registry": "netline.registry.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'netline.registry' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
