"""Figures of a simulation: survival curves with PSA bands and a rank heatmap.

matplotlib is imported inside each function and drawn on a bare ``Figure`` (PNG or SVG by file
suffix), so the library never switches the caller's backend; plotly, for an interactive HTML
curve plot, only when asked for, with plotly.js embedded (no CDN).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from netline.simulation.summary import Metric, SimulationResult

__all__ = ["plot_rank_heatmap", "plot_survival", "survival_html"]


def _top(result: SimulationResult, sequences: Sequence[str] | None, top: int) -> list[str]:
    if sequences is not None:
        return list(sequences)
    table = result.sequences_table()
    return list(table.sort_values("os_mean", ascending=False)["sequence"].head(top))


def plot_survival(
    result: SimulationResult,
    path: str | Path,
    sequences: Sequence[str] | None = None,
    top: int = 6,
    kind: Literal["os"] = "os",
) -> Path:
    """Overall-survival curves (PSA mean and 95 % band) of some sequences, to PNG or SVG.

    Parameters
    ----------
    result : SimulationResult
    path : str or Path
        Output file; the suffix (``.png``, ``.svg``) picks the format.
    sequences : sequence of str, optional
        Which sequences; default the ``top`` by mean OS.
    """
    from matplotlib.figure import Figure

    chosen = _top(result, sequences, top)
    curves = result.survival_table(kind)
    fig = Figure(figsize=(8, 5), dpi=120)
    ax = fig.subplots()
    for name in chosen:
        part = curves[curves["sequence"] == name]
        ax.plot(part["month"], part["survival"], label=name, linewidth=1.6)
        ax.fill_between(part["month"], part["lo"], part["hi"], alpha=0.15)
    ax.set_xlabel("months since start of first line")
    ax.set_ylabel("overall survival")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{result.model_name}: simulated OS (mean and 95 % PSA band)")
    ax.legend(fontsize=7, loc="upper right")
    ax.grid(alpha=0.3)
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out)
    return out


def plot_rank_heatmap(
    result: SimulationResult,
    path: str | Path,
    by: Metric = "os",
    wtp: float | None = None,
    top: int = 15,
) -> Path:
    """Heatmap of rank probabilities (rows sequences, columns ranks) for the top sequences."""
    from matplotlib.figure import Figure

    ranks = result.rank_probabilities(by, wtp)
    expected = (ranks.to_numpy() * (1 + ranks.columns.get_indexer(ranks.columns))).sum(axis=1)
    order = expected.argsort()[:top]
    table = ranks.iloc[order, :top]
    fig = Figure(figsize=(1.0 + 0.45 * table.shape[1], 1.0 + 0.35 * table.shape[0]))
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(), cmap="viridis", vmin=0, aspect="auto")
    ax.set_xticks(range(table.shape[1]), [str(i + 1) for i in range(table.shape[1])])
    ax.set_yticks(range(table.shape[0]), list(table.index), fontsize=7)
    ax.set_xlabel(f"rank by {by} (1 = best)")
    fig.colorbar(image, ax=ax, label="probability over PSA draws")
    ax.set_title("rank probabilities", fontsize=9)
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out)
    return out


def survival_html(
    result: SimulationResult, path: str | Path, sequences: Sequence[str] | None = None, top: int = 6
) -> Path:
    """Interactive OS curves (plotly HTML, self-contained: plotly.js is embedded, no CDN)."""
    import plotly.graph_objects as go

    curves = result.survival_table("os")
    fig = go.Figure()
    for name in _top(result, sequences, top):
        part = curves[curves["sequence"] == name]
        fig.add_trace(go.Scatter(x=part["month"], y=part["survival"], name=name, mode="lines"))
    fig.update_layout(
        title=f"{result.model_name}: simulated OS",
        xaxis_title="months",
        yaxis_title="overall survival",
    )
    out = Path(path)
    fig.write_html(out, include_plotlyjs=True)
    return out
