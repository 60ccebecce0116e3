"""Cohort swimmer plots (issue 13: "cohort swimmer plots"), from the API and the CLI."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from typer.testing import CliRunner

from netline.cli import app
from netline.errors import InvalidInputError
from netline.registry import Cohort, swimmer

PNG = b"\x89PNG\r\n\x1a\n"


def _lanes(figure: object) -> set[str]:
    ax = figure.axes[0]  # type: ignore[attr-defined]
    return {label.get_text() for label in ax.get_yticklabels()}


def test_default_shows_the_first_treated_patients_by_id(demo_cohort: Cohort) -> None:
    plot = swimmer(demo_cohort, limit=7)
    treated = sorted(set(demo_cohort.lines["patient_id"].tolist()), key=str)
    assert list(plot.patients) == treated[:7]
    assert _lanes(plot.figure) == {str(p) for p in treated[:7]}
    assert plot.n_cohort == demo_cohort.n
    assert "7 of" in plot.describe()
    plt.close(plot.figure)


def test_chosen_patients_one_bar_per_line(demo_cohort: Cohort) -> None:
    lines = demo_cohort.lines
    counts = lines.groupby("patient_id").size()
    chosen = [str(p) for p in counts.index[:3]]
    plot = swimmer(demo_cohort, chosen)
    assert _lanes(plot.figure) == set(chosen)
    bars = [p for p in plot.figure.axes[0].patches if p.get_height() == pytest.approx(0.6)]
    assert len(bars) == int(counts.loc[chosen].sum())
    plt.close(plot.figure)


def test_unknown_patient_or_bad_limit_is_refused_and_nothing_is_written(
    demo_cohort: Cohort, tmp_path: Path
) -> None:
    out = tmp_path / "swim.png"
    with pytest.raises(InvalidInputError, match="no-such-patient"):
        swimmer(demo_cohort, ["no-such-patient"], path=out)
    with pytest.raises(InvalidInputError, match="limit"):
        swimmer(demo_cohort, limit=0, path=out)
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_the_figure_and_says_what_it_shows(tmp_path: Path) -> None:
    out = tmp_path / "swim.png"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["cohort", "--demo", "40", "--no-progress", "swimmer", "--limit", "5", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(PNG)
    assert "Swimmer plot of 5 of 40 patients" in result.output
    bad = runner.invoke(
        app,
        ["cohort", "--demo", "40", "--no-progress", "swimmer", "--patient", "nobody", "--out",
         str(tmp_path / "bad.png")],
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "nobody" in bad.output
    assert "Traceback" not in bad.output
    assert not (tmp_path / "bad.png").exists()


def test_figures_are_written_whole_or_not_at_all(
    demo_cohort: Cohort, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while writing (a full disk) leaves the earlier file as it was."""
    from matplotlib.figure import Figure

    from netline.registry import kaplan_meier, pathways

    def fail(self: object, target: object, **_: object) -> None:
        Path(str(target)).write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    km, swim, html = tmp_path / "km.png", tmp_path / "swim.png", tmp_path / "p.html"
    for old in (km, swim, html):
        old.write_bytes(b"earlier figure")
    monkeypatch.setattr(Figure, "savefig", fail)
    with pytest.raises(InvalidInputError, match="nothing was written"):
        kaplan_meier(demo_cohort, "pfs", 1, by="class").plot(km)
    with pytest.raises(InvalidInputError, match="nothing was written"):
        swimmer(demo_cohort, limit=3, path=swim)
    import plotly.graph_objects as go

    monkeypatch.setattr(go.Figure, "write_html", fail)
    with pytest.raises(InvalidInputError, match="nothing was written"):
        pathways(demo_cohort, by="class").save(html)
    assert [p.read_bytes() for p in (km, swim, html)] == [b"earlier figure"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["km.png", "p.html", "swim.png"]
