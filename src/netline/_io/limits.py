"""The limits every input file is held to (documented in docs/case-files.md)."""

from __future__ import annotations

from typing import Final

#: Largest input file accepted, in bytes (10 MiB; a large case file is well under 1 MiB).
MAX_BYTES: Final = 10 * 1024 * 1024
#: Deepest nesting of mappings and lists (a case file nests about 6 deep).
MAX_DEPTH: Final = 64
#: Most mapping keys, list items and scalars in one file.
MAX_NODES: Final = 500_000
#: Most digits in an integer (a 20-digit integer is already far beyond any clinical value).
MAX_INT_DIGITS: Final = 20


class LimitExceededError(Exception):
    """Raised inside the parsers when a limit is passed; turned into a problem by the caller."""

    def __init__(self, what: str, expected: str, offset: int | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.expected = expected
        self.offset = offset
