"""Summaries, files, figures, the command line and the calibration report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from netline.simulation import load_model, simulate
from netline.simulation.calibration import cox_hazard_ratio, run_calibration
from netline.simulation.plots import plot_rank_heatmap, plot_survival, survival_html

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "models" / "pnet-sequences.yaml"


@pytest.fixture(scope="module")
def small_result():  # type: ignore[no-untyped-def]
    spec = load_model(EXAMPLE)
    spec = spec.model_copy(update={"sequences": spec.sequences[:1]})
    data = spec.model_dump(exclude_none=True)
    data["sequences"] = [
        {"generate": {"therapies": ["ssa", "everolimus", "prrt", "captem"], "max_length": 2}}
    ]
    from netline.simulation import parse_model

    return simulate(parse_model(data), draws=40, patients=300, progress=False)


def test_psa_intervals_contain_the_point_estimate(small_result) -> None:  # type: ignore[no-untyped-def]
    table = small_result.sequences_table()
    for name in ("os_mean", "qaly", "cost", "time_on_treatment", "rmst_60"):
        assert (table[f"{name}_lo"] <= table[name]).all(), name
        assert (table[name] <= table[f"{name}_hi"]).all(), name
    lines = small_result.lines_table()
    assert (lines["pfs_mean_lo"] <= lines["pfs_mean"]).all()
    assert (lines["pfs_mean"] <= lines["pfs_mean_hi"]).all()


def test_probabilities_of_best_and_rank(small_result) -> None:  # type: ignore[no-untyped-def]
    best = small_result.probability_best("os")
    assert best.sum() == pytest.approx(1.0)
    ranks = small_result.rank_probabilities("qaly")
    np.testing.assert_allclose(ranks.sum(axis=1), 1.0)
    np.testing.assert_allclose(ranks.sum(axis=0), 1.0)
    nmb = small_result.probability_best("nmb", wtp=100_000)
    assert nmb.sum() == pytest.approx(1.0)


def test_tables_and_figures_are_written(small_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    written = small_result.write(tmp_path, ("csv", "parquet"))
    assert (tmp_path / "sequences.parquet") in written
    back = pd.read_parquet(tmp_path / "sequences.parquet")
    assert len(back) == len(small_result.sequence_ids)
    curves = pd.read_csv(tmp_path / "os_curves.csv")
    first = curves[curves["month"] == 0]["survival"]
    assert (first == 1.0).all()
    assert plot_survival(small_result, tmp_path / "os.png").stat().st_size > 1000
    assert plot_survival(small_result, tmp_path / "os.svg").read_text().startswith("<?xml")
    assert plot_rank_heatmap(small_result, tmp_path / "rank.png").exists()
    assert "plotly" in survival_html(small_result, tmp_path / "os.html").read_text()


def test_os_curves_decrease(small_result) -> None:  # type: ignore[no-untyped-def]
    curve = small_result.raw.os_curve[0, 0]
    finite = curve[~np.isnan(curve)]
    assert (np.diff(finite) <= 1e-6).all()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NETLINE_DEBUG": ""}
    return subprocess.run(
        [sys.executable, "-m", "netline", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_cli_simulate_writes_outputs(tmp_path: Path) -> None:
    result = run(
        "simulate",
        str(EXAMPLE),
        "--draws",
        "5",
        "--patients",
        "100",
        "--out",
        str(tmp_path),
        "--figures",
        "--top",
        "3",
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    assert "516 sequences x 5 draws x 100 patients" in result.stdout
    assert (tmp_path / "sequences.csv").exists()
    assert (tmp_path / "os_curves.png").exists()


def test_cli_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntherapies: {a: {pfs: {distribution: gamma}}}\nsequences: [[a]]\n")
    result = run("simulate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "therapies.a.pfs.distribution" in result.stderr
    assert "bsc" in result.stderr
    missing = run("simulate", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    wrong = run("simulate", str(EXAMPLE), "--by", "speed")
    assert wrong.returncode == 2
    assert "--by" in wrong.stderr


def test_cox_estimate_recovers_a_known_hr() -> None:
    rng = np.random.default_rng(4)
    t0 = rng.exponential(1.0, 20_000)
    t1 = rng.exponential(1 / 0.5, 20_000)
    hr, lo, hi = cox_hazard_ratio(
        np.concatenate([t1, t0]),
        np.ones(40_000, bool),
        np.r_[np.ones(20_000, bool), np.zeros(20_000, bool)],
    )
    assert lo < 0.5 < hi
    assert hr == pytest.approx(0.5, rel=0.05)


def test_calibration_report_meets_its_targets(tmp_path: Path) -> None:
    report = run_calibration(patients=20_000, seed=2026)
    assert all(t.ok for t in report.trials), report.summary()
    names = {t.name for t in report.trials}
    assert {"RADIANT-3", "SUN-1111", "CLARINET", "NETTER-1", "COMPETE"} <= names
    text = report.markdown()
    assert "SEQTOR" in text
    assert "not reached" in text
    seqtor = [p for p in report.predictions if p.study == "SEQTOR"]
    assert len(seqtor) == 6  # PFS1 median, 12-month PFS1 rate, PFS2 median, per arm
    assert {p.endpoint for p in seqtor} == {"pfs1_median", "pfs1_rate_12m", "pfs2_median"}
    assert len({p.study for p in report.predictions}) >= 3  # SEQTOR and two cohorts
    assert "Coverage:" in text
    data = report.to_dict()
    assert data["schema_version"] == report.schema_version
    json.loads(report.render("json"))
    with pytest.raises(ValueError, match="format"):
        report.render("pdf")
    result = run("calibrate", "--out", str(tmp_path / "r.md"), "--patients", "5000")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r.md").read_text().startswith("# netline simulator")
