"""The protocol every result object follows, and helpers to implement it.

A result (an assessment, advice, a replay, course tables, a simulation) has:

* ``schema_version: ClassVar[str]`` -- the version of its JSON form;
* ``to_dict() -> dict[str, Any]`` -- JSON-ready data that includes the key ``"schema_version"``;
* ``render(fmt) -> str`` for ``"text"``, ``"json"``, ``"markdown"`` and ``"html"``, raising
  :class:`ValueError` for any other format.

:func:`render_result` implements ``render`` from a text renderer (and optional Markdown and
HTML renderers); :func:`to_json` writes strict JSON, refusing NaN and infinity (which
``json.dumps`` would otherwise write as the non-JSON tokens ``NaN`` and ``Infinity``).

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass
... class Count:
...     schema_version: ClassVar[str] = "1"
...     n: int = 3
...     def to_dict(self) -> dict[str, Any]:
...         return {"schema_version": self.schema_version, "n": self.n}
...     def render(self, fmt: str) -> str:
...         return render_result(self, fmt, text=lambda: f"{self.n} items")
>>> print(Count().render("json"))
{
  "schema_version": "1",
  "n": 3
}

References
----------
.. [1] RFC 8259, section 6: numeric values that cannot be represented as digits (such as
   Infinity and NaN) are not permitted.
"""

from __future__ import annotations

import html as html_escape
import json
import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol, runtime_checkable

__all__ = ["FORMATS", "Result", "check_format", "non_finite_paths", "render_result", "to_json"]

#: The formats every result renders to.
FORMATS = ("text", "json", "markdown", "html")


@runtime_checkable
class Result(Protocol):
    """A result object: versioned JSON form and one ``render`` for every format."""

    schema_version: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data, including ``"schema_version"``."""
        ...  # pragma: no cover

    def render(self, fmt: str) -> str:
        """Return the result as ``"text"``, ``"json"``, ``"markdown"`` or ``"html"``."""
        ...  # pragma: no cover


def check_format(fmt: str) -> str:
    """Return ``fmt`` if it is one of :data:`FORMATS`; raise :class:`ValueError` otherwise."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def non_finite_paths(data: Any, path: str = "") -> list[str]:
    """Return the paths (``a.b[2]``) of every NaN or infinite float in JSON-like data."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append(where or "(top)")
        elif isinstance(value, Mapping):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
    return sorted(found)


def to_json(data: Any, *, indent: int | None = 2) -> str:
    """Return strict JSON text (UTF-8 characters kept); refuse NaN and infinity.

    Raises
    ------
    ValueError
        Naming every path that holds a non-finite number.
    """
    bad = non_finite_paths(data)
    if bad:
        raise ValueError(f"not JSON: non-finite number at {', '.join(bad)}")
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)


def render_result(
    result: Result,
    fmt: str,
    *,
    text: Callable[[], str],
    markdown: Callable[[], str] | None = None,
    html: Callable[[], str] | None = None,
) -> str:
    """Implement ``render`` from a text renderer and optional Markdown and HTML renderers.

    Without its own renderer, Markdown shows the text in a fenced block and HTML in an
    escaped ``<pre>`` element.

    Raises
    ------
    ValueError
        For a format not in :data:`FORMATS`.
    """
    check_format(fmt)
    if fmt == "json":
        return to_json(result.to_dict()) + "\n"
    if fmt == "markdown":
        return markdown() if markdown is not None else f"```text\n{text().rstrip()}\n```\n"
    if fmt == "html":
        if html is not None:
            return html()
        return f'<pre class="netline-result">{html_escape.escape(text())}</pre>\n'
    return text()
