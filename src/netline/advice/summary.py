"""The one-screen summary of an advice: one view model, rendered as text, Markdown or HTML.

The summary comes first in every rendering (issue 12 item 8): the setting with its reasons,
the top options with one reason each, the key caveats, what is unknown, and the confidence
split into *data completeness* (how much of what netline reads is in the record) and
*strength of evidence* (whether the statements behind the order are verified). When the order
rests on unverified statements, a note says so.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netline.advice.advice import Advice

__all__ = ["SummaryView", "summary_html", "summary_lines", "summary_view"]

#: Options and caveats the summary shows (the details follow it).
TOP = 3
_CAVEATS = 4
_UNKNOWN = 5


@dataclass(frozen=True, slots=True)
class SummaryView:
    """What the one-screen summary shows, already in words."""

    title: str
    setting: str
    setting_reasons: tuple[str, ...]
    top: tuple[tuple[int, str, str], ...]
    caveats: tuple[str, ...]
    unknowns: tuple[str, ...]
    data_completeness: str
    strength_of_evidence: str
    unverified_note: str | None
    notice: str
    plausibility: tuple[str, ...] = ()


def _one_reason(reason: str) -> str:
    text = reason.split(": ", 1)[-1]
    return text.split("; below ")[0].split("; equal standing")[0]


def summary_view(advice: Advice) -> SummaryView:
    """Build the summary view model of an advice."""
    state = advice.state
    top = tuple((o.rank or 0, o.name, _one_reason(o.order_reason)) for o in advice.ranked[:TOP])
    caveats: list[str] = []
    for option in advice.ranked[:TOP]:
        for point in option.cautions[:1]:
            caveats.append(f"{option.name}: {point.text}")
    if advice.surgery.status != "not_applicable":
        caveats.append(f"Surgery: {advice.surgery.summary}")
    unknowns = tuple(u.item for u in state.unknowns[:_UNKNOWN])
    if len(state.unknowns) > _UNKNOWN:
        unknowns += (f"and {len(state.unknowns) - _UNKNOWN} more (see the details)",)
    setting = advice.setting
    return SummaryView(
        title=f"netline advice: {state.case_id} at {state.at.isoformat()}",
        setting="not classified" if setting is None else setting.label,
        setting_reasons=() if setting is None else setting.reasons,
        top=top,
        caveats=tuple(caveats[:_CAVEATS]),
        unknowns=unknowns,
        data_completeness=f"{advice.confidence} — {advice.confidence_reason}",
        strength_of_evidence=f"{advice.evidence_strength} — {advice.evidence_reason}",
        unverified_note=advice.unverified_note,
        notice=advice.notice,
        plausibility=tuple(f"{w} (source: {w.source})" for w in advice.plausibility),
    )


def summary_lines(view: SummaryView, *, markdown: bool = False) -> list[str]:
    """Render the summary as lines of text (or Markdown)."""
    bullet = "- " if markdown else "  "
    head = "## " if markdown else ""
    out = [f"{head}Summary", f"Setting: {view.setting}"]
    out += [f"{bullet}{reason}" for reason in view.setting_reasons]
    out.append("Top options (ordered with reasons, not a directive):")
    out += [f"{bullet}{rank}. {name} — {reason}" for rank, name, reason in view.top]
    if view.caveats:
        out.append("Key caveats:")
        out += [f"{bullet}{text}" for text in view.caveats]
    if view.unknowns:
        out.append("Unknown: " + "; ".join(view.unknowns))
    out.append(f"Data completeness: {view.data_completeness}")
    out.append(f"Strength of evidence: {view.strength_of_evidence}")
    if view.unverified_note:
        out.append(f"Note: {view.unverified_note}")
    if view.plausibility:
        out.append("Implausible values to check (possible, but please confirm):")
        out += [f"{bullet}{text}" for text in view.plausibility]
    return out


def summary_html(view: SummaryView) -> str:
    """Render the summary as an HTML fragment (every text escaped)."""

    def items(texts: tuple[str, ...]) -> str:
        return "".join(f"<li>{html.escape(t)}</li>" for t in texts)

    top = "".join(
        f"<li>{html.escape(name)} — {html.escape(reason)}</li>" for _, name, reason in view.top
    )
    note = ""
    if view.unverified_note:
        note = (
            '<p class="netline-unverified"><strong>Note:</strong> '
            f"{html.escape(view.unverified_note)}</p>"
        )
    return (
        '<section class="netline-summary"><h3>Summary</h3>'
        f"<p><strong>Setting:</strong> {html.escape(view.setting)}</p>"
        f"<ul>{items(view.setting_reasons)}</ul>"
        f"<p>Top options (ordered with reasons, not a directive):</p><ol>{top}</ol>"
        + (f"<p>Key caveats:</p><ul>{items(view.caveats)}</ul>" if view.caveats else "")
        + (f"<p>Unknown: {html.escape('; '.join(view.unknowns))}</p>" if view.unknowns else "")
        + f"<p>Data completeness: {html.escape(view.data_completeness)}<br>"
        f"Strength of evidence: {html.escape(view.strength_of_evidence)}</p>"
        + note
        + (
            "<p>Implausible values to check (possible, but please confirm):</p>"
            f"<ul>{items(view.plausibility)}</ul>"
            if view.plausibility
            else ""
        )
        + "</section>"
    )
