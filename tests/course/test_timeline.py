"""The course figure (data, matplotlib, Plotly), the cohort swimmer and `netline timeline`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netline.cli import app
from netline.course import derive_course, derive_lines
from netline.course.synthetic import synthetic_cohort
from netline.course.timeline import (
    TimelineData,
    plot_swimmer,
    plot_timeline,
    save_timeline,
    timeline_data,
    timeline_html,
)
from netline.errors import InvalidInputError
from netline.records import load_case

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-case.yaml"


@pytest.fixture(scope="module")
def data() -> TimelineData:
    record = load_case(SEED)
    return timeline_data(derive_course(record), record)


def test_seed_timeline_reads_like_figure_s1(data: TimelineData) -> None:
    assert [bar.caption for bar in data.lines] == [
        "L1 lanreotide",
        "L2 177Lu-DOTATATE x4 (trial)",
        "L3 lanreotide",
    ]
    prrt = data.lines[1]
    assert len(prrt.cycles) == 4
    assert prrt.agent_class == "radioligand"
    assert [(c - prrt.cycles[0]).days for c in prrt.cycles] == [0, 56, 112, 168]
    assert [m.text for m in data.procedures] == [
        "pylorus preserving pancreatoduodenectomy (R0)",
        "partial hepatectomy",
        "partial hepatectomy",
        "conversion partial hepatectomy (R0, pCR)",
    ]
    # 2018-07: the L1 bone metastasis and the liver recurrence after the second hepatectomy
    # (16 lesions on the CT that judged the disease unresectable) are found together.
    assert [m.text for m in data.metastases] == ["liver", "regional lymph node", "bone, liver"]
    assert "PR" in [m.text for m in data.responses]
    assert "PD" in [m.text for m in data.responses]
    # the 2021 lesion was equivocal and never confirmed: not a progression (RECIST 1.1)
    assert data.progressions == (dt.date(2019, 2, 1),)
    assert not data.dead
    assert data.end_text == "alive, no progression 17 mo after last treatment"
    assert data.birth is not None
    assert data.start == dt.date(2011, 4, 1)
    assert json.loads(json.dumps(data.to_dict()))["lines"][1]["label"] == "177Lu-DOTATATE x4"


def test_static_figures(data: TimelineData, tmp_path: Path) -> None:
    png = save_timeline(data, tmp_path / "course.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = save_timeline(data, tmp_path / "course.svg").read_text()
    assert "<svg" in svg
    assert "177Lu-DOTATATE x4" in svg
    assert "R0, pCR" in svg
    fig = plot_timeline(data)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "L3 lanreotide" in texts
    assert "liver" in texts


def test_library_leaves_the_matplotlib_backend_alone() -> None:
    import inspect

    from netline.course import timeline

    source = inspect.getsource(timeline)
    assert "matplotlib.use(" not in source
    assert "pyplot" not in source  # figures are made without pyplot's global state
    assert "include_plotlyjs=True" in source


def test_interactive_html_needs_no_network(data: TimelineData, tmp_path: Path) -> None:
    html = timeline_html(data)
    assert "<html" in html
    assert "plotly" in html.lower()
    assert '<script src="http' not in html
    assert "cdn.plot.ly" not in html.split("<body>")[0]
    assert "L2 177Lu-DOTATATE x4 (trial)" in html
    out = save_timeline(data, tmp_path / "course.html")
    assert out.stat().st_size > 100_000


def test_unknown_format_and_unwritable_path(data: TimelineData, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="html"):
        save_timeline(data, tmp_path / "course.txt")
    with pytest.raises(InvalidInputError, match="writable"):
        save_timeline(data, tmp_path / "missing" / "course.png")


def test_cohort_swimmer() -> None:
    cohort = synthetic_cohort(40, seed=5)
    course = derive_lines(cohort.tables)
    fig = plot_swimmer(course, [1, 2, 3, 4, 5, 999])
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 5  # patient 999 does not exist
    assert len(ax.patches) >= 5  # one bar per line
    with pytest.raises(InvalidInputError):
        plot_swimmer(course, [])


def test_cli_timeline(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "seed.png"
    result = runner.invoke(app, ["timeline", str(SEED), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "L2 177Lu-DOTATATE x4" in result.output
    assert out.read_bytes()[:4] == b"\x89PNG"
    html = tmp_path / "seed.html"
    assert runner.invoke(app, ["timeline", str(SEED), "-o", str(html)]).exit_code == 0
    assert html.exists()


def test_cli_errors_are_clear_messages(tmp_path: Path) -> None:
    for args in (
        ["timeline", str(SEED), "--out", str(tmp_path / "x.doc")],
        ["timeline", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "x.png")],
        ["timeline", str(SEED), "--out", str(tmp_path / "no" / "x.png")],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "netline", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("netline: ")
        assert "Traceback" not in result.stderr
