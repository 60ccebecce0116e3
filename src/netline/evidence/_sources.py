"""Integrity rules on provenance: what a fact may be verified against, dates, statement sources.

* A fact tagged ``verified`` was checked against a text; that text (``reported_in`` when
  given, else ``ref``) must be a source whose own identity is not ``uncertain``: a number
  cannot be verified against an unidentified document.
* Every reference carries a publication date.
* A guideline statement's sources name its own guidelines, once each; a verified source says
  where the text was read; the statement's tag is the best tag of its sources.
* A guideline statement cites only trials published by the time of its guidelines; later
  trials go into statements of their own (``basis_trials``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from netline.errors import Problem
from netline.evidence._parts import Parts, known, sourced_nodes
from netline.evidence.dates import reference_dates, trial_published
from netline.evidence.models import GuidelineStatement, Trial
from netline.evidence.provenance import Reference, Report
from netline.evidence.vocab import Verification

__all__ = ["check_dates", "check_statement_sources", "check_verified_sources"]


def _uncertain_identity(key: str | None, references: Mapping[str, Reference]) -> bool:
    reference = references.get(key) if key else None
    return reference is not None and reference.status is Verification.UNCERTAIN


def _claims_verified(node: object) -> bool:
    if getattr(node, "status", None) is Verification.VERIFIED:
        return True
    return isinstance(node, Report) and node.effective_ci_status is Verification.VERIFIED


def check_verified_sources(parts: Parts) -> list[Problem]:
    """Refuse ``verified`` against a reference whose own identity is uncertain."""
    if parts.references is None:
        return []
    references = {r.key: r for r in parts.references.references}
    problems: list[Problem] = []
    for where, node in sourced_nodes(parts):
        if isinstance(node, Reference) or not _claims_verified(node):
            continue
        reported_in = getattr(node, "reported_in", None)
        checked = reported_in if isinstance(reported_in, str) else getattr(node, "ref", None)
        if isinstance(checked, str) and _uncertain_identity(checked, references):
            problems.append(
                Problem(
                    f"{where}.status",
                    "verified",
                    f"recalled or uncertain: the text it was checked against ({checked}) is a "
                    "reference whose own identity is uncertain, and nothing can be verified "
                    "against an unidentified source",
                )
            )
    return problems


def check_dates(parts: Parts) -> list[Problem]:
    """Every reference needs a publication date."""
    if parts.references is None:
        return []
    return [
        Problem(
            f"references.yaml:references[{reference.key}].published",
            None,
            "a publication date (published: YYYY-MM-DD, or YYYY-MM when only the month is known)",
        )
        for reference in parts.references.references
        if reference.published is None
    ]


def check_statement_sources(parts: Parts) -> list[Problem]:
    """Statement sources, basis trials, and trials cited by guidelines that predate them."""
    if parts.guidelines is None:
        return []
    problems: list[Problem] = []
    trials = {t.id: t for t in parts.trials.trials} if parts.trials else None
    references = {r.key: r for r in parts.references.references} if parts.references else {}
    dates = reference_dates(references.values())
    guideline_refs = {g.id: g.ref for g in parts.guidelines.guidelines}
    for statement in parts.guidelines.statements:
        base = f"guidelines.yaml:statements[{statement.id}]"
        problems += _sources(base, statement, guideline_refs, references)
        if trials is None:
            continue
        for trial in statement.basis_trials:
            if trial not in trials:
                problems.append(
                    Problem(f"{base}.basis_trials", trial, known("trial id", trials, trial))
                )
        if statement.guidelines:
            problems += _later_trials(base, statement, guideline_refs, trials, dates)
    return problems


def _sources(
    base: str,
    statement: GuidelineStatement,
    guideline_refs: Mapping[str, str],
    references: Mapping[str, Reference],
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for source in statement.sources:
        where = f"{base}.sources[{source.guideline}]"
        if source.guideline not in statement.guidelines or source.guideline in seen:
            problems.append(
                Problem(
                    f"{where}.guideline",
                    source.guideline,
                    "one of the statement's own guidelines, once: "
                    + ", ".join(statement.guidelines),
                )
            )
        seen.add(source.guideline)
        if source.status is Verification.VERIFIED:
            checked = source.read_in or guideline_refs.get(source.guideline)
            if not source.section:
                problems.append(
                    Problem(f"{where}.section", None, "where the verified text was read")
                )
            if _uncertain_identity(checked, references):
                problems.append(
                    Problem(
                        f"{where}.status",
                        "verified",
                        f"recalled or uncertain: {checked} is a reference whose own identity "
                        "is uncertain",
                    )
                )
    best = Verification.VERIFIED
    statuses = [statement.source_for(g).status for g in statement.guidelines]
    if statuses:
        best = min(statuses, key=lambda s: s.rank)
    if statement.guidelines and best is not statement.status:
        problems.append(
            Problem(
                f"{base}.status",
                statement.status.value,
                f"{best.value}, the best tag among its sources",
            )
        )
    return problems


def _later_trials(
    base: str,
    statement: GuidelineStatement,
    guideline_refs: Mapping[str, str],
    trials: Mapping[str, Trial],
    dates: Mapping[str, date | None],
) -> list[Problem]:
    days = [dates.get(guideline_refs.get(g, "")) for g in statement.guidelines]
    known_days = [d for d in days if d is not None]
    if not known_days:
        return []
    latest = max(known_days)
    problems: list[Problem] = []
    for trial_id in statement.evidence_trials:
        trial = trials.get(trial_id)
        published = trial_published(trial, dates) if trial else None
        if published is not None and published > latest:
            problems.append(
                Problem(
                    f"{base}.evidence_trials",
                    trial_id,
                    f"a trial published by {latest.isoformat()} (its guidelines' date); "
                    f"{trial_id} was published {published.isoformat()}, so cite it in a "
                    "statement of its own (basis_trials), never as the guideline's word",
                )
            )
    return problems
