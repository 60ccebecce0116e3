"""The NET concept sets for OMOP and netline's source-value codes (one place for both ways).

The concept sets are data (``data/omop_concepts.yaml``, documented in ``docs/registry.md``).
Export writes a row's concept id from them (0 when none is given) and netline's own code in
the ``*_source_value`` column; import recognises a row by its concept id, by netline's code,
or by the vocabulary code listed in the concept set (for example an ICD-O-3 condition code
``8240/3-C25.0``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "MEAS_LESION",
    "OBS_DISEASE_STATUS",
    "OBS_FUNCTIONING",
    "SCAN_FINDINGS",
    "concept_id",
    "concept_sets",
    "lookup",
    "lookup_condition",
    "lookup_procedure",
    "pack_lesion",
    "put_finding",
    "scan_findings",
    "unpack_lesion",
]

#: observation_source_value of the functioning syndrome (value_as_string: netline's code).
OBS_FUNCTIONING = "functioning_syndrome"
#: observation_source_value of a clinician's disease status (value_as_string: netline's code).
OBS_DISEASE_STATUS = "disease_status"

#: measurement_source_value of a lesion's diameter on a scan (value_as_number, mm), linked
#: to its imaging procedure by measurement_event_id; value_source_value holds the lesion:
#: its id, organ and the flags that apply (target, new, equivocal, lymph_node).
MEAS_LESION = "lesion_diameter_mm"
LESION_FLAGS = ("target", "new", "equivocal", "lymph_node")
#: observation_source_value -> imaging field, for the findings of a scan (linked to its
#: imaging procedure by observation_event_id; value_as_string holds the value).
SCAN_FINDINGS = {
    "imaging_response": "recorded_response",
    "imaging_organ_involved": "organs_involved",
    "imaging_organ_clear": "organs_clear",
    "imaging_new_lesions": "new_lesions",
    "imaging_new_lesions_equivocal": "new_lesions_equivocal",
    "imaging_non_target_progression": "non_target_progression",
    "imaging_sstr_uptake_score": "sstr_uptake_score",
}

_PROCEDURE_KINDS = ("surgery", "local_therapy", "imaging")


def pack_lesion(lesion: Any) -> str:
    """Return ``"<id> <organ> [flags]"`` for a lesion (see :data:`MEAS_LESION`)."""
    flags = [flag for flag in LESION_FLAGS if getattr(lesion, flag)]
    return " ".join([lesion.id, lesion.organ.value, *flags])


def unpack_lesion(text: str) -> dict[str, Any]:
    """Return the lesion fields of :func:`pack_lesion`'s text."""
    parts = text.split()
    lesion: dict[str, Any] = {"id": parts[0] if parts else None}
    lesion["organ"] = parts[1] if len(parts) > 1 else None
    for flag in parts[2:]:
        lesion[flag] = True
    return lesion


def scan_findings(scan: Any) -> list[tuple[str, str]]:
    """Return a scan's findings as (observation_source_value, value_as_string) pairs."""

    def yes(value: bool) -> str:
        return "yes" if value else "no"

    found = [("imaging_organ_involved", o.value) for o in scan.organs_involved]
    found += [("imaging_organ_clear", o.value) for o in scan.organs_clear]
    if scan.new_lesions is not None:
        found.append(("imaging_new_lesions", yes(scan.new_lesions)))
    if scan.new_lesions_equivocal:
        found.append(("imaging_new_lesions_equivocal", "yes"))
    if scan.non_target_progression is not None:
        found.append(("imaging_non_target_progression", yes(scan.non_target_progression)))
    if scan.sstr_uptake_score is not None:
        found.append(("imaging_sstr_uptake_score", str(scan.sstr_uptake_score)))
    if scan.recorded_response is not None:
        found.append(("imaging_response", scan.recorded_response.value))
    return found


def put_finding(scan: dict[str, Any], source: str, value: str | None) -> None:
    """Set one finding of :func:`scan_findings` on a scan being read."""
    name = SCAN_FINDINGS[source]
    if name.startswith("organs_"):
        scan.setdefault(name, []).append(value)
    elif name in ("new_lesions", "new_lesions_equivocal", "non_target_progression"):
        scan[name] = {"yes": True, "no": False}.get(value or "", value)
    else:
        scan[name] = value


@cache
def concept_sets() -> dict[str, Any]:
    """Return the NET concept sets (``data/omop_concepts.yaml``)."""
    import yaml

    text = resources.files("netline.registry").joinpath("data/omop_concepts.yaml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def concept_id(kind: str, code: str) -> int:
    """Return the OMOP concept id of a netline code, or 0 when the concept set gives none."""
    entry = concept_sets().get(kind, {}).get(code)
    return int(entry["concept_id"]) if entry and entry.get("concept_id") is not None else 0


@cache
def _index(kind: str) -> tuple[dict[int, str], dict[str, str]]:
    by_id: dict[int, str] = {}
    by_code: dict[str, str] = {}
    for code, entry in concept_sets().get(kind, {}).items():
        by_code[code] = code
        if entry.get("concept_id") is not None:
            by_id.setdefault(int(entry["concept_id"]), code)
        if entry.get("code"):
            by_code.setdefault(str(entry["code"]), code)
    return by_id, by_code


def lookup(kind: str, concept: str | None, source: str | None) -> str | None:
    """Return the netline code of a row (by concept id, then source value), or ``None``."""
    by_id, by_code = _index(kind)
    if source and source in by_code:
        return by_code[source]
    if concept and concept.strip().lstrip("-").isdigit() and int(concept) in by_id:
        return by_id[int(concept)]
    return None


def lookup_condition(concept: str | None, source: str | None) -> tuple[str, str] | None:
    """Return ``("primary", site)`` or ``("metastasis", organ)`` for a NET condition row."""
    text = (source or "").strip()
    kind, _, code = text.partition(":")
    if kind in ("primary", "metastasis") and code:
        return kind, code
    morphology, _, topography = text.partition("-")
    if topography and morphology in concept_sets()["net_morphologies"]:
        site = lookup("primary_site", None, topography)
        if site is not None:
            return "primary", site
    organ = lookup("metastasis", concept, text or None)
    if organ is not None:
        return "metastasis", organ
    site = lookup("primary_site", concept, None)
    return ("primary", site) if site is not None else None


def lookup_procedure(source: str | None) -> tuple[str, str] | None:
    """Return ``(kind, code)`` for netline's procedure source values (``surgery:enucleation``)."""
    kind, _, code = (source or "").strip().partition(":")
    return (kind, code) if kind in _PROCEDURE_KINDS and code else None
