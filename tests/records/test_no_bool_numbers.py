"""Issue 10: ``ki67_percent: true`` must not become 1 (YAML true/false are never numbers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netline._inputs import read_document
from netline.errors import InvalidRecordError
from netline.records import parse_case, record_from_data

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-case.yaml"


@pytest.mark.parametrize(("section", "field"), [("histology", "ki67_percent"), (None, "size_mm")])
@pytest.mark.parametrize("value", [True, False])
def test_true_or_false_is_refused_where_a_number_belongs(
    section: str | None, field: str, value: bool
) -> None:
    data = read_document(SEED, "case file", InvalidRecordError).data
    target = data["primary"][section] if section else data["primary"]
    target[field] = value
    with pytest.raises(InvalidRecordError) as info:
        record_from_data(data)
    (problem,) = info.value.problems
    assert problem.location.endswith(field)
    assert problem.expected == "a number"


def test_yaml_true_for_ki67_is_located_in_the_file() -> None:
    text = SEED.read_text(encoding="utf-8").replace("ki67_percent: 10", "ki67_percent: true", 1)
    with pytest.raises(InvalidRecordError) as info:
        parse_case(text, source="case.yaml")
    assert "primary.histology.ki67_percent: got 'true'; expected a number" in str(info.value)


def test_true_and_false_stay_valid_for_boolean_fields() -> None:
    record = record_from_data(read_document(SEED, "case file", InvalidRecordError).data)
    assert record.primary.multifocal is False
