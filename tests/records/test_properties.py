"""Property tests: only netline's own errors escape any loader, and none hangs.

Every loader of user files is driven with random documents, random text, the seed case mutated
field by field, and the hostile documents of issue 10 (aliases, alias bombs, deep nesting,
huge integers, impossible dates, non-finite numbers, duplicate keys). Each call runs under a
CPU-time limit of 5 s (a hang fails the test instead of stalling the suite).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netline._inputs import parse_document
from netline.errors import InvalidRecordError, NetlineError
from netline.records import dump_case, parse_case, record_from_data

ROOT = Path(__file__).parents[2]
SEED_TEXT = (ROOT / "examples" / "seed-case.yaml").read_text(encoding="utf-8")
SEED = parse_document(SEED_TEXT).data
MODEL_TEXT = (ROOT / "examples" / "models" / "pnet-sequences.yaml").read_text(encoding="utf-8")
CPU_LIMIT_S = 5.0
#: Under a tracer (coverage in ./scripts/test) Python runs several times slower; a hang is still
#: caught, but loading the whole knowledge base must not count as one.
TRACED_FACTOR = 4.0


class _HangError(Exception):
    pass


@contextlib.contextmanager
def cpu_limit(seconds: float = CPU_LIMIT_S) -> Iterator[None]:
    """Fail with _HangError if the block uses more than ``seconds`` of CPU time."""
    if sys.gettrace() is not None:
        seconds *= TRACED_FACTOR

    def expired(signum: int, frame: object) -> None:
        raise _HangError(f"more than {seconds} s of CPU time")

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def only_netline_errors(load: Callable[[], object]) -> NetlineError | None:
    """Run a loader; return its netline error, let anything else fail the test."""
    with cpu_limit():
        try:
            load()
        except NetlineError as error:
            return error
    return None


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "index + 3 months",
            "prrt.stop",
            "2020-02-30",
            "lanreotide",
            "R0",
            "-1",
            "index + 100000 years",
            "+99999999999999999999 days",
            "index",
            "birth",
        ]
    ),
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
    with cpu_limit():
        try:
            record = record_from_data(data)
        except InvalidRecordError as error:
            problems = error.problems
        else:
            assert parse_case(dump_case(record)) == record
            assert parse_case(dump_case(record, fmt="json")) == record
            return
    assert problems
    assert all(isinstance(p.location, str) and p.expected for p in problems)


@settings(max_examples=100, deadline=None)
@given(json_like)
def test_random_documents_only_raise_invalid_record(data: Any) -> None:
    with cpu_limit(), contextlib.suppress(InvalidRecordError):
        record_from_data(data)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_raises_netline_errors_in_every_parser(text: str) -> None:
    only_netline_errors(lambda: parse_case(text))
    only_netline_errors(lambda: parse_case(text, source="case.json"))
    only_netline_errors(lambda: parse_document(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_like)
def test_random_documents_only_raise_netline_errors_in_the_model_loader(data: Any) -> None:
    from netline.simulation import parse_model

    document = data if isinstance(data, dict) else {"name": data}
    only_netline_errors(lambda: parse_model(document))


# --------------------------------------------------------------------------- hostile documents

_BOMB = "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9)
)
HOSTILE: dict[str, Callable[[str], str]] = {
    "self-alias": lambda t: t + "zz_alias: &a\n  y: *a\n",
    "billion-laughs": lambda t: (
        t + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol"]\n' + _BOMB
    ),
    "deep-nesting": lambda t: t + "zz_deep: " + "[" * 5000 + "]" * 5000 + "\n",
    "huge-integer": lambda t: t + "zz_int: " + "9" * 5000 + "\n",
    "impossible-date": lambda t: t + "zz_date: 2011-02-30\n",
    "nan": lambda t: t + "zz_nan: .nan\n",
    "duplicate-key": lambda t: t + t.splitlines()[-1] + "\n",
}


def _reads_through_inputs(module: str) -> bool:
    source = inspect.getsource(__import__(module, fromlist=["_"]))
    return "read_document" in source or "parse_document" in source


_PENDING = "until {} reads its files through netline._inputs (see the foundations report)"


@pytest.mark.parametrize("mutation", sorted(HOSTILE))
def test_hostile_case_files_are_refused(mutation: str) -> None:
    error = only_netline_errors(lambda: parse_case(HOSTILE[mutation](SEED_TEXT)))
    assert isinstance(error, InvalidRecordError)


@pytest.mark.parametrize("mutation", sorted(HOSTILE))
def test_hostile_model_files_are_refused(mutation: str) -> None:
    from netline.simulation import parse_model

    if not _reads_through_inputs("netline.simulation.spec"):
        pytest.xfail(_PENDING.format("netline.simulation.spec"))
    error = only_netline_errors(lambda: parse_model(HOSTILE[mutation](MODEL_TEXT)))
    assert error is not None


@pytest.fixture(scope="module")
def kb_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from netline.evidence.loader import data_directory

    target = tmp_path_factory.mktemp("kb")
    shutil.copytree(str(data_directory()), target, dirs_exist_ok=True)
    return target


@pytest.mark.parametrize("mutation", sorted(HOSTILE))
def test_hostile_knowledge_base_files_are_refused(kb_copy: Path, mutation: str) -> None:
    from netline.evidence.loader import load_knowledge_base

    if not _reads_through_inputs("netline.evidence.loader"):
        pytest.xfail(_PENDING.format("netline.evidence.loader"))
    kb = kb_copy / f"kb-{mutation}"
    shutil.copytree(kb_copy, kb, ignore=shutil.ignore_patterns("kb-*"))
    references = kb / "references.yaml"
    references.write_text(HOSTILE[mutation](references.read_text(encoding="utf-8")))
    error = only_netline_errors(lambda: load_knowledge_base(kb))
    assert error is not None
