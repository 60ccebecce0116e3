"""TNM as the record supports it: the prefix (c, p, yp), the M category over time, rN.

The T, N and M categories come from :mod:`netline.clinical.tnm`; this module decides, from the
record, which classification applies and when:

* ``c`` (clinical) before any resection of the primary, and at diagnosis when the primary was
  resected only after treatment;
* ``p`` (pathological) when the primary was resected before any systemic or local therapy;
* ``yp`` (post-therapy pathological) when the primary was resected after systemic therapy or
  a local therapy aimed at it;
* ``rN1``: regional nodal disease recorded after the primary was resected (recurrence);
* the M category each time the set of organs with distant metastases changes
  (:func:`netline.records.involvement_changes`, which honours "no evidence of disease" and
  scans that find an organ clear).

References
----------
.. [1] Brierley JD et al. TNM Classification of Malignant Tumours, 8th ed. Wiley; 2016
   (prefixes c, p, y and r).
.. [2] Amin MB et al. AJCC Cancer Staging Manual, 8th ed. Springer; 2017.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from netline.clinical._result import Finding
from netline.clinical.tnm import Edition, TNMStage, m_category
from netline.records.model import (
    CaseRecord,
    LocalTherapy,
    Surgery,
    SystemicTherapy,
    involvement_changes,
)
from netline.records.vocabulary import (
    LocalTherapyTarget,
    Organ,
    SurgeryIntent,
    label,
)

__all__ = [
    "MStatus",
    "StagingBasis",
    "m_over_time",
    "nodal_recurrence",
    "primary_resection",
    "staging_basis",
    "staging_code",
]


@dataclass(frozen=True, slots=True)
class StagingBasis:
    """Which TNM classification the record supports, and why."""

    prefix: str
    resection: dt.date | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "prefix": self.prefix,
            "resection": None if self.resection is None else self.resection.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class MStatus:
    """The M category from a date on, with the organs that make it."""

    since: dt.date
    organs: tuple[Organ, ...]
    m: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "since": self.since.isoformat(),
            "organs": [organ.value for organ in self.organs],
            "m": dict(self.m),
        }


def primary_resection(record: CaseRecord) -> Surgery | None:
    """Return the first surgery that removed pancreatic tissue (not a diagnostic one)."""
    return next(
        (
            s
            for s in record.of_type(Surgery)
            if Organ.PANCREAS in s.organs and s.intent is not SurgeryIntent.DIAGNOSTIC
        ),
        None,
    )


def staging_basis(record: CaseRecord) -> StagingBasis:
    """Choose the TNM prefix for the primary from the record.

    Returns
    -------
    StagingBasis
        ``c`` without a resection of the primary; ``yp`` when antitumour systemic therapy
        started, or a local therapy aimed at the primary was given, before that resection
        (an agent given only for syndrome control does not count); ``p`` otherwise.
    """
    resection = primary_resection(record)
    if resection is None:
        return StagingBasis("c", None, "no resection of the primary recorded: clinical (c)")
    before = [
        label(t.agent)
        for t in record.of_type(SystemicTherapy)
        if t.start < resection.date and t.given_for == "antitumour"
    ] + [
        label(t.modality)
        for t in record.of_type(LocalTherapy)
        if t.date < resection.date and t.target is LocalTherapyTarget.PRIMARY
    ]
    if before:
        treatments = ", ".join(dict.fromkeys(before))
        return StagingBasis(
            "yp",
            resection.date,
            f"primary resected on {resection.date.isoformat()} after {treatments}: "
            "post-therapy pathological classification (yp)",
        )
    return StagingBasis(
        "p",
        resection.date,
        f"primary resected on {resection.date.isoformat()} before any therapy: pathological (p)",
    )


def staging_code(stage: TNMStage, prefix: str) -> str:
    """Write a TNM classification with the record's prefix, e.g. ``"ypT3 N0 M0, stage II"``."""
    suffix = "(m)" if stage.multiple else ""
    group = (
        f"stage {stage.stage_group.value}"
        if stage.stage_group is not None
        else "stage not assignable"
    )
    return f"{prefix}{stage.t.value}{suffix} {stage.n.value} {stage.m.value}, {group}"


def m_over_time(
    record: CaseRecord, editions: tuple[Edition, ...]
) -> tuple[tuple[MStatus, ...], tuple[Finding[Any], ...]]:
    """Return the M category each time the organs with distant metastases change.

    Returns
    -------
    tuple
        The statuses in date order (M0 when every distant organ has been cleared), and the
        M findings of the last status (rule, reason and references).
    """
    statuses: list[MStatus] = []
    findings: tuple[Finding[Any], ...] = ()
    for since, organs in involvement_changes(record):
        found = tuple(m_category(organs, edition=edition) for edition in editions)
        statuses.append(
            MStatus(
                since,
                tuple(sorted(organs)),
                {str(e.value): f.value.value for e, f in zip(editions, found, strict=True)},
            )
        )
        findings = found
    return tuple(statuses), findings


def nodal_recurrence(record: CaseRecord) -> dt.date | None:
    """Return the date regional nodal disease was first recorded after the primary resection.

    Nodal disease after a resection is a recurrence, written ``rN1``. Nodal involvement that
    was recorded before the resection and never recorded as cleared (a "no evidence of disease"
    status or a scan listing the regional nodes clear) is persisting disease, not a recurrence.
    """
    resection = primary_resection(record)
    if resection is None:
        return None
    node = Organ.REGIONAL_LYMPH_NODE
    before = False
    for since, organs in involvement_changes(record, distant_only=False):
        now = node in organs
        if since > resection.date and now and not before:
            return since
        before = now
    return None
