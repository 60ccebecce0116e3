"""Arrow columns from Python values, built from their buffers.

Written by hand because pyarrow's own constructors (``pa.array``, ``pa.Table.from_pylist``)
import pandas on their first call (about 0.3 s), which one patient's course does not need, and
building through Polars costs about 0.5 ms a table: most of a one-patient derivation. Only the
types of the engine's input tables are built (integers, floats, booleans, dates, strings);
anything else is a programming error.

The buffers are Python ``array.array`` and ``bytes`` objects rather than NumPy arrays: the
values start as a Python list either way, and a NumPy call costs a few microseconds of fixed
overhead that a patient's three-row column pays several times (10 µs against 3 µs a column).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Mapping, Sequence
from itertools import accumulate, compress
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["column_of", "table_of"]

_EPOCH = dt.date(1970, 1, 1).toordinal()
#: ``array.array`` type codes of the numeric columns (``i`` is 32 bits on every platform
#: CPython supports; ``q`` and ``d`` are 64).
_NUMBERS = {pa.int32(): "i", pa.int64(): "q", pa.float64(): "d"}
#: Bitmaps up to this many bits are packed in a Python integer; longer ones by NumPy.
_SMALL_BITMAP = 1024


def _bitmap(flags: list[bool]) -> pa.Buffer:
    """Pack flags into an Arrow bitmap (least significant bit first)."""
    if len(flags) > _SMALL_BITMAP:
        return pa.py_buffer(np.packbits(np.array(flags, dtype=bool), bitorder="little"))
    bits = 0
    for position in compress(range(len(flags)), flags):
        bits |= 1 << position
    return pa.py_buffer(bits.to_bytes((len(flags) + 7) // 8, "little"))


def _strings(values: Sequence[object], validity: pa.Buffer | None) -> pa.Array:
    encoded = [b"" if value is None else str(value).encode() for value in values]
    offsets = array("i", [0])
    try:
        offsets.extend(accumulate(map(len, encoded)))
    except OverflowError:
        raise ValueError("more than 2 GiB of text in one column") from None
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [validity, pa.py_buffer(offsets), data])


def column_of(values: Sequence[object], dtype: pa.DataType) -> pa.Array:
    """Return Python values (``None`` for missing) as an Arrow array of ``dtype``.

    Parameters
    ----------
    values : sequence
        Integers, floats, booleans, ``datetime.date`` or strings, and ``None``.
    dtype : pyarrow.DataType
        ``int32``, ``int64``, ``float64``, ``bool``, ``date32`` or ``string``.
    """
    present = [value is not None for value in values]
    validity = None if all(present) else _bitmap(present)
    n = len(values)
    if pa.types.is_string(dtype):
        return _strings(values, validity)
    if pa.types.is_boolean(dtype):
        data = _bitmap([bool(value) for value in values])
        return pa.Array.from_buffers(pa.bool_(), n, [validity, data])
    if pa.types.is_date32(dtype):
        day_numbers = [0 if v is None else v.toordinal() - _EPOCH for v in values]  # type: ignore[attr-defined]
        numbers = array("i", day_numbers)
    elif dtype in _NUMBERS:
        filled: list[Any] = [0 if v is None else v for v in values]
        numbers = array(_NUMBERS[dtype], filled)
    else:
        raise TypeError(f"no column builder for {dtype}")
    return pa.Array.from_buffers(dtype, n, [validity, pa.py_buffer(numbers)])


def table_of(rows: Sequence[Mapping[str, object]], schema: pa.Schema) -> pa.Table:
    """Return rows (missing keys are nulls) as an Arrow table of ``schema``."""
    columns = [column_of([row.get(field.name) for row in rows], field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)
