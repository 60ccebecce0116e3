"""Plausibility checks: values that are possible but unusual enough to be checked.

Validity (the record's model) refuses what cannot be true; plausibility warns about what is
unlikely to be true: a PRRT activity above the label, a pathological complete response with
tumour-bearing lesions, ECOG and Karnofsky scores that contradict each other, an age at
diagnosis over 110, a resection before the diagnosis, a decision date after the last
follow-up, a lab value far outside anything physiological. Each threshold is data
(``records/data/plausibility.yaml``) with its source and verification tag.

References
----------
.. [1] LUTATHERA US prescribing information, section 2.2 (7.4 GBq every 8 weeks, 4 doses).
.. [2] Oken MM et al. Toxicity and response criteria of the Eastern Cooperative Oncology
   Group. Am J Clin Oncol 1982;5:649-55.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from netline.records.model import CaseRecord, LabPanel, LocalTherapy, Surgery, SystemicTherapy

__all__ = ["PlausibilityWarning", "plausibility_warnings"]


@dataclass(frozen=True, slots=True)
class PlausibilityWarning:
    """A value that is valid but implausible, with the threshold it passes and its source.

    Parameters
    ----------
    location : str
        Field path in the case file (``events[7].cycles[0].activity_gbq``).
    value : object
        The value found.
    message : str
        What is unusual, in plain words.
    threshold : str
        The threshold or rule, with its unit.
    source : str
        The citation of the threshold.
    status : str
        Verification tag of the threshold: ``verified``, ``recalled`` or ``uncertain``.
    """

    location: str
    value: object
    message: str
    threshold: str
    source: str
    status: str

    def __str__(self) -> str:
        return (
            f"{self.location}: {self.message} (got {self.value!r}; {self.threshold}) "
            f"[{self.status}]"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the warning as JSON-ready data."""
        value = self.value if isinstance(self.value, int | float | str | bool) else str(self.value)
        return {
            "location": self.location,
            "value": value,
            "message": self.message,
            "threshold": self.threshold,
            "source": self.source,
            "status": self.status,
        }


@functools.cache
def _thresholds() -> dict[str, Any]:
    from netline._inputs import parse_document

    text = resources.files("netline.records").joinpath("data/plausibility.yaml").read_text("utf-8")
    data: dict[str, Any] = parse_document(text, source="plausibility.yaml").data
    return data


def _source(key: str) -> str:
    reference = _thresholds()["references"][key]
    return " ".join(str(reference["citation"]).split())


def plausibility_warnings(
    record: CaseRecord, *, at: dt.date | None = None
) -> list[PlausibilityWarning]:
    """Return every plausibility warning for a record, in the order of the case file.

    Parameters
    ----------
    record : CaseRecord
        A valid record.
    at : date, optional
        A decision date; warned about when it falls after the last follow-up or death.

    Returns
    -------
    list of PlausibilityWarning
        Empty when nothing is unusual. Warnings never make a record invalid.

    Examples
    --------
    >>> from netline.records import load_case
    >>> plausibility_warnings(load_case("examples/seed-case.yaml"))  # doctest: +SKIP
    []
    """
    found: list[PlausibilityWarning] = []
    for check in (_age, _performance, _before_diagnosis, _prrt, _complete_response, _labs):
        found.extend(check(record))
    if at is not None:
        found.extend(_decision_date(record, at))
    return found


def _age(record: CaseRecord) -> Iterator[PlausibilityWarning]:
    limits = _thresholds()["age"]
    diagnosed = record.primary.diagnosed
    age = record.patient.age_at(diagnosed) if diagnosed is not None else None
    if age is not None and age > limits["max_at_diagnosis_years"]:
        yield PlausibilityWarning(
            "primary.diagnosed",
            str(diagnosed),
            f"age at diagnosis {age:.1f} years",
            f"ages over {limits['max_at_diagnosis_years']} years are exceptional",
            _source(limits["ref"]),
            limits["status"],
        )


def _performance(record: CaseRecord) -> Iterator[PlausibilityWarning]:
    rules = _thresholds()["performance"]
    table = {int(k): v for k, v in rules["ecog_to_karnofsky"].items()}
    tolerance = rules["tolerance"]
    entries = record.patient.performance
    for i, entry in enumerate(entries):
        ecog = entry.ecog
        same_day = [
            other.karnofsky
            for other in entries
            if other.date == entry.date and other.karnofsky is not None
        ]
        if ecog is None or not same_day:
            continue
        low, high = table[ecog]
        for karnofsky in same_day:
            if not low - tolerance <= karnofsky <= high + tolerance:
                yield PlausibilityWarning(
                    f"patient.performance[{i}]",
                    f"ECOG {ecog}, Karnofsky {karnofsky}",
                    "ECOG and Karnofsky scores on the same day contradict each other",
                    f"ECOG {ecog} corresponds to Karnofsky {low}-{high} (±{tolerance} tolerated)",
                    _source(rules["ref"]),
                    rules["status"],
                )


def _before_diagnosis(record: CaseRecord) -> Iterator[PlausibilityWarning]:
    diagnosed = record.primary.diagnosed
    if diagnosed is None:
        return
    for i, event in enumerate(record.events):
        if isinstance(event, Surgery | LocalTherapy) and event.date < diagnosed:
            yield PlausibilityWarning(
                f"events[{i}].date",
                str(event.date),
                f"a {event.type.replace('_', ' ')} before the diagnosis ({diagnosed})",
                "treatment follows the diagnosis; check primary.diagnosed and this date",
                "consistency rule (no external threshold)",
                "verified",
            )


def _prrt(record: CaseRecord) -> Iterator[PlausibilityWarning]:
    labels = _thresholds()["prrt"]
    totals: dict[str, float] = {}
    for i, event in enumerate(record.events):
        if not isinstance(event, SystemicTherapy) or event.agent.value not in labels:
            continue
        label = labels[event.agent.value]
        source = _source(label["ref"])
        for j, cycle in enumerate(event.cycles):
            if cycle.activity_gbq is None:
                continue
            if cycle.activity_gbq > label["per_cycle_gbq"]:
                yield PlausibilityWarning(
                    f"events[{i}].cycles[{j}].activity_gbq",
                    cycle.activity_gbq,
                    "activity per cycle above the label",
                    f"label: {label['per_cycle_gbq']} GBq per cycle",
                    source,
                    label["status"],
                )
            before = totals.get(event.agent.value, 0.0)
            after = before + cycle.activity_gbq
            totals[event.agent.value] = after
            if before <= label["cumulative_gbq"] < after:
                yield PlausibilityWarning(
                    f"events[{i}].cycles[{j}].activity_gbq",
                    round(after, 2),
                    "cumulative activity above the label (re-treatment?)",
                    f"label: {label['cumulative_gbq']} GBq in {label['cycles']} cycles",
                    source,
                    label["status"],
                )


def _complete_response(record: CaseRecord) -> Iterator[PlausibilityWarning]:
    for i, event in enumerate(record.events):
        pathology = event.pathology if isinstance(event, Surgery) else None
        if pathology is None or pathology.viable_tumour is not False:
            continue
        lesions = pathology.lesions_with_tumour or 0
        nodes = pathology.nodes.positive if pathology.nodes is not None else None
        if lesions > 0 or (nodes or 0) > 0:
            yield PlausibilityWarning(
                f"events[{i}].pathology",
                f"{lesions} tumour-bearing lesion(s), {nodes or 0} positive node(s)",
                "pathological complete response (no viable tumour) with tumour-bearing tissue",
                "a complete response means no viable tumour in any specimen",
                "definition of pathological complete response",
                "verified",
            )


def _labs(record: CaseRecord) -> Iterator[PlausibilityWarning]:
    rules = _thresholds()["labs"]
    bounds = rules["bounds"]
    source = _source(rules["ref"])
    for i, event in enumerate(record.events):
        if not isinstance(event, LabPanel):
            continue
        for j, result in enumerate(event.results):
            limits = bounds.get(result.analyte.value)
            if limits is None:
                continue
            low, high = limits
            if not low <= result.value <= high:
                yield PlausibilityWarning(
                    f"events[{i}].results[{j}].value",
                    result.value,
                    f"{result.analyte.value.replace('_', ' ')} {result.value:g} {result.unit} "
                    "is outside any physiological range (unit slip?)",
                    f"screen: {low:g}-{high:g} {result.unit}",
                    source,
                    rules["status"],
                )


def _decision_date(record: CaseRecord, at: dt.date) -> Iterator[PlausibilityWarning]:
    patient = record.patient
    if patient.death_date is not None and at > patient.death_date:
        yield PlausibilityWarning(
            "--at",
            str(at),
            f"a decision date after death ({patient.death_date})",
            "a decision needs a living patient",
            "consistency rule (no external threshold)",
            "verified",
        )
    elif patient.last_follow_up is not None and at > patient.last_follow_up:
        yield PlausibilityWarning(
            "--at",
            str(at),
            f"a decision date after the last follow-up ({patient.last_follow_up})",
            "nothing is known about the patient after the last follow-up",
            "consistency rule (no external threshold)",
            "verified",
        )
