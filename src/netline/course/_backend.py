"""Typed wrappers around the dataframe layer (Ibis) and the engines it reaches.

The course engine builds Ibis expressions; this module is the only place that knows how a
table gets onto an engine (DuckDB in-process by default, Apache Spark through PySpark) and how
results come back as Arrow. Ibis ships no type information, so its objects are ``Any`` here and
the functions below give them types at the boundary.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["Engine", "EngineName", "connect"]

EngineName = Literal["duckdb", "pyspark"]
_COUNTER = itertools.count()


@dataclass
class Engine:
    """An Ibis backend with the few operations the course engine needs.

    Parameters
    ----------
    name : {"duckdb", "pyspark"}
        Which engine runs the expressions.
    backend : ibis backend
        The connected Ibis backend.
    spark : pyspark.sql.SparkSession, optional
        The Spark session behind a ``pyspark`` backend.
    """

    name: EngineName
    backend: Any
    spark: Any = None
    _names: list[str] = field(default_factory=list)
    _views: list[str] = field(default_factory=list)

    def load(self, table: pa.Table, stem: str) -> Any:
        """Put an Arrow table on the engine and return it as an Ibis table."""
        name = f"_netline_{stem}_{next(_COUNTER)}"
        if self.name == "pyspark":
            self._names.append(name)
            frame = self.spark.createDataFrame(table)
            frame.createOrReplaceTempView(name)
            return self.backend.table(name)
        # DuckDB scans the Arrow table in place (no copy)
        self._views.append(name)
        self.backend.con.register(name, table)
        return self.backend.table(name)

    def materialise(self, expr: Any, stem: str) -> Any:
        """Compute an intermediate table once and return it as a new Ibis table."""
        name = f"_netline_{stem}_{next(_COUNTER)}"
        self._names.append(name)
        if self.name == "pyspark":
            self._spark_frame(expr).localCheckpoint(eager=True).createOrReplaceTempView(name)
            return self.backend.table(name)
        return self.backend.create_table(name, obj=expr, temp=True)

    def drop(self, *tables: Any) -> None:
        """Free intermediate tables made by :meth:`materialise` once they are consumed."""
        for table in tables:
            name = table.get_name()
            if name not in self._names:
                continue
            self._names.remove(name)
            if self.name == "pyspark":
                self.spark.catalog.dropTempView(name)
            else:
                self.backend.drop_table(name, force=True)

    def to_arrow(self, expr: Any) -> pa.Table:
        """Execute an expression and return the result as an Arrow table."""
        if self.name == "pyspark":
            return self._spark_frame(expr).toArrow()
        return self.backend.to_pyarrow(expr)

    def _spark_frame(self, expr: Any) -> Any:
        return self.spark.sql(self.backend.compile(expr))

    def scalar(self, expr: Any) -> Any:
        """Execute a scalar expression and return the Python value."""
        table = self.to_arrow(expr.as_table())
        return table.column(0)[0].as_py()

    def release(self) -> None:
        """Drop the temporary tables this engine created."""
        for name in self._names:
            if self.name == "pyspark":
                self.spark.catalog.dropTempView(name)
            else:
                self.backend.drop_table(name, force=True)
        for name in self._views:
            self.backend.con.unregister(name)
        self._names.clear()
        self._views.clear()


def connect(backend: object = "duckdb") -> Engine:
    """Return the engine for a backend name, an Ibis backend or a Spark session.

    Parameters
    ----------
    backend : {"duckdb", "pyspark"} or ibis backend or SparkSession
        ``"duckdb"`` opens an in-memory DuckDB database; ``"pyspark"`` uses the active Spark
        session (start one first, e.g. ``SparkSession.builder.master("local[*]")``).

    Raises
    ------
    InvalidInputError
        When the backend is not one of these.
    """
    import ibis  # type: ignore[import-untyped]

    from netline.errors import InvalidInputError

    if backend == "duckdb":
        return Engine("duckdb", ibis.duckdb.connect())
    if backend in ("pyspark", "spark"):
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is None:
            raise InvalidInputError.single(
                "backend", backend, "an active Spark session (create one before deriving lines)"
            )
        return Engine("pyspark", ibis.pyspark.connect(session), session)
    kind = type(backend).__module__
    if kind.startswith("pyspark.sql"):
        return Engine("pyspark", ibis.pyspark.connect(backend), backend)
    name = getattr(backend, "name", None)
    if name == "duckdb":
        return Engine("duckdb", backend)
    if name == "pyspark":
        return Engine("pyspark", backend, getattr(backend, "_session", None))
    raise InvalidInputError.single(
        "backend", repr(backend), "'duckdb', 'pyspark', an Ibis backend or a SparkSession"
    )
