"""The process's allocators: one glibc arena (set when netline is imported), Arrow on malloc.

glibc gives every thread that allocates an arena of its own. The course engine runs batches of
a registry on one thread per core, and the threads' arenas hand their heaps back to the system
between a batch's large NumPy temporaries and fault them in again: at 10^6 patients on the
2-core VM that was 0.8–2.7 s of system CPU and about 75,000 page faults, against 9,000 with
one arena (benchmarks/README.md, issue 9). The cost is ``import ctypes`` (about 2 ms).

glibc reads the limit on arenas once, when the first thread other than the main one allocates,
so ``mallopt(M_ARENA_MAX, 1)`` helps only before that: at the top of ``netline/__init__.py``,
before NumPy, Arrow or Polars start threads. Imported after them (a notebook that loaded
Polars first), the call changes nothing and does no harm; ``MALLOC_ARENA_MAX=1`` in the
environment then does the same. Written by hand because no maintained library exposes
``mallopt``; it is one ``ctypes`` call.

The user's own setting wins: nothing is changed when ``MALLOC_ARENA_MAX`` or a glibc malloc
tunable is in the environment, or when ``NETLINE_MALLOC_ARENAS=default``.

pyarrow allocates from its own pool (its bundled mimalloc), which returns its pages to the
system and faults them in again for every batch. Importing the course engine therefore makes
malloc, with its one arena, pyarrow's default pool too (:func:`arrow_on_malloc`), unless
``ARROW_DEFAULT_MEMORY_POOL`` (pyarrow's own variable) or ``NETLINE_MALLOC_ARENAS=default``
is set. Buffers allocated before keep the pool they came from.

References
----------
.. [1] The GNU C Library manual, "Memory Allocation Tunables" (``glibc.malloc.arena_max``),
   and mallopt(3) (``M_ARENA_MAX``).
.. [2] Apache Arrow, Python API, "Memory pools" (``pyarrow.set_memory_pool``,
   ``ARROW_DEFAULT_MEMORY_POOL``).
"""

from __future__ import annotations

import os
import sys

__all__ = ["ARROW_POOL_VARIABLE", "OPT_OUT", "arrow_on_malloc", "on_glibc", "share_one_arena"]

#: Environment variable that leaves glibc's arenas and pyarrow's memory pool as they are
#: (value ``default``).
OPT_OUT = "NETLINE_MALLOC_ARENAS"
#: pyarrow's own variable naming its default memory pool: when set, netline leaves the pool.
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
_M_ARENA_MAX = -8  # from glibc's malloc.h


def _opted_out(environ: dict[str, str] | os._Environ[str]) -> bool:
    """Whether the user asked netline to leave the allocators as they are."""
    return environ.get(OPT_OUT, "").strip().lower() == "default"


def _left_to_user(environ: dict[str, str] | os._Environ[str]) -> str | None:
    """Why the arenas are left alone, or None to set one arena."""
    if _opted_out(environ):
        return f"{OPT_OUT}=default"
    if "MALLOC_ARENA_MAX" in environ:
        return "MALLOC_ARENA_MAX is set"
    if "glibc.malloc." in environ.get("GLIBC_TUNABLES", ""):
        return "GLIBC_TUNABLES sets the allocator"
    return None


def on_glibc() -> bool:
    """Whether this process runs on the GNU C library."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError):
        return False


def share_one_arena() -> str:
    """Ask glibc to use one allocator arena for every thread of this process.

    Returns
    -------
    str
        What was done, in words: ``"one arena"``, ``"one arena asked, after other threads
        started ..."`` (when it may come too late) or why nothing was changed.
    """
    if not sys.platform.startswith("linux"):
        return "not Linux"
    if not on_glibc():
        return "not glibc"
    reason = _left_to_user(os.environ)
    if reason is not None:
        return reason
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return "mallopt not found"
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    if mallopt(_M_ARENA_MAX, 1) != 1:
        return "mallopt refused"
    if _threads() > 1:
        return "one arena asked, after other threads started (glibc may keep its limit)"
    return "one arena"


def _threads() -> int:
    """Native threads of this process (Linux lists them in ``/proc/self/task``)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def arrow_on_malloc() -> str:
    """Make pyarrow allocate through malloc (the process's one glibc arena).

    pyarrow's default pool is its bundled mimalloc, which hands its pages back to the system
    and faults them in again, as huge pages zeroed 2 MiB at a time, for every batch of a
    registry: at 10^6 patients about 0.8 s of system CPU in a first derivation, against
    0.2 s with malloc, and 0.14 GB more at the peak (benchmarks/README.md, issue 9).

    Returns
    -------
    str
        ``"malloc"``, or why the pool was left as pyarrow chose it.
    """
    if not sys.platform.startswith("linux") or not on_glibc():
        return "left to pyarrow (not glibc)"
    if os.environ.get(ARROW_POOL_VARIABLE, "").strip():
        return f"{ARROW_POOL_VARIABLE} is set"
    if _opted_out(os.environ):
        return f"{OPT_OUT}=default"
    import pyarrow as pa  # type: ignore[import-untyped]

    pa.set_memory_pool(pa.system_memory_pool())
    return "malloc"
