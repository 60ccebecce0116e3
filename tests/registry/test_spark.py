"""The same analytics on Spark (local mode) give identical results to DuckDB."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from netline.registry import kaplan_meier, pathways, select_cohort, table1
from netline.registry.analytics.cohort import CohortSource

# py4j leaves its client sockets to the garbage collector (see tests/course/conftest.py)
pytestmark = pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    logging.getLogger("py4j").setLevel(logging.ERROR)
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("netline-registry-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_and_duckdb_give_identical_analytics(demo_source: CohortSource, spark: Any) -> None:
    on_duckdb = select_cohort(demo_source, agent_class="ssa")
    on_spark = select_cohort(demo_source, agent_class="ssa", backend=spark)
    assert on_spark.n == on_duckdb.n > 0
    assert on_spark.lines.equals(on_duckdb.lines)
    assert on_spark.patients.equals(on_duckdb.patients)
    assert table1(on_spark, by="grade") == table1(on_duckdb, by="grade")
    assert pathways(on_spark).to_dict() == pathways(on_duckdb).to_dict()
    assert (
        kaplan_meier(on_spark, "pfs", 1, by="class").to_dict()
        == kaplan_meier(on_duckdb, "pfs", 1, by="class").to_dict()
    )
