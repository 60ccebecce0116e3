"""End to end: the installed `netline` command on the seed case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SEED = ROOT / "examples" / "seed-case.yaml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NETLINE_DEBUG": ""}
    return subprocess.run(
        [sys.executable, "-m", "netline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_assess_text_reproduces_the_report_classification() -> None:
    result = run("assess", str(SEED))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "NET G2 (Ki-67 10 %, mitoses 6/10 HPF)" in text
    assert "AJCC 8      pT3 N0 M0, stage II" in text
    assert "UICC 8      pT3 N0 M0, stage II  [unverified]" in text
    assert "ENETS 2006  pT3 N0 M0, stage IIB" in text
    assert "pT3 N0 M1c, stage IV" in text
    assert "(conversion): R0; pathological complete response" in text
    assert "177Lu-DOTATATE [radioligand]" in text
    assert "4 cycles" in text
    assert "CT PR" in text
    assert "CT PD" in text
    assert "does not replace it" in text


def test_assess_json_is_machine_readable_and_matches() -> None:
    result = run("assess", str(SEED), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["netline_assessment"] == 1
    primary_grade = data["grades"][0]
    assert primary_grade["grade"]["value"] == "NET G2"
    assert primary_grade["ki67_percent"] == 10
    assert primary_grade["mitoses_per_2mm2"]["value"] == 6
    stages = {edition: s["value"] for edition, s in data["staging"].items()}
    assert {e: (v["t"], v["n"], v["m"], v["stage_group"]) for e, v in stages.items()} == {
        "AJCC 8": ("T3", "N0", "M0", "II"),
        "UICC 8": ("T3", "N0", "M0", "II"),
        "ENETS 2006": ("T3", "N0", "M0", "IIB"),
    }
    assert data["staging"]["UICC 8"]["verified"] is False
    later = data["metastatic_status"]
    assert later["organs"] == ["bone", "liver"]
    assert later["staging"]["AJCC 8"]["value"]["m"] == "M1c"
    margins = [
        (s["intent"], s["margin"], s["pathological_complete_response"]) for s in data["surgeries"]
    ]
    assert margins[0] == ("curative", "R0", False)
    assert margins[-1] == ("conversion", "R0", True)
    agents = [(t["agent"], t["cycles"], t["reason_stopped"]) for t in data["systemic_therapies"]]
    assert agents == [
        ("lanreotide", 0, "progression"),
        ("lu177_dotatate", 4, "completed"),
        ("lanreotide", 0, "surgery"),
    ]
    responses = [i["recorded_response"] for i in data["imaging"] if i["recorded_response"]]
    assert responses == ["PD", "PR", "PD"]


def test_invalid_file_lists_problems_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\npatient: {id: p, sex: female}\n"
        "primary: {site: pancreas_body, size_mm: -2, histology: {ki67_percent: 120}}\n"
        "events:\n  - {type: systemic_therapy, agent: everolimus,"
        " start: 2020-03-01, stop: 2020-01-01}\n"
    )
    result = run("assess", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "3 problems" in result.stderr
    for location in ("primary.size_mm", "primary.histology.ki67_percent", "events[0].stop"):
        assert location in result.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("assess", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nope.yaml" in result.stderr


def test_schema_command_prints_json_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run("schema", "--out", str(out))
    assert result.returncode == 0, result.stderr
    schema = json.loads(out.read_text())
    assert schema["title"] == "netline case file"
    assert "patient" in schema["properties"]


@pytest.mark.parametrize("args", [["--help"], ["assess", "--help"]])
def test_help(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_assess_shows_the_lines_of_therapy() -> None:
    result = run("assess", str(SEED), "--json")
    assert result.returncode == 0, result.stderr
    lines = json.loads(result.stdout)["lines"]
    # issue 9: best response is a RECIST category; the clinician's words are kept apart
    assert [
        (line["label"], line["end_reason"], line["best_response"], line["clinician_status"])
        for line in lines
    ] == [
        ("lanreotide", "progression", "PD", None),
        ("177Lu-DOTATATE x4", "completed", "PR", "responding"),
        ("lanreotide", "surgery", None, "responding"),
    ]
    assert lines[1]["clinical_trial"] is True
    text = run("assess", str(SEED)).stdout
    assert "L2  177Lu-DOTATATE x4: 2019-04-01" in text
