"""The public API is curated: __all__ is exactly what is documented, and every name resolves."""

from __future__ import annotations

import importlib
import subprocess
import sys
from typing import Any, ClassVar

import pytest

import netline

EXPECTED = {
    "netline": {
        "Advice",
        "Assessment",
        "CaseRecord",
        "Finding",
        "InsufficientDataError",
        "InvalidEvidenceError",
        "InvalidInputError",
        "InvalidRecordError",
        "NetlineError",
        "Problem",
        "SimulationResult",
        "UnknownKeyError",
        "__version__",
        "advise",
        "assess",
        "case_file_schema",
        "dump_case",
        "load_case",
        "parse_case",
        "simulate",
    },
}


def test_top_level_all_is_curated() -> None:
    assert set(netline.__all__) == EXPECTED["netline"]
    assert netline.__all__ == sorted(netline.__all__)
    for name in netline.__all__:
        assert getattr(netline, name) is not None


@pytest.mark.parametrize(
    "module",
    [
        "netline.errors",
        "netline.records",
        "netline.clinical",
        "netline.assessment",
        "netline.evidence",
        "netline.simulation",
        "netline.advice",
        "netline.registry",
    ],
)
def test_subpackage_all_resolves(module: str) -> None:
    mod = importlib.import_module(module)
    names = mod.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(mod, name), f"{module}.{name}"


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError):
        netline.does_not_exist  # noqa: B018


def test_import_is_light() -> None:
    heavy = "('pydantic', 'yaml', 'matplotlib', 'pandas')"
    code = f"import sys, netline; print(','.join(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_errors_hierarchy() -> None:
    from netline import errors

    assert issubclass(errors.InvalidRecordError, errors.InvalidInputError)
    assert issubclass(errors.InvalidInputError, errors.NetlineError)
    assert issubclass(errors.InvalidInputError, ValueError)
    assert issubclass(errors.UnknownKeyError, KeyError)
    error = errors.UnknownKeyError("agent", "lanreotid", ["lanreotide", "everolimus"])
    assert "did you mean lanreotide" in str(error)


def test_functions_are_not_shadowed_by_subpackages() -> None:
    """Importing every submodule first must leave the facade's verbs as functions."""
    code = (
        "import pkgutil, importlib, netline\n"
        "for m in pkgutil.walk_packages(netline.__path__, 'netline.'):\n"
        "    if '.cli' in m.name or m.name.endswith('__main__'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "import inspect\n"
        "verbs = ('advise', 'assess', 'simulate')\n"
        "print(all(inspect.isfunction(getattr(netline, n)) for n in verbs))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_facade_verbs_work_after_submodule_imports() -> None:
    import netline.advice.render
    import netline.assessment.text
    import netline.simulation.engine

    record = netline.load_case("examples/seed-case.yaml")
    assert netline.assess(record).grade is not None
    assert netline.advise(record) is not None


def test_result_protocol_helpers() -> None:
    import math

    from netline.results import FORMATS, Result, check_format, render_result, to_json

    class Count:
        schema_version: ClassVar[str] = "1"

        def __init__(self, values: list[float] | None = None) -> None:
            self.values = values or [1.0]

        def to_dict(self) -> dict[str, Any]:
            return {"schema_version": self.schema_version, "values": self.values}

        def render(self, fmt: str) -> str:
            return render_result(self, fmt, text=lambda: f"{len(self.values)} values <ok>\n")

    count = Count()
    assert isinstance(count, Result)
    assert FORMATS == ("text", "json", "markdown", "html")
    assert count.render("text") == "1 values <ok>\n"
    assert '"schema_version": "1"' in count.render("json")
    assert count.render("markdown").startswith("```text\n")
    assert "&lt;ok&gt;" in count.render("html")
    with pytest.raises(ValueError, match="unknown format"):
        check_format("pdf")
    with pytest.raises(ValueError, match=r"values\[1\]"):
        Count([1.0, math.nan]).render("json")
    with pytest.raises(ValueError, match="non-finite"):
        to_json({"a": {"b": math.inf}})


def test_time_constants() -> None:
    import datetime as dt

    from netline._time import DAYS_PER_MONTH, DAYS_PER_YEAR, add_months, months_between

    assert DAYS_PER_YEAR == 365.25
    assert DAYS_PER_MONTH == 365.25 / 12
    assert add_months(dt.date(2020, 1, 31), 1) == dt.date(2020, 2, 29)
    assert round(months_between(dt.date(2021, 1, 1), dt.date(2021, 7, 2)), 1) == 6.0


def test_version_option() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "netline", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"netline {netline.__version__}"
