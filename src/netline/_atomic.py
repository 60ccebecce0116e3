"""The one atomic writer: output appears whole or not at all.

Every output file netline writes goes through :func:`atomic_path`: the content is written to a
temporary file in the same folder (so the final rename stays on one file system) and renamed
over the target only when writing succeeded. On any failure (a full disk, an error while
drawing a figure, an interrupt) the temporary file is removed and an existing target is left
exactly as it was. :func:`check_output_file` and :func:`check_output_folder` check a target
before any work is done.

References
----------
.. [1] POSIX rename(2): "If the link named by the new argument exists, it shall be removed and
   old renamed to new" atomically; Python's :func:`os.replace`.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netline.errors import InvalidInputError

__all__ = [
    "atomic_folder",
    "atomic_path",
    "check_output_file",
    "check_output_folder",
    "write_text_atomic",
]


def _refuse(label: str, path: Path, expected: str) -> InvalidInputError:
    return InvalidInputError.single(label, str(path), expected)


def _check_parent(path: Path, label: str) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise _refuse(label, path, f"a path in an existing folder ({parent} does not exist)")
    if not parent.is_dir():
        raise _refuse(label, path, f"a path in a folder ({parent} is not a folder)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _refuse(label, path, f"a path in a folder you can write to ({parent})")


def check_output_file(
    path: Path, *, label: str = "--out", overwrite: bool = True, suffixes: tuple[str, ...] = ()
) -> Path:
    """Check that a file can be written, before any work is done.

    Parameters
    ----------
    path : Path
        The file to write.
    label : str
        How the user named it (an option such as ``--out``), for messages.
    overwrite : bool
        Whether an existing file may be replaced (atomically, once the new one is complete).
    suffixes : tuple of str
        The accepted file endings (lower case, with the dot); empty for any.

    Raises
    ------
    InvalidInputError
        Naming the option, the path and what was expected.
    """
    if suffixes and path.suffix.lower() not in suffixes:
        endings = (
            ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]
        )
        raise _refuse(label, path, f"a file ending in {endings}")
    if path.is_dir():
        raise _refuse(label, path, "a file name (this is a folder)")
    _check_parent(path, label)
    if path.exists() and not overwrite:
        raise _refuse(label, path, "a file that does not exist yet (netline will not overwrite)")
    if path.exists() and not os.access(path, os.W_OK):
        raise _refuse(label, path, "a file you can write to")
    return path


def check_output_folder(path: Path, *, label: str = "--out") -> Path:
    """Check that a folder exists or can be created and written to, before any work is done.

    Raises
    ------
    InvalidInputError
        If ``path`` is an existing file, or its parent folder is missing or not writable.
    """
    if path.exists() and not path.is_dir():
        raise _refuse(label, path, "a folder (this is an existing file)")
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise _refuse(label, path, "a folder you can write to")
        return path
    _check_parent(path, label)
    return path


def _failed(path: Path, error: OSError) -> InvalidInputError:
    reason = "no space left on the device" if error.errno == errno.ENOSPC else error.strerror
    return InvalidInputError.single(
        str(path),
        None,
        f"a file netline can write ({reason or type(error).__name__}); nothing was written",
    )


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds.

    The temporary file keeps the target's suffix, so writers that choose their format from the
    name (matplotlib, plotly) behave as for the target.

    Raises
    ------
    InvalidInputError
        If writing fails with an operating-system error (full disk, permissions); the target
        is untouched and the temporary file removed.
    """
    path = Path(path)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent
        )
    except OSError as error:
        raise _failed(path, error) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _failed(path, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> Path:
    """Write text (UTF-8) to ``path`` atomically; return ``path``."""
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    return path


@contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder``; move its files into ``folder`` on success.

    Each file is moved with an atomic rename, so a file in ``folder`` is either the old one or
    the complete new one. On failure nothing in ``folder`` changes and the temporary folder is
    removed.
    """
    folder = Path(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as error:
        raise _failed(folder, error) from None
    try:
        yield staging
        folder.mkdir(exist_ok=True)
        for item in sorted(staging.rglob("*")):
            target = folder / item.relative_to(staging)
            if item.is_dir():
                target.mkdir(exist_ok=True)
            else:
                os.replace(item, target)
    except OSError as error:
        raise _failed(folder, error) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
