"""The course package's curated API: every name resolves; heavy parts load on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import netline.course


def test_all_is_sorted_and_resolves() -> None:
    names = netline.course.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(netline.course, name) is not None
    with pytest.raises(AttributeError):
        _ = netline.course.not_a_name


def test_plotting_and_generator_are_lazy() -> None:
    code = (
        "import sys, netline.course;"
        "print('matplotlib' in sys.modules, 'plotly' in sys.modules,"
        " 'netline.course.synthetic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False", "False"]
