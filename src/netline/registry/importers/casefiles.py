"""Reading netline case files (YAML or JSON) for an import: one file, many, or folders."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from netline.errors import InvalidInputError, InvalidRecordError, Problem
from netline.records import CaseRecord, load_case

__all__ = ["CASE_SUFFIXES", "find_case_files", "read_case_files"]

#: Suffixes of case files.
CASE_SUFFIXES = (".yaml", ".yml", ".json")
_PROGRESS_FROM = 50


def find_case_files(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    """Expand files and folders (searched recursively) into case files, sorted.

    Raises
    ------
    InvalidInputError
        When a path does not exist or a folder holds no case file.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Path] = []
    problems: list[Problem] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in CASE_SUFFIXES and p.is_file()
            )
            if not inside:
                problems.append(
                    Problem(str(path), "a folder", "a folder with .yaml or .json files")
                )
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(str(path), "missing", "an existing case file or folder"))
    if problems:
        raise InvalidInputError(problems)
    return found


def read_case_files(
    paths: str | Path | Sequence[str | Path], *, progress: bool | None = None
) -> tuple[list[tuple[str, CaseRecord | InvalidInputError]], str]:
    """Read and validate case files; return each record (or its error) with its file.

    Returns
    -------
    items : list of (str, CaseRecord or InvalidInputError)
    source : str
        A description of what was read (the path, or the number of paths).
    """
    files = find_case_files(paths)
    if progress is None:
        progress = sys.stderr.isatty() and len(files) > _PROGRESS_FROM
    iterator: Sequence[Path] = files
    if progress:
        from tqdm import tqdm  # type: ignore[import-untyped]

        iterator = tqdm(files, desc="reading case files", unit="file")
    items: list[tuple[str, CaseRecord | InvalidInputError]] = []
    for path in iterator:
        try:
            items.append((str(path), load_case(path)))
        except InvalidRecordError as error:
            items.append((str(path), error))
    single = isinstance(paths, str | Path)
    source = str(paths) if single else f"{len(files)} case files"
    return items, source
