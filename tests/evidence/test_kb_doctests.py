"""The examples in the evidence docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "netline.evidence",
    "netline.evidence.cases",
    "netline.evidence.forest",
    "netline.evidence.loader",
    "netline.evidence.query",
    "netline.evidence.validate",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
