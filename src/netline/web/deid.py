"""De-identified export: identifiers removed, dates shifted per patient, intervals kept.

What happens to a record (the method is stated in every export):

* the record id and patient id become a pseudonym, ``deid-`` and 16 hex digits of
  HMAC-SHA256(secret, patient id); other ids (events, lesions) become ``x1``, ``x2`` … in
  order of appearance, consistently inside the record, so references between them still hold;
* the birth date and birth year are removed; the age at the index date (else at diagnosis) is
  given in whole years, top-coded at 90 (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C));
* every date is shifted by the patient's offset, a whole number of days between 1 and 365 in
  either direction drawn from HMAC-SHA256(secret, patient id): every interval inside a record
  is kept, and the same patient gets the same offset in every export;
* free text is removed: a string is kept only when it is a word of netline's record vocabulary
  (an enumerated value of the record model, such as a site, agent or unit); notes, descriptions,
  assumptions, sources, regimen and trial names and adverse-event terms are dropped, and their
  number is given.

The secret is kept in a file readable by its owner only (created on first use); whoever holds
it can undo the shift, so it never leaves the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from netline.records import CaseRecord

SCHEMA = "netline-deidentified/1"
#: Length of the de-identification secret, in bytes.
SECRET_BYTES = 32
#: Largest shift of dates, in days (either direction).
MAX_SHIFT_DAYS = 365
#: Ages at or above this are given as this value (HIPAA Safe Harbor).
AGE_TOP_CODE = 90
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ID_KEYS = frozenset({"id", "lesions"})
_REMOVED_KEYS = frozenset({"birth_date", "birth_year"})
METHOD = (
    "Identifiers replaced by pseudonyms; birth date removed (age in whole years, 90 or older "
    "given as 90); every date shifted by a per-patient offset of 1 to 365 days, so intervals "
    "are kept; free text removed."
)


def load_secret(path: Path) -> bytes:
    """Return the de-identification secret, creating it (owner-only) on first use.

    The new secret is written to a private temporary file and linked into place in one step,
    so a concurrent request never reads a half-written (empty) secret.

    Raises
    ------
    ValueError
        When the file holds anything but a 32-byte secret in hex.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".deid-secret-")
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_bytes(SECRET_BYTES).hex() + "\n")
            os.chmod(temporary, 0o600)
            # another request may have created it first: then use theirs
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    text = path.read_text(encoding="ascii").strip()
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != SECRET_BYTES:
        raise ValueError(
            f"{path}: expected a {SECRET_BYTES}-byte de-identification secret in hex "
            f"({2 * SECRET_BYTES} hex digits)"
        )
    return value


def _digest(secret: bytes, purpose: str, patient_id: str) -> bytes:
    return hmac.new(secret, f"{purpose}:{patient_id}".encode(), hashlib.sha256).digest()


def date_shift(secret: bytes, patient_id: str) -> int:
    """Return the patient's date offset in days: ±1 to ±``MAX_SHIFT_DAYS``, never 0."""
    number = int.from_bytes(_digest(secret, "date-shift", patient_id)[:8], "big")
    days = 1 + (number >> 1) % MAX_SHIFT_DAYS
    return days if number & 1 else -days


def pseudonym(secret: bytes, patient_id: str) -> str:
    """Return the patient's pseudonym (the same in every export made with this secret)."""
    return "deid-" + _digest(secret, "pseudonym", patient_id).hex()[:16]


def _collect(annotation: Any, words: set[str], seen: set[type]) -> None:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        words.update(str(a) for a in typing.get_args(annotation) if isinstance(a, str))
        return
    if origin is not None or isinstance(annotation, types.UnionType):
        for argument in typing.get_args(annotation):
            _collect(argument, words, seen)
        return
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            words.update(str(member.value) for member in annotation)
        elif issubclass(annotation, BaseModel) and annotation not in seen:
            seen.add(annotation)
            for info in annotation.model_fields.values():
                _collect(info.annotation, words, seen)
                for meta in info.metadata:
                    _collect(meta, words, seen)


@cache
def vocabulary() -> frozenset[str]:
    """Every enumerated word of the record model (and the accepted lab unit spellings)."""
    from netline.records.units import CANONICAL_UNITS, accepted_units

    words: set[str] = set()
    _collect(CaseRecord, words, set())
    for analyte, unit in CANONICAL_UNITS.items():
        words.add(unit)
        words.update(accepted_units(analyte))
    return frozenset(words)


class _Scrubber:
    def __init__(self, shift: int, key: str) -> None:
        self.shift = dt.timedelta(days=shift)
        self.key = key
        self.ids: dict[str, str] = {}
        self.removed = 0

    def identifier(self, value: str) -> str:
        return self.ids.setdefault(value, f"x{len(self.ids) + 1}")

    def string(self, value: str) -> str | None:
        if _DATE.match(value):
            return (dt.date.fromisoformat(value) + self.shift).isoformat()
        if value in vocabulary():
            return value
        self.removed += 1
        return None

    def walk(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            out = {}
            for name, item in value.items():
                if name in _REMOVED_KEYS:
                    continue
                cleaned = self.walk(item, name)
                if cleaned is not None:
                    out[name] = cleaned
            return out
        if isinstance(value, list):
            items = [self.walk(item, key) for item in value]
            return [item for item in items if item is not None]
        if isinstance(value, str):
            return self.identifier(value) if key in _ID_KEYS else self.string(value)
        return value


def _age(record: CaseRecord) -> tuple[int | None, bool]:
    when = record.index_date or record.primary.diagnosed
    age = record.patient.age_at(when) if when is not None else None
    if age is None:
        return None, False
    years = int(age)
    return min(years, AGE_TOP_CODE), years >= AGE_TOP_CODE


def deidentify(record: CaseRecord, secret: bytes) -> dict[str, Any]:
    """Return the record as JSON-ready data with identifiers removed and dates shifted."""
    key = record.patient.id
    scrubber = _Scrubber(date_shift(secret, key), key)
    data = record.model_dump(mode="json", exclude_none=True)
    data.pop("id", None)
    patient = dict(data.pop("patient"))
    patient.pop("id", None)
    body = scrubber.walk(data)
    patient_out = scrubber.walk(patient)
    age, top_coded = _age(record)
    patient_out["age_at_index_years"] = age
    if top_coded:
        patient_out["age_top_coded"] = True
    name = pseudonym(secret, key)
    return {
        "id": name,
        **body,
        "patient": {"id": name, **patient_out},
        "deidentification": {"free_text_removed": scrubber.removed},
    }


def export_document(records: list[CaseRecord], secret: bytes) -> dict[str, Any]:
    """Return the de-identified export of ``records`` (the download's JSON document)."""
    return {
        "schema": SCHEMA,
        "method": METHOD,
        "records": [deidentify(record, secret) for record in records],
    }
