"""Render an assessment in the formats of the result protocol: text, JSON, Markdown, HTML."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from netline.assessment.text import render_text, sections

if TYPE_CHECKING:
    from netline.assessment.summary import Assessment

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "markdown", "html")


def _markdown(result: Assessment) -> str:
    out = [f"# netline assessment: {result.case_id}", ""]
    for heading, lines in sections(result):
        out.extend([f"## {heading}", ""])
        out.extend(f"- {line.strip().removeprefix('- ')}" for line in lines)
        out.append("")
    if result.source:
        out.append(f"Source: {result.source}")
    out.append(f"*{result.notice}*")
    return "\n".join(out) + "\n"


def _html(result: Assessment) -> str:
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>netline assessment: {esc(result.case_id)}</title></head><body>",
        f"<h1>netline assessment: {esc(result.case_id)}</h1>",
    ]
    for heading, lines in sections(result):
        out.append(f"<h2>{esc(heading)}</h2><ul>")
        out.extend(f"<li>{esc(line.strip().removeprefix('- '))}</li>" for line in lines)
        out.append("</ul>")
    if result.source:
        out.append(f"<p>Source: {esc(result.source)}</p>")
    out.append(f"<p><em>{esc(result.notice)}</em></p></body></html>")
    return "\n".join(out) + "\n"


def render(result: Assessment, fmt: str = "text") -> str:
    """Render an assessment.

    Parameters
    ----------
    result : Assessment
    fmt : str
        ``"text"``, ``"json"`` (strict JSON: no NaN), ``"markdown"`` or ``"html"``.

    Raises
    ------
    ValueError
        For any other format.
    """
    if fmt == "text":
        return render_text(result)
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "markdown":
        return _markdown(result)
    if fmt == "html":
        return _html(result)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
