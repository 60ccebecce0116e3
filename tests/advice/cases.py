"""Small clinical records for the advice scenarios, built from a few keyword arguments.

Every case: a pancreatic NET diagnosed 2018-01-01, decision on 2021-01-01 (``AT``). Lines are
``(agents, start, stop, reason)`` with ISO dates; ``progressing`` puts a CT with a recorded
response at the decision date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from netline.records import CaseRecord

AT = dt.date(2021, 1, 1)
_LAB_UNITS = {
    "platelets": "10^9/L",
    "haemoglobin": "g/dL",
    "white_cells": "10^9/L",
    "neutrophils": "10^9/L",
    "creatinine": "mg/dL",
    "creatinine_clearance": "mL/min",
    "bilirubin": "mg/dL",
    "albumin": "g/L",
    "inr": "ratio",
    "icg_r15": "%",
}
NORMAL_LABS: dict[str, float] = {
    "platelets": 220,
    "haemoglobin": 13.5,
    "white_cells": 6.0,
    "neutrophils": 3.5,
    "creatinine_clearance": 95,
    "bilirubin": 0.6,
    "albumin": 42,
}
Line = tuple[Sequence[str] | str, str, str | None, str | None]


def make_case(
    *,
    ki67: float | None = 5.0,
    mitoses: float | None = None,
    differentiation: str = "well",
    site: str = "pancreas_tail",
    functioning: str = "none",
    krenning: int | None = 3,
    sstr_lesions: dict[str, int] | None = None,
    fdg_avid: Sequence[str] | None = None,
    organs: Sequence[str] = ("liver",),
    band: str | None = "<10%",
    lines: Sequence[Line] = (),
    response: str | None = "SD",
    status: str | None = None,
    symptomatic: bool | None = False,
    ecog: int | None = 0,
    karnofsky: int | None = 90,
    labs: dict[str, float] | None = None,
    lab_limits: dict[str, tuple[float | None, float | None]] | None = None,
    comorbidities: Sequence[str] = (),
    sex: str = "male",
    birth: str = "1960-06-01",
    weight: float | None = 75.0,
    primary_resected: bool = True,
    later_events: Sequence[dict[str, Any]] = (),
    extra_events: Sequence[dict[str, Any]] = (),
    metastases_found: str = "2019-01-01",
    diagnosed: str = "2018-01-01",
) -> CaseRecord:
    """Build a validated record; see the module docstring for the defaults."""
    histology: dict[str, Any] = {"specimen": "primary", "differentiation": differentiation}
    if ki67 is not None:
        histology["ki67_percent"] = ki67
    if mitoses is not None:
        histology["mitotic_count"] = {"count": mitoses, "unit": "per_2mm2"}
    events: list[dict[str, Any]] = []
    if primary_resected:
        events.append(
            {
                "id": "resection",
                "type": "surgery",
                "date": "2018-02-01",
                "procedure": "distal_pancreatectomy",
                "organs": ["pancreas"],
                "intent": "curative",
                "margin": "R0",
            }
        )
    events.extend(_line_events(lines))
    events.extend(_sstr_events(krenning, sstr_lesions, organs))
    events.extend(_fdg_events(fdg_avid))
    ct: dict[str, Any] = {
        "id": "ct-decision",
        "type": "imaging",
        "date": AT.isoformat(),
        "modality": "ct",
        "organs_involved": list(organs),
    }
    if band is not None:
        ct["liver_involvement"] = band
    if response is not None:
        ct["recorded_response"] = response
    events.append(ct)
    events.extend(_status_events(status, symptomatic, response))
    events.extend(_lab_events(labs, lab_limits))
    events.extend(extra_events)
    events.extend(later_events)
    performance = _performance(ecog, karnofsky)
    data: dict[str, Any] = {
        "id": "scenario",
        "synthetic": True,
        "patient": {
            "id": "p1",
            "sex": sex,
            "birth_date": birth,
            "performance": performance,
            "comorbidities": [{"kind": kind} for kind in comorbidities],
            "body": [] if weight is None else [{"date": "2020-12-15", "weight_kg": weight}],
        },
        "primary": {
            "site": site,
            "diagnosed": diagnosed,
            "functioning_syndrome": functioning,
            "histology": histology,
        },
        "metastases": [
            {"organ": organ, "found": metastases_found}
            for organ in organs
            if organ not in ("pancreas", "regional_lymph_node")
        ],
        "events": events,
    }
    return CaseRecord.model_validate(data)


def _status_events(
    status: str | None, symptomatic: bool | None, response: str | None
) -> list[dict[str, Any]]:
    """The clinician's status at the decision (progressing after a PD), when one is given."""
    if status is not None or symptomatic is not None:
        return [
            {
                "id": "status",
                "type": "disease_status",
                "date": AT.isoformat(),
                "status": status or ("progressing" if response == "PD" else "stable"),
                **({} if symptomatic is None else {"symptomatic_from_bulk": symptomatic}),
            }
        ]
    return []


def _sstr_events(
    krenning: int | None, sstr_lesions: dict[str, int] | None, organs: Sequence[str]
) -> list[dict[str, Any]]:
    """The SSTR scan before the decision (Krenning score and per-lesion uptake), if any."""
    if krenning is not None or sstr_lesions:
        scan: dict[str, Any] = {
            "id": "sstr",
            "type": "imaging",
            "date": "2020-12-01",
            "modality": "srs",
            "organs_involved": list(organs),
        }
        if krenning is not None:
            scan["sstr_uptake_score"] = krenning
        if sstr_lesions:
            scan["lesions"] = [
                {"id": lesion, "organ": "liver", "sstr_uptake": uptake}
                for lesion, uptake in sstr_lesions.items()
            ]
        return [scan]
    return []


def _fdg_events(fdg_avid: Sequence[str] | None) -> list[dict[str, Any]]:
    """The FDG-PET before the decision, with its avid lesions, if one was done."""
    if fdg_avid is not None:
        return [
            {
                "id": "fdg",
                "type": "imaging",
                "date": "2020-12-02",
                "modality": "fdg_pet",
                "lesions": [
                    {"id": lesion, "organ": "liver", "fdg_avid": True} for lesion in fdg_avid
                ],
            }
        ]
    return []


def _line_events(lines: Sequence[Line]) -> list[dict[str, Any]]:
    """One systemic-therapy event per agent of each line (PRRT with one cycle)."""
    events: list[dict[str, Any]] = []
    for i, (agents, start, stop, reason) in enumerate(lines):
        for agent in [agents] if isinstance(agents, str) else agents:
            episode: dict[str, Any] = {
                "id": f"line{i}-{agent}",
                "type": "systemic_therapy",
                "agent": agent,
                "start": start,
            }
            if stop is not None:
                episode["stop"] = stop
            if reason is not None:
                episode["reason_stopped"] = reason
            if agent.startswith("lu177"):
                episode["cycles"] = [{"date": start}]
            events.append(episode)
    return events


def _lab_events(
    labs: dict[str, float] | None,
    lab_limits: dict[str, tuple[float | None, float | None]] | None,
) -> list[dict[str, Any]]:
    """One lab panel with the given (or normal) values and limits; none when empty."""
    events: list[dict[str, Any]] = []
    values = dict(NORMAL_LABS if labs is None else labs)
    if values:
        results = []
        for analyte, value in values.items():
            result: dict[str, Any] = {
                "analyte": analyte,
                "value": value,
                "unit": _LAB_UNITS[analyte],
            }
            low, high = (lab_limits or {}).get(analyte, (None, None))
            if analyte == "bilirubin" and lab_limits is None:
                high = 1.2
            if low is not None:
                result["lower_limit"] = low
            if high is not None:
                result["upper_limit"] = high
            results.append(result)
        events.append({"id": "labs", "type": "labs", "date": "2020-12-15", "results": results})
    return events


def _performance(ecog: int | None, karnofsky: int | None) -> list[dict[str, Any]]:
    """The performance entry at the decision, when one is known."""
    performance = []
    if ecog is not None or karnofsky is not None:
        entry: dict[str, Any] = {"date": "2020-12-15"}
        if ecog is not None:
            entry["ecog"] = ecog
        if karnofsky is not None:
            entry["karnofsky"] = karnofsky
        performance.append(entry)
    return performance


SSA_PROGRESSED: list[Line] = [("lanreotide", "2019-02-01", "2020-12-31", "progression")]
