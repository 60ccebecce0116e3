"""The parsed files of a knowledge base and helpers shared by the validation stages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from netline.errors import Problem
from netline.evidence._walk import walk
from netline.evidence.schema import (
    CasesFile,
    GuidelinesFile,
    ProfilesFile,
    ReferencesFile,
    TherapiesFile,
    TrialsFile,
    Unit,
)

#: The files of a knowledge base, by stem, with their models.
DATA_FILES: dict[str, type[BaseModel]] = {
    "references": ReferencesFile,
    "therapies": TherapiesFile,
    "trials": TrialsFile,
    "guidelines": GuidelinesFile,
    "profiles": ProfilesFile,
    "cases": CasesFile,
}

POOLED = "pooled"

# Inclusive lower/upper limits per unit; ``None`` marks an exclusive zero lower limit.
LIMITS: dict[Unit, tuple[float | None, float]] = {
    Unit.PERCENT: (0, 100),
    Unit.RATIO: (None, 100),
    Unit.P_VALUE: (None, 1),
    Unit.MONTHS: (0, 600),
    Unit.WEEKS: (0, 2600),
    Unit.DAYS: (0, 18000),
    Unit.HOURS: (0, 10000),
    Unit.MINUTES: (0, 10000),
    Unit.YEARS: (0, 120),
    Unit.PATIENTS: (0, 1_000_000),
    Unit.COUNT: (0, 10_000_000),
    Unit.GBQ: (None, 100),
    Unit.MEV: (None, 10),
    Unit.KEV: (None, 10_000),
    Unit.MM: (None, 1000),
}
INTEGER_UNITS = frozenset({Unit.PATIENTS, Unit.COUNT})


@dataclass
class Parts:
    """The files that passed the schema, by stem (absent when a file failed)."""

    references: ReferencesFile | None = None
    therapies: TherapiesFile | None = None
    trials: TrialsFile | None = None
    guidelines: GuidelinesFile | None = None
    profiles: ProfilesFile | None = None
    cases: CasesFile | None = None
    versions: dict[str, str] = field(default_factory=dict)
    #: The nested models of the files, walked once: (the files' models, the walk).
    _walked: tuple[tuple[BaseModel, ...], tuple[tuple[str, BaseModel], ...]] | None = field(
        default=None, repr=False, compare=False
    )

    def files(self) -> Iterator[tuple[str, BaseModel]]:
        for stem in DATA_FILES:
            model = getattr(self, stem)
            if model is not None:
                yield stem, model


def duplicates(where: str, ids: Iterable[str], what: str) -> list[Problem]:
    counts = Counter(ids)
    return [
        Problem(where, key, f"a unique {what} identifier ({count} entries share it)")
        for key, count in counts.items()
        if count > 1
    ]


def normalise(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def sourced_nodes(parts: Parts) -> Iterator[tuple[str, BaseModel]]:
    """Yield ``(file:path, model)`` for every model nested in the files of ``parts``.

    Several checks read every node; the models are immutable, so the walk is done once for
    the files ``parts`` holds and done again only when it holds other ones.
    """
    models = tuple(model for _, model in parts.files())
    walked = parts._walked
    if (
        walked is None
        or len(walked[0]) != len(models)
        or any(a is not b for a, b in zip(walked[0], models, strict=True))
    ):
        nodes = tuple(
            (f"{stem}.yaml:{path}", node)
            for stem, model in parts.files()
            for path, node in walk(model)
        )
        walked = parts._walked = (models, nodes)
    return iter(walked[1])


def known(what: str, choices: Iterable[str], key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(choices), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"an existing {what}{hint}"
