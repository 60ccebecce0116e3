"""A strict JSON reader that keeps the position of every value.

JSON is read by Python's :mod:`json` module (so tabs, surrogate-pair escapes and every other
valid JSON is accepted, and trailing commas are refused), with its pure-Python scanner hooked
to record where each value starts. ``NaN``, ``Infinity``, integers over the digit limit and
repeated keys are reported as problems at their position.

References
----------
.. [1] RFC 8259, The JavaScript Object Notation (JSON) Data Interchange Format.
   https://www.rfc-editor.org/rfc/rfc8259
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import math
from collections.abc import Callable
from typing import Any

from netline._io.limits import MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, LimitExceededError
from netline._io.yaml_core import Positions
from netline.errors import Problem

__all__ = ["clean_json", "parse_json"]


class _Refused:
    """A value the decoder refuses, kept in place so that the walk can report its position."""

    def __init__(self, text: str, expected: str) -> None:
        self.text = text
        self.expected = expected


class _Pairs(list[tuple[str, Any]]):
    """The key/value pairs of an object, turned into a dict after positions are known."""


class _Decoder(json.JSONDecoder):
    def __init__(self) -> None:
        super().__init__(
            object_pairs_hook=_Pairs,
            parse_constant=lambda text: _Refused(text, "a finite number (not NaN or infinity)"),
            parse_int=self._int,
            parse_float=self._float,
        )
        self.depth = 0
        self.nodes = 0
        self.children: dict[int, list[int]] = {}
        self.duplicates: dict[int, list[tuple[int, str]]] = {}
        self.parse_object = self._object
        self.parse_array = self._array
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]

    @staticmethod
    def _int(text: str) -> int | _Refused:
        if len(text.lstrip("-").lstrip("0")) > MAX_INT_DIGITS:
            return _Refused(text[:30] + "...", f"an integer of at most {MAX_INT_DIGITS} digits")
        return int(text)

    @staticmethod
    def _float(text: str) -> float | _Refused:
        number = float(text)
        if not math.isfinite(number):
            return _Refused(text, "a finite number (not NaN or infinity)")
        return number

    def _enter(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitExceededError(
                f"nesting deeper than {MAX_DEPTH} levels",
                f"at most {MAX_DEPTH} levels of nested objects and arrays",
                offset=offset,
            )

    def _recording(self, scan_once: Callable[[str, int], Any]) -> tuple[Any, list[int]]:
        starts: list[int] = []

        def scan(string: str, idx: int) -> Any:
            starts.append(idx)
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise LimitExceededError(
                    f"more than {MAX_NODES:,} values",
                    f"at most {MAX_NODES:,} values in one file",
                    offset=idx,
                )
            return scan_once(string, idx)

        return scan, starts

    def _object(self, s_and_end: tuple[str, int], strict: bool, scan_once: Any, *rest: Any) -> Any:
        self._enter(s_and_end[1] - 1)
        scan, starts = self._recording(scan_once)
        pairs, end = json.decoder.JSONObject(  # type: ignore[attr-defined]
            s_and_end, strict, scan, *rest
        )
        self.depth -= 1
        out: dict[str, Any] = {}
        kept: list[int] = []
        for (key, value), start in zip(pairs, starts, strict=True):
            if key in out:
                self.duplicates.setdefault(id(out), []).append((start, key))
                continue
            out[key] = value
            kept.append(start)
        self.children[id(out)] = kept
        return out, end

    def _array(self, s_and_end: tuple[str, int], scan_once: Any, *rest: Any) -> Any:
        self._enter(s_and_end[1] - 1)
        scan, starts = self._recording(scan_once)
        values, end = json.decoder.JSONArray(  # type: ignore[attr-defined]
            s_and_end, scan, *rest
        )
        self.depth -= 1
        self.children[id(values)] = starts
        return values, end


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _walk(
    value: Any, path: str, offset: int, decoder: _Decoder, lines: _Lines, out: Positions
) -> tuple[Any, list[Problem]]:
    """Record positions below ``value``; replace refused values by None and report them."""
    out.setdefault(path, lines(offset))
    problems: list[Problem] = []
    if isinstance(value, _Refused):
        problems.append(Problem(path, value.text, value.expected, *lines(offset)))
        return None, problems
    if isinstance(value, dict):
        for start, key in decoder.duplicates.get(id(value), []):
            problems.append(
                Problem(
                    f"{path}.{key}" if path else key,
                    key,
                    "each key once (duplicate key: a second value would replace the first)",
                    *lines(start),
                )
            )
        for (key, child), start in zip(value.items(), decoder.children[id(value)], strict=True):
            where = f"{path}.{key}" if path else key
            value[key], found = _walk(child, where, start, decoder, lines, out)
            problems += found
    elif isinstance(value, list):
        for i, (child, start) in enumerate(zip(value, decoder.children[id(value)], strict=True)):
            value[i], found = _walk(child, f"{path}[{i}]", start, decoder, lines, out)
            problems += found
    return value, problems


def parse_json(text: str) -> tuple[Any, Positions, list[Problem]]:
    """Parse a JSON document strictly; return value, positions and problems.

    Raises
    ------
    json.JSONDecodeError
        A syntax error (it has ``lineno`` and ``colno``).
    LimitExceededError
        Too deep a nesting or too many values.
    """
    decoder = _Decoder()
    data = decoder.decode(text)
    lines = _Lines(text)
    start = len(text) - len(text.lstrip(" \t\n\r"))
    positions: Positions = {}
    data, problems = _walk(data, "", start, decoder, lines, positions)
    return data, positions, problems


class _UncleanError(Exception):
    """Raised by the fast reader when the document needs the positional reader's report."""


def _pairs_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _UncleanError
    return out


def _constant(text: str) -> Any:
    raise _UncleanError


def _fast_int(text: str) -> int:
    if len(text.lstrip("-").lstrip("0")) > MAX_INT_DIGITS:
        raise _UncleanError
    return int(text)


def _fast_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _UncleanError
    return number


def _within_limits(data: Any) -> bool:
    """Apply the positional reader's depth and size limits to decoded data."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth + 1 > MAX_DEPTH:
                return False
            children = list(value.values()) if isinstance(value, dict) else value
            nodes += len(children)
            if nodes > MAX_NODES:
                return False
            stack.extend((child, depth + 1) for child in children)
    return True


def clean_json(text: str) -> tuple[bool, Any]:
    """Read JSON with the fast C decoder when it breaks no rule; return (clean, data).

    A document that is not clean (a syntax error, a repeated key, a non-finite number, an
    oversized integer, a limit passed) returns ``(False, None)``: read it with
    :func:`parse_json`, which reports every problem with its position.
    """
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs_once,
            parse_constant=_constant,
            parse_int=_fast_int,
            parse_float=_fast_float,
        )
    except (_UncleanError, ValueError, RecursionError):
        return False, None
    return (True, data) if _within_limits(data) else (False, None)
