"""Full-text search over the knowledge base: the searchable texts of every item."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netline.evidence.query import KnowledgeBase


def documents(kb: KnowledgeBase) -> Iterator[tuple[str, str, str, list[str]]]:
    """Yield ``(kind, id, label, searchable texts)`` for every item of ``kb``."""
    yield from _treatments(kb)
    yield from _guidance(kb)


def _treatments(kb: KnowledgeBase) -> Iterator[tuple[str, str, str, list[str]]]:
    for therapy in kb.therapies:
        yield (
            "therapy",
            therapy.id,
            therapy.name,
            [
                therapy.id,
                therapy.name,
                *therapy.synonyms,
                *(a.value for a in therapy.agents),
                *(c.value for c in therapy.agent_classes),
                therapy.mode_of_action.mechanism,
                *therapy.mode_of_action.targets,
                *(t.term for t in therapy.toxicities),
                *therapy.notes,
            ],
        )
    for trial in kb.trials:
        yield (
            "trial",
            trial.id,
            trial.name,
            [
                trial.id,
                trial.name,
                *trial.aliases,
                *trial.registry_ids,
                trial.population.description,
                *(a.label for a in trial.arms),
                *(t for a in trial.arms for t in a.therapies),
                *(s.label for s in trial.subgroups),
                *(e.label or e.kind.value for e in trial.endpoints),
                *trial.notes,
            ],
        )


def _guidance(kb: KnowledgeBase) -> Iterator[tuple[str, str, str, list[str]]]:
    for statement in kb.statements:
        yield (
            "statement",
            statement.id,
            statement.topic,
            [
                statement.id,
                statement.topic,
                *statement.guidelines,
                *(o.target for o in statement.options),
                *(o.note or "" for o in statement.options),
                *statement.notes,
            ],
        )
    for guideline in kb.guidelines:
        yield (
            "guideline",
            guideline.id,
            guideline.name,
            [
                guideline.id,
                guideline.name,
                guideline.organisation,
                guideline.scope,
            ],
        )
    for profile in kb.profiles:
        yield (
            "profile",
            profile.id,
            profile.label,
            [
                profile.id,
                profile.label,
                profile.description,
                *(c.label for c in profile.criteria),
                *(r.label for r in profile.rules),
                *profile.notes,
            ],
        )
    for case in kb.cases:
        yield (
            "case",
            case.id,
            f"case {case.case_number} ({case.authors_as_printed})",
            [
                case.id,
                case.authors_as_printed,
                *(case.unresectable_factors or ()),
                case.pretreatment_as_printed,
                case.surgery.as_printed,
                case.note or "",
            ],
        )
    for reference in kb.references:
        yield (
            "reference",
            reference.key,
            reference.citation(),
            [
                reference.key,
                *reference.authors,
                reference.title or "",
                reference.source,
                str(reference.year),
                reference.note or "",
            ],
        )
