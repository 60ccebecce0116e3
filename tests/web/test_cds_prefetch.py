"""CDS prefetch read by the registry's FHIR mapping: same record as a Bundle import, same checks.

``prefetch_record`` validates each prefetched resource against its own FHIR R4B model instead of
building and validating a collection Bundle of them (cheaper: benchmarks/README.md, issue 14).
These differential tests hold it to the Bundle path: same record for valid data, refused
whenever the Bundle validation refuses.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from netline.errors import InvalidRecordError
from netline.records import CaseRecord
from netline.registry.datasets import demo_records
from netline.registry.fhir import bundle_from_record, prefetch_record, record_from_bundle

KEYS = {"Condition": "conditions", "MedicationAdministration": "medications"}
KEYS |= {"Procedure": "procedures", "Observation": "observations"}


def _prefetch(record: CaseRecord) -> dict[str, Any]:
    prefetch: dict[str, Any] = {
        key: {"resourceType": "Bundle", "type": "searchset", "entry": []} for key in KEYS.values()
    }
    for entry in bundle_from_record(record)["entry"]:
        kind = entry["resource"]["resourceType"]
        if kind == "Patient":
            prefetch["patient"] = entry["resource"]
        else:
            prefetch[KEYS.get(kind, "observations")]["entry"].append(entry)
    return prefetch


def _as_bundle(prefetch: dict[str, Any]) -> dict[str, Any]:
    resources = [prefetch["patient"]]
    resources += [e["resource"] for k in KEYS.values() for e in prefetch[k]["entry"]]
    entries = [{"resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


@pytest.fixture(scope="module")
def records(seed_record: CaseRecord) -> list[CaseRecord]:
    return [seed_record, *demo_records(12, 5)]


def test_prefetch_gives_the_record_a_bundle_import_gives(records: list[CaseRecord]) -> None:
    for record in records:
        prefetch = _prefetch(record)
        from_prefetch = prefetch_record(prefetch)
        from_bundle = record_from_bundle(_as_bundle(prefetch), source="CDS Hooks prefetch")
        assert from_prefetch.model_dump() == from_bundle.model_dump()


BREAKS = [
    ("observations", "code", "not a CodeableConcept"),
    ("observations", "effectiveDateTime", "2020-13-45"),
    ("conditions", "onsetDateTime", "yesterday"),
    ("medications", "status", 42),
    ("observations", "unknownElement", "x"),
    ("observations", "resourceType", "NoSuchResource"),
]


@pytest.mark.parametrize(("key", "field", "value"), BREAKS, ids=[f"{b[0]}.{b[1]}" for b in BREAKS])
def test_an_invalid_resource_is_refused_as_the_bundle_path_refuses_it(
    seed_record: CaseRecord, key: str, field: str, value: Any
) -> None:
    prefetch = copy.deepcopy(_prefetch(seed_record))
    resource = prefetch[key]["entry"][0]["resource"]
    resource[field] = value
    with pytest.raises(InvalidRecordError):
        record_from_bundle(_as_bundle(prefetch))  # the oracle refuses it
    with pytest.raises(InvalidRecordError) as refused:
        prefetch_record(prefetch)
    kind = "NoSuchResource" if field == "resourceType" else resource["resourceType"]
    assert f"{kind}/{resource['id']}" in str(refused.value)  # names the resource
    assert field in str(refused.value)  # and the field


def test_a_bundle_entry_of_an_unknown_resource_type_is_refused_with_its_place(
    seed_record: CaseRecord,
) -> None:
    # fhir.resources raised KeyError('R4.NoSuchResourceType') here: a 500 instead of the
    # import's "bad input" message naming the entry.
    bundle = bundle_from_record(seed_record)
    bundle["entry"][1]["resource"]["resourceType"] = "NoSuchResource"
    with pytest.raises(InvalidRecordError, match=r"entry\.1\.resource\.resourceType"):
        record_from_bundle(bundle, source="upload.json")
