"""Rendering of registry results in the four formats of the result protocol."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

__all__ = ["FORMATS", "render_result", "render_table"]

#: Formats every result renders to.
FORMATS = ("text", "json", "markdown", "html")


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")


def render_result(data: dict[str, Any], title: str, lines: Sequence[str], fmt: str) -> str:
    """Render a result given as JSON-ready data and as lines of text."""
    _check(fmt)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if fmt == "text":
        return "\n".join(lines)
    if fmt == "markdown":
        return f"## {title}\n\n" + "\n".join(f"    {line}" for line in lines)
    body = "\n".join(html.escape(line) for line in lines)
    return f"<section><h2>{html.escape(title)}</h2><pre>{body}</pre></section>"


def render_table(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    fmt: str,
    data: dict[str, Any],
    notes: Sequence[str] = (),
) -> str:
    """Render a table of strings (``data`` is the JSON form)."""
    _check(fmt)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if fmt == "markdown":
        out = [f"## {title}", "", "| " + " | ".join(header) + " |"]
        out.append("|" + "---|" * len(header))
        out.extend("| " + " | ".join(row) + " |" for row in rows)
        out.extend(["", *notes] if notes else [])
        return "\n".join(out)
    if fmt == "html":
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        foot = "".join(f"<p>{html.escape(n)}</p>" for n in notes)
        return (
            f"<section><h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{foot}</section>"
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    fmt_row = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [title, fmt_row.format(*header), fmt_row.format(*("-" * w for w in widths))]
    out.extend(fmt_row.format(*row) for row in rows)
    out.extend(notes)
    return "\n".join(out)
