"""Rebuild the registry examples: FHIR Bundles, REDCap projects and OMOP CDM tables.

The published seed case is in ``fhir/``; the synthetic patients are split between the
examples (FHIR, REDCap, REDCap longitudinal, OMOP hold different patients).

Run from the repository root: ``python examples/registry/build.py``. Everything here is
built from the published seed case and from netline's seeded synthetic demo registry; no
patient data.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from netline.records import CaseRecord, Imaging, SystemicTherapy, load_case
from netline.registry.datasets import demo_records
from netline.registry.fhir import write_bundle
from netline.registry.omop import export_records
from netline.registry.redcap import template_dictionary

HERE = Path(__file__).resolve().parent
N_SYNTHETIC = 120
#: Which synthetic patients each example holds: disjoint, so that the README walkthrough
#: imports all of them into one registry without one source overwriting another.
FHIR_PATIENTS = slice(0, 40)
REDCAP_PATIENTS = slice(40, 60)
LONGITUDINAL_PATIENTS = slice(60, 80)
OMOP_PATIENTS = slice(80, 120)


def _iso(value: object) -> str:
    return "" if value is None else str(value)


def redcap_rows(record: CaseRecord) -> list[dict[str, str]]:
    """Return the REDCap export rows of one record (base row, then repeating instruments)."""
    patient, primary = record.patient, record.primary
    base = {
        "record_id": patient.id,
        "sex": patient.sex.value,
        "birth_date": _iso(patient.birth_date),
        "death_date": _iso(patient.death_date),
        "last_follow_up": _iso(patient.last_follow_up),
        "primary_site": primary.site.value,
        "diagnosis_date": _iso(primary.diagnosed),
        "functioning_syndrome": primary.functioning_syndrome.value,
        "ki67_percent": _iso(primary.histology.ki67_percent if primary.histology else None),
    }
    rows = [base]

    def repeat(instrument: str, instance: int, values: dict[str, str]) -> None:
        row = {"record_id": patient.id, "redcap_repeat_instrument": instrument}
        rows.append(row | {"redcap_repeat_instance": str(instance)} | values)

    for i, met in enumerate(record.metastases, start=1):
        repeat("metastasis", i, {"met_organ": met.organ.value, "met_found": _iso(met.found)})
    for i, tx in enumerate(record.of_type(SystemicTherapy), start=1):
        repeat(
            "systemic_therapy",
            i,
            {
                "tx_agent": tx.agent.value,
                "tx_start": _iso(tx.start),
                "tx_stop": _iso(tx.stop),
                "tx_reason_stopped": tx.reason_stopped.value if tx.reason_stopped else "",
            },
        )
    for i, scan in enumerate(record.of_type(Imaging), start=1):
        response = scan.recorded_response.value if scan.recorded_response else ""
        repeat(
            "imaging",
            i,
            {
                "img_date": _iso(scan.date),
                "img_modality": scan.modality.value,
                "img_recorded_response": response,
            },
        )
    return rows


_FOLLOW_UP = ("death_date", "last_follow_up")
_EVENT_OF = {"systemic_therapy": "treatment_arm_1", "imaging": "imaging_arm_1"}


def longitudinal_rows(record: CaseRecord) -> list[dict[str, str]]:
    """Return the rows of one record in the longitudinal project (``redcap/longitudinal``).

    The non-repeating fields are split between the ``baseline_arm_1`` and
    ``follow_up_arm_1`` events; metastases stay a repeating instrument of the baseline
    event; therapies and scans are the instances of the repeating events
    ``treatment_arm_1`` and ``imaging_arm_1``.
    """
    base, *repeats = redcap_rows(record)
    rows = [
        {k: v for k, v in base.items() if k not in _FOLLOW_UP}
        | {"redcap_event_name": "baseline_arm_1"}
    ]
    for row in repeats:
        instrument = row["redcap_repeat_instrument"]
        if instrument == "metastasis":
            rows.append(row | {"redcap_event_name": "baseline_arm_1"})
        else:
            rows.append(
                row | {"redcap_event_name": _EVENT_OF[instrument], "redcap_repeat_instrument": ""}
            )
    rows.append(
        {"record_id": base["record_id"], "redcap_event_name": "follow_up_arm_1"}
        | {k: base[k] for k in _FOLLOW_UP}
    )
    return rows


def _write_rows(path: Path, rows: list[dict[str, str]], first: list[str]) -> None:
    columns = list(first)
    for row in rows:
        columns += [k for k in row if k not in columns]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Write ``fhir/*.json``, the REDCap example projects and the ``omop/`` tables."""
    seed = load_case(HERE.parents[1] / "examples" / "seed-case.yaml")
    demo = demo_records(N_SYNTHETIC, seed=2024)
    target = HERE / "fhir"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    write_bundle(seed, target / "seed-case.json")
    for record in demo[FHIR_PATIENTS]:
        write_bundle(record, target / f"{record.patient.id}.json")
    redcap = HERE / "redcap"
    template_dictionary(redcap / "mapping.yaml", redcap / "data_dictionary.csv")
    first = ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    rows = [row for record in demo[REDCAP_PATIENTS] for row in redcap_rows(record)]
    _write_rows(redcap / "records.csv", rows, first)
    longitudinal = redcap / "longitudinal"
    template_dictionary(longitudinal / "mapping.yaml", longitudinal / "data_dictionary.csv")
    rows = [row for record in demo[LONGITUDINAL_PATIENTS] for row in longitudinal_rows(record)]
    _write_rows(longitudinal / "records.csv", rows, ["record_id", "redcap_event_name", *first[1:]])
    # OMOP CDM v5.4 tables of synthetic patients (CSV); the seed case is in fhir/
    omop = HERE / "omop"
    shutil.rmtree(omop, ignore_errors=True)
    export_records(demo[OMOP_PATIENTS], omop, "csv")


if __name__ == "__main__":
    main()
