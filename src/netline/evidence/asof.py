"""Evidence as known on a date, and where each guideline statement comes from.

:class:`EvidenceAsOf` splits the trials, statements and references of a knowledge base into
those published on or before a decision date and those published later (shown, marked as
later, never used silently). :class:`StatementSource` rows say, per guideline document (or
per trial for a statement that rests on trials alone), where a statement was checked and
with what verification, for ``netline evidence`` and for advice.

The dating rules live in :mod:`netline.evidence.dates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from netline.evidence.models import GuidelineStatement, Trial
from netline.evidence.provenance import Reference
from netline.evidence.vocab import Verification

if TYPE_CHECKING:
    from netline.evidence.query import KnowledgeBase

__all__ = ["EvidenceAsOf", "StatementSourceView", "evidence_as_of", "statement_sources"]


@dataclass(frozen=True, slots=True)
class EvidenceAsOf:
    """The evidence published on or before ``on``, and what came later.

    Attributes
    ----------
    on : date
        The decision date.
    trials, statements, references : tuple
        Items published on or before ``on`` (usable at that date).
    later_trials, later_statements : tuple
        Items published after ``on``: to be shown only marked as later evidence.
    undated : tuple of str
        Identifiers of items without a date; they count as not known on ``on``.
    """

    on: date
    trials: tuple[Trial, ...]
    statements: tuple[GuidelineStatement, ...]
    references: tuple[Reference, ...]
    later_trials: tuple[Trial, ...]
    later_statements: tuple[GuidelineStatement, ...]
    undated: tuple[str, ...]

    def knows(self, item: Trial | GuidelineStatement | Reference) -> bool:
        """Whether ``item`` was published on or before the decision date."""
        if isinstance(item, Trial):
            return item in self.trials
        if isinstance(item, GuidelineStatement):
            return item in self.statements
        return item in self.references


@dataclass(frozen=True, slots=True)
class StatementSourceView:
    """Where a statement comes from: one guideline document, or one trial it rests on.

    Attributes
    ----------
    kind : str
        ``"guideline"`` or ``"trial"`` (a statement no guideline makes).
    source_id, name : str
        The guideline document (or trial) identifier and name.
    ref : str
        Its reference key; ``citation`` the one-line citation.
    published : str
        The publication date as given (``2023``, ``2020-07``, ``2024-06-30``).
    section : str or None
        Where the statement's text was read in the document (``None``: not read).
    status : Verification
        How the statement's wording was checked against this source.
    note : str or None
        Anything else worth saying about the source.
    """

    kind: str
    source_id: str
    name: str
    ref: str
    citation: str
    published: str
    section: str | None
    status: Verification
    note: str | None = None

    def describe(self) -> str:
        """Return one line for people, e.g. ``"ESMO 2020 {pavel2020}, not read [recalled]"``."""
        where = f", {self.section}" if self.section else ", section not read"
        if self.kind == "trial":
            where = " (trial evidence, not a guideline's word)"
        tail = f"; {self.note}" if self.note else ""
        return (
            f"{self.name} {{{self.ref}}}, published {self.published}{where} "
            f"[{self.status.value}]{tail}"
        )


def statement_sources(
    kb: KnowledgeBase, statement: GuidelineStatement
) -> tuple[StatementSourceView, ...]:
    """Return where ``statement`` comes from, one row per guideline (or basis trial)."""
    rows: list[StatementSourceView] = []
    for guideline_id in statement.guidelines:
        document = kb.guideline(guideline_id)
        source = statement.source_for(guideline_id)
        reference = kb.reference(source.read_in or document.ref)
        rows.append(
            StatementSourceView(
                kind="guideline",
                source_id=document.id,
                name=document.name,
                ref=reference.key,
                citation=reference.citation(),
                published=reference.published_text(),
                section=source.section,
                status=source.status,
                note=source.note,
            )
        )
    for trial_id in statement.basis_trials:
        trial = kb.trial(trial_id)
        reference = kb.reference(trial.ref)
        rows.append(
            StatementSourceView(
                kind="trial",
                source_id=trial.id,
                name=trial.name,
                ref=reference.key,
                citation=reference.citation(),
                published=reference.published_text(),
                section=None,
                status=statement.status,
            )
        )
    return tuple(rows)


def evidence_as_of(kb: KnowledgeBase, on: date) -> EvidenceAsOf:
    """Split the knowledge base into evidence known on ``on`` and evidence published later."""
    undated: list[str] = []

    def known(item: Trial | GuidelineStatement | Reference, label: str) -> bool:
        day = kb.published(item)
        if day is None:
            undated.append(label)
            return False
        return day <= on

    trials = [(t, known(t, t.id)) for t in kb.trials]
    statements = [(s, known(s, s.id)) for s in kb.statements]
    references = tuple(r for r in kb.references if known(r, r.key))
    return EvidenceAsOf(
        on=on,
        trials=tuple(t for t, ok in trials if ok),
        statements=tuple(s for s, ok in statements if ok),
        references=references,
        later_trials=tuple(t for t, ok in trials if not ok and kb.published(t) is not None),
        later_statements=tuple(s for s, ok in statements if not ok and kb.published(s) is not None),
        undated=tuple(dict.fromkeys(undated)),
    )
