"""The query API of the evidence knowledge base.

A :class:`KnowledgeBase` holds the validated, frozen models of every file and answers the
questions the rest of netline asks: which trials studied this agent at this site and line,
which subgroups fit a patient's prior therapy, which guideline statements mention a
therapy, what a reference says, where the sources disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel

from netline.errors import UnknownKeyError
from netline.evidence._search import documents
from netline.evidence._sites import site_groups
from netline.evidence._walk import cited_keys, walk
from netline.evidence.asof import (
    EvidenceAsOf,
    StatementSourceView,
    evidence_as_of,
    statement_sources,
)
from netline.evidence.dates import (
    fact_published,
    reference_dates,
    statement_published,
    trial_published,
)
from netline.evidence.schema import (
    AgentCombination,
    CaseSeries,
    Guideline,
    GuidelineStatement,
    Profile,
    ProfileKind,
    PublishedCase,
    Quantity,
    Reference,
    SiteGroup,
    Subgroup,
    SubgroupDimension,
    Therapy,
    Trial,
    prior_classes_match,
)
from netline.records.vocabulary import AGENTS, Agent, AgentClass, PrimarySite, resolve_agent

if TYPE_CHECKING:
    from netline.evidence._parts import Parts

__all__ = ["ConflictRecord", "KnowledgeBase", "SearchHit", "site_groups"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: what kind of item, its identifier and label, and where it matched."""

    kind: str
    id: str
    label: str
    context: str


@dataclass(frozen=True, slots=True)
class ConflictRecord:
    """A quantity on which sources disagree, with where it sits in the knowledge base."""

    kind: str
    item_id: str
    path: str
    quantity: Quantity


def _normalise(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _lookup(index: dict[str, str], key: str, kind: str, known: Iterable[str]) -> str:
    found = index.get(_normalise(key))
    if found is None:
        raise UnknownKeyError(kind, key, known)
    return found


class KnowledgeBase:
    """The validated evidence knowledge base and its queries.

    Build it with :func:`netline.evidence.load_knowledge_base`. Every item is a frozen
    pydantic model; lookups accept identifiers, names and aliases (case-, space- and
    hyphen-insensitive) and raise :class:`~netline.errors.UnknownKeyError` with suggestions
    for anything unknown.

    Attributes
    ----------
    version : str
        The version shared by all files of the knowledge base.
    source : str
        Where the knowledge base was loaded from.
    """

    def __init__(
        self,
        *,
        version: str,
        source: str,
        references: tuple[Reference, ...],
        therapies: tuple[Therapy, ...],
        trials: tuple[Trial, ...],
        guidelines: tuple[Guideline, ...],
        statements: tuple[GuidelineStatement, ...],
        profiles: tuple[Profile, ...],
        case_series: tuple[CaseSeries, ...],
        cases: tuple[PublishedCase, ...],
    ) -> None:
        self.version = version
        self.source = source
        self._references = {r.key: r for r in references}
        self._therapies = {t.id: t for t in therapies}
        self._trials = {t.id: t for t in trials}
        self._guidelines = {g.id: g for g in guidelines}
        self._statements = {s.id: s for s in statements}
        self._profiles = {p.id: p for p in profiles}
        self._series = {s.id: s for s in case_series}
        self._cases = {c.id: c for c in cases}
        self._date_cache: dict[str, date | None] | None = None
        self._trial_names: dict[str, str] = {}
        for trial in trials:
            for name in (trial.id, trial.name, *trial.aliases, *trial.registry_ids):
                self._trial_names.setdefault(_normalise(name), trial.id)
        self._therapy_names: dict[str, str] = {}
        for therapy in therapies:
            for name in (therapy.id, therapy.name, *therapy.synonyms):
                self._therapy_names.setdefault(_normalise(name), therapy.id)
        for therapy in therapies:  # single-agent therapies answer to their agent's names
            if len(therapy.agents) == 1 and therapy.combination is AgentCombination.ALL:
                info = AGENTS[therapy.agents[0]]
                for name in (info.agent.value, info.label, *info.synonyms):
                    self._therapy_names.setdefault(_normalise(name), therapy.id)

    @classmethod
    def from_parts(cls, parts: Parts, *, source: str) -> KnowledgeBase:
        """Build the knowledge base from validated files (see :mod:`netline.evidence.validate`)."""
        assert parts.references
        assert parts.therapies
        assert parts.trials
        assert parts.guidelines
        assert parts.profiles
        assert parts.cases
        return cls(
            version=parts.references.version,
            source=source,
            references=parts.references.references,
            therapies=parts.therapies.therapies,
            trials=parts.trials.trials,
            guidelines=parts.guidelines.guidelines,
            statements=parts.guidelines.statements,
            profiles=parts.profiles.profiles,
            case_series=parts.cases.series,
            cases=parts.cases.cases,
        )

    def __repr__(self) -> str:
        return (
            f"KnowledgeBase(version={self.version!r}, therapies={len(self._therapies)}, "
            f"trials={len(self._trials)}, statements={len(self._statements)}, "
            f"profiles={len(self._profiles)}, cases={len(self._cases)}, "
            f"references={len(self._references)})"
        )

    # ------------------------------------------------------------------ collections

    @property
    def references(self) -> tuple[Reference, ...]:
        """All references, in file order."""
        return tuple(self._references.values())

    @property
    def therapies(self) -> tuple[Therapy, ...]:
        """All therapies, in file order."""
        return tuple(self._therapies.values())

    @property
    def trials(self) -> tuple[Trial, ...]:
        """All trials and cohort studies, in file order."""
        return tuple(self._trials.values())

    @property
    def guidelines(self) -> tuple[Guideline, ...]:
        """All guideline documents."""
        return tuple(self._guidelines.values())

    @property
    def statements(self) -> tuple[GuidelineStatement, ...]:
        """All guideline statements."""
        return tuple(self._statements.values())

    @property
    def profiles(self) -> tuple[Profile, ...]:
        """All eligibility, dosing and surgical profiles."""
        return tuple(self._profiles.values())

    @property
    def case_series(self) -> tuple[CaseSeries, ...]:
        """All published case series."""
        return tuple(self._series.values())

    @property
    def cases(self) -> tuple[PublishedCase, ...]:
        """All published cases, in table order."""
        return tuple(self._cases.values())

    # ------------------------------------------------------------------ lookups

    def reference(self, key: str) -> Reference:
        """Return the reference with this key.

        Raises
        ------
        UnknownKeyError
            If no reference has this key.
        """
        if key not in self._references:
            raise UnknownKeyError("reference", key, self._references)
        return self._references[key]

    def therapy(self, name: str | Agent) -> Therapy:
        """Return a therapy by id, name, synonym, or (for single agents) agent name.

        Examples
        --------
        >>> from netline.evidence import load_knowledge_base
        >>> load_knowledge_base().therapy("Lutathera").id
        'lu177_dotatate'
        """
        key = name.value if isinstance(name, Agent) else name
        return self._therapies[_lookup(self._therapy_names, key, "therapy", self._therapies)]

    def trial(self, name: str) -> Trial:
        """Return a trial by id, name, alias or registry id (``"SUN-1111"``, ``"A6181111"``)."""
        return self._trials[_lookup(self._trial_names, name, "trial", self._trials)]

    def guideline(self, guideline_id: str) -> Guideline:
        """Return a guideline document by id."""
        if guideline_id not in self._guidelines:
            raise UnknownKeyError("guideline", guideline_id, self._guidelines)
        return self._guidelines[guideline_id]

    def statement(self, statement_id: str) -> GuidelineStatement:
        """Return a guideline statement by id."""
        if statement_id not in self._statements:
            raise UnknownKeyError("guideline statement", statement_id, self._statements)
        return self._statements[statement_id]

    def profile(self, profile_id: str) -> Profile:
        """Return an eligibility, dosing or surgical profile by id."""
        if profile_id not in self._profiles:
            raise UnknownKeyError("profile", profile_id, self._profiles)
        return self._profiles[profile_id]

    def default_profile(self, kind: ProfileKind | str) -> Profile:
        """Return the default profile of a kind (e.g. ``"prrt_eligibility"``: NETTER-1)."""
        wanted = ProfileKind(kind)
        for profile in self._profiles.values():
            if profile.kind is wanted and profile.default:
                return profile
        raise UnknownKeyError(f"default {wanted.value} profile", wanted.value, self._profiles)

    def series(self, series_id: str) -> CaseSeries:
        """Return a published case series by id."""
        if series_id not in self._series:
            raise UnknownKeyError("case series", series_id, self._series)
        return self._series[series_id]

    def case(self, case_id: str) -> PublishedCase:
        """Return a published case by id."""
        if case_id not in self._cases:
            raise UnknownKeyError("published case", case_id, self._cases)
        return self._cases[case_id]

    def cases_in(self, series_id: str) -> tuple[PublishedCase, ...]:
        """Return the cases of a series, in case-number order."""
        self.series(series_id)
        return tuple(
            sorted((c for c in self.cases if c.series == series_id), key=lambda c: c.case_number)
        )

    # ------------------------------------------------------------------ queries

    def therapies_with(self, agent: Agent | str) -> tuple[Therapy, ...]:
        """Return every therapy that contains an agent (single agents, regimens, placeholders)."""
        resolved = agent if isinstance(agent, Agent) else resolve_agent(agent)
        if resolved is None:
            raise UnknownKeyError("agent", str(agent), [a.value for a in Agent])
        return tuple(t for t in self._therapies.values() if resolved in t.agents)

    def _therapy_ids(self, query: str | Agent | AgentClass) -> set[str]:
        if isinstance(query, str) and query in {c.value for c in AgentClass}:
            query = AgentClass(query)
        if isinstance(query, AgentClass):
            return {t.id for t in self._therapies.values() if query in t.agent_classes}
        agent = query if isinstance(query, Agent) else resolve_agent(query)
        ids = {t.id for t in self.therapies_with(agent)} if agent is not None else set()
        if isinstance(query, str):
            try:
                ids.add(self.therapy(query).id)
            except UnknownKeyError:
                if not ids:
                    raise
        return ids

    def trials_for(
        self,
        therapy: str | Agent | AgentClass | None = None,
        *,
        site: SiteGroup | PrimarySite | str | None = None,
        line: int | None = None,
    ) -> tuple[Trial, ...]:
        """Return the trials that studied a therapy, agent or class, at a site and line.

        Parameters
        ----------
        therapy : str, Agent, AgentClass or None
            A therapy id or name, an agent (every therapy containing it counts: ``"capecitabine"``
            finds CAPTEM), or a mode-of-action class. ``None`` for any.
        site : SiteGroup, PrimarySite, str or None
            Keep trials that enrolled this site, or report a subgroup or cohort for it.
        line : int or None
            Keep trials whose line of therapy includes ``line`` (trials that do not restrict
            the line are kept).

        Returns
        -------
        tuple of Trial
            In file order.

        Examples
        --------
        >>> from netline.evidence import load_knowledge_base
        >>> [t.id for t in load_knowledge_base().trials_for("everolimus", site="pancreas")]
        ['radiant3', 'seqtor', 'compete', 'angelousi2017', 'daskalakis2019']
        """
        wanted = None if therapy is None else self._therapy_ids(therapy)
        groups = None if site is None else site_groups(site)
        found = []
        for trial in self._trials.values():
            if wanted is not None and not any(set(a.therapies) & wanted for a in trial.arms):
                continue
            if groups is not None and not (
                groups & set(trial.population.sites)
                or any(groups & set(s.criteria.sites) for s in trial.subgroups)
            ):
                continue
            limits = trial.population.line
            if line is not None and limits is not None and not limits.contains(line):
                continue
            found.append(trial)
        return tuple(found)

    def subgroups_for(
        self,
        trial: str | Trial,
        *,
        prior_classes: Iterable[AgentClass | str] | None = None,
        prior_lines: int | None = None,
        site: SiteGroup | PrimarySite | str | None = None,
        dimension: SubgroupDimension | str | None = None,
    ) -> tuple[Subgroup, ...]:
        """Return the subgroups of a trial that a patient with these facts belongs to.

        A subgroup is kept unless a given fact contradicts its definition; facts left as
        ``None`` do not filter.

        Parameters
        ----------
        trial : str or Trial
            The trial (id, name or alias).
        prior_classes : iterable of AgentClass or str, optional
            Mode-of-action classes the patient has received.
        prior_lines : int, optional
            Number of prior systemic lines.
        site : SiteGroup, PrimarySite or str, optional
            Primary site.
        dimension : SubgroupDimension or str, optional
            Keep only subgroups of this dimension (e.g. ``"prior_ssa"``).

        Examples
        --------
        >>> from netline.evidence import load_knowledge_base
        >>> kb = load_knowledge_base()
        >>> [s.id for s in kb.subgroups_for("radiant3", prior_classes={"ssa"})]
        ['prior_ssa', 'chemotherapy_naive']
        """
        model = trial if isinstance(trial, Trial) else self.trial(trial)
        given = None if prior_classes is None else {AgentClass(c) for c in prior_classes}
        groups = None if site is None else site_groups(site)
        wanted = None if dimension is None else SubgroupDimension(dimension)
        found = []
        for subgroup in model.subgroups:
            criteria = subgroup.criteria
            if wanted is not None and subgroup.dimension is not wanted:
                continue
            if given is not None and not prior_classes_match(
                given,
                criteria.prior_classes_all,
                criteria.prior_classes_any,
                criteria.prior_classes_none,
            ):
                continue
            lines = criteria.prior_lines
            if prior_lines is not None and lines is not None and not lines.contains(prior_lines):
                continue
            if groups is not None and criteria.sites and not groups & set(criteria.sites):
                continue
            found.append(subgroup)
        return tuple(found)

    def statements_for(
        self, *, therapy: str | None = None, guideline: str | None = None
    ) -> tuple[GuidelineStatement, ...]:
        """Return guideline statements that offer a therapy and/or belong to a guideline.

        ``therapy`` also matches options that name the therapy's mode-of-action class.
        """
        therapy_model = None if therapy is None else self.therapy(therapy)
        if guideline is not None:
            self.guideline(guideline)
        found = []
        for statement in self._statements.values():
            if guideline is not None and guideline not in statement.guidelines:
                continue
            if therapy_model is not None and not any(
                option.therapy == therapy_model.id
                or (
                    option.agent_class is not None
                    and option.agent_class in therapy_model.agent_classes
                )
                for option in statement.options
            ):
                continue
            found.append(statement)
        return tuple(found)

    def profiles_of(self, kind: ProfileKind | str) -> tuple[Profile, ...]:
        """Return the profiles of a kind, default first."""
        wanted = ProfileKind(kind)
        chosen = [p for p in self._profiles.values() if p.kind is wanted]
        return tuple(sorted(chosen, key=lambda p: not p.default))

    # ----------------------------------------------------------------- dates and sources

    def published(
        self, item: Reference | Trial | GuidelineStatement | Guideline | BaseModel
    ) -> date | None:
        """Return when ``item`` became known (rules: :mod:`netline.evidence.dates`).

        Accepts a reference, a trial, a guideline statement, a guideline document, or any
        sourced fact (a quantity, a population, a dose); ``None`` when undated.
        """
        dates = self._dates()
        if isinstance(item, Reference):
            return item.available_from
        if isinstance(item, Trial):
            return trial_published(item, dates)
        if isinstance(item, GuidelineStatement):
            return statement_published(item, self._guidelines, self._trials, dates)
        if isinstance(item, Guideline):
            return dates.get(item.ref)
        return fact_published(item, dates)

    def available_at(
        self, item: Reference | Trial | GuidelineStatement | Guideline | BaseModel, on: date
    ) -> bool | None:
        """Whether ``item`` was published on or before ``on`` (``None`` when undated)."""
        day = self.published(item)
        return None if day is None else day <= on

    def published_on_or_before(self, on: date) -> EvidenceAsOf:
        """Return the evidence known on ``on`` and, apart, what was published later.

        Examples
        --------
        >>> from datetime import date
        >>> from netline.evidence import load_knowledge_base
        >>> kb = load_knowledge_base()
        >>> snapshot = kb.published_on_or_before(date(2018, 6, 1))
        >>> kb.trial("NETTER-2") in snapshot.later_trials
        True
        """
        return evidence_as_of(self, on)

    def statement_sources(self, statement: GuidelineStatement) -> tuple[StatementSourceView, ...]:
        """Return where a statement comes from: each guideline (or basis trial), section, tag."""
        return statement_sources(self, statement)

    def _dates(self) -> dict[str, date | None]:
        if self._date_cache is None:
            self._date_cache = reference_dates(self._references.values())
        return self._date_cache

    def citing(self, key: str) -> tuple[str, ...]:
        """Return the paths of every fact that cites a reference key.

        Code that cites it (the reference's ``used_by``) is listed as ``code:<package>``.
        """
        reference = self.reference(key)
        paths = [f"code:{package}" for package in reference.used_by]
        for kind, item_id, path, node in self._nodes():
            if any(cited == key for _, cited in cited_keys(node)):
                paths.append(f"{kind}:{item_id}:{path}" if path else f"{kind}:{item_id}")
        return tuple(dict.fromkeys(paths))

    def conflicts(self) -> tuple[ConflictRecord, ...]:
        """Return every quantity on which sources disagree, with where it is."""
        return tuple(
            ConflictRecord(kind, item_id, path, node)
            for kind, item_id, path, node in self._nodes()
            if isinstance(node, Quantity) and node.in_conflict
        )

    def quantities(self) -> Iterator[tuple[str, str, str, Quantity]]:
        """Yield ``(kind, item id, path, quantity)`` for every number in the knowledge base."""
        for kind, item_id, path, node in self._nodes():
            if isinstance(node, Quantity):
                yield kind, item_id, path, node

    def _nodes(self) -> Iterator[tuple[str, str, str, BaseModel]]:
        collections: list[tuple[str, Iterable[BaseModel]]] = [
            ("therapy", self._therapies.values()),
            ("trial", self._trials.values()),
            ("guideline", self._guidelines.values()),
            ("statement", self._statements.values()),
            ("profile", self._profiles.values()),
            ("series", self._series.values()),
            ("case", self._cases.values()),
        ]
        for kind, items in collections:
            for item in items:
                item_id = str(getattr(item, "id"))  # noqa: B009
                for path, node in walk(item):
                    yield kind, item_id, path, node

    def search(self, text: str) -> tuple[SearchHit, ...]:
        """Find items whose identifiers, names, labels or notes contain every word of ``text``.

        Examples
        --------
        >>> from netline.evidence import load_knowledge_base
        >>> [h.id for h in load_knowledge_base().search("cabozantinib")][:2]
        ['cabozantinib', 'cabinet']
        """
        words = [w for w in text.casefold().split() if w]
        if not words:
            return ()
        hits = []
        for kind, item_id, label, fields in documents(self):
            blob = " ".join(fields).casefold()
            if all(word in blob for word in words):
                context = next((f for f in fields if words[0] in f.casefold()), label)
                hits.append(SearchHit(kind, item_id, label, context))
        return tuple(hits)
