"""OMOP CDM v5.4 export: persons, conditions, drug exposures, and lines as EPISODE rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
from typer.testing import CliRunner

from netline.cli.registry import registry_app
from netline.registry import open_registry, select_cohort
from netline.registry.omop import OMOP_TABLES, export_omop


def test_lines_become_episodes_linked_to_drug_exposures(tmp_path: Path, case_folder: Path) -> None:
    with open_registry(tmp_path / "reg.duckdb") as reg:
        reg.import_case_files(case_folder)
        counts = export_omop(reg, tmp_path / "omop")
        cohort = select_cohort(reg)
        n_episodes = reg.table("episodes").num_rows
    assert set(counts) == set(OMOP_TABLES)
    frames = {name: pd.read_csv(tmp_path / "omop" / f"{name}.csv") for name in OMOP_TABLES}
    assert len(frames["person"]) == 21
    assert set(frames["person"]["gender_concept_id"]) <= {8507, 8532}
    assert len(frames["episode"]) == len(cohort.lines)
    # one drug exposure per therapy, or one per cycle for a therapy given in cycles
    drugs = frames["drug_exposure"]
    assert drugs["sig"].isna().sum() + drugs["sig"].str.startswith("cycle 1 of").sum() == n_episodes
    assert frames["drug_exposure"]["drug_exposure_end_date"].notna().all()
    events = frames["episode_event"]
    # every drug exposure belongs to exactly one line, of its own person
    assert sorted(events["event_id"]) == sorted(frames["drug_exposure"]["drug_exposure_id"])
    joined = events.merge(frames["episode"], on="episode_id").merge(
        frames["drug_exposure"], left_on="event_id", right_on="drug_exposure_id"
    )
    assert (joined["person_id_x"] == joined["person_id_y"]).all()
    assert (joined["drug_exposure_start_date"] >= joined["episode_start_date"]).all()


def test_export_omop_parquet_from_the_command_line(tmp_path: Path, case_folder: Path) -> None:
    store = tmp_path / "reg.duckdb"
    with open_registry(store) as reg:
        reg.import_case_files(case_folder)
    result = CliRunner().invoke(
        registry_app,
        ["export", str(store), "--out", str(tmp_path / "o"), "--format", "omop-parquet"],
    )
    assert result.exit_code == 0, result.output
    assert "episode " in result.output
    assert pd.read_parquet(tmp_path / "o" / "person.parquet").shape[0] == 21
