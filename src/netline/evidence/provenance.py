"""Provenance models: sourced facts, quantities with their verification, and references."""

from __future__ import annotations

import calendar
import math
import re
from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from netline.evidence.vocab import (
    _ID_PATTERN,
    Qualifier,
    ReferenceKind,
    Unit,
    Verification,
    _Model,
)

# --------------------------------------------------------------------------- provenance


class Sourced(_Model):
    """A fact with its source: a reference key and a verification status."""

    ref: str = Field(min_length=1)
    status: Verification
    reported_in: str | None = None
    see_also: tuple[str, ...] = ()
    note: str | None = None


class Report(Sourced):
    """One stated figure: a value, a range stated instead of a value, or 'not reached'.

    Exactly one of ``value``, ``bounds`` and ``not_reached`` is given. ``ci`` is the 95 %
    confidence interval; ``ci_status`` is its own verification status where it differs from
    the value's (e.g. a verified hazard ratio whose interval is recalled).
    """

    value: int | float | None = None
    bounds: tuple[int | float, int | float] | None = None
    not_reached: bool = False
    qualifier: Qualifier = Qualifier.EQ
    ci: tuple[int | float, int | float] | None = None
    ci_status: Verification | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Report:
        given = (self.value is not None) + (self.bounds is not None) + self.not_reached
        if given != 1:
            raise ValueError("give exactly one of value, bounds or not_reached: true")
        if self.ci_status is not None and self.ci is None:
            raise ValueError("ci_status is given but there is no ci")
        for number in (self.value, *(self.bounds or ()), *(self.ci or ())):
            if number is not None and not math.isfinite(number):
                raise ValueError("numbers must be finite")
        return self

    @property
    def effective_ci_status(self) -> Verification | None:
        """The verification status of the interval (``None`` without one)."""
        if self.ci is None:
            return None
        return self.ci_status or self.status

    @property
    def worst_status(self) -> Verification:
        """The least certain of the value's and the interval's statuses."""
        ci_status = self.effective_ci_status
        return Verification.worst([self.status] + ([ci_status] if ci_status else []))

    @property
    def point(self) -> float | None:
        """The point estimate, ``inf`` for not reached, ``None`` for a range."""
        if self.not_reached:
            return math.inf
        return None if self.value is None else float(self.value)


class Quantity(Report):
    """A number with unit, source, verification status, and any conflicting reports.

    ``alternatives`` holds the same quantity as stated by another source; ``conflict`` says in
    words what disagrees (and may stand alone when a figure could not be found in the
    primary source at all).
    """

    unit: Unit
    alternatives: tuple[Report, ...] = ()
    conflict: str | None = None

    @property
    def in_conflict(self) -> bool:
        """Whether another source disagrees or the figure is disputed."""
        return bool(self.alternatives) or self.conflict is not None

    @property
    def verified(self) -> bool:
        """Whether the value and its interval are verified and nothing disputes them."""
        return self.worst_status is Verification.VERIFIED and not self.in_conflict


class Characteristic(_Model):
    """A labelled number (a population characteristic, an outcome, a physical constant)."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    value: Quantity


# --------------------------------------------------------------------------- references


_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?")


class Reference(_Model):
    """A bibliographic source. ``status`` says how the citation details were checked.

    DOIs and PMIDs are given only where they were read in a source; never guessed.
    ``used_by`` names the netline packages whose code cites the key (a calculator's source,
    e.g. ``netline.clinical.recist``); such a reference counts as cited, and a test checks
    that every key the code cites exists here and that each ``used_by`` package cites it.
    """

    key: str = Field(pattern=_ID_PATTERN)
    kind: ReferenceKind
    authors: tuple[str, ...] = Field(min_length=1)
    et_al: bool = False
    title: str | None = None
    source: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    pmid: str | None = Field(default=None, pattern=r"^\d{1,9}$")
    url: str | None = None
    status: Verification
    note: str | None = None
    published: date | None = None
    published_precision: Literal["day", "month", "year"] = "day"
    used_by: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _partial_dates(cls, data: Any) -> Any:
        """Accept ``published: YYYY-MM`` or ``YYYY`` (month or year precision) besides a date."""
        if not isinstance(data, dict):
            return data
        given = data.get("published")
        if isinstance(given, int) and not isinstance(given, bool):
            given = str(given)
        if isinstance(given, str):
            match = _PARTIAL_DATE.fullmatch(given.strip())
            if match:
                year, month = int(match.group(1)), match.group(2)
                if month is not None and not 1 <= int(month) <= 12:
                    raise ValueError(f"published: month {month} is not 1-12")
                data = {
                    **data,
                    "published": date(year, int(month or 1), 1),
                    "published_precision": "month" if month else "year",
                }
        return data

    @model_validator(mode="after")
    def _published_in_year(self) -> Reference:
        if self.published is None:
            return self
        if self.published.year != self.year:
            raise ValueError(
                f"published ({self.published.isoformat()}) must fall in the year {self.year}"
            )
        partial = self.published_precision != "day" and self.published.day != 1
        if partial or (self.published_precision == "year" and self.published.month != 1):
            raise ValueError(
                f"published ({self.published.isoformat()}) is more precise than "
                f"published_precision {self.published_precision!r}; give YYYY-MM or YYYY"
            )
        return self

    @property
    def available_from(self) -> date | None:
        """The first day by which the source was surely public (``None`` when undated).

        A month-only date counts from the last day of its month and a year-only date from
        31 December, so that nothing is treated as known before it surely was.
        """
        if self.published is None or self.published_precision == "day":
            return self.published
        if self.published_precision == "year":
            return self.published.replace(month=12, day=31)
        last = calendar.monthrange(self.published.year, self.published.month)[1]
        return self.published.replace(day=last)

    def published_text(self) -> str:
        """Return the publication date as given: ``2011-02-10``, ``2011-02``, ``2011``."""
        if self.published is None:
            return "undated"
        return {
            "day": self.published.isoformat(),
            "month": self.published.strftime("%Y-%m"),
            "year": str(self.published.year),
        }[self.published_precision]

    def citation(self) -> str:
        """Return a one-line citation (Vancouver-like)."""
        authors = ", ".join(self.authors) + (", et al." if self.et_al else "")
        parts = [authors if authors.endswith(".") else authors + "."]
        if self.title:
            title = self.title.rstrip(".")
            parts.append(title if title.endswith(("?", "!")) else title + ".")
        where = f"{self.source} {self.year}"
        if self.volume:
            where += f";{self.volume}"
            if self.issue:
                where += f"({self.issue})"
        if self.pages:
            where += f":{self.pages}"
        parts.append(where + ".")
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.pmid:
            parts.append(f"PMID {self.pmid}")
        return " ".join(parts)


class ReferencesFile(_Model):
    """``references.yaml``."""

    version: str = Field(min_length=1)
    references: tuple[Reference, ...]
