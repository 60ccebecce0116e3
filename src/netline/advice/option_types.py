"""Result types of an option's evaluation, and what one decision point's evaluations share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from netline.advice._kb import KBIndex, StatementOption
from netline.advice._logic import Applicability, condition_keys, evaluate_condition
from netline.advice._points import Point
from netline.advice.eligibility import EntryCheck, ProfileCheck
from netline.advice.matching import refine
from netline.advice.state import DecisionState
from netline.advice.surgery import SurgeryAssessment
from netline.clinical import ctcae_grade
from netline.clinical.toxicity import CTCAE_TERM_OF_ANALYTE
from netline.errors import NetlineError
from netline.evidence.schema import (
    Condition,
    EndpointKind,
    GuidelineStatement,
    Preference,
    SubgroupDimension,
    TrialDesign,
)
from netline.records.vocabulary import Analyte

_PREFERENCE_WEIGHT = {
    Preference.PREFERRED: 3.0,
    Preference.ALTERNATIVE: 2.0,
    Preference.OPTION: 2.0,
    Preference.RESERVED: 1.0,
}
_DESIGN_RANK = {
    TrialDesign.RANDOMISED_CONTROLLED: 0,
    TrialDesign.RANDOMISED_NON_COMPARATIVE: 1,
    TrialDesign.SINGLE_ARM: 2,
    TrialDesign.RETROSPECTIVE: 3,
    TrialDesign.REGISTRY: 4,
}
_SUBGROUP_ORDER = {
    SubgroupDimension.PRIOR_THERAPY: 0,
    SubgroupDimension.PRIOR_LINES: 1,
    SubgroupDimension.PRIOR_SSA: 2,
    SubgroupDimension.COHORT: 3,
    SubgroupDimension.SITE: 4,
    SubgroupDimension.LINE: 5,
    SubgroupDimension.OTHER: 6,
}
_SHOWN_ENDPOINTS = (EndpointKind.PFS, EndpointKind.TTP, EndpointKind.ORR, EndpointKind.OS)
#: Comorbidities and the words of the knowledge base's toxicity terms they bear on.
_COMORBIDITY_TERMS: dict[str, tuple[str, ...]] = {
    "diabetes": ("glyc", "glucose"),
    "hypertension": ("hypertension",),
    "cardiac": ("cardio", "hypertension", "thromboembolism"),
    "carcinoid_heart_disease": ("cardio", "hypertension", "thromboembolism"),
    "renal": ("renal", "nephro"),
    "hepatic": ("liver", "hepat"),
    "pulmonary": ("pneumonitis",),
    "haematological": ("myelo", "penia", "anaemia", "thrombocyt", "haemat", "leukaemia"),
}
_HAEM_TERMS = _COMORBIDITY_TERMS["haematological"]
_CLASS_LABEL = {
    "ssa": "somatostatin analogue",
    "mtor_inhibitor": "mTOR inhibitor",
    "tki": "tyrosine kinase inhibitor",
    "alkylating_chemotherapy": "alkylating chemotherapy",
    "antimetabolite_chemotherapy": "antimetabolite chemotherapy",
    "anthracycline_chemotherapy": "anthracycline",
    "platinum_chemotherapy": "platinum chemotherapy",
    "topoisomerase_inhibitor": "topoisomerase inhibitor",
    "radioligand": "radioligand (PRRT)",
    "interferon": "interferon",
    "supportive": "supportive",
}
_NAMES = {
    "surveillance": "Surveillance (watch and wait, imaging every 3-6 months)",
    "liver_directed": "Liver-directed therapy (TACE, TARE/SIRT, ablation)",
    "surgery": "Liver surgery (resection, debulking or conversion)",
}


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True, slots=True)
class GuidelineMatch:
    """A guideline statement that names an option, and how far it applies to the patient.

    Attributes
    ----------
    statement_id, topic : str
    guidelines : tuple of str
        The guideline documents the statement summarises.
    preference : str
        ``preferred``, ``alternative``, ``option``, ``reserved`` or ``not_recommended``.
    note : str or None
        The statement's note on the option.
    applies : Applicability
        The statement's condition and the option's own condition together.
    refs : tuple of str
    status : str
        The statement's verification status.
    """

    statement_id: str
    topic: str
    guidelines: tuple[str, ...]
    preference: str
    note: str | None
    applies: Applicability
    refs: tuple[str, ...]
    status: str
    restricts: frozenset[str] = frozenset()

    def describe(self) -> str:
        """One line: preference, topic, note and, for a possible match, why it is unsettled."""
        preference = self.preference.replace("_", " ")
        text = f"{preference} in '{self.topic}'"
        if self.note:
            text += f": {self.note}"
        if self.applies.value is None:
            text += f" — applies only possibly ({self.applies.explain()})"
        elif self.applies.value is False:
            text += (
                " — the option's own condition is not met ("
                + (self.applies.explain() or "condition false")
                + ")"
            )
        return text

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "statement": self.statement_id,
            "topic": self.topic,
            "guidelines": list(self.guidelines),
            "preference": self.preference,
            "note": self.note,
            "applies": self.applies.to_dict(),
            "refs": list(self.refs),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One trial's evidence for an option, as it bears on this patient.

    Attributes
    ----------
    trial_id, name, design : str
    arms : tuple of str
        The arms that gave the option.
    results : tuple of Point
        Per-arm medians and rates, and hazard ratios, each formatted with its tag.
    subgroups : tuple of Point
        The subgroups the patient belongs to, with their results.
    expected_pfs : str or None
        The most specific median PFS for the patient (subgroup, else the arm).
    entry : EntryCheck
        Whether the patient would have met the entry criteria.
    ref, status : str
    """

    trial_id: str
    name: str
    design: str
    population: str
    arms: tuple[str, ...]
    results: tuple[Point, ...]
    subgroups: tuple[Point, ...]
    expected_pfs: str | None
    expected_pfs_source: str | None
    entry: EntryCheck
    ref: str
    status: str
    pancreatic: bool
    rank: tuple[int, ...] = ()
    match: tuple[str, ...] = ()
    published: str | None = None
    later: bool = False
    headline_withheld: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "match": list(self.match),
            "published": self.published,
            "published_after_decision": self.later,
            "headline_withheld": self.headline_withheld,
            "trial": self.trial_id,
            "name": self.name,
            "design": self.design,
            "population": self.population,
            "pancreatic": self.pancreatic,
            "arms": list(self.arms),
            "results": [p.to_dict() for p in self.results],
            "subgroups": [p.to_dict() for p in self.subgroups],
            "expected_pfs": self.expected_pfs,
            "expected_pfs_source": self.expected_pfs_source,
            "entry": self.entry.to_dict(),
            "ref": self.ref,
            "status": self.status,
        }


@dataclass(frozen=True)
class OptionAssessment:
    """One option at the decision point, evaluated.

    Attributes
    ----------
    key : str
        A therapy id of the knowledge base, or ``surveillance``, ``liver_directed``,
        ``surgery``.
    name : str
    kind : str
        ``systemic``, ``surveillance``, ``liver_directed`` or ``surgery``.
    ongoing : bool
        Whether this is the therapy the patient is on (the option is to continue it).
    status : str
        ``excluded`` (a hard contraindication, or a statement that applies does not recommend
        it), ``caution`` (a relative contraindication or a reserved use), ``unclear`` (hard
        criteria cannot be checked) or ``eligible``.
    rank : int or None
        1 for the first; ``None`` for excluded options.
    order_reason : str
        Why the option stands where it does.
    support : str
        The strongest guideline support that applies (``preferred`` ... ``none``).
    guideline : tuple of GuidelineMatch
        Statements naming the option that apply (or possibly apply) to the patient.
    not_yet : tuple of GuidelineMatch
        Statements that apply but whose condition on this option is not (yet) met.
    eligibility : tuple of ProfileCheck
        Profiles evaluated (PRRT: NETTER-1 default, IAEA/EANM/ENETS, Erasmus).
    exclusions, cautions, to_check : tuple of Point
    evidence : tuple of EvidenceItem
        Best first.
    expected_pfs : str or None
        The headline median PFS with its source.
    sequencing : tuple of Point
        Mode of action against prior lines, and what the option leaves available.
    toxicities, monitoring : tuple of Point
    confidence : str
        ``high``, ``moderate`` or ``low``.
    """

    key: str
    name: str
    kind: str
    agents: tuple[str, ...]
    agent_classes: tuple[str, ...]
    ongoing: bool
    status: str
    support: str
    support_score: float
    guideline: tuple[GuidelineMatch, ...]
    not_yet: tuple[GuidelineMatch, ...]
    eligibility: tuple[ProfileCheck, ...]
    exclusions: tuple[Point, ...]
    cautions: tuple[Point, ...]
    to_check: tuple[Point, ...]
    evidence: tuple[EvidenceItem, ...]
    expected_pfs: str | None
    sequencing: tuple[Point, ...]
    leaves_available: tuple[str, ...]
    toxicities: tuple[Point, ...]
    monitoring: tuple[Point, ...]
    confidence: str
    cross_resistance: bool = False
    curative_potential: bool = False
    deferred: bool = False
    relative_contraindications: int = 0
    breadth: int = 0
    evidence_rank: int = 99
    order: int = 0
    certain_score: float = 0.0
    possible_score: float = 0.0
    progressed_on_it: bool = False
    setting_tier: int = 1
    setting_note: str = ""
    never_first: bool = False
    rank: int | None = None
    order_reason: str = ""
    _key: tuple[object, ...] = field(default=(), repr=False)

    @property
    def excluded(self) -> bool:
        """Whether the option is excluded."""
        return self.status == "excluded"

    @property
    def continuing(self) -> bool:
        """Whether the option continues a therapy on which the disease is not progressing."""
        return self.ongoing and not self.cross_resistance and not self.progressed_on_it

    @property
    def references(self) -> tuple[str, ...]:
        """Every reference key the option cites."""
        keys: list[str] = []
        for match in (*self.guideline, *self.not_yet):
            keys.extend(match.refs)
        for group in (
            self.exclusions,
            self.cautions,
            self.to_check,
            self.sequencing,
            self.toxicities,
            self.monitoring,
        ):
            for point in group:
                keys.extend(point.refs)
        for item in self.evidence:
            keys.append(item.ref)
            for point in (*item.results, *item.subgroups):
                keys.extend(point.refs)
        for profile in self.eligibility:
            keys.extend(c.ref for c in profile.checks)
        return tuple(dict.fromkeys(keys))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""

        def points(items: Iterable[Point]) -> list[dict[str, object]]:
            return [p.to_dict() for p in items]

        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "rank": self.rank,
            "status": self.status,
            "ongoing": self.ongoing,
            "order_reason": self.order_reason,
            "support": self.support,
            "support_score": self.support_score,
            "agents": list(self.agents),
            "agent_classes": list(self.agent_classes),
            "guideline": [m.to_dict() for m in self.guideline],
            "not_yet": [m.to_dict() for m in self.not_yet],
            "eligibility": [p.to_dict() for p in self.eligibility],
            "exclusions": points(self.exclusions),
            "cautions": points(self.cautions),
            "to_check": points(self.to_check),
            "evidence": [e.to_dict() for e in self.evidence],
            "expected_pfs": self.expected_pfs,
            "sequencing": points(self.sequencing),
            "leaves_available": list(self.leaves_available),
            "toxicities": points(self.toxicities),
            "monitoring": points(self.monitoring),
            "confidence": self.confidence,
            "ordering": {
                "setting_tier": self.setting_tier,
                "setting_note": self.setting_note,
                "certain_support": self.certain_score,
                "possible_support": self.possible_score,
                "progressed_on_it": self.progressed_on_it,
                "deferred_until_progression": self.deferred,
                "cross_resistance": self.cross_resistance,
                "curative_potential": self.curative_potential,
                "relative_contraindications": self.relative_contraindications,
                "applicable_statements": self.breadth,
                "evidence_rank": self.evidence_rank,
            },
        }


# --------------------------------------------------------------------------- guideline fit


class _Context:
    """What every option's evaluation shares at one decision point (computed once)."""

    def __init__(self, state: DecisionState, index: KBIndex, surgery: SurgeryAssessment) -> None:
        self.state = state
        self.index = index
        self.surgery = surgery
        self.statement_cache: dict[str, Applicability] = {}
        #: per-decision-point memo of work shared by options (entry checks, subgroups,
        #: condition answers): computed once per advise call, not once per option
        self.memo: dict[object, object] = {}
        self.n_prior_lines = len(state.lines)
        self.haem_grades = _haem_grades(state)
        self.specimen_ki67 = tuple(
            s.ki67_percent for s in state.specimens if s.ki67_percent is not None
        )

    def statement(self, statement: GuidelineStatement) -> Applicability:
        found = self.statement_cache.get(statement.id)
        if found is None:
            found = self.condition(statement.condition)
            self.statement_cache[statement.id] = found
        return found

    def condition(self, condition: Condition) -> Applicability:
        """Evaluate a condition under the unknown-grade and Ki-67 edge rules (once each)."""
        key = ("condition", id(condition))  # a KB object: alive as long as the index
        found = self.memo.get(key)
        if found is None:
            raw = evaluate_condition(condition, self.state.facts, self.state.alternatives)
            found = self.memo[key] = refine(condition, raw, self.state.facts, self.specimen_ki67)
        return found  # type: ignore[return-value]


def match_template(ctx: _Context, item: StatementOption) -> GuidelineMatch:
    """Return the knowledge-base part of a statement option's match (once per knowledge base)."""
    memo = ctx.index.memo
    key = ("match", id(item))
    found = memo.get(key)
    if found is not None and found[0] is item:  # type: ignore[index]
        return found[1]  # type: ignore[index,no-any-return]
    statement, option = item.statement, item.option
    template = GuidelineMatch(
        statement_id=statement.id,
        topic=statement.topic,
        guidelines=statement.guidelines,
        preference=option.preference.value,
        note=option.note,
        applies=Applicability(True),  # replaced by the patient's answer
        refs=ctx.index.statement_refs(statement),
        status=statement.status.value,
        restricts=condition_keys(statement.condition)
        | (frozenset() if option.condition is None else condition_keys(option.condition)),
    )
    memo[key] = (item, template)
    return template


# --------------------------------------------------------------------------- toxicity, monitoring


#: The blood counts whose CTCAE grade flags marrow toxicity.
_HAEMATOLOGY = (Analyte.PLATELETS, Analyte.HAEMOGLOBIN, Analyte.NEUTROPHILS, Analyte.WHITE_CELLS)


def _haem_grades(state: DecisionState) -> dict[str, int]:
    grades: dict[str, int] = {}
    for analyte in _HAEMATOLOGY:
        term = CTCAE_TERM_OF_ANALYTE[analyte]
        lab = state.labs.get(analyte.value)
        if lab is None:
            continue
        try:
            finding = ctcae_grade(term, lab.value, lln=lab.lower_limit)
        except NetlineError:
            continue
        grade = finding.value.grade
        grades[analyte.value] = finding.value.lowest if grade is None else grade
    return grades
