"""Array helpers of the course engine: Arrow to NumPy and back, codes, sorts.

Every table of a batch is a set of NumPy columns sorted by patient (a dense code, the rank of
the patient id among the follow-up ids) and then by date; the rules themselves are loop
kernels over those rows (``_kernel_*.py``). No value is packed into another: patient codes are
dense counters below the number of rows, ids stay in their own columns.

Days are ``int64`` day numbers (from ``date32``, so below 2**31 in size); a missing day is
:data:`NONE`, far below every real day, so that "the latest day on or before" comparisons need
no mask and differences of days stay far inside ``int64`` in the kernels, compiled or not.

The engine's modules import ``pyarrow.compute`` inside the branches that call it, not at the
top: its import builds a wrapper for every compute function (about 50 ms), and one patient's
course, whose arrays take the Python paths (:func:`in_python`), never calls it.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from netline._jit import runs_compiled
from netline.course._columns import column_of
from netline.course._kernel_arrays import (
    gather_or,
    id_codes,
    in_order,
    in_order_then,
    sort_within_runs,
)

__all__ = [
    "NONE",
    "already_ordered",
    "arrow_of",
    "codes_in",
    "days",
    "distinct",
    "ids_ascending",
    "in_python",
    "numpy_of",
    "one_of",
    "order_by",
    "patient_codes",
    "segment_starts",
    "single",
    "sorted_strings",
    "strings",
    "take_arrow",
    "take_or",
]

I64 = npt.NDArray[np.int64]
Arr = npt.NDArray[Any]
Bools = npt.NDArray[np.bool_]

#: A missing day: below every real day (``int32`` days), and ``day - NONE`` stays in range.
NONE = -(2**60)
#: Arrays up to this many values (one patient's) take Python paths (:func:`in_python`):
#: string codes from ``set`` and ``dict``, takes as list look-ups, sorts by one ``lexsort``,
#: labels by ``str.join``. An Arrow compute call has 5-20 µs of fixed cost, more than the
#: whole look-up.
PYTHON_ROWS = 64
#: Longest run of rows with one first key (one patient's) that :func:`order_by` sorts by
#: insertion (compiled kernels only); a longer run is sorted by stable merge sorts, key by key.
RUN_SORT_LONGEST = 128


_NUMPY_TYPES = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
    pa.date32(): np.int32,
    pa.float64(): np.float64,
}


_ARROW_TYPES = {np.dtype(t): a for a, t in _NUMPY_TYPES.items() if a != pa.date32()}


def _bits(buffer: pa.Buffer, offset: int, n: int) -> Bools:
    """Unpack ``n`` bits from ``offset`` (only the bytes that hold them: a batch is a slice)."""
    first, last = offset // 8, (offset + n + 7) // 8
    packed = np.frombuffer(buffer, dtype=np.uint8)[first:last]
    skip = offset - 8 * first
    return np.unpackbits(packed, bitorder="little")[skip : skip + n].astype(bool)


def single(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Return a column as one Arrow array: its only chunk as is (``combine_chunks`` copies)."""
    if not isinstance(column, pa.ChunkedArray):
        return column
    if column.num_chunks == 1:
        return column.chunk(0)
    return column.combine_chunks()


def numpy_of(column: pa.ChunkedArray | pa.Array, fill: int = 0) -> Arr:
    """Return a numeric, date or boolean Arrow column as a NumPy array, nulls as ``fill``.

    Read from the Arrow buffers directly: pyarrow's own conversions import pandas (0.3 s),
    which one patient's course does not need.
    """
    array = single(column)
    n, offset = len(array), array.offset
    if pa.types.is_boolean(array.type):
        data: Arr = _bits(array.buffers()[1], offset, n) if n else np.zeros(0, dtype=bool)
    elif n == 0:
        data = np.zeros(0, dtype=_NUMPY_TYPES[array.type])
    else:
        raw = np.frombuffer(array.buffers()[1], dtype=_NUMPY_TYPES[array.type])
        data = raw[offset : offset + n]
    if array.null_count:
        if data.dtype.kind in "iu":
            data = data.astype(np.int64)  # the fill (NONE) may not fit the column's type
        data = np.where(_bits(array.buffers()[0], offset, n), data, fill)
    return data


def arrow_of(values: Arr, missing: Bools | None = None) -> pa.Array:
    """Return a NumPy array (integers or booleans) as an Arrow array, ``missing`` as nulls."""
    n = len(values)
    validity = None
    if missing is not None and missing.any():
        validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    if values.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), n, [validity, data])
    dtype = _ARROW_TYPES[values.dtype]
    return pa.Array.from_buffers(dtype, n, [validity, pa.py_buffer(np.ascontiguousarray(values))])


def strings(values: list[str] | tuple[str, ...]) -> pa.Array:
    """Return Python strings as an Arrow ``string`` array (no pandas import).

    A tuple (a fixed vocabulary) is converted once and kept.
    """
    if isinstance(values, tuple):
        return _vocabulary(values)
    return column_of(values, pa.string())


@functools.lru_cache(maxsize=64)
def _vocabulary(values: tuple[str, ...]) -> pa.Array:
    return strings(list(values))


def days(column: pa.ChunkedArray | pa.Array) -> I64:
    """Return a ``date32`` (or integer) column as ``int64`` day numbers, missing as NONE."""
    return np.asarray(numpy_of(column, NONE), dtype=np.int64)


def _text(column: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Return a text column as (values, indices): a dictionary-encoded one keeps its indices."""
    array = single(column)
    if pa.types.is_dictionary(array.type):  # combine_chunks unified the dictionaries
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        return pc.cast(array.dictionary, pa.string()), array.indices
    return array, None


def in_python(*lengths: int) -> bool:
    """Whether arrays of these lengths are few enough to handle in Python (``PYTHON_ROWS``)."""
    return all(length <= PYTHON_ROWS for length in lengths)


def _small(*arrays: pa.Array) -> bool:
    """Whether string arrays are few enough to handle in Python (see ``PYTHON_ROWS``)."""
    return all(pa.types.is_string(a.type) for a in arrays) and in_python(*map(len, arrays))


def sorted_strings(*columns: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Return the distinct non-null strings of the columns, sorted (bytewise).

    For a dictionary-encoded column, the strings of its dictionary (a few, not every row).
    Python's order of ``str`` (by code point) is the bytewise order of their UTF-8.
    """
    texts = [_text(c)[0] for c in columns]
    if _small(*texts):
        return strings(sorted({value for text in texts for value in text.to_pylist()} - {None}))
    import pyarrow.compute as pc

    parts = [pc.unique(pc.cast(text, pa.string())) for text in texts]
    values = pc.unique(pa.chunked_array(parts, type=pa.string())).drop_null()
    return values.take(pc.sort_indices(values))


def codes_in(column: pa.ChunkedArray | pa.Array, values: pa.Array) -> I64:
    """Return the index of each value of ``column`` in ``values`` (-1 when null or absent)."""
    array, indices = _text(column)
    if pa.types.is_string(values.type) and not pa.types.is_string(array.type):
        array = array.cast(pa.string())
    if _small(array, values):
        # like index_in (whose nulls match a null in values): a dictionary of a few values
        position = {value: code for code, value in enumerate(values.to_pylist())}
        found = [position.get(value, -1) for value in array.to_pylist()]
        codes = np.array(found, dtype=np.int64)
    else:
        import pyarrow.compute as pc

        codes = np.asarray(numpy_of(pc.index_in(array, value_set=values), -1), dtype=np.int64)
    if indices is None:
        return codes
    # the indices as stored (often int32; a null as -1), gathered without a cast
    return take_or(codes, numpy_of(indices, -1), -1)


def segment_starts(*keys: Arr) -> Bools:
    """Return True on each row whose keys differ from the row before (and on the first)."""
    n = len(keys[0])
    first = np.ones(n, dtype=bool)
    if n > 1:
        changed = np.zeros(n - 1, dtype=bool)
        for key in keys:
            changed |= key[1:] != key[:-1]
        first[1:] = changed
    return first


def _kernel_keys(keys: tuple[Arr, ...]) -> tuple[I64, ...]:
    """Keys as one array type (numba indexes a tuple only when its items are alike).

    ``int64`` and writeable (columns read straight from Arrow buffers are read-only).
    """
    checked = [np.asarray(key, dtype=np.int64) for key in keys]
    return tuple(key if key.flags.writeable else key.copy() for key in checked)


def already_ordered(*keys: Arr, then: tuple[I64, I64] | None = None) -> bool:
    """Whether the rows are sorted by ``keys`` already (one kernel pass, no sort).

    ``then``: (codes, rank by code), a last key looked up in the pass, not gathered first.
    """
    if len(keys[0]) < 2:
        return True
    if then is not None:
        codes, rank_of = then
        return bool(in_order_then(_kernel_keys(keys), *_kernel_keys((codes, rank_of))))
    return bool(in_order(_kernel_keys(keys)))


def ids_ascending(column: pa.ChunkedArray | pa.Array) -> bool:
    """Whether signed integer ids without nulls are in ascending order already (one pass).

    A registry's tables usually come sorted by patient, and its batches are cut from its
    sorted ids; other ids are sorted by the caller.
    """
    if column.null_count or not pa.types.is_signed_integer(column.type):
        return False
    return already_ordered(numpy_of(column))


def order_by(*keys: Arr) -> I64:
    """Return the stable order of rows by several integer keys (the first is the most significant).

    Like ``np.lexsort(keys[::-1])``, and exact for any ``int64`` values, but faster. With
    compiled kernels, rows grouped by the first key (a patient's rows together, patients in
    order) are sorted run by run (:func:`~._kernel_arrays.sort_within_runs`). Otherwise
    adjacent keys whose value ranges multiply to less than 2**62 are combined into one and
    sorted with one stable ``argsort`` (several times faster than ``lexsort`` on a few keys);
    keys whose ranges do not fit (ids up to 2**63) get a stable sort of their own.
    """
    n = len(keys[0])
    if in_python(n):  # one patient's rows: lexsort's one call costs least
        small: I64 = np.lexsort(keys[::-1]).astype(np.int64)
        return small
    order = np.arange(n, dtype=np.int64)
    if len(keys) > 1 and runs_compiled():
        # rows grouped by patient (the first key, nearly always): a compiled insertion sort
        # of each patient's few rows, several times faster than a sort of the whole batch
        if sort_within_runs(_kernel_keys(keys), RUN_SORT_LONGEST, order):
            return order
        order = np.arange(n, dtype=np.int64)  # patients out of order: not sorted already
    elif already_ordered(*keys):
        return order  # rows are often in order already
    groups: list[list[tuple[I64, int, int]]] = [[]]
    width = 1
    for key in reversed(keys):  # least significant first
        values = np.asarray(key, dtype=np.int64)
        low = int(values.min())
        span = int(values.max()) - low + 1
        if groups[-1] and width * span >= 2**62:
            groups.append([])
            width = 1
        groups[-1].append((values, low, width))
        width *= span
    identity = True  # ``order`` is still 0, 1, ...: no gather needed
    for group in groups:
        if len(group) == 1:
            combined = group[0][0] if identity else group[0][0][order]
        else:
            combined = np.zeros(n, dtype=np.int64)
            for values, low, factor in group:
                combined += ((values if identity else values[order]) - low) * factor
        order = order[np.argsort(combined, kind="stable")]
        identity = False
    return order


def take_or(values: I64, index: npt.NDArray[np.integer], fill: int) -> I64:
    """Return ``values[index]``, with ``fill`` where ``index`` is -1 (any integer index type)."""
    if len(values) == 0:
        return np.full(len(index), fill, dtype=values.dtype)
    if not in_python(len(index)) and runs_compiled():  # one pass, no cast of the index
        out = np.empty(len(index), dtype=values.dtype)
        gather_or(values, index, fill, out)
        return out
    if len(index) == 0 or int(index.min()) >= 0:
        taken: I64 = values[index]
        return taken
    return np.where(index >= 0, values[np.maximum(index, 0)], fill)


#: Value types that :func:`take_arrow` takes in Python for a batch of one.
_PYTHON_TAKE_TYPES = (pa.string(), pa.int64())


def take_arrow(values: pa.Array, index: I64) -> pa.Array:
    """Return ``values[index]`` as an Arrow array, null where ``index`` is negative.

    Arrow's take, except for at most ``PYTHON_ROWS`` strings or 64-bit integers taken at most
    ``PYTHON_ROWS`` times (one patient's): a take has 10-20 µs of fixed cost, several times
    the whole look-up in Python.
    """
    if in_python(len(index), len(values)) and values.type in _PYTHON_TAKE_TYPES:
        words = values.to_pylist()
        return column_of([words[i] if i >= 0 else None for i in index.tolist()], values.type)
    missing = index < 0
    return values.take(arrow_of(np.where(missing, 0, index), missing))


def one_of(codes: I64, wanted: list[int]) -> Bools:
    """Return True where ``codes`` is one of the few ``wanted`` codes."""
    out = np.zeros(len(codes), dtype=bool)
    for code in wanted:
        out |= codes == code
    return out


def _dense_key(keys: tuple[I64, ...], limit: int) -> tuple[I64, int] | None:
    """Return the keys as one exact code below their span, or None if the span is over ``limit``."""
    width = 1
    parts = []
    for key in reversed(keys):  # least significant first
        low, high = int(key.min()), int(key.max())
        parts.append((key, low, width))
        width *= high - low + 1  # Python integers: exact
        if width > limit:
            return None
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, low, factor in parts:
        combined += (key - low) * factor
    return combined, width


def distinct(*keys: I64) -> tuple[I64, I64]:
    """Return one row of each distinct combination of keys (in key order) and each row's group.

    The row kept is the first of its combination. When the combinations span few values (a
    few kinds, agents and cycle counts) they are counted in a table of that span instead of
    sorted; the span is computed exactly and a wide one is sorted.
    """
    n = len(keys[0])
    dense = _dense_key(keys, limit=2 * n + 1024) if n else None
    if dense is not None:
        key, span = dense
        seen = np.zeros(span, dtype=bool)
        seen[key] = True
        rank = np.cumsum(seen) - 1
        first_row = np.empty(span, dtype=np.int64)
        first_row[key[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)  # the first one wins
        return first_row[seen], rank[key]
    order = order_by(*keys)
    first = segment_starts(*(key[order] for key in keys)) if len(order) else order.astype(bool)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return order[first], inverse


def patient_codes(column: pa.ChunkedArray | pa.Array, ids: pa.Array) -> I64:
    """Return the index of each patient id in the sorted ``ids`` (-1 when null or absent).

    Integer ids are looked up once per run of equal ids (rows are usually grouped by
    patient, :func:`~netline.course._kernel_arrays.id_codes`); other ids through
    :func:`codes_in`.
    """
    if (
        column.type != ids.type
        or column.null_count
        or not pa.types.is_integer(ids.type)
        or len(column) == 0
        or len(ids) == 0
    ):
        return codes_in(column, ids)
    out = np.empty(len(column), dtype=np.int64)
    id_codes(numpy_of(column), numpy_of(ids), out)
    return out
