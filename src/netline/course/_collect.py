"""How the course engine runs its Polars queries: the in-memory engine, chosen explicitly.

Polars 2 runs a query on its streaming engine unless told otherwise. The course engine works on
batches of patients that fit in memory (``engine.BATCH_PATIENTS``); on them the in-memory
engine is several times faster, and its fixed cost per query (tens of microseconds instead of
hundreds) is what one patient pays.
"""

from __future__ import annotations

from typing import Final, Literal

import polars as pl

__all__ = ["collect", "collect_all"]

ENGINE: Final[Literal["in-memory"]] = "in-memory"


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    """Run one query on the in-memory engine."""
    return frame.collect(engine=ENGINE)


def collect_all(frames: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Run several queries on the in-memory engine (common parts once)."""
    return pl.collect_all(frames, engine=ENGINE)
