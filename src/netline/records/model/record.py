"""The whole record: one patient's course, the rules across events, and tumour burden over time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal, TypeVar

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from netline.errors import Problem
from netline.records.model._base import Identifier, _Model
from netline.records.model.events import LocalTherapy, Medication, Surgery, SystemicTherapy
from netline.records.model.observations import (
    AdverseEvent,
    DiseaseStatus,
    Imaging,
    LabPanel,
)
from netline.records.model.patient import Patient
from netline.records.model.tumour import Histology, Metastasis, PrimaryTumour
from netline.records.vocabulary import DiseaseStatusValue, Organ

__all__ = [
    "EVENT_TYPES",
    "CaseRecord",
    "Event",
    "integrity_problems",
    "involved_organs",
    "involvement_changes",
    "no_evidence_of_disease_since",
]

Event = Annotated[
    Surgery
    | LocalTherapy
    | SystemicTherapy
    | Medication
    | Imaging
    | LabPanel
    | AdverseEvent
    | DiseaseStatus,
    Field(discriminator="type"),
]
EVENT_TYPES = (
    "surgery",
    "local_therapy",
    "systemic_therapy",
    "medication",
    "imaging",
    "labs",
    "adverse_event",
    "disease_status",
)

E = TypeVar("E")


class CaseRecord(_Model):
    """One patient's NET course.

    Parameters
    ----------
    id : str
        Identifier of the case.
    patient : Patient
    primary : PrimaryTumour
    metastases : list of Metastasis
    events : list of Event
        Surgery, local therapy, systemic therapy, medication, imaging, labs, adverse events
        and disease status, in any order (:attr:`timeline` sorts them).
    index_date : date, optional
        The anchor of relative dates in the case file.
    source : str, optional
        Where the case comes from (a publication for published cases).
    synthetic : bool
        Whether the case is synthetic.
    assumptions : list of str
        Assumptions made when encoding the case (e.g. dates derived from ages).
    """

    netline_case: Literal[1] = 1
    id: Identifier
    source: str | None = None
    synthetic: bool = False
    index_date: dt.date | None = None
    assumptions: list[str] = Field(default_factory=list)
    patient: Patient
    primary: PrimaryTumour
    metastases: list[Metastasis] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _integrity(self) -> CaseRecord:
        problems = list(integrity_problems(self))
        if problems:
            raise PydanticCustomError(
                "record_integrity",
                "{summary}",
                {"summary": "; ".join(str(p) for p in problems), "problems": problems},
            )
        return self

    @property
    def timeline(self) -> list[Event]:
        """Events sorted by date (stable for events on the same day)."""
        return sorted(self.events, key=lambda event: event.when)

    def of_type(self, kind: type[E]) -> list[E]:
        """Events of one type, in date order."""
        return [event for event in self.timeline if isinstance(event, kind)]

    @property
    def specimens(self) -> list[tuple[Histology, dt.date | None]]:
        """Every histology with its date: the primary's first, then each resection's in order.

        A specimen without its own date takes the diagnosis date (primary) or the surgery date.
        """
        found: list[tuple[Histology, dt.date | None]] = []
        if self.primary.histology is not None:
            histology = self.primary.histology
            found.append((histology, histology.date or self.primary.diagnosed))
        for surgery in self.of_type(Surgery):
            if surgery.pathology is not None and surgery.pathology.histology is not None:
                histology = surgery.pathology.histology
                found.append((histology, histology.date or surgery.date))
        return found

    def involved_organs(self, when: dt.date) -> frozenset[Organ]:
        """Organs with tumour on a date (see :func:`involved_organs`)."""
        return involved_organs(self, when)

    @property
    def last_date(self) -> dt.date:
        """The last date the record knows about."""
        candidates = [e.until for e in self.events] + [m.found for m in self.metastases]
        for extra in (self.patient.last_follow_up, self.patient.death_date, self.primary.diagnosed):
            if extra is not None:
                candidates.append(extra)
        return max(candidates) if candidates else dt.date.today()


def _dated_items(record: CaseRecord) -> Iterator[tuple[str, dt.date]]:
    for i, event in enumerate(record.events):
        started = isinstance(event, SystemicTherapy | Medication)
        yield f"events[{i}].{'start' if started else 'date'}", event.when
        if event.until != event.when:
            yield f"events[{i}].stop", event.until
    for i, met in enumerate(record.metastases):
        yield f"metastases[{i}].found", met.found
    for i, ps in enumerate(record.patient.performance):
        yield f"patient.performance[{i}].date", ps.date
    if record.primary.diagnosed is not None:
        yield "primary.diagnosed", record.primary.diagnosed


def integrity_problems(record: CaseRecord) -> Iterator[Problem]:
    """Yield every rule broken across the record (order of events, ids, follow-up)."""
    patient = record.patient
    born = patient.birth_date or (
        dt.date(patient.birth_year, 1, 1) if patient.birth_year is not None else None
    )
    death = patient.death_date
    latest_event: tuple[str, dt.date] | None = None
    for location, when in _dated_items(record):
        if born is not None and when < born:
            yield Problem(location, str(when), f"a date on or after birth ({born})")
        if death is not None and when > death:
            yield Problem(location, str(when), f"a date on or before death ({death})")
        if latest_event is None or when > latest_event[1]:
            latest_event = (location, when)
    if death is not None and born is not None and death < born:
        yield Problem("patient.death_date", str(death), f"a date after birth ({born})")
    follow_up = patient.last_follow_up
    if follow_up is not None:
        if latest_event is not None and follow_up < latest_event[1]:
            yield Problem(
                "patient.last_follow_up",
                str(follow_up),
                f"a date on or after the last event ({latest_event[0]} on {latest_event[1]})",
            )
        if death is not None and follow_up > death:
            yield Problem(
                "patient.last_follow_up", str(follow_up), f"no later than death ({death})"
            )
    seen: dict[str, int] = {}
    for i, event in enumerate(record.events):
        if event.id is None:
            continue
        if event.id in seen:
            yield Problem(
                f"events[{i}].id", event.id, f"an id not already used by events[{seen[event.id]}]"
            )
        else:
            seen[event.id] = i
    if record.primary.diagnosed is not None:
        for i, event in enumerate(record.events):
            if isinstance(event, SystemicTherapy) and event.start < record.primary.diagnosed:
                yield Problem(
                    f"events[{i}].start",
                    str(event.start),
                    f"a start on or after the diagnosis ({record.primary.diagnosed})",
                )


# --------------------------------------------------------------------------- burden over time


_Found = list[tuple[dt.date, Organ]]
_Clear = list[tuple[dt.date, Organ | None]]


def _evidence(record: CaseRecord) -> tuple[_Found, _Clear]:
    """Positive (tumour found) and negative (found free; ``None`` = everywhere) evidence."""
    found: list[tuple[dt.date, Organ]] = [(m.found, m.organ) for m in record.metastases]
    clear: list[tuple[dt.date, Organ | None]] = []
    for event in record.events:
        if isinstance(event, Imaging):
            found.extend((event.date, organ) for organ in event.organs_involved)
            clear.extend((event.date, organ) for organ in event.organs_clear)
        elif (
            isinstance(event, DiseaseStatus)
            and event.status is DiseaseStatusValue.NO_EVIDENCE_OF_DISEASE
        ):
            clear.append((event.date, None))
    return found, clear


def involved_organs(record: CaseRecord, when: dt.date) -> frozenset[Organ]:
    """Organs with tumour on a date, as the record shows it.

    An organ is involved from the first date tumour is recorded there (a metastasis found, or
    a scan listing it in ``organs_involved``) until a later date that clears it: a disease
    status of "no evidence of disease" (clears every organ, e.g. after a resection) or a scan
    listing the organ in ``organs_clear``. Tumour found there again makes it involved again.
    On one date, clearing evidence wins over finding evidence.

    Parameters
    ----------
    record : CaseRecord
    when : date
        The date to look at (evidence dated on it counts).

    Returns
    -------
    frozenset of Organ
        Includes the pancreas and regional nodes when recorded; use :attr:`Organ.is_distant`
        for the M category.
    """
    found, clear = _evidence(record)
    last_found: dict[Organ, dt.date] = {}
    for date, organ in found:
        if date <= when and (organ not in last_found or date > last_found[organ]):
            last_found[organ] = date
    involved = set()
    for organ, seen in last_found.items():
        cleared = any(
            seen <= date <= when and (target is None or target is organ) for date, target in clear
        )
        if not cleared:
            involved.add(organ)
    return frozenset(involved)


def involvement_changes(
    record: CaseRecord, *, distant_only: bool = True
) -> list[tuple[dt.date, frozenset[Organ]]]:
    """Each date on which the set of involved organs changes, with the new set.

    Parameters
    ----------
    record : CaseRecord
    distant_only : bool
        Only distant organs (those that make M1); ``False`` includes the pancreas and the
        regional nodes.
    """
    found, clear = _evidence(record)
    dates = sorted({d for d, _ in found} | {d for d, _ in clear})
    changes: list[tuple[dt.date, frozenset[Organ]]] = []
    previous: frozenset[Organ] = frozenset()
    for date in dates:
        organs = involved_organs(record, date)
        if distant_only:
            organs = frozenset(o for o in organs if o.is_distant)
        if organs != previous:
            changes.append((date, organs))
            previous = organs
    return changes


def no_evidence_of_disease_since(record: CaseRecord, when: dt.date) -> dt.date | None:
    """Return the date since which the record shows no evidence of disease, if it does.

    That is the latest "no evidence of disease" status on or before ``when``, provided no
    tumour has been recorded after it (and up to ``when``) and no later status says disease
    is present (progressing, stable, responding or mixed).
    """
    found, clear = _evidence(record)
    ned = [date for date, target in clear if target is None and date <= when]
    if not ned:
        return None
    since = max(ned)
    if any(since < date <= when for date, _ in found):
        return None
    later_status = (
        d
        for d in record.of_type(DiseaseStatus)
        if since < d.date <= when and d.status in _DISEASE_PRESENT
    )
    if any(True for _ in later_status):
        return None
    return since


_DISEASE_PRESENT = frozenset(
    {
        DiseaseStatusValue.PROGRESSING,
        DiseaseStatusValue.STABLE,
        DiseaseStatusValue.RESPONDING,
        DiseaseStatusValue.MIXED,
    }
)
