"""The published JSON Schema accepts the example case files and rejects broken ones."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from netline.records import case_file_schema

EXAMPLES = Path(__file__).parents[2] / "examples"


def _as_json_data(path: Path) -> object:
    # YAML turns ISO dates into date objects; JSON Schema sees the strings a JSON file holds.
    text = path.read_text()
    return yaml.load(text, Loader=_StringDates)


class _StringDates(yaml.SafeLoader):
    pass


_StringDates.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_examples(path: Path) -> None:
    schema = case_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_as_json_data(path), schema, cls=jsonschema.Draft202012Validator)


def test_schema_rejects_out_of_range_ki67() -> None:
    data = _as_json_data(EXAMPLES / "seed-case.yaml")
    assert isinstance(data, dict)
    data["primary"]["histology"]["ki67_percent"] = 120
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, case_file_schema(), cls=jsonschema.Draft202012Validator)
