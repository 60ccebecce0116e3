"""Forest plot of hazard ratios across trials, with unverified figures visibly marked.

:func:`forest_rows` collects the rows (pure data, tested on its own); :func:`write_forest_plot`
draws them as a static PNG or SVG (matplotlib, Agg canvas) or as an interactive HTML page
(plotly, with its JavaScript embedded so the page works offline).

Marking: a verified hazard ratio is a filled black square on a solid line; a hazard ratio
whose value or interval is recalled or uncertain is a hollow orange square on a dashed line,
and its label carries a dagger (†); a figure on which sources disagree carries a double
dagger (‡) and lists the other source's value in the tag column and the hover text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from netline.errors import InvalidInputError
from netline.evidence._format import format_number, format_quantity, format_value, status_tag
from netline.evidence.query import site_groups
from netline.evidence.schema import (
    Comparison,
    EffectMeasure,
    Endpoint,
    EndpointKind,
    Quantity,
    SiteGroup,
    Trial,
    Unit,
    Verification,
)
from netline.records.vocabulary import PrimarySite

if TYPE_CHECKING:
    from netline.evidence.query import KnowledgeBase

__all__ = ["ForestRow", "forest_rows", "write_forest_plot"]

_UNVERIFIED_MARK = "†"
_CONFLICT_MARK = "‡"
_LEGEND = (
    f"{_UNVERIFIED_MARK} value or interval not verified against source text (recalled or "
    f"uncertain); {_CONFLICT_MARK} sources disagree (other value in the tag). "
    "HR < 1 favours the first-named arm."
)


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One hazard ratio of the forest plot.

    Attributes
    ----------
    trial_id, trial_name : str
        The trial.
    subgroup : str or None
        The subgroup or cohort label, if the row is one.
    comparison : str
        ``"experimental vs control"``.
    population : str
        Who the hazard ratio is about (``"pNET"``, ``"pNET cohort"``, ``"GEP-NET, 54 %
        pancreatic"`` ...).
    quantity : Quantity
        The hazard ratio with its source and status.
    mixed_population : bool
        Whether the hazard ratio pools other sites with the one asked for.
    """

    trial_id: str
    trial_name: str
    subgroup: str | None
    comparison: str
    population: str
    quantity: Quantity
    mixed_population: bool

    @property
    def hr(self) -> float:
        """The point estimate."""
        assert self.quantity.value is not None
        return float(self.quantity.value)

    @property
    def ci(self) -> tuple[float, float] | None:
        """The 95 % confidence interval, if reported."""
        ci = self.quantity.ci
        return None if ci is None else (float(ci[0]), float(ci[1]))

    @property
    def verified(self) -> bool:
        """Whether value and interval are verified (conflicts are marked separately)."""
        return self.quantity.worst_status is Verification.VERIFIED

    @property
    def conflict(self) -> bool:
        """Whether sources disagree on this hazard ratio."""
        return self.quantity.in_conflict

    @property
    def label(self) -> str:
        """The row label with its marks, e.g. ``"CLARINET · Pancreatic primary †"``."""
        text = self.trial_name + (f" · {self.subgroup}" if self.subgroup else "")
        marks = ("" if self.verified else f" {_UNVERIFIED_MARK}") + (
            f" {_CONFLICT_MARK}" if self.conflict else ""
        )
        return text + marks

    @property
    def estimate_text(self) -> str:
        """``"0.35 (0.27–0.45)"``, or the estimate alone when no interval is reported."""
        text = format_value(self.quantity, Unit.RATIO)
        if self.quantity.ci is not None:
            places = max(
                len(format_number(c).partition(".")[2]) for c in (*self.quantity.ci, self.hr)
            )
            low, high = (format_number(c, Unit.RATIO, places) for c in self.quantity.ci)
            text += f" ({low}–{high})"
        else:
            text += " (no CI)"
        return text

    @property
    def tag(self) -> str:
        """The verification tag, with the other source's value when in conflict."""
        if self.conflict:
            return _conflict_tag(self.quantity)
        return status_tag(self.quantity)


def _conflict_tag(quantity: Quantity) -> str:
    others = "; ".join(format_value(a, Unit.RATIO) for a in quantity.alternatives)
    return f"{status_tag(quantity)} {_CONFLICT_MARK} other: {others or 'disputed'}"


def _hazard_ratio(endpoint: Endpoint) -> Comparison | None:
    for comparison in endpoint.comparisons:
        if (
            comparison.measure is EffectMeasure.HR
            and comparison.estimate is not None
            and comparison.estimate.value is not None
        ):
            return comparison
    return None


def _first_hr(endpoints: tuple[Endpoint, ...], kind: EndpointKind) -> Comparison | None:
    for endpoint in endpoints:
        if endpoint.kind is kind:
            found = _hazard_ratio(endpoint)
            if found is not None:
                return found
    return None


def _arm_name(arm_id: str) -> str:
    return arm_id.replace("_", " ")


def _row(
    trial: Trial,
    comparison: Comparison,
    *,
    subgroup: str | None,
    population: str,
    mixed: bool,
) -> ForestRow:
    assert comparison.estimate is not None
    return ForestRow(
        trial_id=trial.id,
        trial_name=trial.name,
        subgroup=subgroup,
        comparison=f"{_arm_name(comparison.experimental)} vs {_arm_name(comparison.control)}",
        population=population,
        quantity=comparison.estimate,
        mixed_population=mixed,
    )


def _share(trial: Trial, characteristic: str) -> str:
    for item in trial.population.characteristics:
        if item.id == characteristic and item.value.value is not None:
            return f", {format_number(item.value.value)} % pancreatic"
    return ""


def forest_rows(
    kb: KnowledgeBase | None = None,
    *,
    site: SiteGroup | PrimarySite | str = SiteGroup.PANCREAS,
    endpoint: EndpointKind | str = EndpointKind.PFS,
    include_mixed: bool = False,
    include_subgroups: bool = False,
) -> tuple[ForestRow, ...]:
    """Collect the hazard ratios of an endpoint across the trials of a site.

    Parameters
    ----------
    kb : KnowledgeBase, optional
        The knowledge base; the bundled one by default.
    site : SiteGroup, PrimarySite or str, default "pancreas"
        Trials enrolling only this site contribute their overall hazard ratio; trials of
        several sites contribute a subgroup or cohort restricted to it.
    endpoint : EndpointKind or str, default "pfs"
        The endpoint whose hazard ratios are shown.
    include_mixed : bool, default False
        Also show the overall hazard ratio of trials that pooled this site with others and
        report no subgroup for it (e.g. NETTER-2, COMPETE), marked as mixed populations.
    include_subgroups : bool, default False
        Also show the other subgroups (prior therapy, prior lines ...) of the site's trials.

    Returns
    -------
    tuple of ForestRow
        In knowledge-base order.

    Examples
    --------
    >>> from netline.evidence import forest_rows
    >>> [row.trial_id for row in forest_rows()][:3]
    ['clarinet', 'radiant3', 'sun1111']
    """
    if kb is None:
        from netline.evidence.loader import load_knowledge_base

        kb = load_knowledge_base()
    groups = site_groups(site)
    kind = EndpointKind(endpoint)
    site_name = (
        "pNET" if groups == {SiteGroup.PANCREAS} else "/".join(sorted(g.value for g in groups))
    )
    rows: list[ForestRow] = []
    for trial in kb.trials:
        sites = set(trial.population.sites)
        if not sites & groups and not any(set(s.criteria.sites) & groups for s in trial.subgroups):
            continue
        site_only = sites <= groups
        if site_only:
            overall = _first_hr(trial.endpoints, kind)
            if overall is not None:
                rows.append(_row(trial, overall, subgroup=None, population=site_name, mixed=False))
        site_subgroups = [
            s for s in trial.subgroups if s.criteria.sites and set(s.criteria.sites) <= groups
        ]
        for subgroup in site_subgroups if not site_only else ():
            found = _first_hr(subgroup.endpoints, kind)
            if found is not None:
                noun = "cohort" if subgroup.dimension.value == "cohort" else "subgroup"
                population = f"{site_name} {noun}"
                rows.append(
                    _row(trial, found, subgroup=subgroup.label, population=population, mixed=False)
                )
        if (
            include_mixed
            and not site_only
            and sites & groups
            and not any(r.trial_id == trial.id for r in rows)
        ):
            overall = _first_hr(trial.endpoints, kind)
            if overall is not None:
                population = f"mixed sites{_share(trial, 'pancreatic_share')}"
                rows.append(_row(trial, overall, subgroup=None, population=population, mixed=True))
        if include_subgroups and site_only:
            for subgroup in trial.subgroups:
                found = _first_hr(subgroup.endpoints, kind)
                if found is not None:
                    rows.append(
                        _row(
                            trial, found, subgroup=subgroup.label, population=site_name, mixed=False
                        )
                    )
    return tuple(rows)


def write_forest_plot(
    path: str | Path,
    rows: tuple[ForestRow, ...] | None = None,
    *,
    kb: KnowledgeBase | None = None,
    title: str | None = None,
    include_mixed: bool = False,
    include_subgroups: bool = False,
) -> Path:
    """Draw a forest plot of hazard ratios to a PNG, SVG or HTML file.

    Parameters
    ----------
    path : str or Path
        Output file; the suffix picks the format: ``.png`` and ``.svg`` (matplotlib) or
        ``.html`` (plotly, JavaScript embedded; no network needed to view it).
    rows : tuple of ForestRow, optional
        The rows; by default :func:`forest_rows` of the pancreatic PFS hazard ratios.
    kb : KnowledgeBase, optional
        The knowledge base used when ``rows`` is not given.
    title : str, optional
        Plot title.
    include_mixed, include_subgroups : bool
        Passed to :func:`forest_rows` when ``rows`` is not given.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InvalidInputError
        If the suffix is not one of the three, or there are no rows to draw.
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "html"):
        raise InvalidInputError.single(
            "out", str(path), "a file name ending in .png, .svg or .html"
        )
    if rows is None:
        rows = forest_rows(kb, include_mixed=include_mixed, include_subgroups=include_subgroups)
    if not rows:
        raise InvalidInputError.single("rows", [], "at least one hazard ratio to draw")
    heading = title or "Progression-free survival hazard ratios in pancreatic NET trials"
    if suffix == "html":
        _write_html(target, rows, heading)
    else:
        _write_static(target, rows, heading, suffix)
    return target


def _write_static(target: Path, rows: tuple[ForestRow, ...], title: str, fmt: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator
    from matplotlib.transforms import blended_transform_factory

    verified_colour, unverified_colour, conflict_colour = "#222222", "#d95f02", "#7b3294"
    height = 1.6 + 0.42 * len(rows)
    figure = Figure(figsize=(11.5, height))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    count = len(rows)
    lows = [row.ci[0] if row.ci else row.hr for row in rows]
    highs = [row.ci[1] if row.ci else row.hr for row in rows]
    for index, row in enumerate(rows):
        y = count - 1 - index
        colour = verified_colour if row.verified else unverified_colour
        if row.ci is not None:
            axes.plot(
                row.ci, (y, y), color=colour, linewidth=1.6, linestyle="-" if row.verified else "--"
            )
        axes.plot(
            row.hr,
            y,
            marker="s",
            markersize=8,
            markerfacecolor=colour if row.verified else "white",
            markeredgecolor=colour,
            markeredgewidth=1.6,
            linestyle="none",
        )
    axes.axvline(1.0, color="#888888", linestyle=":", linewidth=1)
    axes.set_xscale("log")
    low_limit, high_limit = min([*lows, 0.5]) / 1.3, max([*highs, 1.5]) * 1.3
    axes.set_xlim(low_limit, high_limit)
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10) if low_limit <= t <= high_limit]
    axes.xaxis.set_major_locator(FixedLocator(ticks))
    axes.xaxis.set_major_formatter(FixedFormatter([f"{t:g}" for t in ticks]))
    axes.xaxis.set_minor_locator(NullLocator())
    axes.set_ylim(-0.8, count - 0.2)
    axes.set_yticks(range(count))
    axes.set_yticklabels(
        [f"{r.label}\n{r.comparison} ({r.population})" for r in reversed(rows)], fontsize=8
    )
    for tick, row in zip(axes.get_yticklabels(), reversed(rows), strict=True):
        tick.set_color(verified_colour if row.verified else unverified_colour)
    transform = blended_transform_factory(axes.transAxes, axes.transData)
    for index, row in enumerate(rows):
        axes.text(
            1.02,
            count - 1 - index,
            f"{row.estimate_text}  {row.tag}",
            transform=transform,
            fontsize=7.5,
            va="center",
            color=conflict_colour
            if row.conflict
            else (verified_colour if row.verified else unverified_colour),
        )
    axes.set_xlabel("Hazard ratio for progression (log scale, 95 % CI)")
    axes.set_title(title, fontsize=11)
    handles = [
        Line2D([], [], color=verified_colour, marker="s", label="verified"),
        Line2D(
            [],
            [],
            color=unverified_colour,
            marker="s",
            markerfacecolor="white",
            linestyle="--",
            label=f"not verified {_UNVERIFIED_MARK}",
        ),
    ]
    axes.legend(handles=handles, loc="lower left", fontsize=8, frameon=False)
    figure.text(0.01, 0.005, _LEGEND, fontsize=7)
    figure.subplots_adjust(
        left=0.3, right=0.62, bottom=max(0.08, 1.0 / height), top=1 - 0.5 / height
    )
    metadata = {"Date": None} if fmt == "svg" else None
    figure.savefig(target, format=fmt, metadata=metadata, dpi=150, bbox_inches="tight")


def _write_html(target: Path, rows: tuple[ForestRow, ...], title: str) -> None:
    import plotly.graph_objects as go

    labels = [f"{row.label} — {row.comparison} ({row.population})" for row in rows]
    figure = go.Figure()
    for verified in (True, False):
        chosen = [
            (label, row)
            for label, row in zip(labels, rows, strict=True)
            if row.verified is verified
        ]
        if not chosen:
            continue
        colour = "#222222" if verified else "#d95f02"
        figure.add_trace(
            go.Scatter(
                x=[row.hr for _, row in chosen],
                y=[label for label, _ in chosen],
                mode="markers",
                name="verified" if verified else f"not verified {_UNVERIFIED_MARK}",
                marker={
                    "symbol": "square" if verified else "square-open",
                    "size": 11,
                    "color": colour,
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [(row.ci[1] - row.hr) if row.ci else 0 for _, row in chosen],
                    "arrayminus": [(row.hr - row.ci[0]) if row.ci else 0 for _, row in chosen],
                    "color": colour,
                },
                hovertext=[
                    f"{row.trial_name}: {row.comparison}<br>{row.population}<br>"
                    f"HR {format_quantity(row.quantity, with_ref=True)}"
                    for _, row in chosen
                ],
                hoverinfo="text",
            )
        )
    figure.add_vline(x=1.0, line_dash="dot", line_color="#888888")
    figure.update_xaxes(type="log", title="Hazard ratio for progression (log scale, 95 % CI)")
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)))
    figure.update_layout(
        title=title,
        height=220 + 46 * len(rows),
        margin={"l": 20, "r": 20, "t": 60, "b": 90},
        annotations=[
            {
                "text": _LEGEND,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.18,
                "showarrow": False,
                "align": "left",
                "font": {"size": 11},
            }
        ],
    )
    figure.write_html(target, include_plotlyjs=True, full_html=True)
