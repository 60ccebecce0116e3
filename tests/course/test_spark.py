"""One engine, two places: in-process (Polars) and Apache Spark give identical tables."""

from __future__ import annotations

from typing import Any

import pytest

from netline.course import LineRules, derive_lines
from netline.course.synthetic import synthetic_cohort

from .histories import Ep, History, tables_of

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
def test_polars_and_spark_identical(tables: Any, rules: LineRules, spark: Any) -> None:
    embedded = derive_lines(tables, rules)
    on_spark = derive_lines(tables, rules, backend=spark)
    assert on_spark.backend == "pyspark"
    assert embedded.backend == "numpy"
    assert embedded.lines.num_rows > 150
    assert on_spark.lines.equals(embedded.lines)
    assert on_spark.patients.equals(embedded.patients)
    assert on_spark.episode_lines.equals(embedded.episode_lines)


def test_spark_with_string_and_large_integer_ids(spark: Any) -> None:
    big = 2**63 - 1
    cohort = {
        "p-a": History([Ep("lanreotide", 0, 400), Ep("everolimus", 200, 300)]),
        "p-b": History([Ep("lu177_dotatate", 0, 0, cycles=1), Ep("lu177_dotatate", 56, 56)]),
    }
    for ids in (None, {"p-a": big, "p-b": big - 1}):
        tables = tables_of(cohort, patient_ids=ids, episode_offset=big - 10)
        embedded = derive_lines(tables)
        on_spark = derive_lines(tables, backend=spark)
        assert on_spark.lines.equals(embedded.lines)
        assert on_spark.episode_lines.equals(embedded.episode_lines)


def test_active_session_by_name(spark: Any) -> None:
    small = synthetic_cohort(5, seed=3).tables
    assert derive_lines(small, backend="pyspark").lines.equals(derive_lines(small).lines)
