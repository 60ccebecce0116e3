"""Where the web app reads and writes patients: a repository over netline's own record layer.

The app holds no clinical logic: it lists, loads and saves :class:`~netline.records.CaseRecord`
objects and hands them to the same services as the command line (assess, advise, course).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from netline.errors import UnknownKeyError
from netline.records import CaseRecord, dump_case, load_case


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

    def save(self, record: CaseRecord) -> None:
        """Create or replace a patient's record."""
        ...

    def version(self, patient_id: str) -> str:
        """Return a token that changes whenever the patient's record changes (for caching views)."""
        ...


def _row(record: CaseRecord) -> PatientRow:
    histology = record.primary.histology
    ki67 = histology.ki67_percent if histology else None
    grade = f"Ki-67 {ki67:g} %" if ki67 is not None else "Ki-67 not recorded"
    site = record.primary.site.value.replace("_", " ")
    return PatientRow(record.id, site, grade, record.source or "")


class CaseFolderRepository:
    """Patients kept as one validated case file each (``<id>.yaml``) in a folder.

    Files are read through :func:`netline.records.load_case`, so everything the app shows has
    passed the same validation as the command line; writes go through
    :func:`netline.records.dump_case` to a temporary file renamed into place.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, CaseRecord]] = {}

    def _path(self, patient_id: str) -> Path:
        return self.folder / f"{patient_id}.yaml"

    def _load(self, path: Path) -> CaseRecord:
        mtime = path.stat().st_mtime
        cached = self._cache.get(path.stem)
        if cached and cached[0] == mtime:
            return cached[1]
        record = load_case(path)
        self._cache[path.stem] = (mtime, record)
        return record

    def rows(self) -> list[PatientRow]:
        """Every patient, sorted by id."""
        with self._lock:
            records = [self._load(path) for path in sorted(self.folder.glob("*.yaml"))]
        return [_row(record) for record in records]

    def get(self, patient_id: str) -> CaseRecord:
        """One patient's record."""
        with self._lock:
            by_id = {path.stem: path for path in self.folder.glob("*.yaml")}
            path = by_id.get(patient_id)
            if path is None:
                raise UnknownKeyError("patient", patient_id, sorted(by_id))
            return self._load(path)

    def version(self, patient_id: str) -> str:
        """Return the case file's modification time and size."""
        stat = self._path(patient_id).stat()
        return f"{stat.st_mtime_ns}:{stat.st_size}"

    def save(self, record: CaseRecord) -> None:
        """Write the record atomically (temporary file, then rename)."""
        target = self._path(record.id)
        temporary = target.with_suffix(".yaml.tmp")
        with self._lock:
            dump_case(record, temporary)
            temporary.replace(target)
            self._cache.pop(record.id, None)
