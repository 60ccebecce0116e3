"""The advise package's public API is curated and cheap to import from the command line."""

from __future__ import annotations

import subprocess
import sys

import netline.advice as advise_pkg


def test_all_is_curated_and_resolves() -> None:
    names = advise_pkg.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(advise_pkg, name) is not None
    assert {"advise", "replay", "Advice", "OptionAssessment", "SurgeryAssessment"} <= set(names)
    assert "DecisionState" in names


def test_the_cli_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, netline.cli.advise; "
        "mods = ('netline.advice', 'netline.evidence', 'duckdb'); "
        "heavy = [m for m in mods if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
