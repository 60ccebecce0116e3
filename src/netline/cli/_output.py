"""Output helpers shared by the commands: strict JSON and checked, atomic files."""

from __future__ import annotations

from typing import Any

__all__ = ["json_text"]


def json_text(data: Any) -> str:
    """Return indented JSON; refuses NaN and infinity, which JSON cannot hold.

    Raises
    ------
    ValueError
        If ``data`` holds a non-finite number (a bug upstream: inputs are checked).
    """
    from netline.results import to_json

    return to_json(data)
