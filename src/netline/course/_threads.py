"""Batches of a registry on one thread per core.

The compiled kernels release the GIL (``nogil``), so batches of patients overlap on several
cores. Each batch runs in a copy of the caller's context (the kernel mode its registry chose).

glibc would give every new thread an allocator arena of its own, whose heaps are handed back
to the system and faulted in again between a batch's large NumPy temporaries; ``import
netline`` asks for one arena shared by all threads instead (:mod:`netline._allocator`;
benchmarks/README.md, issue 9).
"""

from __future__ import annotations

import contextvars
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["cores", "run_in_threads"]

T = TypeVar("T")
R = TypeVar("R")


@functools.cache
def cores() -> int:
    """Cores of this machine (``os.cpu_count`` reads ``/sys`` on every call: about 40 µs)."""
    return os.cpu_count() or 1


def run_in_threads(work: Callable[[T], R], items: list[T]) -> list[R]:
    """Return ``[work(item) for item in items]``, on one thread per core, in order.

    An exception of any item is raised here (the first in item order).
    """
    workers = min(len(items), cores())
    if workers < 2:
        return [work(item) for item in items]
    contexts = [contextvars.copy_context() for _ in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(context.run, work, item)
            for context, item in zip(contexts, items, strict=True)
        ]
        return [future.result() for future in futures]
