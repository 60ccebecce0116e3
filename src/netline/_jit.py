"""Loop kernels with one source and two execution modes: compiled by numba, or plain Python.

A kernel is a plain function of typed NumPy arrays and scalars written as loops (the subset of
Python that numba compiles). :func:`kernel` wraps it: called inside :func:`kernel_mode` it runs
either compiled (``numba.njit(cache=True, nogil=True)``, built on first use) or as the very
same function uncompiled. Importing numba and loading its cached machine code costs about
about 0.7 s (numba's import alone 0.4-0.6 s), a hundred times one patient's whole derivation,
so small batches run uncompiled and numba is imported only when a batch is large
(:data:`COMPILE_MIN_ROWS`) or a kernel has already been compiled in this process. Compiling
with an empty cache (a fresh clone) takes longer, once.

The environment variable ``NETLINE_KERNELS`` overrides the choice: ``compiled`` (always
compile), ``python`` (never) or ``auto`` (the default). :func:`forced` does the same for a
block of code (the differential tests run both modes on the same inputs).

numba's on-disk cache goes to ``__pycache__`` beside the kernel's source file, or, for a
read-only install, to numba's user cache directory; ``NUMBA_CACHE_DIR`` sets another place.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, ParamSpec, TypeVar

__all__ = [
    "COMPILE_MIN_ROWS",
    "ENVIRONMENT",
    "Kernel",
    "forced",
    "kernel",
    "kernel_mode",
    "runs_compiled",
]

P = ParamSpec("P")
R = TypeVar("R")

#: Rows of a batch (episodes, assessments and procedures together) from which the kernels run
#: compiled in ``auto`` mode: below it importing numba and loading the cached kernels (about
#: 0.7 s on the 2-core VM of benchmarks/README.md) would cost more than running the same loops
#: uncompiled (about 4 us a row, so about 0.4 s at this size; about 5,000 patients).
COMPILE_MIN_ROWS = 100_000
#: Environment variable that forces a mode: ``compiled``, ``python`` or ``auto``.
ENVIRONMENT = "NETLINE_KERNELS"
_MODES = ("auto", "compiled", "python")

_compiled: ContextVar[bool | None] = ContextVar("netline_kernels_compiled", default=None)
_forced: ContextVar[str | None] = ContextVar("netline_kernels_forced", default=None)
_lock = threading.Lock()
_any_compiled = False


class Kernel(Generic[P, R]):
    """A loop kernel: the Python function and, once needed, its numba compilation."""

    def __init__(self, function: Callable[P, R]) -> None:
        self.py_func = function
        self.__name__ = function.__name__
        self.__doc__ = function.__doc__
        self._machine: Callable[P, R] | None = None

    def compiled(self) -> Callable[P, R]:
        """Return the compiled kernel (compiled, or loaded from numba's cache, on first use)."""
        global _any_compiled
        if self._machine is None:
            with _lock:
                if self._machine is None:
                    import numba

                    self._machine = numba.njit(cache=True, nogil=True)(self.py_func)
                    _any_compiled = True
        assert self._machine is not None
        return self._machine

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the kernel in the mode of the enclosing :func:`kernel_mode`.

        Outside one: compiled when forced (:func:`forced`, ``NETLINE_KERNELS``) or, in
        ``auto`` mode, when numba has already been paid for in this process.
        """
        if runs_compiled():
            return self.compiled()(*args, **kwargs)
        return self.py_func(*args, **kwargs)


def runs_compiled() -> bool:
    """Whether a kernel called here runs compiled (see :meth:`Kernel.__call__`)."""
    compiled = _compiled.get()
    if compiled is None:
        setting = _setting()
        compiled = setting == "compiled" or (setting == "auto" and _any_compiled)
    return compiled


def kernel(function: Callable[P, R]) -> Kernel[P, R]:
    """Declare a loop kernel (see the module docstring)."""
    return Kernel(function)


def _setting() -> str:
    forced_mode = _forced.get()
    if forced_mode is not None:
        return forced_mode
    value = os.environ.get(ENVIRONMENT, "auto").strip().lower() or "auto"
    if value not in _MODES:
        from netline.errors import InvalidInputError

        raise InvalidInputError.single(ENVIRONMENT, value, "'auto', 'compiled' or 'python'")
    return value


def compiles(rows: int) -> bool:
    """Whether a batch of ``rows`` rows runs its kernels compiled."""
    setting = _setting()
    if setting != "auto":
        return setting == "compiled"
    return rows >= COMPILE_MIN_ROWS or _any_compiled


@contextmanager
def kernel_mode(rows: int) -> Iterator[bool]:
    """Run the kernels called in the block compiled or not, by the size of the batch.

    Inside an enclosing block the enclosing choice holds (a registry cut into batches runs
    every batch in the mode its whole size chose).
    """
    enclosing = _compiled.get()
    compiled = enclosing if enclosing is not None else compiles(rows)
    token = _compiled.set(compiled)
    try:
        yield compiled
    finally:
        _compiled.reset(token)


@contextmanager
def forced(mode: str) -> Iterator[None]:
    """Force ``"compiled"`` or ``"python"`` kernels in the block (tests, benchmarks)."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, not {mode!r}")
    token = _forced.set(mode)
    try:
        yield
    finally:
        _forced.reset(token)
