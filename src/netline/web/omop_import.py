"""The one place where the web app calls the registry's OMOP importer (an adapter to adjust).

The import page hands :func:`read_omop` a folder of uploaded OMOP CDM tables (CSV or Parquet).
It looks for the registry's reader ``read_omop(folder, progress=False)`` in
``netline.registry.omop_import`` (then ``netline.registry.omop`` and
``netline.registry.importers.omop``) and expects what the other readers return, ``(items,
source)`` for :meth:`netline.registry.Registry.import_records`, which the import job then calls
as for every other format. Where no reader is installed, :func:`omop_available` is false and
:func:`read_omop` refuses with a plain message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netline.errors import NetlineError

UNAVAILABLE = (
    "OMOP import is not available in this version of netline; nothing was imported. "
    "Import case files, FHIR Bundles or REDCap exports instead."
)
_MODULES = (
    "netline.registry.omop_import",
    "netline.registry.omop",
    "netline.registry.importers.omop",
)
_FUNCTION = "read_omop"


class OmopUnavailableError(NetlineError):
    """Raised when this installation has no OMOP importer."""


def _importer() -> Callable[..., Any] | None:
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:  # absent from this version; a broken module is a bug
                continue
            raise
        found = getattr(module, _FUNCTION, None)
        if callable(found):
            return found  # type: ignore[no-any-return]
    return None


def omop_available() -> bool:
    """Whether this installation has an OMOP importer."""
    return _importer() is not None


def read_omop(folder: Path) -> tuple[list[tuple[str, Any]], str]:
    """Read the OMOP tables in ``folder`` into ``(items, source)`` for the registry.

    Raises
    ------
    OmopUnavailableError
        When no OMOP importer is installed.
    NetlineError
        When the importer refuses the tables.
    """
    importer = _importer()
    if importer is None:
        raise OmopUnavailableError(UNAVAILABLE)
    items, source = importer(folder, progress=False)
    return list(items), str(source)
