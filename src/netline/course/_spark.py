"""The course engine on Apache Spark: the same function on every partition of patients.

The four input tables travel as one Spark DataFrame (a tag column says which table a row
belongs to, the other columns are prefixed by table), repartitioned by ``patient_id`` so that a
patient's rows meet in one partition. ``mapInArrow`` hands each partition to
:func:`netline.course.engine.derive_tables`, the function the in-process engine runs, and the
three result tables come back the same way. Identical input, identical rules, identical code:
identical output.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from netline.course.rules import LineRules
from netline.course.tables import CourseTables

__all__ = ["derive_on_spark"]

PID = "patient_id"
TAG = "__table"
_INPUTS = ("episodes", "assessments", "followup", "procedures")
_OUTPUTS = ("lines", "patients", "episode_lines")


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary-encoded and large strings become plain strings (Spark reads them all)."""
    fields = []
    for field in table.schema:
        dtype = field.type
        if pa.types.is_dictionary(dtype):
            dtype = dtype.value_type
        if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
            dtype = pa.string()
        if pa.types.is_large_list(dtype) or pa.types.is_list_view(dtype):
            dtype = pa.list_(pa.string())
        fields.append(pa.field(field.name, dtype))
    return table.cast(pa.schema(fields))


def _tagged(parts: dict[str, pa.Table], names: tuple[str, ...]) -> pa.Table:
    """One table: a tag, ``patient_id`` and every other column prefixed by its table."""
    tagged = []
    for index, name in enumerate(names):
        table = _plain(parts[name])
        columns = {TAG: pa.array([index] * table.num_rows, pa.int8()), PID: table.column(PID)}
        for column in table.column_names:
            if column != PID:
                columns[f"{name}__{column}"] = table.column(column)
        tagged.append(pa.table(columns))
    return pa.concat_tables(tagged, promote_options="permissive")


def _untag(
    table: pa.Table, names: tuple[str, ...], schemas: dict[str, pa.Schema]
) -> dict[str, pa.Table]:
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    out = {}
    for index, name in enumerate(names):
        rows = table.filter(pc.equal(table.column(TAG), pa.scalar(index, pa.int8())))
        schema = schemas[name]
        arrays = [rows.column(PID if f.name == PID else f"{name}__{f.name}") for f in schema]
        out[name] = pa.Table.from_arrays(arrays, names=schema.names).cast(schema)
    return out


def _partition_function(
    rules: LineRules, inputs: dict[str, pa.Schema], outputs: dict[str, pa.Schema]
) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from netline.course.engine import derive_tables

        collected = list(batches)
        if not collected:
            return
        table = pa.Table.from_batches(collected)
        if table.num_rows == 0:
            return
        parts = _untag(table, _INPUTS, inputs)
        tables = CourseTables(**parts)
        derived = derive_tables(tables, rules)
        results = {
            name: table.cast(outputs[name]) for name, table in zip(_OUTPUTS, derived, strict=True)
        }
        yield from _tagged(results, _OUTPUTS).to_batches()

    return run


def _output_schemas(tables: CourseTables, rules: LineRules) -> dict[str, pa.Schema]:
    """Return the result schemas, read off a run of the engine on no patients."""
    from netline.course.engine import derive_tables

    empty = CourseTables(**{n: t.slice(0, 0) for n, t in tables.as_dict().items()})
    derived = derive_tables(empty, rules)
    return {name: _plain(table).schema for name, table in zip(_OUTPUTS, derived, strict=True)}


def derive_on_spark(
    spark: Any, tables: CourseTables, rules: LineRules
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Derive lines on Spark; returns :func:`~netline.course.engine.derive_tables` as frames.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    tables : CourseTables
    rules : LineRules
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    plain = {name: _plain(table) for name, table in tables.as_dict().items()}
    inputs = {name: table.schema for name, table in plain.items()}
    outputs = _output_schemas(tables, rules)
    combined = _tagged(plain, _INPUTS)
    result_schema = _tagged(
        {name: schema.empty_table() for name, schema in outputs.items()}, _OUTPUTS
    ).schema
    # one record batch: Spark 4.0 reads only the first batch of a chunked Arrow table
    frame = spark.createDataFrame(combined.combine_chunks())
    partitions = max(1, int(spark.sparkContext.defaultParallelism))
    mapped = frame.repartition(partitions, PID).mapInArrow(
        _partition_function(rules, inputs, outputs), from_arrow_schema(result_schema)
    )
    collected = mapped.toArrow()
    if collected.num_rows == 0:
        collected = result_schema.empty_table()
    parts = _untag(collected.cast(result_schema), _OUTPUTS, outputs)
    keys = {"lines": [PID, "line"], "patients": [PID], "episode_lines": [PID, "episode_id"]}
    frames = []
    for name in _OUTPUTS:
        frame = pl.from_arrow(parts[name])
        assert isinstance(frame, pl.DataFrame)
        frames.append(frame.sort(keys[name]))
    return frames[0], frames[1], frames[2]
