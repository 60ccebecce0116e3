"""Ascites: one vocabulary for every liver calculator (Child-Pugh, Makuuchi)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Ascites", "AscitesControl"]


class Ascites(StrEnum):
    """Ascites, one vocabulary for Child-Pugh and the Makuuchi criteria.

    ``none``; ``controlled`` (mild, or controlled by diuretics: 2 Child-Pugh points);
    ``uncontrolled`` (moderate to severe despite diuretics, refractory: 3 points, and no
    hepatectomy under Makuuchi). The older words are accepted and mean the same members:
    ``absent`` → none, ``mild`` → controlled, ``moderate_severe`` and ``uncontrollable`` →
    uncontrolled (member names ``ABSENT``, ``MILD``, ``MODERATE_SEVERE`` and ``UNCONTROLLABLE``
    are aliases).
    """

    NONE = "none"
    CONTROLLED = "controlled"
    UNCONTROLLED = "uncontrolled"
    ABSENT = "none"
    MILD = "controlled"
    MODERATE_SEVERE = "uncontrolled"
    UNCONTROLLABLE = "uncontrolled"

    @classmethod
    def _missing_(cls, value: object) -> Ascites | None:
        return _ASCITES_WORDS.get(value) if isinstance(value, str) else None


_ASCITES_WORDS = {
    "absent": Ascites.NONE,
    "mild": Ascites.CONTROLLED,
    "moderate_severe": Ascites.UNCONTROLLED,
    "uncontrollable": Ascites.UNCONTROLLED,
}
#: The Makuuchi name of the same vocabulary (kept for callers).
AscitesControl = Ascites
