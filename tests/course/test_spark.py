"""One engine, two backends: DuckDB and Apache Spark give identical lines and outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from netline.course import LineRules, derive_lines
from netline.course.synthetic import synthetic_cohort

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def tables() -> Any:
    return synthetic_cohort(150, seed=21).tables


@pytest.mark.parametrize(
    "rules",
    [
        LineRules(),
        LineRules(
            procedures_as_lines=frozenset({"surgery"}),
            pfs_censor_at_next_line=False,
            regimen_window_days=14,
        ),
    ],
    ids=["default", "variant"],
)
def test_duckdb_and_spark_identical(tables: Any, rules: LineRules, spark: Any) -> None:
    on_duckdb = derive_lines(tables, rules, backend="duckdb")
    on_spark = derive_lines(tables, rules, backend=spark)
    assert on_spark.backend == "pyspark"
    assert on_duckdb.backend == "duckdb"
    assert on_duckdb.lines.num_rows > 150
    assert on_spark.lines.equals(on_duckdb.lines)
    assert on_spark.patients.equals(on_duckdb.patients)
    assert on_spark.episode_lines.equals(on_duckdb.episode_lines)


def test_active_session_by_name(spark: Any) -> None:
    small = synthetic_cohort(5, seed=3).tables
    assert derive_lines(small, backend="pyspark").lines.equals(derive_lines(small).lines)
