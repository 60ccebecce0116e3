"""The registry: a store of NET courses, importers and exporters, and outcome analytics.

* :func:`open_registry` -- the store (a DuckDB file created on first use; atomic imports,
  idempotent re-imports, an audit of every change).
* :func:`select_cohort` -- patients by site, grade, Ki-67, stage, functioning status, line,
  agent or class, sequence and dates, with their lines of therapy.
* :func:`table1`, :func:`kaplan_meier`, :func:`cox`, :func:`pathways` -- analytics on a
  cohort (lifelines for every estimator).
* :func:`load_demo_registry`, :func:`load_case_series` -- bundled datasets.

Heavy modules are imported on first use (PEP 562). See ``docs/registry.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netline.registry.store import (
        ImportRefusedError,
        ImportReport,
        Registry,
        open_registry,
    )

__all__ = [
    "ImportRefusedError",
    "ImportReport",
    "Registry",
    "open_registry",
]

_LAZY = {
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
