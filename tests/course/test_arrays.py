"""The segmented array operations of the course engine against plain statements of them."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netline._jit import forced
from netline.course import CourseTables, LineRules
from netline.course import _arrays as arrays
from netline.course._arrays import (
    NONE,
    arrow_of,
    codes_in,
    distinct,
    numpy_of,
    order_by,
    patient_codes,
    sorted_strings,
)
from netline.course._kernel_eras import latest_before
from netline.course.engine import derive_tables
from netline.course.synthetic import synthetic_cohort

KEYS = st.sampled_from(
    [
        st.integers(0, 3),
        st.integers(-(2**63), 2**63 - 1),
        st.integers(-(2**40), 2**40),
        st.integers(0, 2**31),
    ]
)


@st.composite
def key_columns(draw: st.DrawFn) -> list[np.ndarray]:
    n = draw(st.integers(0, 40))
    kinds = draw(st.lists(KEYS, min_size=1, max_size=4))
    return [np.array(draw(st.lists(k, min_size=n, max_size=n)), dtype=np.int64) for k in kinds]


@pytest.mark.parametrize("mode", ["python", "compiled"])
@settings(max_examples=300, deadline=None)
@given(key_columns())
def test_order_by_is_a_stable_lexicographic_sort(mode: str, keys: list[np.ndarray]) -> None:
    """Exact for any int64 keys (ids up to 2**63), like np.lexsort, without packing values."""
    expected = np.lexsort(keys[::-1]) if len(keys[0]) else np.zeros(0, np.int64)
    keys[0].setflags(write=False)  # columns read straight from Arrow buffers are read-only
    with forced(mode):
        assert order_by(*keys).tolist() == expected.tolist()


@pytest.mark.parametrize("mode", ["python", "compiled"])
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 3)), max_size=12),
    st.lists(st.integers(-3, 3), min_size=4, max_size=4),
    st.booleans(),
)
def test_order_check_with_a_looked_up_last_key(
    mode: str, rows: list[tuple[int, int, int]], rank_of: list[int], sort_rows: bool
) -> None:
    """The assessments' check: by patient and day, then a rank looked up by source code."""
    if sort_rows:
        rows = sorted(rows, key=lambda row: (row[0], row[1], rank_of[row[2]]))
    patient, day, code = (np.array([row[k] for row in rows], dtype=np.int64) for k in range(3))
    keys = [(p, d, rank_of[c]) for p, d, c in rows]
    with forced(mode):
        ordered = arrays.already_ordered(
            patient, day, then=(code, np.array(rank_of, dtype=np.int64))
        )
    assert ordered == (keys == sorted(keys))


@st.composite
def grouped_keys(draw: st.DrawFn) -> list[np.ndarray]:
    """Keys whose first (a patient code) comes in runs, ascending as a batch's rows, or not."""
    runs = draw(st.lists(st.integers(1, 6), max_size=15))
    first = np.repeat(np.arange(len(runs), dtype=np.int64), runs)
    if draw(st.booleans()):  # patients out of order: sorted some other way
        first = np.array(draw(st.permutations(first.tolist())), dtype=np.int64)
    kinds = draw(st.lists(KEYS, min_size=1, max_size=3))
    n = len(first)
    return [first] + [
        np.array(draw(st.lists(k, min_size=n, max_size=n)), dtype=np.int64) for k in kinds
    ]


@pytest.mark.parametrize("longest", [0, 3, arrays.RUN_SORT_LONGEST])
@settings(max_examples=300, deadline=None)
@given(grouped_keys())
def test_order_by_sorts_each_patients_rows(longest: int, keys: list[np.ndarray]) -> None:
    """Sorted patient by patient (compiled): short runs by insertion, long ones by merge sorts
    key by key; sorted whole when patients are out of order.

    Registry-sized arrays (``PYTHON_ROWS`` -1): no one-patient ``lexsort`` shortcut.
    """
    expected = np.lexsort(keys[::-1]) if len(keys[0]) else np.zeros(0, np.int64)
    keys[1].setflags(write=False)  # columns read straight from Arrow buffers are read-only
    with (
        mock.patch.object(arrays, "PYTHON_ROWS", -1),
        mock.patch.object(arrays, "RUN_SORT_LONGEST", longest),
        forced("compiled"),
    ):
        assert order_by(*keys).tolist() == expected.tolist()


@pytest.mark.parametrize("mode", ["python", "compiled"])
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(-30000, 30000)), max_size=40),
    st.lists(st.tuples(st.integers(0, 5), st.integers(-30001, 30001)), max_size=30),
)
def test_latest_event_on_or_before(
    mode: str, rows: list[tuple[int, int]], asked: list[tuple[int, int]]
) -> None:
    """The as-of kernel of the eras: queries by patient (any day order), events by patient, day."""
    rows.sort()
    asked.sort(key=lambda q: q[0])
    seg = np.array([r[0] for r in rows], dtype=np.int64)
    day = np.array([r[1] for r in rows], dtype=np.int64)
    q_seg = np.array([q[0] for q in asked], dtype=np.int64)
    q_day = np.array([q[1] for q in asked], dtype=np.int64)
    out = np.empty(len(asked), dtype=np.int64)
    with forced(mode):
        latest_before(q_seg, q_day, seg, day, out)
    for i, (s, q) in enumerate(asked):
        assert out[i] == max((d for t, d in rows if t == s and d <= q), default=NONE)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(2**63 - 8, 2**63 - 1), unique=True, max_size=6),
    st.lists(st.integers(2**63 - 10, 2**63 - 1), max_size=30),
)
@pytest.mark.parametrize("mode", ["python", "compiled"])
def test_patient_codes_of_integer_ids(mode: str, known: list[int], rows: list[int]) -> None:
    """Integer ids (near 2**63, rows in any order, some unknown) get their rank, else -1."""
    ids = pa.array(sorted(known), pa.int64())
    column = pa.chunked_array([pa.array(rows, pa.int64())], pa.int64())
    expected = [sorted(known).index(r) if r in known else -1 for r in rows]
    with forced(mode):
        assert patient_codes(column, ids).tolist() == expected
    assert codes_in(column, ids).tolist() == expected


def test_arrow_round_trip_with_nulls_offsets_and_dictionaries() -> None:
    """Columns are read from Arrow buffers: sliced arrays, nulls, booleans and dates."""
    ints = pa.array([5, None, -(2**63), 2**63 - 1, 7], pa.int64()).slice(1, 4)
    assert numpy_of(ints, -1).tolist() == [-1, -(2**63), 2**63 - 1, 7]
    bools = pa.chunked_array([pa.array([True, None, False]), pa.array([True])])
    assert numpy_of(bools.combine_chunks().slice(1), False).tolist() == [False, False, True]
    dates = pa.array([0, None, 19000], pa.int32()).cast(pa.date32())
    assert numpy_of(dates, NONE).tolist() == [0, NONE, 19000]
    values = np.array([3, 0, 9], dtype=np.int32)
    back = arrow_of(values, np.array([False, True, False]))
    assert back.to_pylist() == [3, None, 9]
    assert arrow_of(np.array([True, False, True])).to_pylist() == [True, False, True]
    text = pa.chunked_array(
        [pa.array(["b", "a"]).dictionary_encode(), pa.array(["c", None]).dictionary_encode()]
    )
    names = sorted_strings(text)
    assert names.to_pylist() == ["a", "b", "c"]
    assert codes_in(text, names).tolist() == [1, 0, 2, -1]


@pytest.mark.parametrize("mode", ["python", "compiled"])
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=90),
    st.booleans(),
    st.booleans(),
)
def test_small_string_columns_are_coded_as_arrow_codes_them(
    mode: str, values: list[str | None], dictionary: bool, python_rows: bool
) -> None:
    """Vocabularies and codes of a column: Python's path (a patient's few rows, up to
    ``PYTHON_ROWS``) and Arrow's give the bytewise-sorted distinct strings and their indices
    (a dictionary's indices gathered by NumPy or, compiled, by a kernel)."""
    array = pa.array(values, pa.string())
    half = len(values) // 2
    column = pa.chunked_array([array.slice(0, half), array.slice(half)], pa.string())
    if dictionary:
        column = pa.chunked_array([chunk.dictionary_encode() for chunk in column.chunks])
    expected = sorted({v for v in values if v is not None}, key=lambda v: v.encode())
    with mock.patch.object(arrays, "PYTHON_ROWS", 10**6 if python_rows else -1), forced(mode):
        names = sorted_strings(column)
        codes = codes_in(column, names).tolist()
    assert names.type == pa.string()
    assert names.to_pylist() == expected
    assert codes == [-1 if v is None else expected.index(v) for v in values]


@pytest.mark.parametrize("mode", ["python", "compiled"])
def test_batches_give_the_tables_of_one_batch(mode: str) -> None:
    """A registry runs in batches of patients; any batch size gives the same tables."""
    with forced(mode):
        _check_batches()


def _check_batches() -> None:
    tables = synthetic_cohort(200, seed=11, with_lesions=False).tables
    whole = derive_tables(tables, LineRules())
    shuffled = CourseTables(
        **{
            name: table.take(pa.array(np.random.default_rng(1).permutation(table.num_rows)))
            for name, table in tables.as_dict().items()
        }
    )
    # several chunks (a registry read in parts): batches are cut across chunk boundaries
    chunked = CourseTables(
        **{
            name: pa.concat_tables(
                [
                    table.slice(0, table.num_rows // 3),
                    table.slice(table.num_rows // 3, 5),
                    table.slice(table.num_rows // 3 + 5),
                ]
            )
            for name, table in tables.as_dict().items()
        }
    )
    for size in (1, 37, 200):
        for source in (tables, shuffled, chunked):
            parts = derive_tables(source, LineRules(), batch_patients=size)
            assert all(a.equals(b) for a, b in zip(parts, whole, strict=True))
    # string ids (batches cut from per-row codes) and ids near 2**63 (cut between runs)
    for offset, kind in ((0, pa.string()), (2**63 - 1000, pa.int64())):
        moved = CourseTables(
            **{
                name: table.set_column(
                    table.schema.get_field_index("patient_id"),
                    "patient_id",
                    pa.array(
                        [offset + v for v in table.column("patient_id").to_pylist()], pa.int64()
                    ).cast(kind),
                )
                for name, table in tables.as_dict().items()
            }
        )
        reference = derive_tables(moved, LineRules())
        for size in (1, 37):
            parts = derive_tables(moved, LineRules(), batch_patients=size)
            assert all(a.equals(b) for a, b in zip(parts, reference, strict=True))


@settings(max_examples=300, deadline=None)
@given(key_columns())
def test_distinct_keeps_the_first_row_of_each_combination(keys: list[np.ndarray]) -> None:
    """Small spans (counted in a table) and wide ones (sorted) give the same, exact answer."""
    if len(keys[0]) == 0:
        return
    rows, inverse = distinct(*keys)
    combos = [tuple(int(k[i]) for k in keys) for i in range(len(keys[0]))]
    ordered = sorted(set(combos))
    assert [combos[r] for r in rows] == ordered
    assert rows.tolist() == [combos.index(c) for c in ordered]
    assert inverse.tolist() == [ordered.index(c) for c in combos]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.booleans()), max_size=80),
    st.integers(0, 80),
    st.integers(0, 80),
)
def test_sliced_booleans_and_validity_read_from_the_right_bits(
    values: list[bool | None], start: int, length: int
) -> None:
    """A batch is a slice: bits are read from its offset, not from the buffer's start."""
    column = pa.array(values, pa.bool_()).slice(start, length)
    expected = [bool(v) if v is not None else False for v in column.to_pylist()]
    assert numpy_of(column).tolist() == expected
    numbers = pa.array([None if v is None else int(v) for v in values], pa.int64())
    sliced = numbers.slice(start, length)
    assert numpy_of(sliced, -7).tolist() == [-7 if v is None else v for v in sliced.to_pylist()]


def test_bad_row_in_a_later_batch_is_reported_through_the_batch_threads() -> None:
    """Batches run on several threads; an unreadable row in the last one still raises."""
    from netline.errors import InvalidInputError

    tables = synthetic_cohort(60, seed=5, with_lesions=False).tables
    episodes = tables.episodes
    agents = episodes.column("agent").to_pylist()
    agents[-1] = None  # the last patient's last episode, in the last batch
    broken = CourseTables(
        **{
            **tables.as_dict(),
            "episodes": episodes.set_column(
                episodes.schema.get_field_index("agent"), "agent", pa.array(agents, pa.string())
            ),
        }
    )
    with pytest.raises(InvalidInputError, match="agent"):
        derive_tables(broken, LineRules(), batch_patients=7)


@pytest.mark.parametrize("patients", [1, 3, 40])
def test_python_paths_give_the_tables_of_arrow_paths(patients: int) -> None:
    """A patient's few rows take Python paths (codes, sorts, takes, labels; ``PYTHON_ROWS``);
    a registry's take NumPy and Arrow. Both give the same three tables, every column."""
    tables = synthetic_cohort(patients, seed=5, with_lesions=False).tables
    with mock.patch.object(arrays, "PYTHON_ROWS", 10**6):
        python = derive_tables(tables, LineRules())
    with mock.patch.object(arrays, "PYTHON_ROWS", -1):
        arrow = derive_tables(tables, LineRules())
    for ours, theirs in zip(python, arrow, strict=True):
        assert ours.schema == theirs.schema
        assert ours.to_pylist() == theirs.to_pylist()
