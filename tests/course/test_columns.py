"""Arrow columns built from their buffers agree with pyarrow's own constructor."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netline.course._columns import column_of, table_of

VALUES = {
    pa.int32(): st.integers(-(2**31), 2**31 - 1),
    pa.int64(): st.integers(-(2**63), 2**63 - 1),
    pa.float64(): st.floats(allow_nan=False),
    pa.bool_(): st.booleans(),
    pa.date32(): st.dates(),
    pa.string(): st.text(),
}


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[pa.DataType, list[object]]:
    dtype = draw(st.sampled_from(list(VALUES)))
    values = draw(st.lists(st.none() | VALUES[dtype], max_size=40))
    return dtype, values


# the first text draw builds hypothesis's table of unicode characters (about a second)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(typed_values())
def test_column_equals_pyarrow(case: tuple[pa.DataType, list[object]]) -> None:
    """Every type, nulls anywhere (none, some, all), unicode text, the full integer ranges."""
    dtype, values = case
    built = column_of(values, dtype)
    built.validate(full=True)
    assert built.type == dtype
    assert built.to_pylist() == values
    assert built.equals(pa.array(values, type=dtype))


def test_null_positions_past_one_byte() -> None:
    """The validity bitmap is packed little-endian: nulls after the eighth value stay put."""
    values: list[object] = [None if i % 3 == 0 else i for i in range(19)]
    assert column_of(values, pa.int64()).to_pylist() == values


def test_dates_before_the_epoch() -> None:
    values: list[object] = [dt.date(1901, 3, 1), dt.date(1970, 1, 1), dt.date(2099, 12, 31)]
    assert column_of(values, pa.date32()).to_pylist() == values


def test_other_types_are_refused() -> None:
    with pytest.raises(TypeError, match="no column builder"):
        column_of([1.5], pa.float32())


def test_table_of_fills_missing_keys_with_nulls() -> None:
    schema = pa.schema([("id", pa.string()), ("start", pa.date32()), ("n", pa.int32())])
    rows: list[dict[str, object]] = [
        {"id": "a", "start": dt.date(2020, 1, 1), "n": 1},
        {"id": "b"},
    ]
    table = table_of(rows, schema)
    assert table.schema == schema
    assert table.to_pylist() == [
        {"id": "a", "start": dt.date(2020, 1, 1), "n": 1},
        {"id": "b", "start": None, "n": None},
    ]
    assert table_of([], schema).num_rows == 0


@pytest.mark.parametrize("dtype", list(VALUES))
@pytest.mark.parametrize("n", [1023, 1024, 1025, 5000])
def test_long_columns_pack_their_bitmaps_with_numpy_alike(dtype: pa.DataType, n: int) -> None:
    """Bitmaps above ``_SMALL_BITMAP`` bits are packed by NumPy: same column either side."""
    samples: dict[pa.DataType, object] = {
        pa.int32(): -7,
        pa.int64(): 2**62,
        pa.float64(): 0.25,
        pa.bool_(): True,
        pa.date32(): dt.date(2021, 3, 1),
        pa.string(): "lanréotide",
    }
    values: list[object] = [
        None if i % 7 == 3 else (False if dtype == pa.bool_() and i % 2 else samples[dtype])
        for i in range(n)
    ]
    built = column_of(values, dtype)
    built.validate(full=True)
    assert built.equals(pa.array(values, type=dtype))
