"""Progress of long registry work, on stderr only (never in the output a command prints).

:func:`steps` shows the steps of one command (select the cohort, fit, draw) with a spinner
and the time elapsed, refreshed while a step runs, so a step that takes minutes still shows
that it is alive. By default it shows only on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["iterate", "steps"]

T = TypeVar("T")


@contextmanager
def steps(total: int, title: str, enabled: bool | None = None) -> Iterator[Callable[[str], None]]:
    """Show ``total`` steps of ``title`` on stderr; yield ``begin(name)`` to call per step.

    Parameters
    ----------
    total : int
        How many steps there are.
    title : str
        What the steps do (shown before the bar).
    enabled : bool, optional
        Show the progress (default: when stderr is a terminal).
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=sys.stderr, stderr=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=console.is_terminal,
    )
    task = progress.add_task(title, total=total)
    started = False

    def begin(name: str) -> None:
        nonlocal started
        if started:
            progress.advance(task)
        started = True
        progress.update(task, description=f"{title}: {name}")

    with progress:
        yield begin
        progress.update(task, completed=total, description=f"{title}: done")


def iterate(
    items: Sequence[T], desc: str, unit: str, enabled: bool | None = None, at_least: int = 50
) -> Iterable[T]:
    """Return ``items`` with a progress bar on stderr when enabled.

    By default (``enabled=None``) the bar shows on a terminal for ``at_least`` items or more.
    """
    if enabled is None:
        enabled = sys.stderr.isatty() and len(items) >= at_least
    if not enabled:
        return items
    from tqdm import tqdm  # type: ignore[import-untyped]

    bar: Iterable[T] = tqdm(items, desc=desc, unit=unit, file=sys.stderr)
    return bar
