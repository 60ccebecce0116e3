"""Fixtures of the evidence tests: the bundled knowledge base and a breakable copy."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from netline.evidence import KnowledgeBase, load_knowledge_base, read_knowledge_base_data

_RAW = read_knowledge_base_data()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def raw() -> dict[str, Any]:
    """A deep copy of the bundled knowledge base's parsed files, safe to break."""
    return copy.deepcopy(_RAW)


def item(items: list[dict[str, Any]], identifier: str, key: str = "id") -> dict[str, Any]:
    """Return the element of a parsed list whose id (or key) is ``identifier``."""
    return next(entry for entry in items if entry[key] == identifier)


@pytest.fixture
def find() -> Any:
    """The :func:`item` helper, as a fixture."""
    return item
