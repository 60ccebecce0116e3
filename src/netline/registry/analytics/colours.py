"""One colour per agent, and per agent class, used by every registry figure.

Classes take the course figures' colours (:data:`netline.course.timeline.CLASS_COLOURS`,
through the registry's adapter); agents take a fixed qualitative palette in the order of the
agent vocabulary, so an agent has the same colour in every Sankey, sunburst and survival
plot. A combination is drawn in the colour of its first member (agents sorted by name).
"""

from __future__ import annotations

from netline.records.vocabulary import Agent
from netline.registry._course import CLASS_COLOURS

__all__ = ["AGENT_COLOURS", "CLASS_COLOURS", "colour_of"]

_PALETTE = (
    "#1b9e77", "#66a61e", "#2ca25f", "#238b45", "#e6ab02", "#d95f02", "#a6761d", "#e7298a",
    "#7570b3", "#fb8072", "#1f78b4", "#6a3d9a", "#b15928", "#33a02c", "#e31a1c", "#ff7f00",
    "#cab2d6", "#fdbf6f", "#b2df8a", "#a6cee3", "#8dd3c7", "#bebada", "#80b1d3", "#cc79a7",
    "#984ea3", "#f781bf", "#999933", "#882255", "#44aa99", "#117733", "#332288", "#aa4499",
)  # fmt: skip
#: Colour of every agent.
AGENT_COLOURS: dict[str, str] = {
    agent.value: _PALETTE[i % len(_PALETTE)] for i, agent in enumerate(Agent)
}
_OTHER = "#bdbdbd"


def colour_of(label: str, by: str = "class") -> str:
    """Return the colour of a line label (a class or regimen, or a combination of them)."""
    first = label.split(" + ")[0].strip()
    table = CLASS_COLOURS if by == "class" else AGENT_COLOURS
    return table.get(first, CLASS_COLOURS.get(first, _OTHER))
