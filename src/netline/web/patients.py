"""Where the web app reads and writes patients: a repository over netline's own record layer.

The app holds no clinical logic: it lists, loads and saves :class:`~netline.records.CaseRecord`
objects and hands them to the same services as the command line (assess, advise, course).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from netline.errors import UnknownKeyError
from netline.records import CaseRecord

if TYPE_CHECKING:
    from netline.registry import Registry


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
    serialised because one DuckDB connection serves the app's worker threads.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.lock = threading.Lock()

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
        with self.lock:
            self.registry.import_records(
                [("web form", record)], source="netline web app", who=who or None
            )

    def version(self, patient_id: str) -> str:
        """Return the number of audit rows of the patient (every change adds one)."""
        with self.lock:
            return str(len(self.registry.audit(patient_id)))
