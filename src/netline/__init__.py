"""netline: treatment sequencing for advanced neuroendocrine tumours.

The public API is imported lazily (PEP 562), so ``import netline`` and the command line start
fast; ``from netline import load_case`` works as usual.

Examples
--------
>>> import netline
>>> record = netline.load_case("examples/seed-case.yaml")  # doctest: +SKIP
>>> print(netline.assess(record).grade)                     # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from netline._allocator import share_one_arena
from netline._version import __version__

#: What netline did to glibc's allocator arenas at import (see :mod:`netline._allocator`).
_ALLOCATOR = share_one_arena()

if TYPE_CHECKING:
    from netline.advice import Advice, advise
    from netline.assessment import Assessment, assess
    from netline.clinical import Finding
    from netline.errors import (
        InsufficientDataError,
        InvalidEvidenceError,
        InvalidInputError,
        InvalidRecordError,
        NetlineError,
        Problem,
        UnknownKeyError,
    )
    from netline.records import CaseRecord, case_file_schema, dump_case, load_case, parse_case
    from netline.simulation import SimulationResult, simulate

__all__ = [
    "Advice",
    "Assessment",
    "CaseRecord",
    "Finding",
    "InsufficientDataError",
    "InvalidEvidenceError",
    "InvalidInputError",
    "InvalidRecordError",
    "NetlineError",
    "Problem",
    "SimulationResult",
    "UnknownKeyError",
    "__version__",
    "advise",
    "assess",
    "case_file_schema",
    "dump_case",
    "load_case",
    "parse_case",
    "simulate",
]

_LAZY = {
    "Advice": "netline.advice",
    "advise": "netline.advice",
    "Assessment": "netline.assessment",
    "assess": "netline.assessment",
    "Finding": "netline.clinical",
    "CaseRecord": "netline.records",
    "case_file_schema": "netline.records",
    "dump_case": "netline.records",
    "load_case": "netline.records",
    "parse_case": "netline.records",
    "SimulationResult": "netline.simulation",
    "simulate": "netline.simulation",
    "InsufficientDataError": "netline.errors",
    "InvalidEvidenceError": "netline.errors",
    "InvalidInputError": "netline.errors",
    "InvalidRecordError": "netline.errors",
    "NetlineError": "netline.errors",
    "Problem": "netline.errors",
    "UnknownKeyError": "netline.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'netline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
