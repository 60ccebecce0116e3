"""Matplotlib drawing of one patient's course figure, used by :func:`plot_timeline`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import matplotlib.dates as mdates
from matplotlib.patches import Patch

from netline._time import DAYS_PER_YEAR
from netline.course.timeline import _ROWS, CLASS_COLOURS, RESPONSE_COLOURS, TimelineData

__all__ = ["draw_course"]


def _num(date: dt.date) -> float:
    """Matplotlib's numeric position of a date."""
    return float(mdates.date2num(date))  # type: ignore[no-untyped-call]


def _draw_rows(ax: Any, data: TimelineData, y: dict[str, int], span: int, pad: Any) -> None:
    """Draw the row guides with their labels and the progression markers."""
    for row, level in y.items():
        ax.axhline(level, color="#eeeeee", lw=0.8, zorder=0)
        ax.text(
            _num(data.start - pad) - span * 0.01, level, row, ha="right", va="center", fontsize=9
        )
    for day in data.progressions:
        ax.axvline(_num(day), color="#de2d26", lw=0.7, ls=":", alpha=0.6, zorder=1)


def _draw_lines(ax: Any, data: TimelineData, ly: int, span: int) -> None:
    """Draw the lines of therapy as bars with cycles, arrows and captions."""
    for i, bar in enumerate(data.lines):
        left = _num(bar.start)
        width = max(_num(bar.end) - left, span * 0.004)
        colour = CLASS_COLOURS.get(bar.agent_class, "#999999")
        ax.barh(ly, width, left=left, height=0.34, color=colour, alpha=0.85, zorder=2)
        if bar.backbone:
            ax.barh(ly - 0.14, width, left=left, height=0.07, color=CLASS_COLOURS["ssa"], zorder=3)
        for cycle in bar.cycles:
            ax.plot([_num(cycle)] * 2, [ly + 0.17, ly + 0.29], color="#5b2a4f", lw=1.4, zorder=3)
        if bar.ongoing:
            ax.annotate(
                "",
                xy=(left + width + span * 0.02, ly),
                xytext=(left + width, ly),
                arrowprops={"arrowstyle": "->", "color": colour},
            )
        stagger = i % 2
        ax.text(
            left, ly + 0.36 + 0.2 * stagger, bar.caption, fontsize=8.5, va="bottom", weight="bold"
        )
        best = f"best {bar.best_response}" if bar.best_response else ""
        below = " · ".join(t for t in (bar.pfs_text, best) if t)
        ax.text(left, ly - 0.24 - 0.2 * stagger, below, fontsize=7.5, va="top", color="#333333")


def _draw_procedures(ax: Any, data: TimelineData, sy: int) -> None:
    """Draw surgeries and other procedures as labelled markers."""
    for i, mark in enumerate(data.procedures):
        x = _num(mark.date)
        marker = "v" if mark.kind == "surgery" else "s"
        ax.plot(x, sy, marker=marker, color="#333333", ms=8, zorder=3)
        ax.text(x, sy + 0.16 + 0.2 * (i % 2), mark.text, fontsize=7.5, ha="center", va="bottom")


def _draw_responses(ax: Any, data: TimelineData, ry: int) -> None:
    """Draw imaging responses and clinician statuses as coloured markers."""
    for mark in data.responses:
        colour = RESPONSE_COLOURS.get(mark.text, "#bdbdbd")
        marker = "D" if mark.kind == "clinician" else "o"
        ax.plot(_num(mark.date), ry, marker=marker, color=colour, ms=7, mec="white", zorder=3)
        ax.text(
            _num(mark.date), ry - 0.2, mark.text, fontsize=6.5, ha="center", va="top", rotation=60
        )


def _draw_metastases(ax: Any, data: TimelineData, my: int) -> None:
    """Draw the metastases found as labelled stars."""
    for mark in data.metastases:
        ax.plot(_num(mark.date), my, marker="*", color="#7a0177", ms=11, zorder=3)
        ax.text(_num(mark.date), my + 0.18, mark.text, fontsize=7.5, ha="center", va="bottom")


def _draw_end(ax: Any, data: TimelineData, ly: int) -> None:
    """Mark death or last follow-up with a dashed line and its caption."""
    end_x = _num(data.end)
    ax.axvline(end_x, color="#000000", lw=1, ls="--", alpha=0.5)
    ax.plot(end_x, ly, marker="X" if data.dead else ">", color="black", ms=9, zorder=4)
    ax.text(end_x, len(_ROWS) + 0.45, data.end_text, fontsize=8, ha="right", va="bottom")


def _style_axes(ax: Any, data: TimelineData, pad: Any) -> None:
    """Set the limits, year ticks and visible spines of the axes."""
    ax.set_ylim(0.3, len(_ROWS) + 0.95)
    ax.set_xlim(_num(data.start - pad), _num(data.end + pad))
    ax.set_yticks([])
    ax.xaxis.set_major_locator(mdates.YearLocator())  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))  # type: ignore[no-untyped-call]
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def _draw_age_axis(ax: Any, data: TimelineData) -> None:
    """Add a top axis in years of age when the birth date is known."""
    if data.birth is not None:
        born = _num(data.birth)
        top = ax.secondary_xaxis(
            "top",
            functions=(lambda x: (x - born) / DAYS_PER_YEAR, lambda a: a * DAYS_PER_YEAR + born),
        )
        top.set_xlabel("age (years)", fontsize=8)
        top.tick_params(labelsize=8)


def _draw_legend(ax: Any, data: TimelineData) -> None:
    """Add a legend of the agent classes drawn, if any."""
    used = {bar.agent_class for bar in data.lines}
    handles = [
        Patch(color=CLASS_COLOURS[c], label=c.replace("_", " "))
        for c in sorted(used)
        if c in CLASS_COLOURS
    ]
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize=7.5, frameon=False, ncol=len(handles))


def draw_course(ax: Any, data: TimelineData) -> None:
    """Draw every layer of one patient's course figure onto ``ax``."""
    y = {name: len(_ROWS) - i for i, name in enumerate(_ROWS)}
    span = max((data.end - data.start).days, 30)
    pad = dt.timedelta(days=max(span // 25, 20))
    _draw_rows(ax, data, y, span, pad)
    _draw_lines(ax, data, y["Therapy lines"], span)
    _draw_procedures(ax, data, y["Surgery"])
    _draw_responses(ax, data, y["Imaging / status"])
    _draw_metastases(ax, data, y["Metastases"])
    _draw_end(ax, data, y["Therapy lines"])
    _style_axes(ax, data, pad)
    _draw_age_axis(ax, data)
    ax.set_title(data.title, loc="left", fontsize=11, weight="bold")
    _draw_legend(ax, data)
