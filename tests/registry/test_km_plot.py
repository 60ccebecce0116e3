"""The Kaplan-Meier figure keeps its table of numbers at risk inside the figure (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl
import pytest

from netline.registry import Cohort, kaplan_meier

mpl.use("Agg")


def _outside(fig: Any) -> list[str]:
    """Return the texts of the figure that are not wholly inside it."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    outside = []
    for ax in fig.axes:
        for text in ax.texts:
            extent = text.get_window_extent(renderer)
            inside = (
                extent.x0 >= box.x0 - 0.5
                and extent.y0 >= box.y0 - 0.5
                and extent.x1 <= box.x1 + 0.5
                and extent.y1 <= box.y1 + 0.5
            )
            if not inside:
                outside.append(text.get_text())
    return outside


@pytest.mark.parametrize(
    ("by", "line"), [("class", 1), ("regimen", 1), ("regimen", 2), ("sequence", 3)]
)
def test_every_number_at_risk_is_inside_the_figure(
    demo_cohort: Cohort, by: str, line: int, tmp_path: Path
) -> None:
    """Regression: with many groups the rows fell below the figure (or the layout failed)."""
    import matplotlib.pyplot as plt

    result = kaplan_meier(demo_cohort, endpoint="pfs", line=line, by=by)
    fig = result.plot()
    try:
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        # the heading, one name per group and one count per group and month are drawn
        assert "At risk" in texts
        assert len(texts) == 1 + len(result.groups) * (1 + len(result.groups[0].at_risk))
        assert _outside(fig) == []
        # the curves keep their height however many groups there are
        curves = fig.axes[0].get_position().height * fig.get_figheight()
        assert curves == pytest.approx(3.6)
    finally:
        plt.close(fig)
    result.plot(tmp_path / "km.png")
    assert (tmp_path / "km.png").stat().st_size > 0
