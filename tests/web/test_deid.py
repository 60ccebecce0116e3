"""De-identified export: no identifier survives, every interval inside a record is kept."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netline.records import CaseRecord, record_from_data
from netline.registry.datasets import demo_records
from netline.web.deid import MAX_SHIFT_DAYS, date_shift, deidentify, load_secret, pseudonym

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@cache
def _pool() -> tuple[CaseRecord, ...]:
    return tuple(demo_records(24, 11))


def _dates(value: Any, path: str = "") -> dict[str, dt.date]:
    found: dict[str, dt.date] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found.update(_dates(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.update(_dates(item, f"{path}[{i}]"))
    elif isinstance(value, str) and _DATE.match(value):
        found[path] = dt.date.fromisoformat(value)
    return found


names = st.from_regex(r"[A-Z][a-z]{3,9} [A-Z][a-z]{3,12}", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(
    index=st.integers(0, 23),
    patient_id=st.from_regex(r"[A-Za-z][A-Za-z0-9]{5,20}", fullmatch=True),
    name=names,
    mrn=st.integers(10_000_000, 99_999_999),
    born=st.dates(dt.date(1925, 1, 1), dt.date(1975, 12, 31)),
    secret=st.binary(min_size=16, max_size=32),
)
def test_no_identifier_survives_and_intervals_are_kept(
    index: int, patient_id: str, name: str, mrn: int, born: dt.date, secret: bytes
) -> None:
    data: dict[str, Any] = _pool()[index].model_dump(mode="json", exclude_none=True)
    data["id"] = patient_id
    data["patient"]["id"] = patient_id
    data["patient"]["birth_date"] = born.isoformat()
    data["source"] = f"clinic letter for {name}, MRN {mrn}"
    data["assumptions"] = [f"{name} said so", f"MRN {mrn}"]
    data["events"][0]["note"] = f"seen by Dr {name}"
    record = record_from_data(data, source="test")
    original = record.model_dump(mode="json", exclude_none=True)

    out = deidentify(record, secret)
    text = json.dumps(out)

    for identifier in (patient_id, name, str(mrn), born.isoformat()):
        assert identifier not in text
    assert set(out["patient"]) >= {"id", "age_at_index_years"}
    assert not {"birth_date", "birth_year"} & set(out["patient"])
    assert out["id"] == out["patient"]["id"] == pseudonym(secret, patient_id)
    assert out["deidentification"]["free_text_removed"] >= 4

    # every date moved by the same per-patient offset: every interval is kept
    before = _dates(original)
    before.pop(".patient.birth_date")
    after = _dates(out)
    assert set(after) == set(before)
    shifts = {(after[path] - before[path]).days for path in before}
    assert shifts == {date_shift(secret, patient_id)}
    assert 1 <= abs(date_shift(secret, patient_id)) <= MAX_SHIFT_DAYS
    # the same secret gives the same export
    assert deidentify(record, secret) == out


def test_age_is_top_coded_at_90() -> None:
    data: dict[str, Any] = _pool()[0].model_dump(mode="json", exclude_none=True)
    diagnosed = dt.date.fromisoformat(data["primary"]["diagnosed"])
    data["patient"]["birth_date"] = diagnosed.replace(year=diagnosed.year - 95).isoformat()
    out = deidentify(record_from_data(data, source="test"), b"k" * 32)
    assert out["patient"]["age_at_index_years"] == 90
    assert out["patient"]["age_top_coded"] is True


def test_references_between_ids_survive_pseudonymisation() -> None:
    record = _pool()[1]
    out = deidentify(record, b"s" * 32)
    ids = [event.get("id") for event in out["events"]]
    assert all(i is None or re.fullmatch(r"x\d+", i) for i in ids)
    named = [e.id for e in record.events if e.id]
    assert len({i for i in ids if i}) == len(set(named))


def test_secret_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "deid.key"
    first = load_secret(path)
    assert len(first) == 32
    assert path.stat().st_mode & 0o077 == 0
    assert load_secret(path) == first


def test_an_empty_or_damaged_secret_is_refused_never_used(tmp_path: Path) -> None:
    # Defect: a secret file read while empty (half-written, or truncated) gave b"" and every
    # pseudonym and date shift became computable by anyone.
    path = tmp_path / "deid.key"
    for content in ("", "abc", "00" * 16):
        path.write_text(content, encoding="ascii")
        with pytest.raises(ValueError, match="32-byte de-identification secret"):
            load_secret(path)


def test_concurrent_first_use_agrees_on_one_secret(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "keys" / "deid.key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        secrets = list(pool.map(lambda _: load_secret(path), range(32)))
    assert len(set(secrets)) == 1
    assert len(secrets[0]) == 32
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".deid-secret-")]
