"""Shared fixtures of the registry tests: case files from the synthetic cohort and the seed case."""

from __future__ import annotations

from pathlib import Path

import pytest

from netline.records import CaseRecord, dump_case, load_case
from netline.registry import Cohort, load_demo_registry, select_cohort
from netline.registry._course import synthetic_cohort
from netline.registry.analytics.cohort import CohortSource

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-case.yaml"


@pytest.fixture(scope="session")
def synthetic_records() -> list[CaseRecord]:
    return list(synthetic_cohort(40, seed=7).records())


@pytest.fixture(scope="session")
def seed_record() -> CaseRecord:
    return load_case(SEED)


def write_cases(folder: Path, records: list[CaseRecord]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        dump_case(record, folder / f"{record.patient.id}.yaml")
    return folder


@pytest.fixture
def case_folder(
    tmp_path: Path, synthetic_records: list[CaseRecord], seed_record: CaseRecord
) -> Path:
    return write_cases(tmp_path / "cases", [*synthetic_records[:20], seed_record])


@pytest.fixture(scope="session")
def demo_source() -> CohortSource:
    return load_demo_registry(120, seed=5)


@pytest.fixture(scope="session")
def demo_cohort(demo_source: CohortSource) -> Cohort:
    return select_cohort(demo_source)
