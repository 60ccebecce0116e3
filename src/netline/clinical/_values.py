"""Helpers for the values calculators return: structured values and tolerant comparisons."""

from __future__ import annotations

from dataclasses import fields

from netline.clinical._result import _jsonable

__all__ = ["EPS", "StructuredValue", "at_least"]

#: Relative tolerance of :func:`at_least`.
EPS = 1e-9


def at_least(a: float, b: float) -> bool:
    """Compare ``a >= b``, tolerant of floating-point error at a boundary.

    ``(10 - 7) >= 0.3 * 10`` is ``False`` in floating point; a 30 % decrease must still count.
    """
    return a >= b - EPS * max(1.0, abs(b))


class StructuredValue:
    """Mixin for frozen dataclasses used as a :attr:`Finding.value`.

    :meth:`Finding.to_dict` replaces a value that has a ``value`` attribute by that attribute
    (this is how enumeration members become their string); this mixin gives a dataclass a
    ``value`` property holding its fields (and its text form under ``"text"``) as a JSON-ready
    mapping, so that findings whose value is a stage, a score or a grade range serialise cleanly.
    """

    __slots__ = ()

    @property
    def value(self) -> dict[str, object]:
        """The fields as a JSON-ready mapping (used by :meth:`Finding.to_dict`)."""
        data = {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]
        data["text"] = str(self)
        return data
