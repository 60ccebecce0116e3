"""Arrow columns from Python values, built from their buffers.

Written by hand because pyarrow's own constructors (``pa.array``, ``pa.Table.from_pylist``)
import pandas on their first call (about 0.3 s), which one patient's course does not need, and
building through Polars costs about 0.5 ms a table: most of a one-patient derivation. Only the
types of the engine's input tables are built (integers, floats, booleans, dates, strings);
anything else is a programming error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["column_of", "table_of"]

_EPOCH = dt.date(1970, 1, 1).toordinal()
_NUMBERS = {
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.float64(): np.float64,
}


def _validity(missing: list[bool]) -> pa.Buffer | None:
    if not any(missing):
        return None
    present = ~np.array(missing, dtype=bool)
    return pa.py_buffer(np.packbits(present, bitorder="little"))


def _strings(values: Sequence[object], validity: pa.Buffer | None) -> pa.Array:
    encoded = [b"" if value is None else str(value).encode() for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=offsets[1:])
    if offsets[-1] >= 2**31:
        raise ValueError("more than 2 GiB of text in one column")
    data = pa.py_buffer(b"".join(encoded))
    offsets_buffer = pa.py_buffer(offsets.astype(np.int32))
    return pa.Array.from_buffers(pa.string(), len(encoded), [validity, offsets_buffer, data])


def column_of(values: Sequence[object], dtype: pa.DataType) -> pa.Array:
    """Return Python values (``None`` for missing) as an Arrow array of ``dtype``.

    Parameters
    ----------
    values : sequence
        Integers, floats, booleans, ``datetime.date`` or strings, and ``None``.
    dtype : pyarrow.DataType
        ``int32``, ``int64``, ``float64``, ``bool``, ``date32`` or ``string``.
    """
    missing = [value is None for value in values]
    validity = _validity(missing)
    n = len(values)
    if pa.types.is_string(dtype):
        return _strings(values, validity)
    if pa.types.is_boolean(dtype):
        flags = np.array([bool(value) for value in values], dtype=bool)
        data = pa.py_buffer(np.packbits(flags, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), n, [validity, data])
    if pa.types.is_date32(dtype):
        day_numbers = [0 if v is None else v.toordinal() - _EPOCH for v in values]  # type: ignore[attr-defined]
        numbers = np.array(day_numbers, dtype=np.int32)
    elif dtype in _NUMBERS:
        numbers = np.array([0 if v is None else v for v in values], dtype=_NUMBERS[dtype])
    else:
        raise TypeError(f"no column builder for {dtype}")
    return pa.Array.from_buffers(dtype, n, [validity, pa.py_buffer(numbers)])


def table_of(rows: Sequence[Mapping[str, object]], schema: pa.Schema) -> pa.Table:
    """Return rows (missing keys are nulls) as an Arrow table of ``schema``."""
    columns = [column_of([row.get(field.name) for row in rows], field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)
