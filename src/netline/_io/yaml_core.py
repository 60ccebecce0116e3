"""A strict YAML reader: YAML 1.2 core-schema scalars, no aliases, duplicate keys refused.

PyYAML implements YAML 1.1, whose implicit conversions corrupt clinical data silently: ``035``
is read as octal 29, ``yes`` as true, ``1:30`` as 90 and an unquoted ``2011-02-30`` as a
date or an error. This reader uses PyYAML's scanner, parser and composer only, resolves plain
scalars by the YAML 1.2 core schema (null, true/false, decimal/``0o``/``0x`` integers,
floats), leaves everything else a string, and builds the Python values itself so that it can
keep the line and column of every value.

References
----------
.. [1] YAML Ain't Markup Language version 1.2.2, section 10.3 "Core Schema".
   https://yaml.org/spec/1.2.2/#103-core-schema
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.emitter import Emitter
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.representer import SafeRepresenter
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner
from yaml.serializer import Serializer

from netline._io.limits import MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, LimitExceededError
from netline.errors import Problem

__all__ = ["Positions", "dump_yaml", "parse_yaml"]

#: Location string (``events[3].stop``) -> (line, column), both 1-based.
Positions = dict[str, tuple[int, int]]

_TAG = "tag:yaml.org,2002:"
_NULL, _BOOL, _INT, _FLOAT = f"{_TAG}null", f"{_TAG}bool", f"{_TAG}int", f"{_TAG}float"
_STR, _SEQ, _MAP = f"{_TAG}str", f"{_TAG}seq", f"{_TAG}map"


class _CoreResolver(BaseResolver):
    """Implicit tags of the YAML 1.2 core schema, and nothing else."""


_CoreResolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _PythonEvents(Reader, Scanner, Parser):
    """PyYAML's pure-Python scanner and parser (used when libyaml is missing)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


# libyaml's scanner and parser (PyYAML's C extension) produce the same events and marks about
# ten times faster; composing, the limits and the core schema below stay in Python either way.
def _event_source() -> Any:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return _PythonEvents
    return CParser


_Events = _event_source()


class _Loader(Composer, _Events, _CoreResolver):  # type: ignore[misc,valid-type]
    """PyYAML's front end with aliases refused and depth and size bounded."""

    def __init__(self, stream: str) -> None:
        _Events.__init__(self, stream)
        Composer.__init__(self)
        _CoreResolver.__init__(self)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise LimitExceededError(
                "a YAML alias (*name)",
                "no aliases: write the value out in full",
                offset=event.start_mark.index,
            )
        self.depth += 1
        self.nodes += 1
        start = self.peek_event().start_mark.index
        if self.depth > MAX_DEPTH:
            raise LimitExceededError(
                f"nesting deeper than {MAX_DEPTH} levels",
                f"at most {MAX_DEPTH} levels of nested mappings and lists",
                offset=start,
            )
        if self.nodes > MAX_NODES:
            raise LimitExceededError(
                f"more than {MAX_NODES:,} values",
                f"at most {MAX_NODES:,} values in one file",
                offset=start,
            )
        try:
            node: Node | None = Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1
        return node


def _join(path: str, part: int | str) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else str(part)


class _Builder:
    """Turn composed nodes into Python values, keeping positions and collecting problems."""

    def __init__(self) -> None:
        self.positions: Positions = {}
        self.problems: list[Problem] = []

    def problem(self, node: Node, path: str, value: object, expected: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(path, value, expected, mark.line + 1, mark.column + 1))

    def build(self, node: Node, path: str) -> Any:
        mark = node.start_mark
        self.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self.problem(node, path, node.tag, "no YAML tag on a list")
            return [self.build(item, _join(path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def mapping(self, node: MappingNode, path: str) -> dict[Any, Any]:
        if node.tag != _MAP:
            self.problem(node, path, node.tag, "no YAML tag on a mapping")
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, path, "a mapping or list", "a plain field name as key")
                continue
            key = self.scalar(key_node, path)
            if isinstance(key, float) or key is None:
                key = key_node.value
            child = _join(path, key if isinstance(key, str) else str(key))
            if key in out:
                self.problem(
                    key_node,
                    child,
                    key,
                    "each key once (duplicate key: a second value would replace the first)",
                )
                continue
            out[key] = self.build(value_node, child)
        return out

    def scalar(self, node: ScalarNode, path: str) -> Any:
        text, tag = node.value, node.tag
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() == "true"
        if tag == _INT:
            return self.integer(node, path, text)
        if tag == _FLOAT:
            special = text.lstrip("+-").lower() in (".inf", ".nan")
            number = math.inf if special else float(text)
            if not math.isfinite(number):
                self.problem(node, path, text, "a finite number (not NaN or infinity)")
                return None
            return number
        self.problem(node, path, text, "no YAML tag other than !!str, !!int, !!float, !!bool")
        return None

    def integer(self, node: ScalarNode, path: str, text: str) -> int | None:
        digits = text.lstrip("+-")
        if digits.startswith(("0o", "0x")):
            base, digits = (8 if digits[1] == "o" else 16), digits[2:]
        else:
            base = 10
        if len(digits.lstrip("0")) > MAX_INT_DIGITS:
            self.problem(
                node, path, text[:30] + "...", f"an integer of at most {MAX_INT_DIGITS} digits"
            )
            return None
        sign = -1 if text.startswith("-") else 1
        return sign * int(digits, base)


def parse_yaml(text: str) -> tuple[Any, Positions, list[Problem]]:
    """Parse one YAML document strictly.

    Returns
    -------
    data, positions, problems
        The value (``None`` for an empty document), the position of every value by location
        string, and the problems found (duplicate keys, non-finite numbers, oversized
        integers, tags). Syntax errors and exceeded limits raise.

    Raises
    ------
    yaml.YAMLError
        A syntax error (with its position).
    LimitExceededError
        An alias, too deep a nesting or too many values.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return None, {}, []
    builder = _Builder()
    data = builder.build(node, "")
    return data, builder.positions, builder.problems


def yaml_mark(exc: yaml.YAMLError) -> tuple[int | None, int | None]:
    """Return the 1-based line and column of a YAML error, when the parser gives them."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


class _Dumper(Emitter, Serializer, SafeRepresenter, _CoreResolver):
    """PyYAML's safe dumper, quoting every string the core schema would read as another type."""

    def __init__(self, stream: Any, **options: Any) -> None:
        Emitter.__init__(
            self,
            stream,
            allow_unicode=options.get("allow_unicode"),
            width=options.get("width"),
            indent=options.get("indent"),
        )
        Serializer.__init__(self)
        SafeRepresenter.__init__(self, sort_keys=bool(options.get("sort_keys", False)))
        _CoreResolver.__init__(self)


def dump_yaml(data: Any) -> str:
    """Return YAML text that :func:`parse_yaml` reads back as exactly ``data``."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return text
