"""Reading the knowledge-base YAML files and building a :class:`KnowledgeBase`."""

from __future__ import annotations

import functools
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from netline._inputs import parse_document
from netline.errors import InvalidEvidenceError, Problem
from netline.evidence.query import KnowledgeBase

__all__ = ["data_directory", "load_knowledge_base", "read_knowledge_base_data"]


def data_directory() -> Traversable:
    """Return the directory of the knowledge base bundled with netline."""
    return resources.files("netline.evidence").joinpath("data")


def read_files(source: str | Path | None) -> tuple[dict[str, Any], list[Problem]]:
    """Read and parse the YAML files of a knowledge base; return content and read problems."""
    from netline.evidence.validate import DATA_FILES

    directory: Traversable | Path = data_directory() if source is None else Path(source)
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    if not directory.is_dir():
        return raw, [Problem("", str(source), "a directory holding the knowledge-base YAML files")]
    for stem in DATA_FILES:
        name = f"{stem}.yaml"
        file = directory.joinpath(name)
        if not file.is_file():
            problems.append(Problem(name, None, f"the file {name} in {directory}"))
            continue
        try:
            content = _parse(stem, name, file.read_text(encoding="utf-8"))
        except InvalidEvidenceError as error:
            problems.extend(
                Problem(
                    f"{name}:{p.location}" if p.location else name,
                    p.value,
                    p.expected,
                    p.line,
                    p.column,
                )
                for p in error.problems
            )
            continue
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(name, str(error), "a readable UTF-8 file"))
            continue
        if not isinstance(content, dict):
            problems.append(
                Problem(name, type(content).__name__, "a mapping with 'version' at the top")
            )
            continue
        raw[stem] = content
    return raw, problems


def _parse(stem: str, name: str, text: str) -> Any:
    """Parse one file strictly, or take its parse from the cache (same text, same reader)."""
    from netline.evidence._cache import cached_parse, store_parse

    cached = cached_parse(stem, text)
    if cached is not None:
        return cached
    content = parse_document(text, source=name, error=InvalidEvidenceError, fmt="yaml").data
    if isinstance(content, dict):
        store_parse(stem, text, content)
    return content


def read_knowledge_base_data(source: str | Path | None = None) -> dict[str, Any]:
    """Return the parsed (not yet validated) content of each knowledge-base file, by stem.

    Useful to make a modified copy, e.g. a deliberately broken one for a test, and pass it
    to :func:`~netline.evidence.validate_knowledge_base` or :func:`load_knowledge_base`.

    Parameters
    ----------
    source : str, Path or None
        A knowledge-base directory; ``None`` for the bundled one.

    Raises
    ------
    InvalidEvidenceError
        If a file is missing or is not valid YAML.
    """
    raw, problems = read_files(source)
    if problems:
        raise InvalidEvidenceError(problems, source=str(source or "bundled knowledge base"))
    return raw


def load_knowledge_base(source: str | Path | dict[str, Any] | None = None) -> KnowledgeBase:
    """Load, validate and index a knowledge base.

    The bundled knowledge base is loaded once and cached; later calls return the same
    object.

    Parameters
    ----------
    source : str, Path, dict or None
        A knowledge-base directory, parsed file content by stem (see
        :func:`read_knowledge_base_data`), or ``None`` for the bundled knowledge base.

    Returns
    -------
    KnowledgeBase
        The validated, read-only knowledge base with its query methods.

    Raises
    ------
    InvalidEvidenceError
        Listing every schema and integrity problem found.

    Examples
    --------
    >>> from netline.evidence import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> kb.trial("RADIANT-3").name
    'RADIANT-3'
    """
    if source is None:
        return _load_bundled()
    return _load(source)


@functools.cache
def _load_bundled() -> KnowledgeBase:
    return _load(None)


def _load(source: str | Path | dict[str, Any] | None) -> KnowledgeBase:
    from netline.evidence.validate import check

    parts, problems = check(source)
    label = (
        "bundled knowledge base"
        if source is None
        else (str(source) if isinstance(source, str | Path) else "knowledge-base data")
    )
    if problems:
        raise InvalidEvidenceError(problems, source=label)
    return KnowledgeBase.from_parts(parts, source=label)
