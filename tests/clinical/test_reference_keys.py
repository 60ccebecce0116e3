"""Every reference key netline's code cites exists in the knowledge base (it cannot drift again).

The scan reads the source of the whole package (``src/netline``) with :mod:`ast` and collects
the string keys given as a finding's ``references=``, the values of module constants named
``*_REF``, ``*_REFS``, ``*REFERENCES`` or ``refs``/``references`` (local lists too), the first
element of each entry of a ``*_SOURCES`` table, and ``references.append(...)`` arguments. The
simulation's estimates file cites knowledge-base keys as well. Each key must be a reference of
``references.yaml``; each reference that names code in ``used_by`` must be cited there.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import yaml

import netline
from netline.evidence import load_knowledge_base

_PACKAGE = Path(netline.__file__).resolve().parent
_NAMES = re.compile(r"(^|_)(refs?|references)$|_REFS?$|REFERENCES$", re.IGNORECASE)
_SOURCES = re.compile(r"_SOURCES$")


def _strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _target_names(node: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _keys_in(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "references":
                    for key in _strings(keyword.value):
                        yield node.lineno, key
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "append"
                and isinstance(func.value, ast.Name)
                and _NAMES.search(func.value.id)
            ):
                for arg in node.args:
                    for key in _strings(arg):
                        yield node.lineno, key
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            names = _target_names(node)
            if any(_NAMES.search(name) for name in names):
                for key in _strings(node.value):
                    yield node.lineno, key
            elif any(_SOURCES.search(name) for name in names) and isinstance(node.value, ast.Dict):
                for value in node.value.values:
                    if isinstance(value, ast.Tuple) and value.elts:
                        yield from ((node.lineno, key) for key in _strings(value.elts[0]))


def code_reference_keys() -> dict[str, list[tuple[str, int]]]:
    """Return each reference key cited by netline's code, with where (module, line)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(_PACKAGE.rglob("*.py")):
        module = ".".join(("netline", *path.relative_to(_PACKAGE).with_suffix("").parts))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, key in _keys_in(tree):
            found.setdefault(key, []).append((module, line))
    return found


def _simulation_keys() -> set[str]:
    text = resources.files("netline.simulation").joinpath("data/estimates.yaml").read_text("utf-8")
    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name == "ref" and isinstance(value, str):
                    keys.update(part for part in value.split("+") if part != "assumption")
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(text))
    return keys


_CODE_KEYS = code_reference_keys()
_KB_KEYS = {reference.key for reference in load_knowledge_base().references}


def test_the_scan_finds_the_calculators_sources() -> None:
    # A scan that found nothing would pass vacuously: these keys are cited by the calculators.
    for key in ("eisenhauer2009", "ctcae_v5", "pugh1973", "who2019", "ajcc8", "kwekkeboom2002"):
        assert key in _CODE_KEYS, key


@pytest.mark.parametrize("key", sorted(_CODE_KEYS))
def test_every_key_cited_by_code_is_a_knowledge_base_reference(key: str) -> None:
    where = ", ".join(f"{module}:{line}" for module, line in _CODE_KEYS[key])
    assert key in _KB_KEYS, f"{key!r} (cited at {where}) is not a key of references.yaml"


def test_every_key_cited_by_the_simulation_estimates_is_a_knowledge_base_reference() -> None:
    assert _simulation_keys() - _KB_KEYS == set()


def test_used_by_names_code_that_cites_the_reference() -> None:
    stale = []
    for reference in load_knowledge_base().references:
        for package in reference.used_by:
            modules = {module for module, _ in _CODE_KEYS.get(reference.key, [])}
            if not any(m == package or m.startswith(package + ".") for m in modules):
                stale.append(f"{reference.key} (used_by {package})")
    assert stale == []


def test_the_scan_reports_an_unknown_key() -> None:
    tree = ast.parse('finding = Finding(references=("eisenhauer-2009",))\nX_REFS = ("foo1999",)')
    assert {key for _, key in _keys_in(tree)} == {"eisenhauer-2009", "foo1999"}
