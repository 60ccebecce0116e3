"""Per-knowledge-base lookups the advice engine needs, computed once and cached.

Loading and validating the knowledge base takes far longer than one piece of advice, and so
would re-deriving, for every call, which trials, statements and profiles concern each therapy.
:func:`kb_index` does both once per knowledge-base object.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from netline.errors import UnknownKeyError
from netline.evidence import KnowledgeBase, load_knowledge_base
from netline.evidence.schema import (
    AgentCombination,
    Burden,
    GuidelineStatement,
    Option,
    Profile,
    ProfileKind,
    Strategy,
    Therapy,
    TherapyKind,
    Trial,
)
from netline.records.vocabulary import AgentClass

__all__ = ["KBIndex", "kb_index"]

#: Classes that act on the tumour (supportive agents such as diazoxide do not count as a line
#: of antiproliferative therapy and do not open or close sequencing options).
ANTITUMOUR_CLASSES: frozenset[AgentClass] = frozenset(AgentClass) - {AgentClass.SUPPORTIVE}
#: The same, as the class names the decision state holds.
ANTITUMOUR_VALUES: frozenset[str] = frozenset(c.value for c in ANTITUMOUR_CLASSES)

#: Strategies that are options of their own (the others accompany a therapy).
OPTION_STRATEGIES: dict[Strategy, str] = {
    Strategy.WATCH_AND_WAIT: "surveillance",
    Strategy.LIVER_DIRECTED_THERAPY: "liver_directed",
    Strategy.SURGERY_IF_RESECTABLE: "surgery",
    Strategy.LIVER_RESECTION: "surgery",
    Strategy.DEBULKING: "surgery",
    Strategy.REASSESS_RESECTABILITY: "surgery",
    Strategy.ESCALATE_THERAPY: "escalate",
}
#: Therapies of ``kind: local`` that stand for an option key.
LOCAL_OPTION_THERAPIES: dict[str, str] = {
    "tace": "liver_directed",
    "tare_sirt": "liver_directed",
    "rfa": "surgery",
    "mwa": "surgery",
    "liver_transplantation": "surgery",
    "liver_resection_parenchymal_sparing": "surgery",
    "liver_resection_major": "surgery",
}


@dataclass(frozen=True, slots=True)
class StatementOption:
    """One option of one guideline statement, with the option key it supports."""

    statement: GuidelineStatement
    option: Option
    key: str


@dataclass(frozen=True)
class KBIndex:
    """Lookups derived once from a knowledge base.

    Attributes
    ----------
    kb : KnowledgeBase
    systemic : tuple of Therapy
        Every systemic therapy and regimen that can be offered (placeholders such as "any SSA",
        whose ``combination`` is ``any``, stand for the others and are left out).
    trials_by_therapy : dict
        Therapy id to the trials with an arm giving it (placeholders containing its agent
        count: "PRRT plus SSA" is evidence for 177Lu-DOTATATE and for lanreotide).
    arm_ids_by_therapy : dict
        Therapy id to the therapy ids an arm may list for it (itself and its placeholders).
    options_by_key : dict
        Option key (a therapy id, ``"surveillance"``, ``"surgery"``, ``"liver_directed"``) to
        the statement options that name it, by therapy, agent class or strategy.
    accompanying : tuple of StatementOption
        Statement options whose strategy accompanies treatment (glucose control, acid
        suppression, syndrome control, SSA cover).
    prrt_profiles : tuple of Profile
        PRRT eligibility profiles, the default first.
    dose_modification : Profile or None
        The default 177Lu-DOTATATE dose-modification profile.
    sstr_threshold : float
        The Krenning score from which uptake counts as positive, read from the default PRRT
        profile's uptake criterion.
    syndrome_control : tuple of Therapy
        Therapies that control a hormonal syndrome (their ``syndromes``), in KB order.
    burden : Profile or None
        The default ``tumour_burden`` profile: decision rules reading a burden category from
        counts of metastases (their outcomes are checked to be burden categories).
    trial_statement_published : dict
        Statement id to the publication date of each statement that rests on trials alone
        (no guideline makes it); such statements are time-aware like their trials.
    """

    kb: KnowledgeBase
    systemic: tuple[Therapy, ...]
    local: dict[str, Therapy]
    trials_by_therapy: dict[str, tuple[Trial, ...]]
    arm_ids_by_therapy: dict[str, frozenset[str]]
    options_by_key: dict[str, tuple[StatementOption, ...]]
    accompanying: tuple[StatementOption, ...]
    prrt_profiles: tuple[Profile, ...]
    dose_modification: Profile | None
    surgery_profiles: dict[str, Profile]
    sstr_threshold: float
    therapy_order: dict[str, int]
    burden: Profile | None = None
    syndrome_control: tuple[Therapy, ...] = ()
    trial_statement_published: dict[str, date | None] = field(default_factory=dict)
    #: Text derived from the knowledge base alone, formatted once (keys hold KB objects' ids;
    #: the index keeps the knowledge base alive).
    memo: dict[object, object] = field(default_factory=dict, compare=False, repr=False)

    def statement_refs(self, statement: GuidelineStatement) -> tuple[str, ...]:
        """Return the reference keys of a statement: its guidelines' references, then its own."""
        key = ("statement-refs", id(statement))
        found = self.memo.get(key)
        if found is not None and found[0] is statement:  # type: ignore[index]
            return found[1]  # type: ignore[index,no-any-return]
        keys: list[str] = []
        for guideline_id in statement.guidelines:
            guideline = self.kb.guideline(guideline_id)
            keys.append(guideline.ref)
        keys.extend(statement.references)
        refs = tuple(dict.fromkeys(keys))
        self.memo[key] = (statement, refs)
        return refs


def _option_keys(option: Option, systemic: tuple[Therapy, ...]) -> list[str]:
    if option.therapy is not None:
        if option.therapy in LOCAL_OPTION_THERAPIES:
            return [LOCAL_OPTION_THERAPIES[option.therapy]]
        return [option.therapy]
    if option.agent_class is not None:
        return [t.id for t in systemic if option.agent_class in t.agent_classes]
    assert option.strategy is not None
    key = OPTION_STRATEGIES.get(option.strategy)
    return [] if key is None else [key]


def _build(kb: KnowledgeBase) -> KBIndex:
    systemic = tuple(
        t
        for t in kb.therapies
        if t.kind in (TherapyKind.SYSTEMIC, TherapyKind.REGIMEN)
        and t.combination is AgentCombination.ALL
        # the syndrome-control use of an antitumour drug is not a second antitumour option
        and not (t.syndromes and set(t.agent_classes) & ANTITUMOUR_CLASSES)
    )
    placeholders = [
        t
        for t in kb.therapies
        if t.kind is not TherapyKind.LOCAL and t.combination is AgentCombination.ANY
    ]
    arm_ids: dict[str, frozenset[str]] = {}
    trials: dict[str, tuple[Trial, ...]] = {}
    for therapy in systemic:
        ids = {therapy.id}
        ids |= {p.id for p in placeholders if set(therapy.agents) & set(p.agents)}
        arm_ids[therapy.id] = frozenset(ids)
        trials[therapy.id] = tuple(
            trial for trial in kb.trials if any(set(arm.therapies) & ids for arm in trial.arms)
        )
    by_key: dict[str, list[StatementOption]] = {}
    accompanying: list[StatementOption] = []
    for statement in kb.statements:
        for option in statement.options:
            keys = _option_keys(option, systemic)
            if not keys and option.strategy is not None:
                accompanying.append(StatementOption(statement, option, option.strategy.value))
            for key in keys:
                by_key.setdefault(key, []).append(StatementOption(statement, option, key))
    prrt = kb.profiles_of(ProfileKind.PRRT_ELIGIBILITY)
    default_prrt = prrt[0]
    uptake = next((c for c in default_prrt.criteria if c.field == "krenning_score"), None)
    if uptake is None or not isinstance(uptake.threshold, int | float):
        raise UnknownKeyError("PRRT uptake criterion", "krenning_score", [])
    try:
        dose = kb.default_profile(ProfileKind.DOSE_MODIFICATION)
    except UnknownKeyError:
        dose = None
    burden = next(iter(kb.profiles_of(ProfileKind.TUMOUR_BURDEN)), None)
    for rule in () if burden is None else burden.decision_rules:
        if rule.outcome not in {b.value for b in Burden}:
            raise UnknownKeyError("burden category", rule.outcome, [b.value for b in Burden])
    surgery: dict[str, Profile] = {}
    for kind in (
        ProfileKind.LIVER_RESECTION,
        ProfileKind.LIVER_DEBULKING,
        ProfileKind.HEPATECTOMY_EXTENT,
        ProfileKind.LIVER_TRANSPLANT,
    ):
        for profile in kb.profiles_of(kind):
            surgery[profile.id] = profile
    return KBIndex(
        kb=kb,
        systemic=systemic,
        local={t.id: t for t in kb.therapies if t.kind is TherapyKind.LOCAL},
        trials_by_therapy=trials,
        arm_ids_by_therapy=arm_ids,
        options_by_key={k: tuple(v) for k, v in by_key.items()},
        accompanying=tuple(accompanying),
        prrt_profiles=prrt,
        dose_modification=dose,
        surgery_profiles=surgery,
        sstr_threshold=float(uptake.threshold),
        therapy_order={t.id: i for i, t in enumerate(systemic)},
        burden=burden,
        syndrome_control=tuple(t for t in kb.therapies if t.syndromes),
        trial_statement_published={
            s.id: kb.published(s) for s in kb.statements if not s.guidelines
        },
    )


@functools.lru_cache(maxsize=4)
def _cached(kb: KnowledgeBase) -> KBIndex:
    return _build(kb)


def kb_index(kb: KnowledgeBase | None = None) -> KBIndex:
    """Return the lookups of a knowledge base (the bundled one by default), built once.

    Parameters
    ----------
    kb : KnowledgeBase, optional
        A loaded knowledge base; ``None`` for the bundled one (loaded and cached by
        :func:`netline.evidence.load_knowledge_base`).
    """
    return _cached(load_knowledge_base() if kb is None else kb)
