"""Resections that cleared the disease, and the recurrences that followed them.

A setting of its own for the tumour board is *no evidence of disease* (NED) after a resection:
the old disease no longer counts, and the question is follow-up, not treatment. The record
says it in one of two ways:

* a disease status ``no_evidence_of_disease`` dated on or after the last imaging that showed
  disease; or
* a resection (intent not diagnostic, palliative or debulking; margin R0, or not recorded with
  curative intent) whose organs cover every organ the last imaging before it showed (a
  pancreatic resection covers the regional nodes it removes with the primary).

Disease found afterwards (imaging that shows involved organs, a metastasis found, a disease
status of progression) ends the NED period: from then on the disease is a *recurrence after
resection*. Only data in the record cut at the decision date are read.

References
----------
.. [1] Kos-Kudła B et al. ENETS 2023 guidance paper for nonfunctioning pancreatic
   neuroendocrine tumours. J Neuroendocrinol 2023;35:e13343 (resection, follow-up).
.. [2] Pavel M et al. ENETS consensus guidelines update for neuroendocrine neoplasms of the
   jejunum and ileum / liver metastases. Neuroendocrinology 2016;103:172-185.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from netline.records.model import CaseRecord, DiseaseStatus, Imaging, Surgery
from netline.records.vocabulary import DiseaseStatusValue, Margin, Organ, SurgeryIntent

__all__ = ["ClearedPeriod", "ResectionHistory", "resection_history"]

_NOT_CLEARING = frozenset(
    {SurgeryIntent.DIAGNOSTIC, SurgeryIntent.PALLIATIVE, SurgeryIntent.DEBULKING}
)
_RECURRENCE_STATUSES = frozenset({DiseaseStatusValue.PROGRESSING, DiseaseStatusValue.MIXED})


@dataclass(frozen=True, slots=True)
class ClearedPeriod:
    """A period without evidence of disease.

    Attributes
    ----------
    start : date
        The resection (or NED status) that cleared the disease.
    end : date or None
        The first finding of disease afterwards; ``None`` while it lasts.
    reason : str
        Why netline reads the disease as cleared, in plain words.
    margin_known : bool
        Whether the resection margin is recorded (``False``: read as R0 from curative intent).
    """

    start: dt.date
    end: dt.date | None
    reason: str
    margin_known: bool = True


@dataclass(frozen=True, slots=True)
class ResectionHistory:
    """Periods without evidence of disease up to the decision date.

    Attributes
    ----------
    periods : tuple of ClearedPeriod
    """

    periods: tuple[ClearedPeriod, ...]

    @property
    def ned(self) -> ClearedPeriod | None:
        """The current period without evidence of disease, if the decision date falls in one."""
        if self.periods and self.periods[-1].end is None:
            return self.periods[-1]
        return None

    @property
    def recurrence_since(self) -> dt.date | None:
        """The date disease was found again after the last cleared period (``None``: never)."""
        if self.periods and self.periods[-1].end is not None:
            return self.periods[-1].end
        return None


def _covered(resected: set[Organ]) -> set[Organ]:
    covered = set(resected)
    if Organ.PANCREAS in covered:
        covered.add(Organ.REGIONAL_LYMPH_NODE)
    return covered


def _disease_before(record: CaseRecord, when: dt.date, cleared_at: dt.date | None) -> set[Organ]:
    """Organs involved just before a date: the last imaging with organs, else the metastases."""
    scans = [s for s in record.of_type(Imaging) if s.organs_involved and s.date <= when]
    if scans and (cleared_at is None or scans[-1].date >= cleared_at):
        return set(scans[-1].organs_involved)
    organs = {
        m.organ
        for m in record.metastases
        if m.found <= when and (cleared_at is None or m.found > cleared_at)
    }
    if cleared_at is None:
        organs.add(Organ.PANCREAS)
    return organs


def _clears(record: CaseRecord, surgery: Surgery, cleared_at: dt.date | None) -> str | None:
    if surgery.intent in _NOT_CLEARING or surgery.margin in (Margin.R1, Margin.R2, Margin.RX):
        return None
    if (
        surgery.margin is None
        and surgery.intent is not SurgeryIntent.CURATIVE
        and not (surgery.pathology is not None and surgery.pathology.viable_tumour is False)
    ):
        return None
    disease = _disease_before(record, surgery.date, cleared_at)
    if not disease or not disease <= _covered(set(surgery.organs)):
        return None
    what = surgery.procedure.value.replace("_", " ")
    margin = surgery.margin.value if surgery.margin is not None else "margin not recorded"
    return f"{what} on {surgery.date.isoformat()} ({margin}) removed all known disease"


def _disease_found(record: CaseRecord, after: dt.date) -> dt.date | None:
    found: list[dt.date] = []
    found += [s.date for s in record.of_type(Imaging) if s.date > after and s.organs_involved]
    found += [m.found for m in record.metastases if m.found > after]
    found += [
        s.date
        for s in record.of_type(DiseaseStatus)
        if s.date > after and s.status in _RECURRENCE_STATUSES
    ]
    return min(found) if found else None


def resection_history(record: CaseRecord) -> ResectionHistory:
    """Return the periods without evidence of disease in a record (cut at the decision date).

    Parameters
    ----------
    record : CaseRecord
        The record as it stood on the decision date (:func:`~netline.advice.record_as_of`).

    Returns
    -------
    ResectionHistory

    References
    ----------
    .. [1] Kos-Kudła B et al. J Neuroendocrinol 2023;35:e13343 (ENETS NF-pNET).
    """
    clearing: list[tuple[dt.date, str, bool]] = []
    last_cleared: dt.date | None = None
    events: list[Surgery | DiseaseStatus] = [
        *record.of_type(Surgery),
        *record.of_type(DiseaseStatus),
    ]
    events.sort(key=lambda e: e.date)
    for event in events:
        if isinstance(event, Surgery):
            reason = _clears(record, event, last_cleared)
            margin_known = event.margin is not None
        elif event.status is DiseaseStatusValue.NO_EVIDENCE_OF_DISEASE:
            reason = f"disease status 'no evidence of disease' on {event.date.isoformat()}"
            margin_known = True
        else:
            continue
        if reason is None:
            continue
        if last_cleared is not None:
            found = _disease_found(record, last_cleared)
            if found is None or found > event.date:
                continue  # still within the same cleared period
        clearing.append((event.date, reason, margin_known))
        last_cleared = event.date
    periods: list[ClearedPeriod] = []
    for i, (start, reason, margin_known) in enumerate(clearing):
        end = _disease_found(record, start)
        following = clearing[i + 1][0] if i + 1 < len(clearing) else None
        if end is not None and following is not None and end > following:
            end = following
        periods.append(ClearedPeriod(start, end, reason, margin_known))
    return ResectionHistory(tuple(periods))
