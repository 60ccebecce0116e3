"""Result protocol, PSA intervals and figures of a simulation."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from netline.simulation import parse_model, simulate
from netline.simulation.summary import _interval

from .simhelpers import model


def test_interval_matches_numpy_nan_percentiles() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 5, 7))
    x[rng.random(x.shape) < 0.25] = np.nan
    x[:, 0, 0] = np.nan
    mean, lo, hi = _interval(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_allclose(mean, np.nanmean(x, axis=0), equal_nan=True)
        np.testing.assert_allclose(lo, np.nanpercentile(x, 2.5, axis=0), equal_nan=True)
        np.testing.assert_allclose(hi, np.nanpercentile(x, 97.5, axis=0), equal_nan=True)


def test_simulation_result_follows_the_protocol() -> None:
    result = simulate(parse_model(model()), patients=200, draws=3)
    data = result.to_dict()
    assert data["schema_version"] == result.schema_version
    assert data["sequences"][0]["sequence"] == "a > b"
    assert json.loads(result.render("json"))["draws"] == 3
    for fmt in ("text", "markdown"):
        assert "a > b" in result.render(fmt)
    assert "a &gt; b" in result.render("html")
    with pytest.raises(ValueError, match="format"):
        result.render("docx")


def test_figures_leave_the_backend_alone_and_embed_plotly(tmp_path: Path) -> None:
    import matplotlib

    from netline.simulation.plots import plot_rank_heatmap, plot_survival, survival_html

    before = matplotlib.get_backend()
    result = simulate(parse_model(model()), patients=200, draws=3)
    assert plot_survival(result, tmp_path / "os.svg").stat().st_size > 0
    assert plot_rank_heatmap(result, tmp_path / "ranks.png").stat().st_size > 0
    assert matplotlib.get_backend() == before
    html = survival_html(result, tmp_path / "os.html").read_text(encoding="utf-8")
    assert '<script src="http' not in html  # nothing loaded from a CDN
    assert len(html) > 1_000_000  # plotly.js itself is inside
