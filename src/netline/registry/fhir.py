"""FHIR R4 Bundles shaped on mCODE STU4, to and from netline records (fhir.resources R4B).

fhir.resources 8 models FHIR R5 by default; its ``R4B`` subpackage models R4B, which is
wire-compatible with R4 for every resource used here, so the Bundles are built and validated
with ``fhir.resources.R4B``.

One Bundle (type ``collection``) per patient:

=========================  ==================================================================
netline                    FHIR resource (mCODE profile named in ``meta.profile``)
=========================  ==================================================================
patient                    Patient (``mcode-cancer-patient``): gender, birthDate, deceased
primary tumour             Condition (``mcode-primary-cancer-condition``): onset, body site
metastasis                 Condition (``mcode-secondary-cancer-condition``): onset, body site
Ki-67, mitotic count,      Observation with a netline code (NET-specific, not in mCODE)
SSTR uptake, syndrome
systemic therapy           MedicationAdministration
                           (``mcode-cancer-related-medication-administration``)
surgery / local therapy    Procedure (``mcode-cancer-related-surgical-procedure``)
imaging, disease status    Observation (``mcode-cancer-disease-status`` for disease status)
labs, adverse events       Observation (laboratory) / AdverseEvent
=========================  ==================================================================

What mCODE has no element for (lesion measurements, pathology details, assumptions, notes)
travels in one documented extension per resource, ``netline-details`` (a JSON string of the
netline fields of that item), so that a netline record round-trips field by field. An import
from a Bundle written elsewhere (without ``netline-details``) reads the standard elements:
patient, primary site and diagnosis date, metastases, and systemic therapies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from netline.errors import InvalidInputError, InvalidRecordError, Problem
from netline.records import CaseRecord, Imaging, record_from_data

__all__ = [
    "DETAILS_URL",
    "NET_CODES",
    "bundle_from_record",
    "prefetch_record",
    "read_bundles",
    "record_from_bundle",
    "write_bundle",
]

#: The extension carrying the netline fields of one item as JSON.
DETAILS_URL = "https://netline.dev/fhir/StructureDefinition/netline-details"
#: Code system of netline's NET-specific observations and of its agents, sites and organs.
CODE_SYSTEM = "https://netline.dev/fhir/CodeSystem/netline"
_MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
#: NET-specific observations (netline codes; mCODE has no element for them).
NET_CODES = {
    "ki67-index": "Ki-67 proliferation index (%)",
    "mitotic-count": "Mitotic count",
    "sstr-uptake": "Somatostatin-receptor uptake (Krenning score)",
    "functioning-syndrome": "Hormonal (functioning) syndrome",
}
_EVENT_RESOURCE = {
    "systemic_therapy": (
        "MedicationAdministration",
        "mcode-cancer-related-medication-administration",
    ),
    "surgery": ("Procedure", "mcode-cancer-related-surgical-procedure"),
    "local_therapy": ("Procedure", "mcode-cancer-related-surgical-procedure"),
    "imaging": ("Observation", None),
    "disease_status": ("Observation", "mcode-cancer-disease-status"),
    "labs": ("Observation", None),
    "adverse_event": ("AdverseEvent", None),
}


def _details(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"url": DETAILS_URL, "valueString": json.dumps(data, sort_keys=True, ensure_ascii=False)}
    ]


def _code(code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": CODE_SYSTEM, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], "text": display or code}


def _meta(profile: str | None) -> dict[str, Any]:
    return {"profile": [_MCODE + profile]} if profile else {}


def _event_resource(
    kind: str, event: dict[str, Any], rid: str, subject: dict[str, str]
) -> dict[str, Any]:
    rtype, profile = _EVENT_RESOURCE[kind]
    out: dict[str, Any] = {"resourceType": rtype, "id": rid, "meta": _meta(profile)}
    if rtype == "MedicationAdministration":
        period = {"start": event["start"]} | ({"end": event["stop"]} if event.get("stop") else {})
        out |= {
            "status": "completed" if event.get("stop") else "in-progress",
            "medicationCodeableConcept": _code(event["agent"]),
            "subject": subject,
            "effectivePeriod": period,
        }
    elif rtype == "Procedure":
        name = event.get("procedure") or event.get("modality")
        out |= {
            "status": "completed",
            "code": _code(str(name)),
            "subject": subject,
            "performedDateTime": event["date"],
        }
    elif rtype == "AdverseEvent":
        out |= {
            "actuality": "actual",
            "event": {"text": event["term"]},
            "subject": subject,
            "date": event["date"],
        }
    else:
        category = "laboratory" if kind == "labs" else "imaging"
        value = event.get("status") or event.get("recorded_response")
        out |= {
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": category,
                        }
                    ]
                }
            ],
            "code": _code(kind),
            "subject": subject,
            "effectiveDateTime": event["date"],
        } | ({"valueCodeableConcept": _code(str(value))} if value else {})
    out["extension"] = _details(event)
    return out


def _net_observations(
    record: CaseRecord, pid: str, subject: dict[str, str]
) -> list[dict[str, Any]]:
    primary = record.primary
    found: list[tuple[str, dict[str, Any]]] = []
    histology = primary.histology
    if histology is not None and histology.ki67_percent is not None:
        found.append(
            ("ki67-index", {"valueQuantity": {"value": histology.ki67_percent, "unit": "%"}})
        )
    if histology is not None and histology.mitotic_count is not None:
        count = histology.mitotic_count
        found.append(
            ("mitotic-count", {"valueQuantity": {"value": count.count, "unit": count.unit}})
        )
    scores = [
        i.sstr_uptake_score for i in record.of_type(Imaging) if i.sstr_uptake_score is not None
    ]
    if scores:
        found.append(
            ("sstr-uptake", {"valueInteger": int(max(s for s in scores if s is not None))})
        )
    found.append(
        (
            "functioning-syndrome",
            {"valueCodeableConcept": _code(primary.functioning_syndrome.value)},
        )
    )
    return [
        {
            "resourceType": "Observation",
            "id": f"{pid}-{code}",
            "status": "final",
            "code": _code(code, NET_CODES[code]),
            "subject": subject,
        }
        | value
        for code, value in found
    ]


def bundle_from_record(record: CaseRecord) -> dict[str, Any]:
    """Return one patient's record as a FHIR R4 Bundle (JSON-ready dict), validated.

    Raises
    ------
    InvalidInputError
        If the Bundle fails FHIR validation (a bug in the mapping).
    """
    data = record.model_dump(mode="json", exclude_none=True)
    pid = record.patient.id
    subject = {"reference": f"Patient/{pid}"}
    patient = data["patient"]
    record_level = {
        k: v for k, v in data.items() if k not in ("patient", "primary", "metastases", "events")
    }
    resources: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "meta": _meta("mcode-cancer-patient"),
            "gender": patient["sex"] if patient["sex"] in ("male", "female") else "unknown",
            **({"birthDate": patient["birth_date"]} if "birth_date" in patient else {}),
            **({"deceasedDateTime": patient["death_date"]} if "death_date" in patient else {}),
            "extension": _details({"record": record_level, "patient": patient}),
        },
        {
            "resourceType": "Condition",
            "id": f"{pid}-primary",
            "meta": _meta("mcode-primary-cancer-condition"),
            "code": {"text": "neuroendocrine tumour"},
            "bodySite": [_code(data["primary"]["site"])],
            "subject": subject,
            **(
                {"onsetDateTime": data["primary"]["diagnosed"]}
                if "diagnosed" in data["primary"]
                else {}
            ),
            "extension": _details(data["primary"]),
        },
    ]
    for i, met in enumerate(data.get("metastases", [])):
        resources.append(
            {
                "resourceType": "Condition",
                "id": f"{pid}-metastasis-{i}",
                "meta": _meta("mcode-secondary-cancer-condition"),
                "code": {"text": "secondary malignant neoplasm"},
                "bodySite": [_code(met["organ"])],
                "subject": subject,
                "onsetDateTime": met["found"],
                "extension": _details(met | {"order": i}),
            }
        )
    for i, event in enumerate(data.get("events", [])):
        resources.append(
            _event_resource(event["type"], event | {"order": i}, f"{pid}-event-{i}", subject)
        )
    resources.extend(_net_observations(record, pid, subject))
    bundle = {
        "resourceType": "Bundle",
        "id": f"netline-{pid}",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:netline:{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
    _validate(bundle, pid)
    return bundle


def _validate(bundle: dict[str, Any], where: str) -> None:
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    # fhir.resources raises KeyError (not a validation error) for an entry whose resourceType
    # names no R4B resource: refuse it here with the entry named.
    unknown = []
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and "resourceType" in resource:
            try:
                get_fhir_model_class(str(resource["resourceType"]))
            except ValueError:
                unknown.append(
                    Problem(
                        f"entry.{index}.resource.resourceType",
                        resource["resourceType"],
                        "a FHIR R4B resource type",
                    )
                )
    if unknown:
        raise InvalidInputError(unknown, source=where)
    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in e["loc"]), e.get("input"), e["msg"])
            for e in exc.errors(include_url=False)[:20]
        ]
        raise InvalidInputError(problems, source=where) from None


def write_bundle(record: CaseRecord, path: str | Path) -> Path:
    """Write one patient's Bundle as JSON and return the path."""
    target = Path(path)
    target.write_text(
        json.dumps(bundle_from_record(record), indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return target


def _read_details(resource: dict[str, Any]) -> dict[str, Any] | None:
    for ext in resource.get("extension", []) or []:
        if ext.get("url") == DETAILS_URL:
            value = json.loads(ext["valueString"])
            return value if isinstance(value, dict) else None
    return None


def _coded(concept: dict[str, Any] | None) -> str | None:
    if not concept:
        return None
    for coding in concept.get("coding", []):
        if coding.get("code"):
            return str(coding["code"])
    return concept.get("text")


def record_from_bundle(bundle: dict[str, Any], source: str | None = None) -> CaseRecord:
    """Build a netline record from one patient's Bundle (validated as FHIR R4B first).

    Raises
    ------
    InvalidRecordError
        When the Bundle is not valid FHIR, has no Patient, or the record fails validation;
        each problem names the resource (``Observation/p1-ki67-index``) and the field.
    """
    try:
        _validate(bundle, source or "bundle")
    except InvalidInputError as error:
        raise InvalidRecordError(error.problems, source=source) from None
    return _record_from_resources([e.get("resource", {}) for e in bundle.get("entry", [])], source)


def _validate_each(resources: Sequence[Mapping[str, Any]], where: str) -> None:
    """Validate each resource against its own FHIR R4B model; raise naming resource and field.

    What validating a collection Bundle of ``resources`` checks (each entry's resource against
    the model its ``resourceType`` names), without building the Bundle: the Bundle's
    validation looks the model up by import for every entry, about a fifth of its cost.
    """
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    problems: list[Problem] = []
    for index, resource in enumerate(resources):
        kind = resource.get("resourceType")
        name = f"{kind}/{resource.get('id')}" if "id" in resource else f"entry {index}"
        try:
            model = get_fhir_model_class(str(kind))
        except ValueError:
            problems.append(Problem(f"{name}.resourceType", kind, "a FHIR R4B resource type"))
            continue
        try:
            model.model_validate(resource)
        except ValidationError as exc:
            problems += [
                Problem(f"{name}." + ".".join(str(p) for p in e["loc"]), e.get("input"), e["msg"])
                for e in exc.errors(include_url=False)
            ]
        if len(problems) >= 20:
            break
    if problems:
        raise InvalidRecordError(problems[:20], source=where)


def _record_from_resources(resources: Sequence[Any], source: str | None) -> CaseRecord:
    """Build a netline record from one patient's resources (already validated as FHIR)."""
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        raise InvalidRecordError(
            [Problem("Bundle.entry", len(patients), "exactly one Patient")], source=source
        )
    patient = patients[0]
    details = _read_details(patient) or {}
    data: dict[str, Any] = dict(details.get("record", {}))
    person = dict(details.get("patient", {}))
    person.setdefault("id", patient.get("id"))
    person.setdefault("sex", patient.get("gender"))
    for key, element in (("birth_date", "birthDate"), ("death_date", "deceasedDateTime")):
        if element in patient:
            person.setdefault(key, str(patient[element])[:10])
    data.setdefault("id", f"fhir-{patient.get('id')}")
    data["patient"] = person
    metastases: list[tuple[int, dict[str, Any]]] = []
    events: list[tuple[int, dict[str, Any]]] = []
    for resource in resources:
        rtype = resource.get("resourceType")
        item = _read_details(resource)
        profile = " ".join(resource.get("meta", {}).get("profile", []))
        if rtype == "Condition" and "primary" in profile:
            primary = item or {}
            primary.setdefault("site", _coded((resource.get("bodySite") or [None])[0]))
            if "onsetDateTime" in resource:
                primary.setdefault("diagnosed", str(resource["onsetDateTime"])[:10])
            data["primary"] = primary
        elif rtype == "Condition":
            met = item or {
                "organ": _coded((resource.get("bodySite") or [None])[0]),
                "found": str(resource.get("onsetDateTime", ""))[:10],
            }
            metastases.append((int(met.pop("order", len(metastases))), met))
        elif item is not None and "type" in item:
            events.append((int(item.pop("order", len(events))), item))
        elif rtype == "MedicationAdministration":
            period = resource.get("effectivePeriod", {})
            therapy = {
                "type": "systemic_therapy",
                "agent": _coded(resource.get("medicationCodeableConcept")),
            }
            therapy["start"] = str(period.get("start", ""))[:10]
            if period.get("end"):
                therapy["stop"] = str(period["end"])[:10]
            events.append((len(events), therapy))
    data["metastases"] = [m for _, m in sorted(metastases, key=lambda x: x[0])]
    data["events"] = [e for _, e in sorted(events, key=lambda x: x[0])]
    return record_from_data(data, source=source)


def prefetch_record(prefetch: Mapping[str, Any]) -> CaseRecord:
    """Build a record from CDS Hooks prefetch: a Patient and searchset Bundles of its resources.

    The prefetched resources are read like the entries of any other Bundle
    (:func:`record_from_bundle`), so the CDS service and the importer map FHIR the same way;
    each is validated against its FHIR R4B model first, and a problem names the resource
    (``Observation/<id>``) and the field.

    Raises
    ------
    InvalidRecordError
        When a resource is not valid FHIR R4B, there is not exactly one Patient, or the record
        fails validation.
    """
    entries: list[dict[str, Any]] = []
    for item in prefetch.values():
        if not isinstance(item, Mapping):
            continue
        if item.get("resourceType") == "Bundle":
            entries += [
                {"resource": e["resource"]}
                for e in item.get("entry") or []
                if isinstance(e, Mapping) and isinstance(e.get("resource"), Mapping)
            ]
        elif "resourceType" in item:
            entries.append({"resource": dict(item)})
    resources = [entry["resource"] for entry in entries]
    _validate_each(resources, "CDS Hooks prefetch")
    return _record_from_resources(resources, "CDS Hooks prefetch")


def read_bundles(
    paths: str | Path | Sequence[str | Path], *, progress: bool | None = None
) -> tuple[list[tuple[str, CaseRecord | InvalidInputError]], str]:
    """Read Bundle files (``.json``; folders searched recursively) for an import.

    ``progress`` shows a progress bar on stderr (default: on a terminal, from 50 files).
    """
    from netline.registry._progress import iterate
    from netline.registry.importers.casefiles import find_case_files

    items: list[tuple[str, CaseRecord | InvalidInputError]] = []
    files = [p for p in find_case_files(paths) if p.suffix.lower() == ".json"]
    for path in iterate(files, "reading FHIR Bundles", "file", progress):
        try:
            bundle = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
                raise InvalidRecordError(
                    [
                        Problem(
                            "resourceType",
                            bundle.get("resourceType") if isinstance(bundle, dict) else None,
                            "a FHIR Bundle",
                        )
                    ],
                    source=str(path),
                )
            items.append((str(path), record_from_bundle(bundle, source=str(path))))
        except json.JSONDecodeError as exc:
            items.append(
                (
                    str(path),
                    InvalidRecordError(
                        [Problem(f"line {exc.lineno}", exc.msg, "valid JSON")], source=str(path)
                    ),
                )
            )
        except InvalidRecordError as error:
            items.append((str(path), error))
    source = str(paths) if isinstance(paths, str | Path) else f"{len(files)} FHIR Bundles"
    return items, source
