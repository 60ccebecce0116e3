"""The strict input layer (netline._inputs): YAML 1.2 core schema, strict JSON, limits, positions.

Each test named after an issue-10 failure would have failed before the input layer.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError, field_validator

from netline._inputs import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    Document,
    parse_document,
    problems_from_validation,
    read_document,
)
from netline._io.json_positions import clean_json, parse_json
from netline._io.limits import LimitExceededError
from netline._io.yaml_core import dump_yaml, parse_yaml
from netline.errors import InvalidInputError, Problem


def data_of(text: str, fmt: Any = None) -> Any:
    return parse_document(text, source="t", fmt=fmt).data


def problems_of(text: str, fmt: Any = None) -> list[Problem]:
    with pytest.raises(InvalidInputError) as info:
        parse_document(text, source="t", fmt=fmt)
    return list(info.value.problems)


# --------------------------------------------------------------------------- YAML 1.2 core schema


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("035", 35),  # YAML 1.1 read this as octal 29
        ("0o17", 15),
        ("0x1F", 31),
        ("yes", "yes"),  # YAML 1.1 read this as true
        ("no", "no"),
        ("on", "on"),
        ("1:30", "1:30"),  # YAML 1.1 read this as sexagesimal 90
        ("2011-02-30", "2011-02-30"),  # YAML 1.1 tried to make a timestamp
        ("2011-04-01", "2011-04-01"),  # dates are text; the date parser reads them
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("1.5e3", 1500.0),
        ("-7", -7),
        ("'035'", "035"),
    ],
)
def test_yaml_scalars_follow_the_core_schema(text: str, value: object) -> None:
    assert data_of(f"a: {text}\n") == {"a": value}


@pytest.mark.parametrize("text", [".nan", ".NaN", ".inf", "-.inf", "+.Inf", "1e400"])
def test_non_finite_yaml_numbers_are_refused(text: str) -> None:
    (problem,) = problems_of(f"x: 1\nlab: {text}\n")
    assert problem.location == "lab"
    assert "finite number" in problem.expected
    assert (problem.line, problem.column) == (2, 6)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_json_numbers_are_refused(text: str) -> None:
    (problem,) = problems_of('{"a": {"b": [1, ' + text + "]}}", fmt="json")
    assert problem.location == "a.b[1]"
    assert "finite number" in problem.expected
    assert problem.line == 1


def test_duplicate_keys_are_refused_with_their_position() -> None:
    problems = problems_of("histology:\n  ki67_percent: 10\n  ki67_percent: 95\n")
    assert [(p.location, p.line, p.column) for p in problems] == [("histology.ki67_percent", 3, 3)]
    assert "once" in problems[0].expected


def test_duplicate_json_keys_are_refused() -> None:
    (problem,) = problems_of('{"events": [1], "events": []}', fmt="json")
    assert problem.location == "events"


def test_yaml_aliases_are_refused() -> None:
    (problem,) = problems_of("a: &x [1, 2]\nb: *x\n")
    assert "alias" in str(problem.value)
    assert problem.line == 2


def test_self_referencing_alias_is_refused() -> None:
    problems_of("a: &x\n  b: *x\n")


def test_billion_laughs_is_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    problems_of("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_deep_nesting_is_refused(fmt: str) -> None:
    (problem,) = problems_of("[" * 5000 + "]" * 5000, fmt=fmt)
    assert str(MAX_DEPTH) in problem.expected


def test_nesting_at_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 1
    assert data_of("[" * depth + "]" * depth, fmt="json") is not None


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_huge_integers_are_refused(fmt: str) -> None:
    digits = "9" * 5000
    text = f'{{"a": {digits}}}' if fmt == "json" else f"a: {digits}\n"
    (problem,) = problems_of(text, fmt=fmt)
    assert f"at most {MAX_INT_DIGITS} digits" in problem.expected


def test_yaml_tags_other_than_core_are_refused() -> None:
    (problem,) = problems_of("a: !!python/object:os.system x\n")
    assert problem.location == "a"


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(MAX_BYTES + 1)
    started = time.perf_counter()
    with pytest.raises(InvalidInputError) as info:
        read_document(big, "case file")
    assert time.perf_counter() - started < 5
    assert "at most 10 MiB" in str(info.value)


# --------------------------------------------------------------------------- JSON


def test_json_with_tabs_and_surrogate_pairs_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{\n\t"a": "\\ud83d\\ude00",\n\t"b": [1,\t2]\n}\n', encoding="utf-8")
    document = read_document(path, "case file")
    assert document.data == {"a": "\U0001f600", "b": [1, 2]}
    assert document.positions["b[1]"] == (3, 11)


def test_json_trailing_comma_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"a": 1,\n}', encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        read_document(path, "case file")
    (problem,) = info.value.problems
    assert "valid JSON" in problem.expected
    assert problem.line == 2


def test_json_text_without_a_name_is_sniffed() -> None:
    assert data_of('{\n\t"a": 1\n}') == {"a": 1}


# --------------------------------------------------------------------------- positions


def test_positions_of_nested_values() -> None:
    document = parse_document("a:\n  - b: 1\n    c: [1, {d: 2}]\n")
    assert document.positions["a[0].c[1].d"] == (3, 16)
    assert document.position("a[0].c[1].e") == (3, 12)  # nearest enclosing value
    located = document.locate([Problem("a[0].b", 1, "something")])
    assert (located[0].line, located[0].column) == (2, 8)


def test_message_prints_file_line_column_field() -> None:
    error = InvalidInputError([Problem("a.b", 3, "less", 4, 7)], source="case.yaml")
    assert "case.yaml:4:7: a.b: got 3; expected less" in str(error)


def test_document_without_positions_keeps_problems() -> None:
    problem = Problem("x", 1, "y")
    assert Document({"x": 1}).locate([problem]) == [problem]


# --------------------------------------------------------------------------- dumping


@pytest.mark.parametrize(
    "text", ["0o17", "1e5", "035", "yes", "null", "~", "", "2011-02-30", "true"]
)
def test_dumped_strings_read_back_as_strings(text: str) -> None:
    data = {"note": text}
    assert parse_yaml(dump_yaml(data))[0] == data


# --------------------------------------------------------------------------- the translator


class _Model(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z][\w.-]{0,63}$")
    ki67: float = Field(ge=0, le=100)
    grade: int = Field(ge=1, le=5)


def _problems(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        _Model.model_validate(data)
    return problems_from_validation(info.value)


def test_no_regex_or_pydantic_wording_reaches_users() -> None:
    problems = _problems({"name": "1bad", "ki67": 120, "grade": "x"})
    text = " ".join(p.expected for p in problems)
    assert "^[" not in text
    assert "should" not in text.lower()
    assert "Input" not in text
    assert [p.expected for p in problems] == [
        "text in the documented form",
        "a number of at most 100",
        "a whole number",
    ]


def test_nan_is_never_reported_as_out_of_range() -> None:
    (problem,) = _problems({"name": "ok", "ki67": math.nan, "grade": 2})
    assert problem.expected == "a finite number (not NaN or infinity)"


def test_validator_complaints_are_not_garbled() -> None:
    class Checked(BaseModel):
        agent: str

        @field_validator("agent")
        @classmethod
        def _agent(cls, value: str) -> str:
            raise ValueError(f"unknown agent {value!r}")

    with pytest.raises(ValidationError) as info:
        Checked.model_validate({"agent": "aspirin"})
    (problem,) = problems_from_validation(info.value)
    assert problem.expected == "a valid value (refused: unknown agent 'aspirin')"
    assert "expected unknown" not in str(problem)


# ---------------------------------------------------------------- fast and positional JSON

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**25), max_value=10**25),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from(["", "NaN", "1e999", '"k": 1, "k": 2', "9" * 30]))
def test_fast_json_reader_agrees_with_the_positional_one(value: Any, extra: str) -> None:
    text = json.dumps({"v": value}, allow_nan=False)
    if extra:
        text = text[:-1] + (", " + extra if ":" in extra else ', "x": ' + extra) + "}"
    clean, fast = clean_json(text)
    try:
        slow = parse_json(text)
    except (json.JSONDecodeError, LimitExceededError):
        assert not clean
        return
    data, _, problems = slow
    assert clean is (not problems)
    if clean:
        assert fast == data


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_fast_and_positional_readers_share_the_depth_limit(depth: int) -> None:
    text = "[" * depth + "]" * depth
    clean, _ = clean_json(text)
    try:
        parse_json(text)
    except LimitExceededError:
        assert not clean
    else:
        assert clean


def test_clean_json_has_positions_on_demand() -> None:
    document = parse_document('{\n  "a": [1, 2]\n}', fmt="json")
    assert document.position("a[1]") == (2, 12)
