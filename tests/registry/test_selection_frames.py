"""Selection and the Cox frame, rebuilt columnar for 10^6 patients, against row-by-row oracles.

Issue 13 (Scale): selecting the cohort cost 2.5 x the course engine and Cox's frame was built
with Python loops over every line (benchmarks/README.md, "Registry at scale"). The oracles
here are the straightforward per-row definitions: a patient's ``prior_<class>`` is 1 when any
earlier line of the patient gave the class; a selected cohort's tables are the full cohort's
rows of the chosen patients, with the same column types whatever the selection.
"""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import pytest

from netline.registry import Cohort, select_cohort
from netline.registry.analytics.cohort import ARROW, COMBINATION, CohortSource
from netline.registry.analytics.survival import cox_data


def _oracle_flags(cohort: Cohort, first: int) -> pd.DataFrame:
    given = {
        (p, n): set(c.split(COMBINATION))
        for p, n, c in zip(
            cohort.lines["patient_id"], cohort.lines["line"], cohort.lines["classes"], strict=True
        )
    }
    classes = sorted(set().union(*given.values()))
    rows = [(p, n) for p, n in zip(cohort.lines["patient_id"], cohort.lines["line"], strict=True)]
    out: dict[str, list[int]] = {}
    for cls in classes:
        out[f"current_{cls}"] = [int(cls in given[(p, n)]) for p, n in rows]
        out[f"prior_{cls}"] = [
            int(any(cls in given.get((p, k), set()) for k in range(1, n))) for p, n in rows
        ]
    frame = pd.DataFrame(out)
    frame["line"] = [n for _, n in rows]
    days = cohort.lines["pfs_days"].notna().to_numpy()
    return frame[(frame["line"] >= first).to_numpy() & days].reset_index(drop=True)


@pytest.mark.parametrize("first", [1, 2, 3])
def test_cox_data_prior_and_current_classes_equal_row_by_row(
    demo_cohort: Cohort, first: int
) -> None:
    data = cox_data(demo_cohort, "pfs", (first, None))
    expected = _oracle_flags(demo_cohort, first)
    flags = [c for c in data.columns if c.startswith(("prior_", "current_"))]
    assert sorted(flags) == sorted(c for c in expected.columns if c != "line")
    assert len(data) == len(expected)
    for column in flags:
        assert data[column].tolist() == expected[column].tolist(), column


def test_cox_data_age_is_the_patients(demo_cohort: Cohort) -> None:
    data = cox_data(demo_cohort, "pfs", (1, None))
    age = demo_cohort.facts.set_index("patient_id")["age_at_diagnosis"]
    assert data["age_at_diagnosis"].tolist() == pytest.approx(
        age.reindex(data["patient_id"]).tolist(), nan_ok=True
    )


@pytest.mark.parametrize(
    "criteria",
    [
        {"agent": "everolimus"},
        {"agent_class": "radioligand", "line": 2},
        {"line": 3},
        {"sequence": ["ssa", "radioligand"]},
        {"agent": "lanreotide", "line": 1},
    ],
)
def test_selection_is_the_full_cohorts_rows(
    demo_source: CohortSource, demo_cohort: Cohort, criteria: dict[str, object]
) -> None:
    chosen = select_cohort(demo_source, **criteria)  # type: ignore[arg-type]
    assert 0 < chosen.n < demo_cohort.n
    ids = set(chosen.facts["patient_id"])
    for name in ("facts", "lines", "patients"):
        full = getattr(demo_cohort, name)
        expected = full[full["patient_id"].isin(ids)].reset_index(drop=True)
        pd.testing.assert_frame_equal(getattr(chosen, name), expected, check_dtype=True)


def test_selection_by_agent_and_line_is_row_by_row(
    demo_source: CohortSource, demo_cohort: Cohort
) -> None:
    chosen = select_cohort(demo_source, agent="everolimus", line=2)
    lines = demo_cohort.lines
    expected = {
        p
        for p, n, agents in zip(lines["patient_id"], lines["line"], lines["agents"], strict=True)
        if n == 2 and "everolimus" in list(agents)
    }
    assert set(chosen.facts["patient_id"]) == expected


def test_sequences_join_the_lines_in_order(demo_cohort: Cohort) -> None:
    lines = demo_cohort.lines.sort_values(["patient_id", "line"])
    expected = lines.groupby("patient_id")["classes"].agg(ARROW.join)
    got = demo_cohort.facts.set_index("patient_id")["sequence_class"]
    with_lines = got[got != ""]
    assert with_lines.sort_index().to_dict() == expected.sort_index().to_dict()
    assert (demo_cohort.facts.loc[demo_cohort.facts["n_lines"] == 0, "sequence_class"] == "").all()


def test_list_and_date_columns_are_arrow_backed(demo_cohort: Cohort) -> None:
    """Regression (issue 13): one Python object per list or date cell cost about 1 GB at 10^6."""
    import datetime as dt

    for column in ("agents", "backbone", "start", "end"):
        assert isinstance(demo_cohort.lines[column].dtype, pd.ArrowDtype), column
    assert isinstance(demo_cohort.patients["diagnosis"].dtype, pd.ArrowDtype)
    first = demo_cohort.lines.iloc[0]
    assert isinstance(first["start"], dt.date)
    assert all(isinstance(a, str) for a in first["agents"])


def test_sequences_do_not_depend_on_the_order_of_the_lines() -> None:
    """Lines given out of order (not the engine's) give the same sequences, sorted by line."""
    import pyarrow as pa  # type: ignore[import-untyped]

    from netline.registry.analytics.cohort import _sequences

    table = pa.table(
        {
            "patient_id": ["b", "a", "b", "a", "c", "a"],
            "line": pa.array([2, 3, 1, 1, 1, 2], type=pa.int32()),
            "classes": ["y", "z", "x", "ssa", "q", "radioligand"],
            "regimen": ["Y", "Z", "X", "S", "Q", "R"],
        }
    )
    got = {
        row["patient_id"]: (row["n_lines"], row["sequence_class"], row["sequence_regimen"])
        for row in _sequences(table).to_pylist()
    }
    assert got == {
        "a": (3, f"ssa{ARROW}radioligand{ARROW}z", f"S{ARROW}R{ARROW}Z"),
        "b": (2, f"x{ARROW}y", f"X{ARROW}Y"),
        "c": (1, "q", "Q"),
    }
    assert _sequences(table.slice(0, 0)).num_rows == 0
