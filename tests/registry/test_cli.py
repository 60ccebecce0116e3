"""`netline registry` and `netline cohort` through the command line and its error boundary."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from netline.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "registry"
FHIR = EXAMPLES / "fhir"
runner = CliRunner()


def test_readme_walkthrough(tmp_path: Path, case_folder: Path) -> None:
    store = tmp_path / "registry.duckdb"
    result = runner.invoke(app, ["registry", "init", str(store)])
    assert result.exit_code == 0, result.output
    assert "schema version 2" in result.output

    result = runner.invoke(app, ["registry", "import", str(store), str(FHIR), "--format", "fhir"])
    assert result.exit_code == 0, result.output
    assert "41 added" in result.output
    again = runner.invoke(app, ["registry", "import", str(store), str(FHIR), "--format", "fhir"])
    assert "0 added, 0 changed, 41 unchanged" in again.output

    # the REDCap projects (classic and longitudinal) and the OMOP tables hold other patients
    for project in (EXAMPLES / "redcap", EXAMPLES / "redcap" / "longitudinal"):
        result = runner.invoke(
            app,
            [
                *("registry", "import", str(store), str(project / "records.csv")),
                *("--format", "redcap", "--dictionary", str(project / "data_dictionary.csv")),
                *("--mapping", str(project / "mapping.yaml")),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "20 added, 0 changed, 0 unchanged, 0 refused" in result.output
    result = runner.invoke(app, ["registry", "import", str(store), str(EXAMPLES / "omop")])
    assert result.exit_code == 0, result.output
    assert "40 added, 0 changed, 0 unchanged, 0 refused" in result.output

    result = runner.invoke(
        app,
        [
            *("cohort", "--registry", str(store), "table1"),
            *("--by", "first_line_class", "--format", "markdown"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "| WHO grade | missing |" in result.output
    assert "All (n=121)" in result.output

    figure = tmp_path / "pathways.html"
    result = runner.invoke(
        app, ["cohort", "--registry", str(store), "pathways", "--out", str(figure)]
    )
    assert result.exit_code == 0, result.output
    assert figure.exists()

    plot = tmp_path / "km.png"
    result = runner.invoke(
        app, ["cohort", "--registry", str(store), "km", "--by", "class", "--out", str(plot)]
    )
    assert result.exit_code == 0, result.output
    assert "Log-rank" in result.output
    assert plot.stat().st_size > 10_000

    out = tmp_path / "export"
    result = runner.invoke(
        app,
        [
            "registry",
            "export",
            str(store),
            "--out",
            str(out),
            "--format",
            "fhir",
            "--patient",
            "seed-case",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "seed-case.json").read_text())["resourceType"] == "Bundle"


def test_bad_input_gives_a_message_not_a_traceback(tmp_path: Path, case_folder: Path) -> None:
    store = tmp_path / "registry.duckdb"
    bad = case_folder / "bad.yaml"
    bad.write_text("id: x\npatient: {id: p-bad, sex: robot}\nprimary: {site: pancreas_head}\n")
    result = runner.invoke(app, ["registry", "import", str(store), str(case_folder)])
    assert result.exit_code == 2
    assert f"{bad}: patient.sex" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(
        app, ["registry", "import", str(store), str(case_folder), "--keep-valid", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["refused"][0]["where"] == str(bad)
    result = runner.invoke(app, ["cohort", "--registry", str(tmp_path / "none.duckdb"), "table1"])
    assert result.exit_code == 2
    assert "netline registry init" in result.output
    result = runner.invoke(
        app, ["cohort", "--registry", str(store), "--diagnosed-from", "May", "table1"]
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    result = runner.invoke(
        app, ["registry", "export", str(store), "--out", str(tmp_path / "o"), "--patient", "nobody"]
    )
    assert result.exit_code == 2
    assert "nobody" in result.output


def test_cohort_cox_on_the_demo_registry() -> None:
    result = runner.invoke(
        app,
        ["cohort", "--demo", "80", "cox", "--covariates", "line,prior_ssa", "--first-line", "2"],
    )
    assert result.exit_code == 0, result.output
    assert "PH test p" in result.output


def test_progress_goes_to_stderr_never_into_json(tmp_path: Path) -> None:
    """Forced progress is written to stderr; stdout stays one JSON document."""
    result = runner.invoke(
        app, ["cohort", "--demo", "60", "--progress", "km", "--format", "json", "--by", "class"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema_version"]
    assert "Kaplan-Meier" in result.stderr
    assert "selecting the cohort" in result.stderr or "done" in result.stderr

    store = tmp_path / "r.duckdb"
    result = runner.invoke(
        app,
        ["registry", "import", str(store), str(EXAMPLES / "omop"), "--json", "--progress"],
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["added"]) == 40
    assert "checking OMOP persons" in result.stderr

    quiet = runner.invoke(app, ["cohort", "--demo", "60", "--no-progress", "table1"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
