"""``netline evidence``: output carries tags and conflicts; errors exit 2 without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netline.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "220"}


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["evidence", *args], env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def test_trial_shows_subgroups_and_tags() -> None:
    code, out, _ = invoke("trial", "RADIANT-3")
    assert code == 0
    assert "Subgroups" in out
    assert "Prior somatostatin analogue" in out
    assert "11.0 mo [verified]" in out
    assert "HR 0.35 (95 % CI 0.27–0.45) [verified]" in out
    assert "⚠ conflict" in out
    assert "0.28–0.57" in out
    assert "[recalled]" in out
    assert "yao2011" in out


def test_trial_shows_unverified_case_report_claim() -> None:
    code, out, _ = invoke("trial", "netter1")
    assert code == 0
    assert "77 % [uncertain; as reported in umino2024]" in out


def test_trial_shows_structured_entry_criteria() -> None:
    # NETTER-2 enrolled patients diagnosed within 6 months (Singh et al., Lancet 2024).
    code, out, _ = invoke("trial", "NETTER-2")
    assert code == 0
    assert "entry criterion: months_since_diagnosis ≤ 6" in out


def test_therapy_shows_the_syndromes_it_controls() -> None:
    code, out, _ = invoke("therapy", "diazoxide")
    assert code == 0
    assert "controls the syndrome of: insulinoma" in out


@pytest.mark.parametrize(
    "args",
    [
        ("therapies",),
        ("therapies", "--kind", "local"),
        ("therapy", "Lutathera"),
        ("trials", "--therapy", "everolimus", "--site", "pancreas"),
        ("guidelines",),
        ("guideline", "progressive_after_ssa"),
        ("guideline", "esmo2020"),
        ("profiles",),
        ("profile", "prrt_netter1"),
        ("profile", "lu177_dotatate_label"),
        ("profile", "makuuchi_1993"),
        ("references",),
        ("reference", "umino2024"),
        ("search", "insulinoma"),
        ("conflicts",),
        ("validate",),
    ],
)
def test_commands_run(args: tuple[str, ...]) -> None:
    code, out, err = invoke(*args)
    assert code == 0, err
    assert out.strip()


def test_therapy_output() -> None:
    code, out, _ = invoke("therapy", "lutathera")
    assert code == 0
    assert "7.4 GBq" in out
    assert "[verified]" in out
    assert "NETTER-1" in out


def test_cases_output() -> None:
    code, out, _ = invoke("cases")
    assert code == 0
    assert "Kaemmerer" in out
    assert "Staszczak" in out
    assert "Not mentioned" in out
    assert "4–5 of 9" in out
    assert "6 of 9" in out
    assert "7 of 9" in out
    assert "NO" not in out.split()


@pytest.mark.parametrize("suffix", ["png", "svg", "html"])
def test_forest_command(tmp_path: Path, suffix: str) -> None:
    out_file = tmp_path / f"forest.{suffix}"
    code, out, _ = invoke("forest", "--out", str(out_file))
    assert code == 0
    assert out_file.stat().st_size > 0
    assert "not verified" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("trial", "radiant-4"), "unknown trial 'radiant-4'; did you mean radiant3?"),
        (("therapy", "everolimuss"), "did you mean everolimus"),
        (("reference", "yao2012"), "unknown reference"),
        (("guideline", "nope"), "unknown guideline statement"),
        (("profile", "prrt"), "unknown profile"),
        (("trials", "--site", "kidney"), "unknown site"),
        (("forest", "--out", "plot.pdf"), ".png, .svg or .html"),
    ],
)
def test_errors_exit_2_without_traceback(args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_validate_broken_directory(tmp_path: Path) -> None:
    import shutil

    from netline.evidence.loader import data_directory

    directory = tmp_path / "kb"
    shutil.copytree(Path(str(data_directory())), directory)
    trials = directory / "trials.yaml"
    trials.write_text(
        trials.read_text(encoding="utf-8").replace(
            "value: 0.35, ci: [0.27, 0.45]", "value: 0.35, ci: [0.37, 0.45]"
        ),
        encoding="utf-8",
    )
    code, _, err = invoke("validate", str(directory))
    assert code == 2
    assert "trials[radiant3].endpoints[pfs].comparisons[0].estimate.ci" in err


def test_module_import_is_light() -> None:
    heavy = "('yaml', 'matplotlib', 'plotly', 'netline.evidence')"
    code = (
        f"import sys, netline.cli.evidence; print(','.join(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
