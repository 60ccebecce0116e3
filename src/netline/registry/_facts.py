"""What the registry keeps per patient for selection and Table 1, taken from one record.

Grade and stage come from the functions :func:`netline.assess` itself calls for them (the
diagnosis date, the specimen grades, the staging basis and the TNM at diagnosis of
:mod:`netline.assessment`): the one place where WHO grading and TNM staging are applied to
a record. Only those parts are run, not the whole assessment (M category over time,
therapies, imaging, plausibility), which the facts do not read and which cost five times
as much; ``tests/registry/test_import_batch.py`` checks every fact against
:func:`netline.assess`. Nothing here re-implements a clinical rule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from netline.records.model import CaseRecord

__all__ = [
    "FACT_COLUMNS",
    "FACT_SCHEMA",
    "canonical_json",
    "content_hash",
    "diff",
    "facts_row",
    "facts_table",
]

#: Columns of ``patient_facts`` in order.
FACT_COLUMNS = (
    "patient_id",
    "case_id",
    "synthetic",
    "sex",
    "site",
    "diagnosis",
    "age_at_diagnosis",
    "ki67_percent",
    "grade",
    "stage",
    "functioning_syndrome",
    "hereditary_syndrome",
    "distant_metastases",
)
#: Stage edition kept in ``patient_facts.stage``.
STAGE_EDITION = "AJCC 8"
_MAX_CHANGES = 200


def canonical_json(record: CaseRecord) -> str:
    """Return the record as canonical JSON (sorted keys, absolute dates)."""
    return json.dumps(record.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def content_hash(text: str) -> str:
    """Return the SHA-256 of a record's canonical JSON."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Arrow types of ``patient_facts`` (as in the store's schema).
FACT_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("case_id", pa.string()),
        ("synthetic", pa.bool_()),
        ("sex", pa.string()),
        ("site", pa.string()),
        ("diagnosis", pa.date32()),
        ("age_at_diagnosis", pa.float64()),
        ("ki67_percent", pa.float64()),
        ("grade", pa.string()),
        ("stage", pa.string()),
        ("functioning_syndrome", pa.string()),
        ("hereditary_syndrome", pa.string()),
        ("distant_metastases", pa.bool_()),
    ]
)


def facts_row(record: CaseRecord) -> dict[str, Any]:
    """Return the ``patient_facts`` row of a record.

    Diagnosis date, age at diagnosis (years, one decimal), grade (of the primary, else of
    the first graded specimen) and AJCC 8 stage group at diagnosis are those of
    :func:`netline.assess`, from the same functions.
    """
    from netline.assessment import build
    from netline.assessment.grades import specimen_grades
    from netline.assessment.staging import staging_basis

    unused: list[str] = []  # warnings: the assessment reports them, the facts do not
    diagnosis = build.diagnosis_date(record)
    age = None if diagnosis is None else record.patient.age_at(diagnosis)
    grades = specimen_grades(record, unused)
    grade = grades[0].grade if grades else None
    staging = build.staging_at_diagnosis(record, diagnosis, staging_basis(record), unused)
    found = staging.get(STAGE_EDITION)
    group = None if found is None else found.value.stage_group
    histology = record.primary.histology
    return {
        "patient_id": record.patient.id,
        "case_id": record.id,
        "synthetic": record.synthetic,
        "sex": record.patient.sex.value,
        "site": record.primary.site.value,
        "diagnosis": diagnosis,
        "age_at_diagnosis": None if age is None else round(age, 1),
        "ki67_percent": None if histology is None else histology.ki67_percent,
        "grade": None if grade is None else str(grade.value.value),
        "stage": None if group is None else str(group.value),
        "functioning_syndrome": record.primary.functioning_syndrome.value,
        "hereditary_syndrome": record.primary.hereditary_syndrome.value,
        "distant_metastases": any(m.organ.is_distant for m in record.metastases),
    }


def facts_table(records: Sequence[CaseRecord]) -> pa.Table:
    """Return the ``patient_facts`` rows of many records as one Arrow table (in order)."""
    return pa.Table.from_pylist([facts_row(record) for record in records], schema=FACT_SCHEMA)


def _flatten(node: object, path: str, out: dict[str, object]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{path}.{key}" if path else str(key), out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _flatten(value, f"{path}[{i}]", out)
        if not node:
            out[path] = []
    else:
        out[path] = node


def diff(old_json: str, new_json: str) -> list[dict[str, object]]:
    """List the fields that differ between two canonical records (path, old, new).

    At most 200 changes are listed; a last entry says how many more there were.
    """
    old: dict[str, object] = {}
    new: dict[str, object] = {}
    _flatten(json.loads(old_json), "", old)
    _flatten(json.loads(new_json), "", new)
    changes: list[dict[str, object]] = [
        {"field": key, "old": old.get(key), "new": new.get(key)}
        for key in sorted(old.keys() | new.keys())
        if old.get(key, _MISSING) != new.get(key, _MISSING)
    ]
    if len(changes) > _MAX_CHANGES:
        extra = len(changes) - _MAX_CHANGES
        changes = [*changes[:_MAX_CHANGES], {"field": "...", "old": None, "new": f"{extra} more"}]
    return changes


_MISSING = object()
