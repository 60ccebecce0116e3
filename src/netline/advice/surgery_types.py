"""The liver-surgery assessment's result type and its statuses."""

from __future__ import annotations

from dataclasses import dataclass, field

from netline.advice._points import Point
from netline.advice.eligibility import ProfileCheck

#: Statuses, from most to least favourable.
STATUSES = (
    "discuss",
    "discuss_with_caveats",
    "insufficient_data",
    "not_suggested",
    "not_applicable",
)


@dataclass(frozen=True)
class SurgeryAssessment:
    """Whether liver surgery (resection, debulking, conversion) deserves an HPB discussion.

    Attributes
    ----------
    status : str
        ``discuss`` (the criteria netline can check are met), ``discuss_with_caveats`` (met,
        with caveats the board must weigh), ``insufficient_data``, ``not_suggested`` (a
        criterion fails) or ``not_applicable`` (no liver metastases).
    mode : str
        ``upfront`` (no systemic therapy yet) or ``conversion`` (after systemic therapy).
    summary : str
        One sentence.
    suggestion : str or None
        The suggestion to discuss with the HPB surgeons, when the status allows it.
    histology, extent, completeness, liver_function, response : tuple of Point
        The findings under each heading, each with its references.
    blockers, caveats, to_assess : tuple of Point
        Why surgery is not suggested; what the board must weigh; what the surgeons must
        still assess.
    profiles : tuple of ProfileCheck
        The liver-surgery profiles evaluated (curative resection, debulking, Milan-NET).
    makuuchi : str or None
        The largest resection the Makuuchi criteria allow, with its proviso.

    References
    ----------
    .. [1] Pavel M et al. ENETS consensus guidelines for liver and other distant metastases.
       Neuroendocrinology 2016;103:172-185.
    .. [2] Makuuchi M et al. Semin Surg Oncol 1993;9:298-304.
    .. [3] Umino R et al. Surg Case Rep 2024 (conversion surgery after PRRT and SSA).
    """

    status: str
    mode: str
    summary: str
    suggestion: str | None
    histology: tuple[Point, ...] = ()
    extent: tuple[Point, ...] = ()
    completeness: tuple[Point, ...] = ()
    liver_function: tuple[Point, ...] = ()
    response: tuple[Point, ...] = ()
    blockers: tuple[Point, ...] = ()
    caveats: tuple[Point, ...] = ()
    to_assess: tuple[Point, ...] = ()
    profiles: tuple[ProfileCheck, ...] = field(default=())
    makuuchi: str | None = None

    @property
    def flagged_for_discussion(self) -> bool:
        """Whether the assessment suggests a discussion with the HPB surgeons."""
        return self.status in ("discuss", "discuss_with_caveats")

    @property
    def references(self) -> tuple[str, ...]:
        """Every reference key cited."""
        keys: list[str] = []
        for group in (
            self.histology,
            self.extent,
            self.completeness,
            self.liver_function,
            self.response,
            self.blockers,
            self.caveats,
            self.to_assess,
        ):
            for point in group:
                keys.extend(point.refs)
        for profile in self.profiles:
            keys.extend(c.ref for c in profile.checks)
        return tuple(dict.fromkeys(keys))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""

        def points(items: tuple[Point, ...]) -> list[dict[str, object]]:
            return [p.to_dict() for p in items]

        return {
            "status": self.status,
            "flagged_for_discussion": self.flagged_for_discussion,
            "mode": self.mode,
            "summary": self.summary,
            "suggestion": self.suggestion,
            "histology": points(self.histology),
            "extent": points(self.extent),
            "completeness": points(self.completeness),
            "liver_function": points(self.liver_function),
            "response": points(self.response),
            "blockers": points(self.blockers),
            "caveats": points(self.caveats),
            "to_assess": points(self.to_assess),
            "profiles": [p.to_dict() for p in self.profiles],
            "makuuchi": self.makuuchi,
        }


@dataclass
class _Findings:
    """Points gathered section by section while assessing liver surgery."""

    blockers: list[Point] = field(default_factory=list)
    caveats: list[Point] = field(default_factory=list)
    to_assess: list[Point] = field(default_factory=list)
    histology: list[Point] = field(default_factory=list)
    extent: list[Point] = field(default_factory=list)
    completeness: list[Point] = field(default_factory=list)
    liver: list[Point] = field(default_factory=list)
    response: list[Point] = field(default_factory=list)
    insufficient: bool = False
