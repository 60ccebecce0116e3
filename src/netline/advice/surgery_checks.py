"""Small checks of the liver-surgery assessment (criteria, own-case precedent, restaging)."""

from __future__ import annotations

import datetime as dt

from netline._time import DAYS_PER_MONTH
from netline.advice._kb import KBIndex
from netline.advice._points import Point
from netline.advice.eligibility import ProfileCheck
from netline.advice.state import DecisionState
from netline.evidence.schema import GuidelineStatement

#: Restaging is asked for when the last SSTR imaging is older than this (netline's reading).
_RESTAGING_MONTHS = 3.0


def _criterion(profile: ProfileCheck, criterion_id: str) -> tuple[str, str, str] | None:
    for check in profile.checks:
        if check.id == criterion_id:
            return check.outcome, check.ref, check.status
    return None


def _own_case(state: DecisionState, index: KBIndex, key: str) -> bool:
    """Whether the record is the published case a reference reports (never its own precedent)."""
    try:
        reference = index.kb.reference(key)
    except KeyError:
        return False
    doi = getattr(reference, "doi", None)
    source = (state.case_source or "").lower()
    return bool(doi) and str(doi).lower() in source


def _restaging(state: DecisionState) -> Point | None:
    """Ask for SSTR-PET restaging before surgery when the last SSTR imaging is old or absent."""
    if state.sstr_date is None:
        return Point("Restage with SSTR-PET before surgery (no SSTR imaging recorded)", (), "check")
    months = (state.at - state.sstr_date).days / DAYS_PER_MONTH
    if months > _RESTAGING_MONTHS or state.sstr_modality != "sstr_pet":
        what = "SRS" if state.sstr_modality == "srs" else "SSTR imaging"
        return Point(
            f"Restage with SSTR-PET before surgery (last {what} on "
            f"{state.sstr_date.isoformat()}, {months:.1f} months before)",
            (),
            "check",
        )
    return None


def _iso(value: dt.date | None) -> str:
    return "undated" if value is None else value.isoformat()


def _statement(index: KBIndex, statement_id: str) -> GuidelineStatement | None:
    try:
        return index.kb.statement(statement_id)
    except KeyError:
        return None
