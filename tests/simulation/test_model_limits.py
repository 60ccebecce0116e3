"""Model parameters and settings that must be refused with a clear problem (issue 10)."""

from __future__ import annotations

import pytest

from netline.errors import InvalidInputError
from netline.simulation import compile_model, parse_model, simulate
from netline.simulation.engine import EngineSettings, result_bytes

from .simhelpers import model


def _problems(exc: pytest.ExceptionInfo[InvalidInputError]) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


def test_lognormal_ci_from_zero_is_refused_up_front() -> None:
    data = model()
    data["therapies"]["a"]["pfs"]["median"] = {"value": 10.0, "ci": [0, 30]}
    spec = parse_model(data)
    with pytest.raises(InvalidInputError) as exc:
        compile_model(spec)
    text = _problems(exc)
    assert "therapies.a.pfs.median.ci" in text
    assert "lower bound above 0" in text


def test_tiny_weibull_shape_is_refused() -> None:
    data = model()
    data["therapies"]["a"]["pfs"] = {"distribution": "weibull", "median": 10.0, "shape": 1e-6}
    with pytest.raises(InvalidInputError) as exc:
        compile_model(parse_model(data))
    text = _problems(exc)
    assert "therapies.a.pfs.shape" in text
    assert "[0.1, 10]" in text


def test_reversed_or_infinite_ci_is_refused() -> None:
    data = model()
    data["therapies"]["a"]["pfs"]["median"] = {"value": 10.0, "ci": [12, 8]}
    with pytest.raises(InvalidInputError, match="low < high"):
        parse_model(data)


@pytest.mark.parametrize(
    ("setting", "value", "needle"),
    [
        ("curve_step_months", 1e-9, "curve_step_months"),
        ("resolution_months", 1e-9, "resolution_months"),
        ("curve_max_months", 1e9, "curve_max_months"),
        ("draws", 10**9, "draws"),
    ],
)
def test_absurd_settings_are_refused(setting: str, value: float, needle: str) -> None:
    data = model()
    data["simulation"][setting] = value
    with pytest.raises(InvalidInputError) as exc:
        parse_model(data)
    assert needle in _problems(exc)


def test_curve_step_below_resolution_is_refused() -> None:
    data = model()
    data["simulation"].update({"curve_step_months": 0.1, "resolution_months": 0.25})
    with pytest.raises(InvalidInputError, match="at least resolution_months"):
        parse_model(data)


def test_exploding_generator_is_refused_with_its_size_without_enumerating() -> None:
    therapies = {
        f"t{i}": {"classes": ["x"], "pfs": {"distribution": "exponential", "median": 10.0}}
        for i in range(40)
    }
    data = model(
        therapies=therapies,
        sequences=[{"generate": {"therapies": list(therapies), "max_length": 40}}],
    )
    with pytest.raises(InvalidInputError) as exc:
        parse_model(data)  # 40! orderings: counted, never enumerated
    assert "more than 20,000 sequences" in _problems(exc)


def test_result_size_is_checked_before_allocating() -> None:
    data = model()
    data["therapies"]["c"] = {"classes": ["z"], "pfs": {"distribution": "exponential", "median": 5}}
    data["sequences"] = [{"generate": {"therapies": ["a", "b", "c"], "max_length": 3}}]
    compiled = compile_model(parse_model(data))
    settings = EngineSettings(patients=10)
    small = result_bytes(compiled.plan, settings, 10)
    assert result_bytes(compiled.plan, settings, 1000) == 100 * small
    data["simulation"].update({"curve_step_months": 0.25, "curve_max_months": 1200})
    with pytest.raises(InvalidInputError, match="GB of results"):
        simulate(parse_model(data), draws=100_000, patients=10, psa=False)


@pytest.mark.parametrize(("override", "value"), [("patients", 0), ("draws", -1), ("seed", -1)])
def test_api_overrides_follow_the_model_rules(override: str, value: int) -> None:
    with pytest.raises(InvalidInputError) as exc:
        simulate(parse_model(model()), **{override: value})  # type: ignore[arg-type]
    text = _problems(exc)
    assert override in text
    assert "Input should" not in text


def test_unknown_agent_message_is_not_garbled() -> None:
    data = model()
    data["therapies"]["a"]["agents"] = ["aspirin"]
    with pytest.raises(InvalidInputError) as exc:
        parse_model(data)
    text = _problems(exc)
    assert "therapies.a.agents[0]" in text
    assert "expected unknown agent" not in text
    assert "an agent of netline's vocabulary" in text
