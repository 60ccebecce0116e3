"""Put a validation problem back where it came from (a CSV row and field, an OMOP row)."""

from __future__ import annotations

from collections.abc import Mapping

from netline.errors import Problem

__all__ = ["locate"]


def locate(problem: Problem, trace: Mapping[str, str]) -> Problem:
    """Return ``problem`` located by ``trace`` (record path -> where it was read).

    An exact path gives ``"<where> (<path>)"``; otherwise the longest traced prefix of the
    path gives ``"<where>, <path>"``; a path not traced is returned unchanged.
    """
    path = problem.location
    if path in trace:
        return Problem(f"{trace[path]} ({path})", problem.value, problem.expected)
    for prefix in sorted(trace, key=len, reverse=True):
        if prefix and path.startswith(prefix):
            return Problem(f"{trace[prefix]}, {path}", problem.value, problem.expected)
    return problem
