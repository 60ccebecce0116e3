"""FHIR R4 (mCODE-shaped) Bundles: valid R4B, lossless round trip, standard elements read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netline.errors import InvalidRecordError
from netline.records import CaseRecord, SystemicTherapy
from netline.registry import ImportRefusedError, open_registry
from netline.registry.fhir import (
    DETAILS_URL,
    bundle_from_record,
    read_bundles,
    record_from_bundle,
    write_bundle,
)


def _fields(node: object, path: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out |= _fields(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out |= _fields(value, f"{path}[{i}]")
    else:
        out[path] = node
    return out


def test_seed_and_synthetic_records_round_trip_field_by_field(
    seed_record: CaseRecord, synthetic_records: list[CaseRecord]
) -> None:
    for record in [seed_record, *synthetic_records]:
        back = record_from_bundle(json.loads(json.dumps(bundle_from_record(record))))
        before = _fields(record.model_dump(mode="json"))
        after = _fields(back.model_dump(mode="json"))
        assert after == before, record.id


def test_bundle_uses_mcode_profiles_and_net_observations(seed_record: CaseRecord) -> None:
    bundle = bundle_from_record(seed_record)
    by_type: dict[str, list[dict[str, object]]] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        by_type.setdefault(resource["resourceType"], []).append(resource)
    assert len(by_type["Patient"]) == 1
    profiles = {
        p for r in bundle["entry"] for p in r["resource"].get("meta", {}).get("profile", [])
    }
    assert any(p.endswith("mcode-primary-cancer-condition") for p in profiles)
    assert any(p.endswith("mcode-cancer-related-medication-administration") for p in profiles)
    codes = {
        r["code"]["coding"][0]["code"]: r  # type: ignore[index]
        for r in by_type["Observation"]
        if str(r["id"]).endswith(
            ("ki67-index", "mitotic-count", "sstr-uptake", "functioning-syndrome")
        )
    }
    assert codes["ki67-index"]["valueQuantity"] == {"value": 10.0, "unit": "%"}
    assert codes["sstr-uptake"]["valueInteger"] == 4
    assert codes["functioning-syndrome"]["valueCodeableConcept"]["coding"][0]["code"] == "none"  # type: ignore[index]


def test_bundle_without_netline_details_imports_standard_elements(seed_record: CaseRecord) -> None:
    bundle = bundle_from_record(seed_record)
    for entry in bundle["entry"]:
        entry["resource"]["extension"] = [
            e for e in entry["resource"].get("extension", []) if e["url"] != DETAILS_URL
        ]
        if not entry["resource"]["extension"]:
            del entry["resource"]["extension"]
    record = record_from_bundle(bundle)
    assert record.patient.sex == seed_record.patient.sex
    assert record.patient.birth_date == seed_record.patient.birth_date
    assert record.primary.site == seed_record.primary.site
    assert record.primary.diagnosed == seed_record.primary.diagnosed
    assert [m.organ for m in record.metastases] == [m.organ for m in seed_record.metastases]
    assert [t.agent for t in record.of_type(SystemicTherapy)] == [
        t.agent for t in seed_record.of_type(SystemicTherapy)
    ]


def test_invalid_bundles_are_named(tmp_path: Path, seed_record: CaseRecord) -> None:
    folder = tmp_path / "fhir"
    folder.mkdir()
    write_bundle(seed_record, folder / "seed.json")
    bundle = bundle_from_record(seed_record)
    bundle["entry"][0]["resource"]["birthDate"] = "the fifth of May"
    (folder / "bad-birth.json").write_text(json.dumps(bundle))
    (folder / "not-json.json").write_text("{")
    items, source = read_bundles(folder)
    errors = {
        Path(where).name: item for where, item in items if isinstance(item, InvalidRecordError)
    }
    assert set(errors) == {"bad-birth.json", "not-json.json"}
    assert "birthDate" in str(errors["bad-birth.json"])
    assert "valid JSON" in str(errors["not-json.json"])
    with open_registry(tmp_path / "reg.duckdb") as reg:
        with pytest.raises(ImportRefusedError, match=r"bad-birth\.json"):
            reg.import_records(items, source=source)
        report = reg.import_records(items, source=source, keep_valid=True)
        assert report.added == ("seed-case",)
        (stored,) = reg.records()
    assert stored == seed_record
