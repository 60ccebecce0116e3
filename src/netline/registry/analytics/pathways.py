"""Treatment pathways: sequence frequencies, Sankey and sunburst figures.

Every percentage is shown with its numerator and denominator, and a count below the
suppression threshold (default 5) is shown as ``<5`` with no percentage, and left out of the
figures (the number of patients left out is stated under each figure).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from netline.errors import InvalidInputError
from netline.registry._render import render_table
from netline.registry.analytics.cohort import ARROW, Cohort
from netline.registry.analytics.colours import colour_of

__all__ = ["SUPPRESS_BELOW", "Pathways", "pathways"]

#: Counts below this are suppressed (small-cell rule).
SUPPRESS_BELOW = 5
_END = "no further line"


@dataclass(frozen=True)
class Pathways:
    """Sequences of the first lines of therapy in a cohort.

    Attributes
    ----------
    sequences : tuple of (str, int)
        Each full sequence (up to ``depth`` lines) with its number of patients, most
        frequent first.
    denominator : int
        Patients with at least one line (the denominator of every percentage).
    steps : tuple of dict
        Transitions from line ``k`` to line ``k + 1`` (or to "no further line"):
        ``step``, ``source``, ``target``, ``n``.
    suppress_below : int
        Counts below this are shown as ``<N`` and left out of the figures.
    """

    schema_version: ClassVar[str] = "1"

    by: str
    depth: int
    sequences: tuple[tuple[str, int], ...]
    denominator: int
    steps: tuple[dict[str, Any], ...]
    suppress_below: int
    cohort: str

    def _cell(self, n: int) -> tuple[str, str]:
        if n < self.suppress_below:
            return f"<{self.suppress_below}", "suppressed"
        return str(n), f"{n}/{self.denominator} ({100 * n / self.denominator:.1f}%)"

    def to_dict(self) -> dict[str, Any]:
        """Return the sequences and transitions as JSON-ready data (suppression applied)."""
        return {
            "schema_version": self.schema_version,
            "by": self.by,
            "depth": self.depth,
            "denominator": self.denominator,
            "suppress_below": self.suppress_below,
            "cohort": self.cohort,
            "sequences": [
                {
                    "sequence": s,
                    "n": n if n >= self.suppress_below else None,
                    "suppressed": n < self.suppress_below,
                }
                for s, n in self.sequences
            ],
            "transitions": [
                step | {"n": step["n"] if step["n"] >= self.suppress_below else None}
                for step in self.steps
            ],
        }

    def render(self, fmt: str = "text") -> str:
        """Render the sequence frequencies as a table."""
        rows = [[seq, *self._cell(n)] for seq, n in self.sequences]
        notes = [
            f"Cohort: {self.cohort}. Denominator: {self.denominator} patients with a line.",
            f"Counts below {self.suppress_below} are suppressed.",
        ]
        return render_table(
            f"Treatment sequences by {self.by}",
            ["Sequence", "Patients", "Share"],
            rows,
            fmt,
            self.to_dict(),
            notes,
        )

    def _shown_links(self) -> tuple[list[dict[str, Any]], int]:
        shown = [s for s in self.steps if s["n"] >= self.suppress_below]
        hidden = sum(s["n"] for s in self.steps if s["n"] < self.suppress_below and s["step"] == 1)
        return shown, hidden

    def sankey(self) -> Any:
        """Return a Plotly Sankey figure (nodes coloured by class or agent)."""
        import plotly.graph_objects as go

        links, hidden = self._shown_links()
        nodes: dict[tuple[int, str], int] = {}
        for link in links:
            for key in ((link["step"], link["source"]), (link["step"] + 1, link["target"])):
                nodes.setdefault(key, len(nodes))
        labels = [f"L{step}: {name}" if name != _END else name for step, name in nodes]
        starts: Counter[tuple[int, str]] = Counter()
        for link in links:
            starts[(link["step"], link["source"])] += link["n"]
        figure = go.Figure(
            go.Sankey(
                node={
                    "label": labels,
                    "color": [colour_of(name, self.by) for _, name in nodes],
                    "pad": 12,
                },
                link={
                    "source": [nodes[(link["step"], link["source"])] for link in links],
                    "target": [nodes[(link["step"] + 1, link["target"])] for link in links],
                    "value": [link["n"] for link in links],
                    "customdata": [
                        f"{link['n']}/{starts[(link['step'], link['source'])]} "
                        f"({100 * link['n'] / starts[(link['step'], link['source'])]:.1f}%)"
                        for link in links
                    ],
                    "hovertemplate": (
                        "%{source.label} → %{target.label}: %{customdata}<extra></extra>"
                    ),
                },
            )
        )
        figure.update_layout(
            title=f"Treatment pathways by {self.by} ({self.denominator} patients; "
            f"transitions under {self.suppress_below} patients not shown: {hidden} patients "
            "after line 1)",
        )
        return figure

    def sunburst(self) -> Any:
        """Return a Plotly sunburst of the sequences (suppressed sequences left out)."""
        import plotly.graph_objects as go

        counts: Counter[str] = Counter()
        for sequence, n in self.sequences:
            if n < self.suppress_below:
                continue
            parts = sequence.split(ARROW)
            for k in range(1, len(parts) + 1):
                counts[ARROW.join(parts[:k])] += n
        ids = sorted(counts, key=lambda s: (s.count(ARROW), s))
        parents = [ARROW.join(i.split(ARROW)[:-1]) for i in ids]
        figure = go.Figure(
            go.Sunburst(
                ids=ids,
                labels=[i.split(ARROW)[-1] for i in ids],
                parents=parents,
                values=[counts[i] for i in ids],
                branchvalues="total",
                marker={"colors": [colour_of(i.split(ARROW)[-1], self.by) for i in ids]},
                customdata=[f"{counts[i]}/{self.denominator}" for i in ids],
                hovertemplate="%{id}: %{customdata}<extra></extra>",
            )
        )
        figure.update_layout(
            title=f"Treatment sequences by {self.by} ({self.denominator} patients)"
        )
        return figure

    def save(self, path: str | Path, kind: Literal["sankey", "sunburst"] = "sankey") -> Path:
        """Write a figure as a self-contained HTML file (``.html``) and return its path."""
        target = Path(path)
        if target.suffix.lower() != ".html":
            raise InvalidInputError.single("path", str(path), "a file ending in .html")
        figure = self.sankey() if kind == "sankey" else self.sunburst()
        from netline._atomic import atomic_path

        with atomic_path(target) as temporary:  # whole or not at all
            figure.write_html(temporary, include_plotlyjs=True, full_html=True)
        return target


def pathways(
    cohort: Cohort,
    by: Literal["class", "regimen"] = "class",
    depth: int = 3,
    suppress_below: int = SUPPRESS_BELOW,
) -> Pathways:
    """Count the treatment sequences of a cohort.

    Parameters
    ----------
    cohort : Cohort
    by : {"class", "regimen"}
        Name lines by their agent classes or their agents.
    depth : int
        Number of lines followed.
    suppress_below : int
        Small-cell threshold (0 to show every count).

    Returns
    -------
    Pathways
    """
    if by not in ("class", "regimen"):
        raise InvalidInputError.single("by", by, "'class' or 'regimen'")
    if depth < 1:
        raise InvalidInputError.single("depth", depth, "1 or more lines")
    if suppress_below < 0:
        raise InvalidInputError.single("suppress_below", suppress_below, "0 or more")
    column = cohort.facts[f"sequence_{by}"]
    treated = [s.split(ARROW)[:depth] for s in column if s]
    sequences = Counter(ARROW.join(parts) for parts in treated)
    steps: Counter[tuple[int, str, str]] = Counter()
    for parts in treated:
        for k, name in enumerate(parts, start=1):
            target = parts[k] if k < len(parts) else (_END if k < depth else None)
            if target is not None:
                steps[(k, name, target)] += 1
    return Pathways(
        by=by,
        depth=depth,
        sequences=tuple(sorted(sequences.items(), key=lambda item: (-item[1], item[0]))),
        denominator=len(treated),
        steps=tuple(
            {"step": k, "source": s, "target": t, "n": n} for (k, s, t), n in sorted(steps.items())
        ),
        suppress_below=suppress_below,
        cohort=cohort.describe(),
    )
