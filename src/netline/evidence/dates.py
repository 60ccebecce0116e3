"""Publication dates: when each reference, trial and statement became known.

One place for the rule, used by the validator (a guideline cannot cite a trial published
after it) and by the queries that show evidence "as known on" a decision date:

* a **reference** is known from its ``published`` date; a month-only date counts from the
  last day of its month (:attr:`Reference.available_from`);
* a **fact** (a quantity, a block) is known from the date of its ``ref`` (the primary source
  of the figure), or of ``reported_in`` when the primary is undated;
* a **trial** is known from its earliest results: the earliest date among the references
  its endpoints, subgroups and safety figures cite, else the date of its own ``ref``;
* a **guideline statement** is known from the earliest of its guideline documents (one
  guideline making it is enough); a statement resting on trials alone (``basis_trials``)
  from the latest of those trials (it needs all of them).

References
----------
.. [1] netline issue 11, "Every entry gets a publication date, so that evidence can be
   shown 'as known on' a decision date".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from pydantic import BaseModel

from netline.evidence._walk import walk
from netline.evidence.models import Guideline, GuidelineStatement, Trial
from netline.evidence.provenance import Reference

__all__ = [
    "fact_published",
    "reference_dates",
    "statement_published",
    "trial_published",
]


def reference_dates(references: Iterable[Reference]) -> dict[str, date | None]:
    """Return each reference key with the first day it was surely public (``None``: undated)."""
    return {reference.key: reference.available_from for reference in references}


def fact_published(node: BaseModel, dates: Mapping[str, date | None]) -> date | None:
    """Return when a sourced fact became known: its ``ref``'s date, else ``reported_in``'s."""
    for attribute in ("ref", "reported_in"):
        key = getattr(node, attribute, None)
        if isinstance(key, str) and dates.get(key) is not None:
            return dates[key]
    return None


def trial_published(trial: Trial, dates: Mapping[str, date | None]) -> date | None:
    """Return when a trial's first results became known (see the module notes)."""
    found: list[date] = []
    for part in (trial.endpoints, trial.subgroups, trial.safety):
        for _, node in walk(part):
            key = getattr(node, "ref", None)
            day = dates.get(key) if isinstance(key, str) else None
            if day is not None:
                found.append(day)
    if found:
        return min(found)
    return dates.get(trial.ref)


def statement_published(
    statement: GuidelineStatement,
    guidelines: Mapping[str, Guideline],
    trials: Mapping[str, Trial],
    dates: Mapping[str, date | None],
) -> date | None:
    """Return when a statement became known (``None`` when a needed date is missing)."""
    if statement.guidelines:
        days = [dates.get(guidelines[g].ref) for g in statement.guidelines if g in guidelines]
        known = [d for d in days if d is not None]
        return min(known) if known else None
    basis = [trial_published(trials[t], dates) for t in statement.basis_trials if t in trials]
    if not basis or any(day is None for day in basis):
        return None
    return max(day for day in basis if day is not None)
