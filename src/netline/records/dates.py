"""Absolute and relative dates in case files.

Case reports give ages and intervals; registries give dates. A date in a case file is either an
ISO date (``2019-03-14``) or an offset from an anchor: ``"index + 45 months"``,
``"prrt-4 + 20 months"``, ``"+2 weeks"`` (the anchor defaults to the index date) or
``"birth + 40 years 9 months"``, or an anchor alone (``"index"``, ``"prrt.stop"``). Anchors
are ``index``, ``birth``, the ``id`` of any event (its date or start) and ``<id>.stop``.
Months and years are calendar months and years (``dateutil.relativedelta``).

Event ids may not shadow anchors: ``index`` and ``birth`` are reserved, and an id may not end in
``.stop`` or ``.start`` (see :func:`reserved_anchor`). An offset is at most
:data:`MAX_OFFSET_YEARS` years in each unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from netline._time import DAYS_PER_YEAR

__all__ = [
    "MAX_OFFSET_YEARS",
    "RESERVED_ANCHORS",
    "RelativeDate",
    "parse_relative",
    "reserved_anchor",
]

#: Names an event id may not take, because relative dates use them as anchors.
RESERVED_ANCHORS = ("index", "birth")
#: The largest offset accepted, in years (a human life, with room).
MAX_OFFSET_YEARS = 150
_PER_YEAR = {"days": DAYS_PER_YEAR, "weeks": DAYS_PER_YEAR / 7, "months": 12.0, "years": 1.0}

_UNITS = {
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "mo": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "yr": "years",
    "year": "years",
    "years": "years",
}
_ANCHOR = r"(?P<anchor>[A-Za-z][\w.-]*)?"
_RELATIVE = re.compile(rf"^\s*{_ANCHOR}\s*(?P<sign>[+-])\s*(?P<terms>.+?)\s*$")
_TERM = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Za-z]+)")
_BARE_ANCHOR = re.compile(r"^\s*(?P<anchor>[A-Za-z][\w.-]*)\s*$")


@dataclass(frozen=True, slots=True)
class RelativeDate:
    """An offset from a named anchor."""

    anchor: str
    offset: relativedelta

    def resolve(self, anchor_date: date) -> date:
        """Return the absolute date.

        Raises
        ------
        ValueError
            If the date falls outside the years 1 to 9999.
        """
        try:
            result: date = anchor_date + self.offset
        except (OverflowError, ValueError):
            raise ValueError("the offset leads outside the calendar (years 1 to 9999)") from None
        return result


def reserved_anchor(event_id: str) -> str | None:
    """Return why an event id would shadow a date anchor, or ``None`` if it is free.

    ``index`` and ``birth`` are anchors themselves; ``<id>.stop`` names the stop date of the
    event ``<id>`` (and ``.start`` is kept for its start), so an id may not end with them.
    """
    lowered = event_id.lower()
    if lowered in RESERVED_ANCHORS:
        return f"an id other than {' or '.join(RESERVED_ANCHORS)} (reserved as date anchors)"
    if lowered.endswith((".stop", ".start")):
        return "an id not ending in .stop or .start (reserved for the dates of an event)"
    return None


def parse_relative(text: str) -> RelativeDate | None:
    """Parse ``"[anchor] (+|-) N unit [N unit ...]"``; return ``None`` if it is not of that form.

    Raises
    ------
    ValueError
        If it has the form but an unknown unit or a fractional month/year.
    """
    bare = _BARE_ANCHOR.match(text)
    if bare is not None:
        return RelativeDate(bare.group("anchor"), relativedelta())
    match = _RELATIVE.match(text)
    if match is None:
        return None
    terms_text = match.group("terms")
    terms = _TERM.findall(terms_text)
    if not terms or _TERM.sub("", terms_text).strip():
        return None
    amounts: dict[str, int] = {}
    for amount_text, unit_text in terms:
        unit = _UNITS.get(unit_text.lower())
        if unit is None:
            raise ValueError(f"unknown unit {unit_text!r} (use days, weeks, months or years)")
        if "." in amount_text:
            raise ValueError(f"{amount_text} {unit_text}: use whole numbers of each unit")
        limit = int(MAX_OFFSET_YEARS * _PER_YEAR[unit])
        if len(amount_text) > len(str(limit)) or int(amount_text) > limit:
            raise ValueError(
                f"{amount_text[:24]} {unit_text}: an offset of at most {MAX_OFFSET_YEARS} years"
                f" ({limit:,} {unit})"
            )
        amounts[unit] = amounts.get(unit, 0) + int(amount_text)
    sign = -1 if match.group("sign") == "-" else 1
    offset = relativedelta(
        years=sign * amounts.get("years", 0),
        months=sign * amounts.get("months", 0),
        weeks=sign * amounts.get("weeks", 0),
        days=sign * amounts.get("days", 0),
    )
    return RelativeDate(match.group("anchor") or "index", offset)
