"""Every option at a decision point, evaluated and ordered with the reason for the order.

Options are every systemic therapy and regimen of the knowledge base, surveillance, liver-
directed therapy and liver surgery. Each is evaluated for

* eligibility: the knowledge base's profiles (hard criteria exclude, relative ones flag,
  unknown ones are listed to check) and the guideline statements that do not recommend it;
* fit to the guideline statements that apply to the patient, each cited;
* evidence: the trials that gave it, the subgroups the patient belongs to, the median PFS with
  its interval and verification tag, and whether the patient would have met the entry
  criteria;
* sequencing: its mode of action against the agents already used (a different mechanism is
  the review's argument against cross-resistance), and what it leaves available afterwards;
* key toxicities for the patient's comorbidities and labs, and the monitoring plan (for PRRT
  the CTCAE-based dose-modification rules).

The order is never a single directive: :func:`order_options` sorts by a documented key and
says, for each option, why it stands where it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from netline.advice._kb import ANTITUMOUR_CLASSES, KBIndex, StatementOption
from netline.advice._logic import Applicability, condition_keys, evaluate_condition
from netline.advice._points import Point
from netline.advice.eligibility import EntryCheck, ProfileCheck, check_entry, check_profile
from netline.advice.state import DecisionState
from netline.advice.surgery import SurgeryAssessment
from netline.clinical import ctcae_grade
from netline.errors import NetlineError
from netline.evidence import format_quantity
from netline.evidence.schema import (
    Arm,
    Endpoint,
    EndpointKind,
    GuidelineStatement,
    Preference,
    Quantity,
    Subgroup,
    SubgroupDimension,
    Therapy,
    Trial,
    TrialDesign,
)
from netline.records.vocabulary import AgentClass

__all__ = [
    "EvidenceItem",
    "GuidelineMatch",
    "OptionAssessment",
    "evaluate_options",
    "order_options",
]

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
        text = f"{self.preference} in '{self.topic}' ({self.statement_id})"
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

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
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
        return (
            self.ongoing
            and not self.cross_resistance
            and "progression on this" not in " ".join(p.text.lower() for p in self.cautions)
        )

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
        self.n_prior_lines = len(state.lines)
        self.haem_grades = _haem_grades(state)

    def statement(self, statement: GuidelineStatement) -> Applicability:
        found = self.statement_cache.get(statement.id)
        if found is None:
            found = evaluate_condition(
                statement.condition, self.state.facts, self.state.alternatives
            )
            self.statement_cache[statement.id] = found
        return found


def _combine(first: Applicability, second: Applicability) -> Applicability:
    if first.value is False or second.value is False:
        return Applicability(
            False, first.missing + second.missing, first.holds_if + second.holds_if
        )
    if first.value is True and second.value is True:
        return Applicability(True)
    return Applicability(
        None,
        tuple(dict.fromkeys(first.missing + second.missing)),
        tuple(dict.fromkeys(first.holds_if + second.holds_if)),
    )


def _matches(
    ctx: _Context, options: Sequence[StatementOption]
) -> tuple[list[GuidelineMatch], list[GuidelineMatch]]:
    applying: list[GuidelineMatch] = []
    not_yet: list[GuidelineMatch] = []
    for item in options:
        statement, option = item.statement, item.option
        base = ctx.statement(statement)
        if base.value is False:
            continue
        own = (
            Applicability(True)
            if option.condition is None
            else evaluate_condition(option.condition, ctx.state.facts, ctx.state.alternatives)
        )
        match = GuidelineMatch(
            statement_id=statement.id,
            topic=statement.topic,
            guidelines=statement.guidelines,
            preference=option.preference.value,
            note=option.note,
            applies=_combine(base, own),
            refs=ctx.index.statement_refs(statement),
            status=statement.status.value,
            restricts=condition_keys(statement.condition)
            | (frozenset() if option.condition is None else condition_keys(option.condition)),
        )
        if own.value is False:
            if base.value is True:
                not_yet.append(match)
            continue
        applying.append(match)
    return applying, not_yet


def _support(matches: Sequence[GuidelineMatch]) -> tuple[float, str, int]:
    best = 0.0
    label = "none"
    breadth = set()
    for match in matches:
        preference = Preference(match.preference)
        weight = _PREFERENCE_WEIGHT.get(preference)
        if weight is None:
            continue
        if match.applies.value is None:
            # a fact is unknown: half a point; it holds only on another reading of a fact
            # known as a range or not settled (e.g. the pace of progression): a full point
            speculative = bool(match.applies.holds_if) and not match.applies.missing
            weight -= 1.0 if speculative else 0.5
        else:
            breadth.add(match.statement_id)
        if weight > best:
            best = weight
            label = preference.value + (" (possibly)" if match.applies.value is None else "")
    return best, label, len(breadth)


# --------------------------------------------------------------------------- evidence


def _fmt(quantity: Quantity) -> str:
    return format_quantity(quantity)


def _endpoint_points(endpoint: Endpoint, arm: Arm, trial: Trial, prefix: str = "") -> list[Point]:
    points: list[Point] = []
    label = endpoint.label or endpoint.kind.value.upper()
    if endpoint.timepoint_months:
        label += f" at {endpoint.timepoint_months:g} mo"
    value = endpoint.value_for(arm.id)
    if value is not None:
        points.append(
            Point(
                f"{prefix}{label}: {_fmt(value)} ({arm.label})",
                (value.ref,),
                "conflict" if value.in_conflict else "info",
                value.worst_status.value,
            )
        )
    for comparison in endpoint.comparisons:
        if comparison.estimate is None or arm.id not in (
            comparison.experimental,
            comparison.control,
        ):
            continue
        other = comparison.control if comparison.experimental == arm.id else comparison.experimental
        other_arm = trial.arm(other)
        other_label = other_arm.label if other_arm is not None else other
        measure = (comparison.measure.value if comparison.measure else "effect").upper()
        estimate = comparison.estimate
        direction = (
            f"{comparison.experimental} vs {comparison.control}"
            if comparison.experimental == arm.id
            else f"{comparison.experimental} vs {comparison.control} (this arm is the comparator)"
        )
        points.append(
            Point(
                f"{prefix}{label} {measure} {_fmt(estimate)} — {direction}; other arm: "
                f"{other_label}",
                (estimate.ref,),
                "conflict" if estimate.in_conflict else "info",
                estimate.worst_status.value,
            )
        )
    return points


def _pfs_of(endpoints: Sequence[Endpoint], arm: Arm) -> Quantity | None:
    for endpoint in sorted(endpoints, key=lambda e: not e.primary):
        if endpoint.kind is EndpointKind.PFS and endpoint.label is None:
            value = endpoint.value_for(arm.id)
            if value is not None:
                return value
    for endpoint in endpoints:
        if endpoint.kind in (EndpointKind.PFS, EndpointKind.TTP):
            value = endpoint.value_for(arm.id)
            if value is not None:
                return value
    return None


def _trial_evidence(
    ctx: _Context, trial: Trial, therapy_id: str, arm_ids: frozenset[str], order: int
) -> EvidenceItem | None:
    arms = [a for a in trial.arms if set(a.therapies) & arm_ids]
    if not arms:
        return None
    first = [a for a in arms if a.therapies and a.therapies[0] in arm_ids]
    arms = first or arms  # a sequence arm counts for the therapy it gives first
    # the headline median comes from arms that give the therapy itself first (or, failing
    # that, a placeholder such as "PRRT, agent not named"); never from an arm in which it is
    # added to another therapy
    exact = [a for a in first if a.therapies[0] == therapy_id]
    headline_arms = exact or first
    state = ctx.state
    kb = ctx.index.kb
    entry = check_entry(trial.population, state)
    subgroups: list[Subgroup] = list(
        kb.subgroups_for(
            trial,
            prior_classes=state.prior_classes,
            prior_lines=ctx.n_prior_lines,
            site=state.site,
        )
    )
    subgroups.sort(key=lambda s: _SUBGROUP_ORDER.get(s.dimension, 9))
    results: list[Point] = []
    sub_points: list[Point] = []
    expected: Quantity | None = None
    source: str | None = None
    for arm in arms:
        for endpoint in trial.endpoints:
            if endpoint.kind in _SHOWN_ENDPOINTS:
                results.extend(_endpoint_points(endpoint, arm, trial))
        for subgroup in subgroups:
            for endpoint in subgroup.endpoints:
                if endpoint.kind in _SHOWN_ENDPOINTS:
                    sub_points.extend(
                        _endpoint_points(endpoint, arm, trial, prefix=f"{subgroup.label}: ")
                    )
            if expected is None and arm in headline_arms:
                value = _pfs_of(subgroup.endpoints, arm)
                if value is not None:
                    expected, source = value, f"{trial.name}, {subgroup.label} ({arm.label})"
        if expected is None and arm in headline_arms:
            value = _pfs_of(trial.endpoints, arm)
            if value is not None:
                expected, source = value, f"{trial.name} ({arm.label})"
    if source is not None and not any(a.therapies[0] == therapy_id for a in headline_arms):
        source += "; the arm does not name the agent"
    pancreatic = trial.population.pancreatic_only or any(
        "pancreas" in [s.value for s in sg.criteria.sites] for sg in subgroups
    )
    rank = (
        1 if entry.verdict == "not met" else 0,
        0 if pancreatic else 1,
        _DESIGN_RANK.get(trial.design, 5),
        0 if trial.phase == "III" else 1,
        0 if expected is not None else 1,
        order,
    )
    n = format_quantity(trial.n)
    return EvidenceItem(
        trial_id=trial.id,
        name=trial.name,
        design=f"{trial.design.value}"
        + (f", phase {trial.phase}" if trial.phase else "")
        + f", n = {n}",
        population=trial.population.description,
        arms=tuple(a.label for a in arms),
        results=tuple(results),
        subgroups=tuple(sub_points),
        expected_pfs=None if expected is None else _fmt(expected),
        expected_pfs_source=source,
        entry=entry,
        ref=trial.ref,
        status=trial.status.value,
        pancreatic=pancreatic,
        rank=rank,
    )


# --------------------------------------------------------------------------- eligibility


def _prrt_eligibility(
    ctx: _Context, therapy: Therapy, matches: Sequence[GuidelineMatch]
) -> tuple[list[ProfileCheck], list[Point], list[Point], list[Point], int]:
    exclusions: list[Point] = []
    cautions: list[Point] = []
    to_check: list[Point] = []
    checks = [check_profile(p, ctx.state) for p in ctx.index.prrt_profiles]
    default = checks[0]
    biology = {"grade", "ki67_percent"}
    # statements that offer the therapy for this grade or Ki-67 explicitly
    offered = [
        m
        for m in matches
        if m.applies.value is True and m.preference != "not_recommended" and m.restricts & biology
    ]
    foreign = default_therapy = ctx.index.prrt_profiles[0].therapy
    applied_by_class = foreign is not None and foreign != therapy.id
    for check in default.hard_failures:
        profile_criterion = next(c for c in ctx.index.prrt_profiles[0].criteria if c.id == check.id)
        if profile_criterion.field in biology and offered:
            statements = ", ".join(dict.fromkeys(m.statement_id for m in offered))
            cautions.append(
                Point(
                    f"Outside the {default.label} ({check.label}; the patient: "
                    f"{_value(check.value)}), but offered by {statements}: the sources conflict",
                    (check.ref, *dict.fromkeys(r for m in offered for r in m.refs)),
                    "conflict",
                    check.status,
                )
            )
            continue
        exclusions.append(
            Point(
                f"{check.label} — not met (the patient: {_value(check.value)}) [{default.label}]",
                (check.ref,),
                "exclusion",
                check.status,
            )
        )
    relative = 0
    for check in default.relative_failures:
        relative += 1
        cautions.append(
            Point(
                f"Relative contraindication: {check.label} (the patient: {_value(check.value)})",
                (check.ref,),
                "caution",
                check.status,
            )
        )
    for other in checks[1:]:
        for check in (*other.hard_failures, *other.relative_failures):
            kind_word = "relative contraindication" if check.kind == "relative" else "criterion"
            cautions.append(
                Point(
                    f"{other.label}: {kind_word} '{check.label}' not met (the patient: "
                    f"{_value(check.value)})",
                    (check.ref,),
                    "caution",
                    check.status,
                )
            )
            if check.kind == "relative" and not default.hard_failures:
                relative += 1
    for check in default.unknown:
        to_check.append(
            Point(f"{check.label} ({check.kind}; not known)", (check.ref,), "check", check.status)
        )
    for check in () if applied_by_class else default.outside_population:
        cautions.append(
            Point(
                f"Outside the population studied ({default.label}): {check.label}"
                + (f" — {check.note}" if check.note else ": the evidence is extrapolated"),
                (check.ref,),
                "caution",
                check.status,
            )
        )
    if applied_by_class:
        cautions.append(
            Point(
                f"Eligibility profiles are written for {default_therapy}; applied to "
                f"{therapy.name} by its class (radioligand)",
                (),
                "info",
            )
        )
    return checks, exclusions, cautions, to_check, relative


def _value(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(getattr(value, "value", value))


def _kb_fact_cautions(ctx: _Context, therapy: Therapy) -> list[Point]:
    """Efficacy caveats read from the knowledge base's therapy facts (PRRT, Ki-67 > 10 %)."""
    state = ctx.state
    points: list[Point] = []
    if AgentClass.RADIOLIGAND not in therapy.agent_classes:
        return points
    source = ctx.index.kb.therapy("lu177_dotatate")
    for fact in source.facts:
        if fact.id != "less_effective_ki67" or fact.value.value is None:
            continue
        refs = (fact.value.ref, *fact.value.see_also)
        threshold = float(fact.value.value)
        text = format_quantity(fact.value).removeprefix("> ")
        if state.ki67_percent is not None and state.ki67_percent > threshold:
            points.append(
                Point(
                    f"Ki-67 {state.ki67_percent:g} % is above {text}: {fact.label}",
                    refs,
                    "caution",
                    fact.value.status.value,
                )
            )
        if state.tumour_burden == "high":
            points.append(
                Point(f"High tumour burden: {fact.label}", refs, "caution", fact.value.status.value)
            )
        if state.functioning not in (None, "none"):
            points.append(
                Point(
                    f"Functioning tumour ({state.functioning}): {fact.label}",
                    refs,
                    "caution",
                    fact.value.status.value,
                )
            )
    return points


def _note_cautions(ctx: _Context, matches: Sequence[GuidelineMatch]) -> list[Point]:
    """Contraindications a statement's notes discuss that bear on this patient."""
    state = ctx.state
    points: list[Point] = []
    bone = "bone" in state.extrahepatic_sites
    low_counts = any(g >= 2 for g in ctx.haem_grades.values())
    seen: set[str] = set()
    for match in matches:
        statement = ctx.index.kb.statement(match.statement_id)
        for note in statement.notes:
            lowered = note.lower()
            if "marrow" in lowered and (bone or low_counts) and "marrow" not in seen:
                seen.add("marrow")
                why = "bone metastases" if bone else "reduced blood counts"
                extra = ""
                if bone:
                    extra = (
                        " ("
                        + ", ".join(
                            f"{s} since {state.extrahepatic_since[s].isoformat()}"
                            for s in state.extrahepatic_sites
                            if s in state.extrahepatic_since
                        )
                        + ")"
                    )
                points.append(
                    Point(
                        f"Extrahepatic disease — {why}{extra}: marrow is among the "
                        f"contraindications {statement.id} discusses (its cut-offs were not "
                        "retrieved); check blood counts and marrow reserve",
                        match.refs,
                        "caution",
                        "uncertain",
                    )
                )
            if (
                "mesenteric/peritoneal" in lowered
                and "peritoneum" in state.extrahepatic_sites
                and "peritoneal" not in seen
            ):
                seen.add("peritoneal")
                points.append(
                    Point(
                        f"Peritoneal disease: among the contraindications {statement.id} discusses",
                        match.refs,
                        "caution",
                        "uncertain",
                    )
                )
    return points


# --------------------------------------------------------------------------- sequencing


def _sequencing(
    ctx: _Context, therapy: Therapy | None, classes: tuple[str, ...], ongoing: bool
) -> tuple[list[Point], bool, tuple[str, ...]]:
    state = ctx.state
    points: list[Point] = []
    cross = False
    antitumour = {c.value for c in ANTITUMOUR_CLASSES}
    mine = [c for c in classes if c in antitumour]
    if therapy is not None:
        moa = therapy.mode_of_action
        points.append(
            Point(f"Mode of action: {moa.mechanism.strip()}", (moa.ref,), "info", moa.status.value)
        )
    review = ("grande2016",)
    if mine:
        shared = [line for line in state.lines if set(line.agent_classes) & set(mine)]
        if not shared:
            used = sorted(
                {c for line in state.lines for c in line.agent_classes if c in antitumour}
            )
            if used:
                points.append(
                    Point(
                        "Different mode of action from every earlier line ("
                        + ", ".join(_CLASS_LABEL.get(c, c) for c in used)
                        + "): the review argues that a different mechanism may avoid "
                        "cross-resistance",
                        review,
                        "support",
                        "recalled",
                    )
                )
        latest = shared[-1] if shared else None
        for line in shared:
            same = ", ".join(_CLASS_LABEL.get(c, c) for c in set(line.agent_classes) & set(mine))
            if line.progressed_on and line is latest:
                cross = True
                what = "the current line" if line.ongoing else f"L{line.number} {line.label}"
                points.append(
                    Point(
                        f"Same mode of action ({same}) as {what}, which ended in progression: "
                        "cross-resistance is likely (the review's argument for a different "
                        "mechanism)",
                        review,
                        "caution",
                        "recalled",
                    )
                )
            elif line.progressed_on:
                points.append(
                    Point(
                        f"Same mode of action ({same}) as L{line.number} {line.label}, which "
                        "ended in progression; a later line of this class did not progress",
                        review,
                        "info",
                        "recalled",
                    )
                )
            elif line.ongoing and ongoing:
                points.append(
                    Point(
                        f"The patient is on {line.label} (L{line.number}) without "
                        "progression on it",
                        (),
                        "info",
                    )
                )
            else:
                outcome = line.best_response or "response not assessed"
                points.append(
                    Point(
                        f"Same mode of action ({same}) as L{line.number} {line.label} "
                        f"(best response {outcome}, ended: {line.end_reason}): a re-treatment",
                        review,
                        "info",
                        "recalled",
                    )
                )
    after = {c for line in state.lines for c in line.agent_classes} | set(mine)
    remaining = sorted(
        {c.value for t in ctx.index.systemic for c in t.agent_classes}
        & antitumour
        - after
        - {
            "platinum_chemotherapy",
            "topoisomerase_inhibitor",
            "anthracycline_chemotherapy",
            "antimetabolite_chemotherapy",
            "interferon",
        }
    )
    leaves = tuple(_CLASS_LABEL.get(c, c) for c in remaining)
    return points, cross, leaves


def _unlocks(ctx: _Context, key: str, classes: tuple[str, ...]) -> list[Point]:
    """Statement options this option would open (e.g. cabozantinib after a non-SSA line)."""
    state = ctx.state
    antitumour = {c.value for c in ANTITUMOUR_CLASSES}
    if not set(classes) & antitumour:
        return []
    facts = dict(state.facts)
    prior = set(state.prior_classes) | set(classes)
    facts["prior_classes"] = frozenset(AgentClass(c) for c in prior)
    if any(c in antitumour and c != "ssa" for c in classes):
        facts["prior_non_ssa_lines"] = state.prior_non_ssa_lines + 1
    points: list[Point] = []
    seen: set[str] = set()
    for other_key, items in ctx.index.options_by_key.items():
        if other_key == key or other_key in seen:
            continue
        for item in items:
            condition = item.option.condition
            if condition is None:
                continue
            if ctx.statement(item.statement).value is not True:
                continue
            now = evaluate_condition(condition, state.facts, {})
            later = evaluate_condition(condition, facts, {})
            if now.value is not True and later.value is True:
                seen.add(other_key)
                points.append(
                    Point(
                        f"Opens {other_key} ({item.statement.id}"
                        + (f": {item.option.note}" if item.option.note else "")
                        + ")",
                        ctx.index.statement_refs(item.statement),
                        "info",
                        item.statement.status.value,
                    )
                )
                break
    for trial in ctx.index.kb.trials:
        population = trial.population
        closes = [c.value for c in population.prior_classes_excluded if c.value in classes]
        if not closes:
            continue
        if any(c in state.prior_classes for c in closes):
            continue
        points.append(
            Point(
                f"Afterwards the patient would fall outside {trial.name}'s entry criteria "
                f"(no prior {', '.join(closes)})",
                (population.ref,),
                "info",
                population.status.value,
            )
        )
    return points


# --------------------------------------------------------------------------- toxicity, monitoring


def _haem_grades(state: DecisionState) -> dict[str, int]:
    grades: dict[str, int] = {}
    for analyte, term in (
        ("platelets", "platelet_count_decreased"),
        ("haemoglobin", "anemia"),
        ("neutrophils", "neutrophil_count_decreased"),
        ("white_cells", "white_blood_cell_decreased"),
    ):
        lab = state.labs.get(analyte)
        if lab is None:
            continue
        try:
            finding = ctcae_grade(term, lab.value, lln=lab.lower_limit)
        except NetlineError:
            continue
        grade = finding.value.grade
        grades[analyte] = finding.value.lowest if grade is None else grade
    return grades


def _toxicities(ctx: _Context, therapy: Therapy) -> list[Point]:
    state = ctx.state
    points: list[Point] = []
    renal_threshold = next(
        (
            float(c.threshold)
            for c in ctx.index.prrt_profiles[0].criteria
            if c.field == "creatinine_clearance_ml_min" and isinstance(c.threshold, int | float)
        ),
        None,
    )
    renal_low = (
        renal_threshold is not None
        and state.creatinine_clearance_ml_min is not None
        and state.creatinine_clearance_ml_min < renal_threshold
    )
    low_counts = {k: g for k, g in ctx.haem_grades.items() if g >= 2}
    for toxicity in therapy.toxicities:
        term = toxicity.term.lower()
        incidence = (
            f" ({toxicity.incidence_percent:g} %)" if toxicity.incidence_percent is not None else ""
        )
        why: list[str] = []
        for comorbidity in state.comorbidities:
            if any(word in term for word in _COMORBIDITY_TERMS.get(comorbidity, ())):
                why.append(f"comorbidity: {comorbidity.replace('_', ' ')}")
        if renal_low and any(w in term for w in ("renal", "nephro")):
            why.append(
                f"creatinine clearance {state.creatinine_clearance_ml_min:.0f} mL/min "
                f"(below {renal_threshold:g})"
            )
        if low_counts and any(w in term for w in _HAEM_TERMS):
            why.append(
                "CTCAE grade ≥ 2 now: "
                + ", ".join(f"{k} grade {g}" for k, g in sorted(low_counts.items()))
            )
        if state.functioning == "insulinoma" and "glucose" in term:
            why.append("insulinoma (hypoglycaemia)")
        text = f"{toxicity.term}{incidence} [{toxicity.status.value}]"
        if why:
            text += " — matters for this patient: " + "; ".join(why)
        points.append(
            Point(text, (toxicity.ref,), "caution" if why else "info", toxicity.status.value)
        )
    return points


def _monitoring(ctx: _Context, therapy: Therapy) -> list[Point]:
    points = [
        Point(f"{item.item} [{item.status.value}]", (item.ref,), "info", item.status.value)
        for item in therapy.monitoring
    ]
    profile = ctx.index.dose_modification
    if AgentClass.RADIOLIGAND not in therapy.agent_classes or profile is None:
        return points
    for admin in profile.administration:
        window = f" ({admin.window} {admin.unit.value})" if admin.window and admin.unit else ""
        points.append(
            Point(
                f"{admin.subject}: {admin.relation.replace('_', ' ')}{window} "
                f"[{admin.status.value}]",
                (admin.ref,),
                "info",
                admin.status.value,
            )
        )
    grades = ctx.haem_grades
    by_toxicity = {
        "thrombocytopenia": grades.get("platelets"),
        "anaemia_or_neutropenia": max(
            (g for k, g in grades.items() if k in ("haemoglobin", "neutrophils")), default=None
        ),
    }
    for rule in profile.rules:
        pieces = [rule.label, "→ " + rule.action.value]
        if rule.resume_when:
            pieces.append(f"resume when {rule.resume_when}")
        if rule.resume_activity_gbq:
            pieces.append(f"at {rule.resume_activity_gbq:g} GBq")
        if rule.rechallenge_activity_gbq:
            pieces.append(f"then {rule.rechallenge_activity_gbq:g} GBq if no recurrence")
        if rule.discontinue_if_recurrent_grade_at_least:
            pieces.append(
                f"discontinue if grade ≥ {rule.discontinue_if_recurrent_grade_at_least} recurs"
            )
        elif rule.discontinue_if_recurrent:
            pieces.append("discontinue if it recurs")
        if rule.discontinue_if_delay_weeks_at_least:
            pieces.append(f"or after a delay ≥ {rule.discontinue_if_delay_weeks_at_least:g} weeks")
        text = "Dose modification (CTCAE): " + "; ".join(pieces) + f" [{rule.status.value}]"
        grade = by_toxicity.get(rule.toxicity.value)
        fires = (
            rule.applies(grade=grade, facts=ctx.state.facts)
            if (grade is not None or rule.trigger_any)
            else False
        )
        if fires:
            text += " — the current labs already meet this trigger"
        points.append(
            Point(
                text, (rule.ref, *rule.see_also), "caution" if fires else "info", rule.status.value
            )
        )
    return points


# --------------------------------------------------------------------------- one option


def _confidence(
    guideline: Sequence[GuidelineMatch], to_check: Sequence[Point], state: DecisionState
) -> str:
    certain = any(m.applies.value is True for m in guideline)
    if not certain or len(to_check) >= 4:
        return "low"
    if to_check or any(m.applies.value is None for m in guideline):
        return "moderate"
    return "high"


def _evaluate_systemic(ctx: _Context, therapy: Therapy) -> OptionAssessment:
    state = ctx.state
    index = ctx.index
    classes = tuple(c.value for c in therapy.agent_classes)
    agents = tuple(a.value for a in therapy.agents)
    current = state.current_line
    ongoing = current is not None and set(agents) <= set(current.agents)
    matches, not_yet = _matches(ctx, index.options_by_key.get(therapy.id, ()))
    exclusions: list[Point] = []
    cautions: list[Point] = []
    to_check: list[Point] = []
    eligibility: list[ProfileCheck] = []
    relative = 0
    for match in matches:
        if match.preference == Preference.NOT_RECOMMENDED.value:
            if match.applies.value is True:
                exclusions.append(
                    Point(
                        f"Not recommended: {match.topic} ({match.statement_id})"
                        + (f" — {match.note}" if match.note else ""),
                        match.refs,
                        "exclusion",
                        match.status,
                    )
                )
            else:
                cautions.append(
                    Point(
                        f"Would not be recommended if {match.topic.lower()} "
                        f"({match.statement_id}; {match.applies.explain()})",
                        match.refs,
                        "caution",
                        match.status,
                    )
                )
        elif match.preference == Preference.RESERVED.value and match.applies.value is not False:
            relative += 1
            cautions.append(
                Point(
                    f"Reserved use in '{match.topic}' ({match.statement_id})"
                    + (f": {match.note}" if match.note else ""),
                    match.refs,
                    "caution",
                    match.status,
                )
            )
    for match in not_yet:
        if match.preference != Preference.NOT_RECOMMENDED.value:
            to_check.append(
                Point(
                    f"Not (yet) in '{match.topic}' ({match.statement_id}): "
                    + (match.note or match.applies.explain() or "condition not met"),
                    match.refs,
                    "check",
                    match.status,
                )
            )
    positive = [m for m in matches if m.preference != Preference.NOT_RECOMMENDED.value]
    if AgentClass.RADIOLIGAND in therapy.agent_classes and index.prrt_profiles:
        eligibility, excl, caut, check, rel = _prrt_eligibility(ctx, therapy, positive)
        exclusions += excl
        cautions += caut
        to_check += check
        relative += rel
    # efficacy and safety caveats of this patient first, conditional ones after
    cautions = _kb_fact_cautions(ctx, therapy) + _note_cautions(ctx, positive) + cautions
    if ongoing and state.progressing:
        cautions.append(
            Point("Progression on this therapy, which the patient is receiving", (), "caution")
        )
    support, support_label, breadth = _support(positive)
    evidence = [
        item
        for order, trial in enumerate(index.trials_by_therapy.get(therapy.id, ()))
        if (
            item := _trial_evidence(
                ctx, trial, therapy.id, index.arm_ids_by_therapy[therapy.id], order
            )
        )
        is not None
    ]
    evidence.sort(key=lambda e: e.rank)
    headline = next((e for e in evidence if e.expected_pfs is not None), None)
    expected = None
    if headline is not None:
        expected = f"{headline.expected_pfs} — {headline.expected_pfs_source}; entry criteria " + (
            headline.entry.verdict
            + (": " + ", ".join(headline.entry.failed) if headline.entry.failed else "")
        )
    if evidence and all(e.entry.verdict == "not met" for e in evidence):
        cautions.append(
            Point(
                "The patient would not have met the entry criteria of any trial "
                "of this option: the evidence is extrapolated",
                tuple(e.ref for e in evidence),
                "caution",
            )
        )
    sequencing, cross, leaves = _sequencing(ctx, therapy, classes, ongoing)
    sequencing += _unlocks(ctx, therapy.id, classes)
    if state.differentiation == "poorly" and not positive:
        cautions.append(
            Point(
                "Poorly differentiated carcinoma (NEC): no statement offers this "
                "option, and its trials enrolled well-differentiated tumours",
                (),
                "caution",
            )
        )
    status = (
        "excluded"
        if exclusions
        else "caution"
        if relative or any(c.kind == "conflict" for c in cautions)
        else "unclear"
        if any(c.kind == "check" and "hard" in c.text for c in to_check)
        else "eligible"
    )
    name = therapy.name if not ongoing else f"Continue {therapy.name} (current therapy)"
    return OptionAssessment(
        key=therapy.id,
        name=name,
        kind="systemic",
        agents=agents,
        agent_classes=classes,
        ongoing=ongoing,
        status=status,
        support=support_label,
        support_score=support,
        guideline=tuple(matches),
        not_yet=tuple(not_yet),
        eligibility=tuple(eligibility),
        exclusions=tuple(exclusions),
        cautions=tuple(cautions),
        to_check=tuple(to_check),
        evidence=tuple(evidence),
        expected_pfs=expected,
        sequencing=tuple(sequencing),
        leaves_available=leaves,
        toxicities=tuple(_toxicities(ctx, therapy)),
        monitoring=tuple(_monitoring(ctx, therapy)),
        confidence=_confidence(positive, to_check, state),
        cross_resistance=cross,
        deferred=(state.disease_course == "stable" and bool(state.lines) and not ongoing),
        relative_contraindications=relative,
        breadth=breadth,
        evidence_rank=(
            headline.rank[0] * 100 + headline.rank[1] * 10 + headline.rank[2]
            if headline is not None
            else 999
        ),
        order=index.therapy_order.get(therapy.id, 0),
    )


def _evaluate_strategy(ctx: _Context, key: str, order: int) -> OptionAssessment:
    state = ctx.state
    matches, not_yet = _matches(ctx, ctx.index.options_by_key.get(key, ()))
    exclusions: list[Point] = []
    cautions: list[Point] = []
    to_check: list[Point] = []
    curative = False
    support, label, breadth = _support(matches)
    if key == "surgery":
        surgery = ctx.surgery
        if surgery.status in ("not_applicable", "not_suggested"):
            exclusions.append(
                Point(
                    surgery.summary,
                    tuple(dict.fromkeys(r for p in surgery.blockers for r in p.refs)),
                    "exclusion",
                )
            )
        else:
            cautions += list(surgery.caveats)
            to_check += list(surgery.to_assess)
            curative = surgery.flagged_for_discussion
            if surgery.flagged_for_discussion:
                # the "resectable" fact is what the HPB discussion settles
                resect = [
                    m
                    for m in matches
                    if m.applies.value is None and m.applies.missing == ("resectable",)
                ]
                for match in resect:
                    weight = _PREFERENCE_WEIGHT.get(Preference(match.preference), 0.0)
                    if weight > support:
                        support, label = weight, match.preference + " (if resectable)"
    elif key == "liver_directed":
        if not state.liver_metastases:
            exclusions.append(Point("No liver metastases at the decision date", (), "exclusion"))
    elif key == "surveillance" and state.progressing:
        cautions.append(Point("The disease is progressing at the decision date", (), "caution"))
    therapies: list[Point] = []
    if key == "liver_directed":
        for therapy_id in ("tace", "tare_sirt"):
            therapy = ctx.index.local.get(therapy_id)
            if therapy is not None:
                moa = therapy.mode_of_action
                therapies.append(
                    Point(f"{therapy.name}: {moa.mechanism}", (moa.ref,), "info", moa.status.value)
                )
                for tox in therapy.toxicities:
                    therapies.append(
                        Point(
                            f"{therapy.name}: {tox.term} [{tox.status.value}]",
                            (tox.ref,),
                            "info",
                            tox.status.value,
                        )
                    )
    status = "excluded" if exclusions else "caution" if cautions else "eligible"
    if key == "surgery" and ctx.surgery.status == "insufficient_data":
        status = "unclear"
    return OptionAssessment(
        key=key,
        name=_NAMES[key],
        kind=key,
        agents=(),
        agent_classes=(),
        ongoing=False,
        status=status,
        support=label,
        support_score=support,
        guideline=tuple(matches),
        not_yet=tuple(not_yet),
        eligibility=(),
        exclusions=tuple(exclusions),
        cautions=tuple(cautions),
        to_check=tuple(to_check),
        evidence=(),
        expected_pfs=None,
        sequencing=tuple(therapies),
        leaves_available=(),
        toxicities=(),
        monitoring=(),
        confidence=_confidence(matches, to_check, state),
        curative_potential=curative,
        breadth=breadth,
        order=order,
    )


# --------------------------------------------------------------------------- ordering


def _sort_key(option: OptionAssessment) -> tuple[object, ...]:
    effective = option.support_score - (1.0 if option.cross_resistance else 0.0)
    group = 0 if option.curative_potential else 1 if option.continuing else 2
    return (
        option.excluded,
        option.deferred,
        group,
        -effective,
        option.cross_resistance,
        option.relative_contraindications,
        -option.breadth,
        option.evidence_rank,
        option.kind == "systemic",
        option.order,
    )


_KEY_REASONS = (
    "it is excluded",
    "no progression is documented after treatment, so starting a new systemic line is held "
    "for progression",
    "a potentially curative option flagged for discussion comes first, then continuing a "
    "therapy on which the disease is not progressing",
    "its guideline support is weaker",
    "it shares a mode of action with a line that progressed",
    "it has more relative contraindications",
    "fewer applicable guideline statements name it",
    "its evidence is weaker for this patient (trial entry, site, design)",
    "it is a systemic therapy (non-drug options first at equal standing)",
    "knowledge-base order",
)


def _describe_standing(option: OptionAssessment) -> str:
    parts = [f"support {option.support}"]
    if option.breadth:
        parts.append(f"{option.breadth} applicable statement(s)")
    if option.curative_potential:
        parts.append("potentially curative, flagged for HPB discussion")
    if option.continuing:
        parts.append("current therapy, no progression on it")
    if option.cross_resistance:
        parts.append("same mode of action as a line that progressed (support lowered by one)")
    if option.deferred:
        parts.append("held for progression")
    if option.relative_contraindications:
        parts.append(f"{option.relative_contraindications} relative contraindication(s)")
    return "; ".join(parts)


def order_options(options: Sequence[OptionAssessment]) -> tuple[OptionAssessment, ...]:
    """Order options and say why each stands where it does.

    Sort key, in order: excluded last; options that would start a new systemic line while the
    disease is not progressing after treatment come after continuation, surveillance and
    surgery; stronger guideline support (preferred 3, option or alternative 2, reserved 1;
    half a point less when a statement only possibly applies; one point less when the option
    shares a mode of action with a line that progressed); curative potential; no
    cross-resistance; fewer relative contraindications; more applicable statements; stronger
    evidence for this patient; non-drug options first; knowledge-base order.

    References
    ----------
    .. [1] Grande E. Sequential systemic treatment in pancreatic NET (the review; grande2016):
       different modes of action may avoid cross-resistance.
    """
    keyed = sorted(options, key=_sort_key)
    out: list[OptionAssessment] = []
    previous: OptionAssessment | None = None
    rank = 0
    for option in keyed:
        key = _sort_key(option)
        if option.excluded:
            reason = "excluded: " + "; ".join(p.text for p in option.exclusions[:2])
            out.append(replace(option, rank=None, order_reason=reason, _key=key))
            continue
        rank += 1
        standing = _describe_standing(option)
        if previous is None:
            reason = f"ranked 1: {standing}"
        else:
            before = previous._key
            index = next(
                (i for i, (a, b) in enumerate(zip(before, key, strict=True)) if a != b),
                len(key) - 1,
            )
            reason = (
                f"ranked {rank}: {standing}; below {previous.name} because {_KEY_REASONS[index]}"
            )
            if before[: len(key) - 1] == key[: len(key) - 1]:
                reason = f"ranked {rank}: {standing}; equal standing with {previous.name}"
        updated = replace(option, rank=rank, order_reason=reason, _key=key)
        out.append(updated)
        previous = updated
    return tuple(out)


def evaluate_options(
    state: DecisionState, index: KBIndex, surgery: SurgeryAssessment
) -> tuple[tuple[OptionAssessment, ...], tuple[Point, ...]]:
    """Evaluate every option and the accompanying measures that apply.

    Returns
    -------
    options : tuple of OptionAssessment
        Ordered (see :func:`order_options`), excluded options last.
    accompanying : tuple of Point
        Strategies that accompany treatment (glucose control in insulinoma, acid suppression
        in gastrinoma, syndrome control and SSA cover around procedures).
    """
    ctx = _Context(state, index, surgery)
    options = [_evaluate_systemic(ctx, therapy) for therapy in index.systemic]
    base = len(options)
    for offset, key in enumerate(("surgery", "surveillance", "liver_directed")):
        options.append(_evaluate_strategy(ctx, key, base + offset))
    accompanying: list[Point] = []
    for item in index.accompanying:
        applies = ctx.statement(item.statement)
        if applies.value is False:
            continue
        text = (
            f"{item.key.replace('_', ' ')} ({item.option.preference.value}; "
            f"{item.statement.topic}, {item.statement.id})"
        )
        if item.option.note:
            text += f": {item.option.note}"
        if applies.value is None:
            text += f" — possibly ({applies.explain()})"
        accompanying.append(
            Point(
                text, index.statement_refs(item.statement), "support", item.statement.status.value
            )
        )
    return order_options(options), tuple(accompanying)


def statement_applicability(state: DecisionState, index: KBIndex) -> Mapping[str, Applicability]:
    """Return how every guideline statement's condition fares for the patient."""
    return {
        s.id: evaluate_condition(s.condition, state.facts, state.alternatives)
        for s in index.kb.statements
    }
