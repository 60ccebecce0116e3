"""The published JSON Schema of a case file."""

from __future__ import annotations

from typing import Any

from netline._version import __version__
from netline.records.model import CaseRecord

__all__ = ["RELATIVE_DATE_PATTERN", "case_file_schema"]

RELATIVE_DATE_PATTERN = (
    r"^\s*(([A-Za-z][\w.-]*)?\s*[+-]\s*(\d+\s*(d|days?|w|wk|weeks?|mo|months?|y|yr|years?)\s*)+"
    r"|[A-Za-z][\w.-]*\s*)$"
)


def case_file_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a netline case file.

    Dates may be ISO dates or offsets from an anchor (``"index + 3 months"``); the model's
    date fields are widened accordingly.
    """
    schema = CaseRecord.model_json_schema(mode="validation")
    _widen_dates(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://netline.dev/schema/case-{__version__}.json",
        **schema,
        "title": "netline case file",
    }


def _widen_dates(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "date":
            node.pop("type")
            node.pop("format")
            node["anyOf"] = [
                {"type": "string", "format": "date"},
                {"type": "string", "pattern": RELATIVE_DATE_PATTERN},
            ]
            node.setdefault("description", "An ISO date, or an offset such as 'index + 45 months'.")
            return
        for value in node.values():
            _widen_dates(value)
    elif isinstance(node, list):
        for value in node:
            _widen_dates(value)
