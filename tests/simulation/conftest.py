"""Fixtures for the simulator tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .simhelpers import RICH


@pytest.fixture
def rich_model() -> dict[str, Any]:
    return copy.deepcopy(RICH)
