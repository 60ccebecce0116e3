"""Time constants and month arithmetic: one place for days per month and per year.

Durations in months are days divided by the mean Julian month (365.25 / 12 = 30.4375 days),
the convention of survival analyses in oncology; calendar offsets ("index + 3 months") use
calendar months instead (:mod:`netline.records.dates`).

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-47 (dates and intervals in days).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from dateutil.relativedelta import relativedelta

__all__ = ["DAYS_PER_MONTH", "DAYS_PER_YEAR", "add_months", "months_between", "years_between"]

#: Mean days per year (Julian year).
DAYS_PER_YEAR: Final = 365.25
#: Mean days per month (DAYS_PER_YEAR / 12 = 30.4375).
DAYS_PER_MONTH: Final = DAYS_PER_YEAR / 12


def months_between(start: dt.date, stop: dt.date) -> float:
    """Return the time from ``start`` to ``stop`` in mean months (negative if stop is earlier).

    Examples
    --------
    >>> round(months_between(dt.date(2021, 1, 1), dt.date(2021, 7, 2)), 1)
    6.0
    """
    return (stop - start).days / DAYS_PER_MONTH


def years_between(start: dt.date, stop: dt.date) -> float:
    """Return the time from ``start`` to ``stop`` in mean years."""
    return (stop - start).days / DAYS_PER_YEAR


def add_months(when: dt.date, months: int) -> dt.date:
    """Return the date ``months`` calendar months after ``when`` (clipped to the month's end).

    Examples
    --------
    >>> add_months(dt.date(2020, 1, 31), 1)
    datetime.date(2020, 2, 29)
    """
    result: dt.date = when + relativedelta(months=months)
    return result
