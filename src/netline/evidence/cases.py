"""Summary of a published case series, computed from its rows, never hard-coded.

The case report's Table 1 lists ten cases of PRRT before surgery for initially unresectable
pNET; its text summarises nine of them. :func:`summarise_case_series` recomputes every count
of that text from the rows and sets it beside the figure the text states.

Where a cell is unknown ('Not mentioned', '-'), a count becomes a range: ``low`` counts only
the cases that certainly qualify, ``high`` adds those that would qualify if the unknown went
that way. How each count is formed:

* the nine are the cases with surgery performed (case 10, not operated, is excluded);
* a response is CR, PR or PR-CR (PR-CR counts once, as a response);
* a liver resection is a procedure removing liver tissue (partial hepatectomy,
  (sub)segmentectomy, hemihepatectomy); it is counted among patients with liver metastases,
  and a procedure that is 'Not mentioned' makes it possible, not certain;
* an R0 liver resection is such a resection with margin R0 (case 5 is R1).

The report's 5 liver resections and 4 R0 liver resections are the upper ends of the ranges
4-5 and 3-4: they imply that case 8 (Opalinska 2021, procedure 'Not mentioned', R0) had a
liver resection.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netline.errors import UnknownKeyError
from netline.evidence._format import format_number
from netline.evidence.schema import CaseResponse, CaseSeries, PublishedCase
from netline.records.vocabulary import Margin

if TYPE_CHECKING:
    from netline.evidence.query import KnowledgeBase

__all__ = [
    "CaseSeriesSummary",
    "CountRange",
    "Descriptive",
    "ValueCheck",
    "case_rows",
    "summarise_case_series",
]

DEFAULT_SERIES = "umino2024_table1"

Tri = bool | None


@dataclass(frozen=True, slots=True)
class CountRange:
    """A count computed from the rows, as a range where unknown cells leave it open.

    Attributes
    ----------
    low, high : int
        Cases that certainly qualify; and those plus the ones that would if an unknown
        resolved that way.
    denominator : int
        Cases the count is taken over.
    certain, possible : tuple of int
        Case numbers behind ``low`` and behind ``high - low``.
    stated : int or None
        The figure the report's text states, if any.
    derivation : str
        How the count is formed.
    """

    id: str
    label: str
    low: int
    high: int
    denominator: int
    certain: tuple[int, ...]
    possible: tuple[int, ...]
    stated: int | None
    derivation: str

    @property
    def exact(self) -> bool:
        """Whether no unknown cell affects the count."""
        return self.low == self.high

    @property
    def consistent(self) -> bool:
        """Whether the stated figure (if any) lies within the computed range."""
        return self.stated is None or self.low <= self.stated <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.exact else f"{self.low}–{self.high}"


@dataclass(frozen=True, slots=True)
class ValueCheck:
    """Values (in months) computed from the rows for a figure the text states."""

    id: str
    label: str
    values: tuple[float, ...]
    case_numbers: tuple[int, ...]
    stated: float | None
    derivation: str

    @property
    def consistent(self) -> bool:
        """Whether the stated figure is among the computed values."""
        return self.stated is None or self.stated in self.values


@dataclass(frozen=True, slots=True)
class Descriptive:
    """Median and range of a numeric column over the cases where it is known."""

    label: str
    unit: str
    n_known: int
    n_unknown: int
    median: float | None
    minimum: float | None
    maximum: float | None

    def __str__(self) -> str:
        if self.median is None:
            return f"not known (0 of {self.n_unknown})"
        return (
            f"median {self.median:g} {self.unit} (range {self.minimum:g}–{self.maximum:g}; "
            f"known in {self.n_known}, unknown in {self.n_unknown})"
        )


@dataclass(frozen=True, slots=True)
class CaseSeriesSummary:
    """Everything :func:`summarise_case_series` computes for a series."""

    series: CaseSeries
    n_cases: int
    excluded: tuple[int, ...]
    counts: tuple[CountRange, ...]
    values: tuple[ValueCheck, ...]
    descriptives: tuple[Descriptive, ...]

    def count(self, count_id: str) -> CountRange:
        """Return a count by id (e.g. ``"liver_resection"``)."""
        for count in self.counts:
            if count.id == count_id:
                return count
        raise UnknownKeyError("case-series count", count_id, [c.id for c in self.counts])

    @property
    def consistent(self) -> bool:
        """Whether every stated figure agrees with the rows."""
        return all(c.consistent for c in self.counts) and all(v.consistent for v in self.values)


def _and(*values: Tri) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _not(value: Tri) -> Tri:
    return None if value is None else not value


def _response_in(case: PublishedCase, categories: set[CaseResponse]) -> Tri:
    return None if case.response is None else case.response in categories


def _r0(case: PublishedCase) -> Tri:
    return None if case.margin is None else case.margin is Margin.R0


def _liver_resected(case: PublishedCase) -> Tri:
    return _and(case.liver_metastasis, case.surgery.liver_resection)


_RESPONSE = {CaseResponse.CR, CaseResponse.PR_CR, CaseResponse.PR}
_COMPLETE = {CaseResponse.CR, CaseResponse.PR_CR}

# id, label, predicate over an operated case, derivation
_COUNTS: list[tuple[str, str, Callable[[PublishedCase], Tri], str]] = [
    (
        "objective_response",
        "CR or PR after PRRT",
        lambda c: _response_in(c, _RESPONSE),
        "response CR, PR or PR-CR (PR-CR counts as a response)",
    ),
    (
        "progressive_disease",
        "progressive disease",
        lambda c: _response_in(c, {CaseResponse.PD}),
        "response PD",
    ),
    ("r0_resection", "R0 resection", _r0, "margin R0"),
    (
        "liver_metastases",
        "liver metastases",
        lambda c: c.liver_metastasis,
        "liver metastasis 'Yes'",
    ),
    (
        "liver_resection",
        "liver resection",
        _liver_resected,
        "liver metastasis and a procedure removing liver tissue; 'Not mentioned' is possible",
    ),
    (
        "r0_liver_resection",
        "R0 liver resection",
        lambda c: _and(_liver_resected(c), _r0(c)),
        "liver resection with margin R0",
    ),
    (
        "no_liver_resection_after_cr",
        "liver metastases left unresected after a radiological CR",
        lambda c: _and(
            c.liver_metastasis, _not(c.surgery.liver_resection), _response_in(c, _COMPLETE)
        ),
        "liver metastasis, no liver resection, response CR or PR-CR",
    ),
    (
        "male",
        "men",
        lambda c: None if c.sex is None else c.sex == "M",
        "sex M",
    ),
]


def _count(
    count_id: str,
    label: str,
    cases: Sequence[PublishedCase],
    predicate: Callable[[PublishedCase], Tri],
    stated: dict[str, int | float],
    derivation: str,
) -> CountRange:
    results = [(case.case_number, predicate(case)) for case in cases]
    certain = tuple(n for n, r in results if r is True)
    possible = tuple(n for n, r in results if r is None)
    figure = stated.get(count_id)
    return CountRange(
        id=count_id,
        label=label,
        low=len(certain),
        high=len(certain) + len(possible),
        denominator=len(cases),
        certain=certain,
        possible=possible,
        stated=None if figure is None else int(figure),
        derivation=derivation,
    )


def _describe(label: str, unit: str, values: Sequence[float | None]) -> Descriptive:
    known = [float(v) for v in values if v is not None]
    return Descriptive(
        label=label,
        unit=unit,
        n_known=len(known),
        n_unknown=len(values) - len(known),
        median=statistics.median(known) if known else None,
        minimum=min(known) if known else None,
        maximum=max(known) if known else None,
    )


def summarise_case_series(
    series: str = DEFAULT_SERIES, kb: KnowledgeBase | None = None
) -> CaseSeriesSummary:
    """Compute the summary of a published case series from its rows.

    Parameters
    ----------
    series : str, default "umino2024_table1"
        The series id.
    kb : KnowledgeBase, optional
        The knowledge base; the bundled one by default.

    Returns
    -------
    CaseSeriesSummary
        Counts (as ranges where unknown cells leave them open) beside the figures the report
        states, values in months checked the same way, and descriptive statistics.

    References
    ----------
    .. [1] Umino R, Nara S, Kobayashi N, et al. Pathological complete response of initially
       unresectable multiple liver metastases achieved using combined PRRT and somatostatin
       analogs following pancreatic neuroendocrine tumor resection: a case report. Surg Case
       Rep 2024. doi:10.1186/s40792-024-01839-4 (Table 1 and Discussion).

    Examples
    --------
    >>> from netline.evidence import summarise_case_series
    >>> summary = summarise_case_series()
    >>> str(summary.count("liver_resection")), summary.count("liver_resection").stated
    ('4–5', 5)
    """
    if kb is None:
        from netline.evidence.loader import load_knowledge_base

        kb = load_knowledge_base()
    model = kb.series(series)
    cases = kb.cases_in(series)
    stated = {
        fact.id: fact.value.value for fact in model.stated_summary if fact.value.value is not None
    }
    operated = [c for c in cases if c.surgery.performed]
    counts = [
        _count(
            "operated_cases",
            "cases with conversion surgery performed",
            cases,
            lambda c: c.surgery.performed,
            stated,
            "surgery performed; cases not (yet) operated are excluded from the rest",
        )
    ]
    counts += [_count(i, label, operated, p, stated, d) for i, label, p, d in _COUNTS]
    non_r0 = [c for c in operated if _and(_liver_resected(c), _not(_r0(c))) is True]
    left_after_cr = next(c for c in counts if c.id == "no_liver_resection_after_cr")
    after_cr = [c for c in operated if c.case_number in left_after_cr.certain]
    values = (
        ValueCheck(
            "regrowth_after_non_r0_liver_resection",
            "PFS after a liver resection that was not R0",
            tuple(float(c.pfs_months) for c in non_r0 if c.pfs_months is not None),
            tuple(c.case_number for c in non_r0),
            _maybe_float(stated.get("regrowth_after_non_r0_liver_resection")),
            "PFS of cases with a liver resection whose margin is not R0",
        ),
        ValueCheck(
            "liver_free_after_cr",
            "PFS of the patient left unresected after a radiological CR",
            tuple(float(c.pfs_months) for c in after_cr if c.pfs_months is not None),
            tuple(c.case_number for c in after_cr),
            _maybe_float(stated.get("liver_free_after_cr")),
            "PFS of the cases counted in no_liver_resection_after_cr",
        ),
    )
    descriptives = (
        _describe("age as tabulated (operated cases)", "years", [c.age_years for c in operated]),
        _describe("PFS after surgery (operated cases)", "months", [c.pfs_months for c in operated]),
    )
    return CaseSeriesSummary(
        series=model,
        n_cases=len(cases),
        excluded=tuple(c.case_number for c in cases if not c.surgery.performed),
        counts=tuple(counts),
        values=values,
        descriptives=descriptives,
    )


def _maybe_float(value: int | float | None) -> float | None:
    return None if value is None else float(value)


def _yes_no(value: bool | None, unknown: str) -> str:
    return unknown if value is None else ("yes" if value else "no")


def case_rows(
    series: str = DEFAULT_SERIES, kb: KnowledgeBase | None = None
) -> list[dict[str, str]]:
    """Return the cases of a series as display rows, one column per column of the table.

    Unknown cells read ``"not mentioned"`` or ``"– (not given)"`` as in the source; nothing
    is filled in.
    """
    if kb is None:
        from netline.evidence.loader import load_knowledge_base

        kb = load_knowledge_base()
    rows = []
    for case in kb.cases_in(series):
        operated = case.surgery.performed
        rows.append(
            {
                "case": str(case.case_number),
                "year": str(case.year),
                "authors": case.authors_as_printed,
                "age": "– (not given)" if case.age_years is None else str(case.age_years),
                "sex": case.sex or "– (not given)",
                "liver metastasis": _yes_no(case.liver_metastasis, "not mentioned"),
                "unresectable factors": "not mentioned"
                if case.unresectable_factors is None
                else "; ".join(case.unresectable_factors),
                "pre-treatment": case.pretreatment_as_printed
                + (" (prior chemotherapy/SSA possible)" if case.prior_therapy_possible else ""),
                "response (RECIST)": "not given" if case.response is None else case.response.value,
                "conversion surgery": case.surgery.as_printed,
                "R": case.margin.value
                if case.margin
                else ("– (not operated)" if not operated else "not given"),
                "PFS (months)": "– (not operated)"
                if not operated
                else ("not given" if case.pfs_months is None else format_number(case.pfs_months)),
            }
        )
    return rows
