"""Where the web app reads and writes patients: a repository over netline's own record layer.

The app holds no clinical logic: it lists, loads and saves :class:`~netline.records.CaseRecord`
objects and hands them to the same services as the command line (assess, advise, course).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from netline.errors import InvalidInputError, UnknownKeyError
from netline.records import CaseRecord

if TYPE_CHECKING:
    from netline.registry import ImportReport, Registry


@dataclass(frozen=True)
class PatientRow:
    """One line of the patient list."""

    id: str
    site: str
    grade: str
    source: str

    def matches(self, query: str) -> bool:
        """Whether the free-text ``query`` occurs in any column (case-insensitive)."""
        text = f"{self.id} {self.site} {self.grade} {self.source}".lower()
        return all(word in text for word in query.lower().split())


class PatientRepository(Protocol):
    """What the web app needs from a patient store."""

    def rows(self) -> list[PatientRow]:
        """Every patient, for the list page."""
        ...

    def get(self, patient_id: str) -> CaseRecord:
        """One patient's record; :class:`~netline.errors.UnknownKeyError` if absent."""
        ...

    def save(self, record: CaseRecord, who: str) -> None:
        """Create or replace a patient's record (``who`` is kept in the audit)."""
        ...

    def version(self, patient_id: str) -> str:
        """Return a token that changes whenever the patient's record changes (for caching views)."""
        ...


def _row(record: CaseRecord, key: str) -> PatientRow:
    histology = record.primary.histology
    ki67 = histology.ki67_percent if histology else None
    grade = f"Ki-67 {ki67:g} %" if ki67 is not None else "Ki-67 not recorded"
    site = record.primary.site.value.replace("_", " ")
    return PatientRow(key, site, grade, record.source or "")


class RegistryRepository:
    """Patients in a netline registry (:mod:`netline.registry`), keyed by patient id.

    Every write is an audited registry import (who, when, what changed); reads and writes are
    serialised because one DuckDB connection serves the app's worker threads. The app writes
    only through :meth:`save` and :meth:`import_records` (DuckDB lets one process at a time open
    the registry, so nothing else writes while it runs): they forget the remembered versions.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.lock = threading.Lock()
        self._versions: dict[str, str] = {}

    def rows(self) -> list[PatientRow]:
        """Every patient, sorted by patient id."""
        with self.lock:
            records = self.registry.records()
        return [_row(record, record.patient.id) for record in records]

    def get(self, patient_id: str) -> CaseRecord:
        """One patient's record."""
        with self.lock:
            found = self.registry.records([patient_id])
            if not found:
                raise UnknownKeyError("patient", patient_id, self.registry.patient_ids())
        return found[0]

    def save(self, record: CaseRecord, who: str = "") -> None:
        """Import the record (a changed record replaces the old one, with an audit row)."""
        self.import_records([("web form", record)], source="netline web app", who=who or None)

    def import_records(
        self,
        items: list[tuple[str, CaseRecord | InvalidInputError]],
        *,
        source: str,
        who: str | None,
    ) -> ImportReport:
        """Import ``items`` as :meth:`netline.registry.Registry.import_records` does."""
        with self.lock:
            try:
                return self.registry.import_records(items, source=source, who=who)
            finally:
                self._versions.clear()

    def version(self, patient_id: str) -> str:
        """Return the number of audit rows of the patient (every change adds one).

        Remembered until the next write through this repository (a query less per page).
        """
        with self.lock:
            version = self._versions.get(patient_id)
            if version is None:
                version = self._versions[patient_id] = str(len(self.registry.audit(patient_id)))
            return version
