"""Input checks shared by the calculators: collect every problem, then raise once.

A calculator builds one :class:`Checks`, reads each argument through it and calls
:meth:`Checks.done` before using any value, so a caller sees every bad argument in one
:class:`~netline.errors.InvalidInputError` (blueprint principle 5).
"""

from __future__ import annotations

import math
from enum import Enum
from numbers import Integral, Real
from typing import TypeVar

from netline.errors import InvalidInputError, Problem

__all__ = ["Checks"]

E = TypeVar("E", bound=Enum)


class Checks:
    """Collector of :class:`~netline.errors.Problem` objects for one calculator call."""

    __slots__ = ("_problems",)

    def __init__(self) -> None:
        self._problems: list[Problem] = []

    def add(self, location: str, value: object, expected: str) -> None:
        """Record one problem."""
        self._problems.append(Problem(location, value, expected))

    def number(
        self,
        location: str,
        value: object,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
        expected: str,
    ) -> float:
        """Return ``value`` as a float if it is a finite real number in range.

        Otherwise record a problem (with ``expected`` as the explanation) and return NaN; the
        caller must call :meth:`done` before using the result.
        """
        if isinstance(value, bool) or not isinstance(value, Real):
            self.add(location, value, expected)
            return math.nan
        number = float(value)
        below = low is not None and (number <= low if low_open else number < low)
        above = high is not None and (number >= high if high_open else number > high)
        if not math.isfinite(number) or below or above:
            self.add(location, value, expected)
            return math.nan
        return number

    def optional_number(
        self,
        location: str,
        value: object,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
        expected: str,
    ) -> float | None:
        """Like :meth:`number`, but ``None`` passes through as ``None``."""
        if value is None:
            return None
        return self.number(
            location,
            value,
            low=low,
            high=high,
            low_open=low_open,
            high_open=high_open,
            expected=expected,
        )

    def integer(
        self, location: str, value: object, *, low: int | None = None, expected: str
    ) -> int:
        """Return ``value`` as an int if it is integral (not a bool) and ≥ ``low``; else record."""
        if isinstance(value, bool) or not isinstance(value, Integral):
            self.add(location, value, expected)
            return -1
        if low is not None and value < low:
            self.add(location, value, expected)
            return -1
        return int(value)

    def member(self, location: str, value: object, enum: type[E]) -> E | None:
        """Return the member of ``enum`` that ``value`` is or names; else record and return None."""
        if isinstance(value, enum):
            return value
        try:
            return enum(value)
        except (ValueError, TypeError):
            choices = ", ".join(repr(m.value) for m in enum)
            self.add(location, value, f"one of {choices}")
            return None

    def done(self) -> None:
        """Raise :class:`~netline.errors.InvalidInputError` listing every problem, if any."""
        if self._problems:
            raise InvalidInputError(self._problems)
