"""The netline exception hierarchy.

Every error netline raises on purpose derives from :class:`NetlineError`, so a caller can catch
at exactly the level it needs::

    NetlineError
    ├── InvalidInputError        bad data given to netline (ValueError)
    │   ├── InvalidRecordError   a clinical record or case file that fails validation
    │   └── InvalidEvidenceError the knowledge base fails its schema or integrity rules
    ├── InsufficientDataError    the data are valid but too incomplete to answer the question
    └── UnknownKeyError          a therapy, trial, reference or other identifier that does not exist

Validation errors carry every :class:`Problem` found, each naming the field path, the value
given and what was expected, so that a user can fix a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "InsufficientDataError",
    "InvalidEvidenceError",
    "InvalidInputError",
    "InvalidRecordError",
    "NetlineError",
    "Problem",
    "UnknownKeyError",
]

_MAX_VALUE_CHARS = 80


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in user input.

    Parameters
    ----------
    location : str
        Dotted path of the offending field, e.g. ``"events[3].stop"``; ``""`` for the whole input.
    value : object
        The value that was given (``None`` when the field is missing).
    expected : str
        What was expected instead, in words a clinician or data manager can act on.
    line, column : int, optional
        Where the value is in the file (1-based), when the parser kept its position.
    """

    location: str
    value: object
    expected: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.location or "(input)"
        return f"{where}: got {_short_repr(self.value)}; expected {self.expected}"

    def at(self, line: int | None, column: int | None) -> Problem:
        """Return the same problem placed at a line and column of its file."""
        return Problem(self.location, self.value, self.expected, line, column)

    def describe(self, source: str | None = None) -> str:
        """Return ``file:line:col: field: got ...; expected ...`` (parts left out when unknown)."""
        position = ""
        if self.line is not None:
            position = f"{self.line}:{self.column}" if self.column is not None else f"{self.line}"
        prefix = ":".join(part for part in (source or "", position) if part)
        return f"{prefix}: {self}" if prefix else str(self)


def _short_repr(value: object) -> str:
    text = repr(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text


class NetlineError(Exception):
    """Base class of every error raised by netline on purpose."""


class InvalidInputError(NetlineError, ValueError):
    """Input that netline cannot accept, with every problem listed.

    Parameters
    ----------
    problems : iterable of Problem
        The problems found; at least one.
    source : str, optional
        Where the input came from (a file name), shown in the message.
    """

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("an InvalidInputError needs at least one problem")
        self.source = source
        super().__init__(self._format())

    def _format(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        head = f"{count} {noun}" + (f" in {self.source}" if self.source else "")
        lines = "\n".join(
            f"  - {problem.describe(self._where(problem))}" for problem in self.problems
        )
        return f"{head}:\n{lines}"

    def _where(self, problem: Problem) -> str | None:
        """Return the file name to repeat before a problem (only when its line is known)."""
        return self.source if problem.line is not None else None

    @classmethod
    def single(cls, location: str, value: object, expected: str) -> InvalidInputError:
        """Build the error for a single problem."""
        return cls([Problem(location, value, expected)])


class InvalidRecordError(InvalidInputError):
    """A clinical record or case file that fails validation."""


class InvalidEvidenceError(InvalidInputError):
    """The knowledge base fails its schema or integrity rules."""


class InsufficientDataError(NetlineError):
    """The data are valid but do not hold what is needed to answer.

    Parameters
    ----------
    missing : sequence of str
        The fields or facts that would be needed.
    reason : str
        Why they are needed.
    """

    def __init__(self, missing: Sequence[str], reason: str) -> None:
        self.missing = tuple(missing)
        self.reason = reason
        super().__init__(f"{reason} (missing: {', '.join(self.missing)})")


class UnknownKeyError(NetlineError, KeyError):
    """An identifier (therapy, trial, reference, ...) that netline does not know.

    Parameters
    ----------
    kind : str
        What kind of identifier it is, e.g. ``"trial"``.
    key : str
        The identifier given.
    known : iterable of str, optional
        The identifiers that do exist; the closest few are suggested.
    """

    def __init__(self, kind: str, key: str, known: Iterable[str] = ()) -> None:
        import difflib

        self.kind = kind
        self.key = key
        suggestions = difflib.get_close_matches(key, list(known), n=3)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        self.message = f"unknown {kind} {key!r}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
