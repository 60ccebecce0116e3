"""The public API is curated: __all__ is exactly what is documented, and every name resolves."""

from __future__ import annotations

import importlib
import subprocess
import sys

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
        "UnknownKeyError",
        "__version__",
        "advise",
        "assess",
        "case_file_schema",
        "dump_case",
        "load_case",
        "parse_case",
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
        "netline.assess",
        "netline.evidence",
        "netline.simulate",
        "netline.advise",
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
