"""Group commit: rows from concurrent requests written together, each request waiting for its own.

Every read of patient data writes an audit row before the answer leaves (no answer without its
row). One DuckDB ``INSERT`` costs about a millisecond of CPU whatever its number of rows, so
when many requests write at once, the first to arrive writes every row queued so far in one
statement while the others wait; those that arrive meanwhile form the next batch. A request
returns only once the statement holding its row has committed, and an error in that statement
is raised in every request whose row it held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Row = TypeVar("Row")


class GroupCommit(Generic[Row]):
    """Write rows in batches through ``write``; :meth:`add` returns once its row is written.

    Parameters
    ----------
    write : callable
        Writes a batch of rows (in order) in one transaction, or raises.
    """

    def __init__(self, write: Callable[[Sequence[Row]], None]) -> None:
        self._write = write
        self._cond = threading.Condition()
        self._pending: list[Row] = []
        self._queued = 0  # tickets handed out
        self._done = 0  # tickets whose batch has finished (written or failed)
        self._writing = False
        self._failed: dict[int, BaseException] = {}

    def add(self, row: Row) -> None:
        """Queue ``row`` and return once it is written; raise the error if its batch failed."""
        with self._cond:
            self._pending.append(row)
            self._queued += 1
            ticket = self._queued
            while self._done < ticket:
                if self._writing:
                    self._cond.wait()
                else:
                    self._write_batch()
            error = self._failed.pop(ticket, None)
        if error is not None:
            raise error

    def _write_batch(self) -> None:
        """Write every queued row (called with the condition held; released while writing)."""
        batch, self._pending = self._pending, []
        first, last = self._done + 1, self._queued
        self._writing = True
        self._cond.release()
        error: BaseException | None = None
        try:
            self._write(batch)
        except BaseException as exc:  # handed to every request of the batch
            error = exc
        finally:
            self._cond.acquire()
            self._writing = False
        if error is not None:
            for ticket in range(first, last + 1):
                self._failed[ticket] = error
        self._done = last
        self._cond.notify_all()
