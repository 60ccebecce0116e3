"""Property tests: nothing but netline's own validation error escapes the loader."""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netline.errors import InvalidRecordError
from netline.records import dump_case, parse_case, record_from_data

SEED = yaml.safe_load((Path(__file__).parents[2] / "examples" / "seed-case.yaml").read_text())

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["index + 3 months", "prrt.stop", "2020-02-30", "lanreotide", "R0", "-1"]),
)
json_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


PATHS = [p for p in _paths(SEED) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_like, st.booleans()), max_size=4))
def test_mutated_seed_case_only_raises_invalid_record(
    mutations: list[tuple[tuple[Any, ...], Any, bool]],
) -> None:
    data = copy.deepcopy(SEED)
    for path, value, delete in mutations:
        node: Any = data
        try:
            for key in path[:-1]:
                node = node[key]
            if delete and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        record = record_from_data(data)
    except InvalidRecordError as error:
        problems = error.problems
    else:
        assert parse_case(dump_case(record)) == record
        return
    assert problems
    assert all(isinstance(p.location, str) and p.expected for p in problems)


@settings(max_examples=100, deadline=None)
@given(json_like)
def test_random_documents_only_raise_invalid_record(data: Any) -> None:
    with contextlib.suppress(InvalidRecordError):
        record_from_data(data)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_raises_invalid_record(text: str) -> None:
    with contextlib.suppress(InvalidRecordError):
        parse_case(text)
