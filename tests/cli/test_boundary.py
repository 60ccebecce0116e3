"""The one error boundary, --out checks before any work, atomic output, check and --version."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from netline._version import __version__
from netline.cli import app

ROOT = Path(__file__).parents[2]
SEED = ROOT / "examples" / "seed-case.yaml"
SEED_TEXT = SEED.read_text(encoding="utf-8")
MODEL = ROOT / "examples" / "models" / "pnet-sequences.yaml"

runner = CliRunner()


def invoke(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args], env={"NETLINE_DEBUG": ""})


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- the boundary


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"netline {__version__}"


def test_user_error_exits_2_with_the_netline_message() -> None:
    result = invoke("evidence", "trial", "NO-SUCH-TRIAL")
    assert result.exit_code == 2
    assert result.stderr.startswith("netline: unknown trial")
    assert "Traceback" not in result.output


def test_a_bug_exits_70_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import netline.records

    def broken(path: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(netline.records, "load_case", broken)
    result = invoke("assess", SEED)
    assert result.exit_code == 70
    assert "internal error (RuntimeError: boom)" in result.stderr
    assert "Traceback" not in result.output


def test_evidence_has_no_guard_of_its_own() -> None:
    import netline.cli.evidence as evidence

    assert not hasattr(evidence, "_guard")


@pytest.mark.parametrize("date", ["2011-02-30", "2011-13-01", "0000-01-01"])
def test_impossible_unquoted_date_exits_2(tmp_path: Path, date: str) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(SEED_TEXT.replace("index_date: 2011-04-01", f"index_date: {date}"))
    result = invoke("assess", case)
    assert result.exit_code == 2
    assert f"{case}:12:13: index_date: got '{date}'" in result.stderr


@pytest.mark.parametrize(
    "mutation",
    [
        lambda t: t.replace('"index + 45 months"', '"index + 100000 years"', 1),
        lambda t: t.replace('"index + 45 months"', '"+99999999999999999999 days"', 1),
        lambda t: t.replace("ki67_percent: 10", "ki67_percent: " + "9" * 5000, 1),
        lambda t: t + "deep: " + "[" * 5000 + "]" * 5000 + "\n",
        lambda t: t.replace("  sex: male\n", "  sex: male\n  x: &a\n    y: *a\n", 1),
    ],
    ids=["100000-years", "huge-days", "huge-int", "deep", "self-alias"],
)
def test_hostile_case_files_exit_2(tmp_path: Path, mutation: Any) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(mutation(SEED_TEXT))
    result = invoke("assess", case)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("netline: ")


# --------------------------------------------------------------------------- check


def write_case(tmp_path: Path, text: str) -> Path:
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    return case


def test_check_valid_case_exits_0() -> None:
    result = invoke("check", SEED)
    assert result.exit_code == 0
    assert "valid case file" in result.stdout


def test_check_plausibility_warnings_exit_1(tmp_path: Path) -> None:
    text = SEED_TEXT.replace(
        '      - {date: "prrt + 0 weeks"}', '      - {date: "prrt + 0 weeks", activity_gbq: 9.0}'
    )
    case = write_case(tmp_path, text)
    line = 1 + text[: text.index("activity_gbq: 9.0")].count("\n")
    result = invoke("check", case)
    assert result.exit_code == 1
    assert f"{case}:{line}:" in result.stdout
    assert "activity per cycle above the label" in result.stdout
    assert "LUTATHERA" in result.stdout


def test_check_json_lists_warnings_with_positions(tmp_path: Path) -> None:
    text = SEED_TEXT.replace(
        '      - {date: "prrt + 0 weeks"}', '      - {date: "prrt + 0 weeks", activity_gbq: 9.0}'
    )
    result = invoke("check", write_case(tmp_path, text), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is True
    (warning,) = report["warnings"]
    assert warning["location"] == "events[12].cycles[0].activity_gbq"
    assert warning["line"] == 1 + text[: text.index("activity_gbq: 9.0")].count("\n")
    assert warning["status"] == "verified"


def test_check_invalid_exits_2_with_every_problem(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("ki67_percent: 10", "ki67_percent: 120").replace(
        "  size_mm: 35\n", "  size_mm: -1\n"
    )
    case = write_case(tmp_path, text)
    result = invoke("check", case)
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert f"{case}:33:12: primary.size_mm: got -1" in result.stderr
    json_result = invoke("check", case, "--json")
    assert json_result.exit_code == 2
    report = json.loads(json_result.stdout)
    assert [p["line"] for p in report["problems"]] == [33, 41]


# ----------------------------------------------------------------- --out and atomic output


@pytest.mark.parametrize("kind", ["missing-folder", "folder"])
def test_schema_out_is_checked(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "nowhere" / "s.json" if kind == "missing-folder" else tmp_path
    result = invoke("schema", "--out", out)
    assert result.exit_code == 2
    assert "--out" in result.stderr


def test_schema_out_on_a_full_disk_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    out = tmp_path / "schema.json"
    out.write_text("old", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = invoke("schema", "--out", out)
    assert result.exit_code == 2
    assert "no space left on the device" in result.stderr
    assert out.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_schema_out_writes_the_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert invoke("schema", "--out", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "netline case file"
    assert leftovers(tmp_path) == []


def test_timeline_out_is_checked_before_the_case_is_read(tmp_path: Path) -> None:
    result = invoke("timeline", tmp_path / "missing.yaml", "--out", tmp_path / "no" / "t.svg")
    assert result.exit_code == 2
    assert "--out" in result.stderr
    assert "missing.yaml" not in result.stderr


def test_timeline_failure_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import netline.course.timeline as timeline

    out = tmp_path / "course.svg"
    out.write_text("old figure", encoding="utf-8")

    def half_written(data: object, path: Path) -> Path:
        Path(path).write_text("<svg truncated", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(timeline, "save_timeline", half_written)
    result = invoke("timeline", SEED, "--out", out)
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "old figure"
    assert leftovers(tmp_path) == []


def test_forest_out_is_checked_before_any_work(tmp_path: Path) -> None:
    result = invoke("evidence", "forest", "--out", tmp_path / "no" / "f.png")
    assert result.exit_code == 2
    assert "--out" in result.stderr
    result = invoke("evidence", "forest", "--out", tmp_path / "f.txt")
    assert result.exit_code == 2
    assert ".png, .svg or .html" in result.stderr


def test_forest_failure_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import netline.evidence.forest as forest

    def failing(path: Path, rows: object = None, **kwargs: object) -> Path:
        Path(path).write_text("partial", encoding="utf-8")
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(forest, "write_forest_plot", failing)
    result = invoke("evidence", "forest", "--out", tmp_path / "f.svg")
    assert result.exit_code == 70
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- simulate and calibrate


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--patients", "0"], "--patients"),
        (["--patients", "-5"], "--patients"),
        (["--draws", "-1"], "--draws"),
        (["--draws", "0"], "--draws"),
        (["--seed", "-1"], "--seed"),
        (["--by", "nmb"], "--wtp"),
        (["--wtp", "nan", "--by", "nmb"], "--wtp"),
        (["--format", "xls"], "--format"),
    ],
)
def test_simulate_options_are_refused_before_the_model_is_read(
    tmp_path: Path, args: list[str], option: str
) -> None:
    result = invoke("simulate", tmp_path / "no-model.yaml", *args)
    assert result.exit_code == 2
    assert f"  - {option}: got" in result.stderr
    assert "no-model" not in result.stderr


def test_simulate_out_onto_an_existing_file_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "results"
    existing.write_text("keep", encoding="utf-8")
    result = invoke("simulate", MODEL, "--out", existing)
    assert result.exit_code == 2
    assert "existing file" in result.stderr
    assert existing.read_text(encoding="utf-8") == "keep"


def test_calibrate_out_is_checked_before_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import netline.simulation.calibration as calibration

    def never(**kwargs: object) -> None:
        raise AssertionError("the calibration ran before --out was checked")

    monkeypatch.setattr(calibration, "run_calibration", never)
    result = invoke("calibrate", "--out", "/nonexistent/c.md")
    assert result.exit_code == 2
    assert "/nonexistent does not exist" in result.stderr


def test_dump_case_into_a_missing_folder_is_a_netline_error(tmp_path: Path) -> None:
    from netline.errors import InvalidInputError
    from netline.records import dump_case, load_case

    with pytest.raises(InvalidInputError):
        dump_case(load_case(SEED), tmp_path / "missing" / "case.yaml")
