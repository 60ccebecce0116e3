"""A cache of the parsed knowledge-base files, keyed by their content (start-up time only).

Parsing the knowledge-base YAML with the strict reader takes most of the time of loading it.
The parsed content of each file is plain data (mappings, lists, text, numbers, booleans,
``None``), so it is kept as JSON, keyed by the SHA-256 of the file's bytes together with a
fingerprint of the reader (the source of :mod:`netline._inputs` and :mod:`netline._io`, PyYAML's
version and whether libyaml is used, the Python version). Only the parse is cached: the schema
and integrity checks run on every load, exactly as without the cache.

Safety:

* a changed file has another key, so it is never read from an old entry; a change to the reader
  changes every key;
* an entry is written whole or not at all (a temporary file renamed over the target), and only
  after the file parsed without a problem;
* each entry carries the SHA-256 of its payload: an entry that is truncated, damaged or not
  netline's is ignored (the file is parsed again and the entry rewritten);
* any error while reading or writing the cache is ignored: the cache only saves time.

The cache folder is ``$NETLINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/netline``, else
``~/.cache/netline``; ``NETLINE_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["cache_folder", "cached_parse", "store_parse"]

#: Bump when the layout of an entry changes.
FORMAT = "netline-kb-parse-1"
_SUBFOLDER = "kb-parsed"


def cache_folder() -> Path | None:
    """Return the folder of the parse cache, or ``None`` when caching is turned off."""
    if os.environ.get("NETLINE_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("NETLINE_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    if explicit:
        base = Path(explicit)
    elif xdg:
        base = Path(xdg) / "netline"
    else:
        try:
            base = Path.home() / ".cache" / "netline"
        except (RuntimeError, KeyError):  # no home folder: no cache
            return None
    return base / _SUBFOLDER


@functools.cache
def _reader_fingerprint() -> bytes:
    """Hash what decides how text becomes data: the reader's source and its YAML library."""
    import yaml

    import netline._io

    digest = hashlib.sha256(FORMAT.encode())
    digest.update(f"{sys.version_info[:2]}|{yaml.__version__}|{yaml.__with_libyaml__}".encode())
    io_folder = Path(netline._io.__file__).parent
    sources = [io_folder.parent / "_inputs.py", *sorted(io_folder.glob("*.py"))]
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.digest()


def _entry(folder: Path, stem: str, text: str) -> Path:
    digest = hashlib.sha256(_reader_fingerprint())
    digest.update(text.encode("utf-8"))
    return folder / f"{stem}-{digest.hexdigest()}.json"


def cached_parse(stem: str, text: str) -> dict[str, Any] | None:
    """Return the cached parse of a knowledge-base file's text, or ``None`` on a miss.

    Parameters
    ----------
    stem : str
        The file's stem (``"trials"``).
    text : str
        The file's whole text.
    """
    folder = cache_folder()
    if folder is None:
        return None
    try:
        head, _, payload = _entry(folder, stem, text).read_bytes().partition(b"\n")
        if head.decode("ascii") != hashlib.sha256(payload).hexdigest():
            return None  # damaged or foreign: parse again
        content = json.loads(payload)
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def store_parse(stem: str, text: str, content: dict[str, Any]) -> None:
    """Keep the parse of a file's text (whole or not at all); drop older entries of the stem.

    Parameters
    ----------
    stem : str
        The file's stem.
    text : str
        The file's whole text.
    content : dict
        What the strict reader made of it (plain data only).
    """
    folder = cache_folder()
    if folder is None:
        return
    try:
        payload = json.dumps(content, ensure_ascii=False, allow_nan=False).encode("utf-8")
        if json.loads(payload) != content:
            return  # not plain data: nothing to cache
        target = _entry(folder, stem, text)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.stem}.", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n")
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        for old in folder.glob(f"{stem}-*.json"):
            if old != target and len(old.name) == len(target.name):  # this stem's, not "x-y"'s
                old.unlink(missing_ok=True)
    except (OSError, ValueError, TypeError):
        return
