"""Rebuild the registry examples: FHIR Bundles of the seed case and of synthetic patients.

Run from the repository root: ``python examples/registry/build.py``. Everything here is
built from the published seed case and from netline's seeded synthetic demo registry; no
patient data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from netline.records import load_case
from netline.registry.datasets import demo_records
from netline.registry.fhir import write_bundle

HERE = Path(__file__).resolve().parent
N_SYNTHETIC = 40


def main() -> None:
    """Write ``fhir/*.json`` (one Bundle per patient)."""
    target = HERE / "fhir"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    write_bundle(
        load_case(HERE.parents[1] / "examples" / "seed-case.yaml"), target / "seed-case.json"
    )
    for record in demo_records(N_SYNTHETIC, seed=2024):
        write_bundle(record, target / f"{record.patient.id}.json")


if __name__ == "__main__":
    main()
