"""``advise`` works out each per-patient derivation once per call (issue 12, performance).

Defect (issue 12, profile of 2026-12-02 evening): one ``advise`` call cut the record at the
decision date twice (once for the decision state, once more for the setting) and worked out the
periods without evidence of disease three times (the extent of disease, the treatment history
and the setting), on the same view of the record. These tests count the calls; they assert no
timing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import netline.advice.advice as advice_module
import netline.advice.resection as resection
import netline.advice.state as state
import netline.advice.state_extent as state_extent
from netline.advice import advise, decision_state
from netline.records import load_case

from .cases import AT, make_case

SEED_CASE = Path(__file__).parents[2] / "examples" / "seed-case.yaml"


#: Every module of the advice engine that may call the counted functions by name.
_MODULES = (advice_module, state, state_extent, resection)


def _count(monkeypatch: pytest.MonkeyPatch, calls: Counter[str], name: str) -> None:
    """Count calls to ``name`` wherever a module of the engine looks it up."""
    for module in _MODULES:
        real: Callable[..., Any] | None = getattr(module, name, None)
        if real is None:
            continue

        def counted(*args: Any, _real: Callable[..., Any] = real, **kwargs: Any) -> Any:
            calls[name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counter: Counter[str] = Counter()
    for name in ("record_as_of", "course_lines", "resection_history"):
        _count(monkeypatch, counter, name)
    return counter


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(lambda: (load_case(SEED_CASE), dt.date(2022, 6, 1)), id="seed-2022-06"),
        pytest.param(lambda: (make_case(), AT), id="scenario-default"),
    ],
)
def test_advise_cuts_the_record_and_reads_its_history_once(
    calls: Counter[str], case: Callable[[], tuple[Any, dt.date]]
) -> None:
    record, at = case()
    calls.clear()
    advise(record, at)
    assert calls["record_as_of"] == 1
    assert calls["course_lines"] == 1
    assert calls["resection_history"] == 1


def test_decision_state_alone_does_the_same_work_once(calls: Counter[str]) -> None:
    record = load_case(SEED_CASE)
    calls.clear()
    decision_state(record, dt.date(2021, 5, 16))
    assert dict(calls) == {"record_as_of": 1, "course_lines": 1, "resection_history": 1}
