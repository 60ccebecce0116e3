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

from collections.abc import Callable, Mapping, Sequence

from netline.advice._kb import KBIndex, StatementOption
from netline.advice._logic import Applicability, evaluate_condition
from netline.advice._points import Point
from netline.advice.eligibility import ProfileCheck
from netline.advice.option_checks import (
    _kb_fact_cautions,
    _monitoring,
    _note_cautions,
    _prrt_eligibility,
    _sequencing,
    _toxicities,
    _unlocks,
)
from netline.advice.option_types import (
    _NAMES,
    _PREFERENCE_WEIGHT,
    EvidenceItem,
    GuidelineMatch,
    OptionAssessment,
    _Context,
    match_template,
)
from netline.advice.ordering import _EMPTY_RANK, order_options
from netline.advice.state import DecisionState
from netline.advice.surgery import SurgeryAssessment
from netline.advice.trial_evidence import _trial_evidence
from netline.evidence.schema import (
    Preference,
    Therapy,
)
from netline.records.vocabulary import AgentClass

__all__ = [
    "EvidenceItem",
    "GuidelineMatch",
    "OptionAssessment",
    "evaluate_options",
    "order_options",
]


def _lower_first(text: str) -> str:
    """Lower the first letter of a topic for use inside a sentence, unless it opens an acronym.

    "SSTR-negative disease" stays, "Malignant insulinoma" becomes "malignant insulinoma".
    """
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


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
) -> tuple[list[GuidelineMatch], list[GuidelineMatch], list[Point]]:
    """Split the statements of an option: applying, not (yet) met, later trial-based ones.

    A statement that rests on trials alone (no guideline makes it) is time-aware like its
    trials: published after the decision date, it is shown marked and never counted as
    support (docs/advise.md, evidence matched to the patient, rule 1).
    """
    applying: list[GuidelineMatch] = []
    not_yet: list[GuidelineMatch] = []
    later: list[Point] = []
    for item in options:
        statement, option = item.statement, item.option
        base = ctx.statement(statement)
        if base.value is False:
            continue
        published = ctx.index.trial_statement_published.get(statement.id)
        if published is not None and published > ctx.state.at:
            later.append(
                Point(
                    "Trial evidence published after the decision date is shown marked, not "
                    f"counted as support: {statement.topic} ({statement.id}, "
                    f"published {published.isoformat()})",
                    ctx.index.statement_refs(statement),
                    "info",
                    statement.status.value,
                )
            )
            continue
        own = Applicability(True) if option.condition is None else ctx.condition(option.condition)
        kb_part = match_template(ctx, item)
        match = GuidelineMatch(
            statement_id=kb_part.statement_id,
            topic=kb_part.topic,
            guidelines=kb_part.guidelines,
            preference=kb_part.preference,
            note=kb_part.note,
            applies=_combine(base, own),
            refs=kb_part.refs,
            status=kb_part.status,
            restricts=kb_part.restricts,
        )
        if own.value is False:
            if base.value is True:
                not_yet.append(match)
            continue
        applying.append(match)
    return applying, not_yet, later


def _support(matches: Sequence[GuidelineMatch]) -> tuple[float, str, int, float, float]:
    """Best support, its label, applicable statements, best certain and best possible support.

    Support that only possibly applies is kept apart from certain support: the order compares
    certain support first, so an unsettled statement never outranks a settled one.
    """
    best = 0.0
    label = "none"
    breadth = set()
    certain = 0.0
    possible = 0.0
    for match in matches:
        preference = Preference(match.preference)
        weight = _PREFERENCE_WEIGHT.get(preference)
        if weight is None:
            continue
        if match.applies.value is None:
            # a fact is unknown, or the statement holds only on another reading of a fact
            # known as a range, at a band edge or not settled: one point less
            weight -= 1.0
            possible = max(possible, weight)
        else:
            breadth.add(match.statement_id)
            certain = max(certain, weight)
        if weight > best:
            best = weight
            label = preference.value + (" (possibly)" if match.applies.value is None else "")
    return best, label, len(breadth), certain, possible


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


def _progressed_on(state: DecisionState, agents: Sequence[str]) -> bool:
    """Whether the disease progressed on the current line, which contains these agents.

    Progression on an earlier line of the same drug is cross-resistance (see sequencing), not
    a reason to stop calling a therapy that now controls the disease a continuation.
    """
    current = state.current_line
    if current is None or not set(agents) & set(current.agents):
        return False
    return any(a.progression and a.date > current.start for a in state.assessments)


def _statement_points(
    matches: Sequence[GuidelineMatch], not_yet: Sequence[GuidelineMatch]
) -> tuple[list[Point], list[Point], list[Point], int]:
    """Exclusions, cautions, checks and relative contraindications from the statements."""
    exclusions: list[Point] = []
    cautions: list[Point] = []
    to_check: list[Point] = []
    relative = 0
    for match in matches:
        if match.preference == Preference.NOT_RECOMMENDED.value:
            if match.applies.value is True:
                exclusions.append(
                    Point(
                        f"Not recommended: {match.topic}"
                        + (f" — {match.note}" if match.note else ""),
                        match.refs,
                        "exclusion",
                        match.status,
                    )
                )
            else:
                cautions.append(
                    Point(
                        f"Would not be recommended if {_lower_first(match.topic)} "
                        f"({match.applies.explain()})",
                        match.refs,
                        "caution",
                        match.status,
                    )
                )
        elif match.preference == Preference.RESERVED.value and match.applies.value is not False:
            relative += 1
            cautions.append(
                Point(
                    f"Reserved use in '{match.topic}'" + (f": {match.note}" if match.note else ""),
                    match.refs,
                    "caution",
                    match.status,
                )
            )
    for match in not_yet:
        if match.preference != Preference.NOT_RECOMMENDED.value:
            to_check.append(
                Point(
                    f"Not (yet) in '{match.topic}': "
                    + (match.note or match.applies.explain() or "condition not met"),
                    match.refs,
                    "check",
                    match.status,
                )
            )
    return exclusions, cautions, to_check, relative


def _therapy_evidence(ctx: _Context, therapy: Therapy) -> list[EvidenceItem]:
    """Return the trial evidence for a therapy, best-ranked first."""
    index = ctx.index
    evidence = [
        item
        for order, trial in enumerate(index.trials_by_therapy.get(therapy.id, ()))
        if (
            item := _trial_evidence(
                ctx, trial, therapy, index.arm_ids_by_therapy[therapy.id], order
            )
        )
        is not None
    ]
    evidence.sort(key=lambda e: e.rank)
    return evidence


def _headline_evidence(evidence: Sequence[EvidenceItem]) -> EvidenceItem | None:
    """Return the best-ranked usable trial giving an expected outcome, if any."""
    return next(
        (
            e
            for e in evidence
            if e.expected_pfs is not None and not e.later and e.headline_withheld is None
        ),
        None,
    )


def _expected_outcome(headline: EvidenceItem | None) -> str | None:
    """Return the expected-outcome text of the headline trial with its entry verdict."""
    expected = None
    if headline is not None:
        expected = f"{headline.expected_pfs} — {headline.expected_pfs_source}; entry criteria " + (
            headline.entry.verdict
            + (": " + ", ".join(headline.entry.failed) if headline.entry.failed else "")
        )
    return expected


def _evidence_cautions(
    evidence: Sequence[EvidenceItem], headline: EvidenceItem | None
) -> list[Point]:
    """Cautions on withheld outcomes, later evidence and unmet entry criteria."""
    cautions: list[Point] = []
    withheld = [e for e in evidence if e.headline_withheld and e.expected_pfs is not None]
    if headline is None and withheld:
        cautions.append(
            Point(
                f"No expected outcome is shown: {withheld[0].headline_withheld}",
                (withheld[0].ref,),
                "caution",
            )
        )
    later = [e for e in evidence if e.later]
    if later:
        cautions.append(
            Point(
                "Evidence published after the decision date is shown marked, not used: "
                + ", ".join(f"{e.name} ({e.published})" for e in later),
                tuple(e.ref for e in later),
                "info",
            )
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
    return cautions


def _option_status(
    exclusions: Sequence[Point], relative: int, cautions: Sequence[Point], to_check: Sequence[Point]
) -> str:
    """Overall status of an option: excluded, caution, unclear or eligible."""
    return (
        "excluded"
        if exclusions
        else "caution"
        if relative or any(c.kind == "conflict" for c in cautions)
        else "unclear"
        if any(c.kind == "check" and "hard" in c.text for c in to_check)
        else "eligible"
    )


def _option_name(therapy: Therapy, ongoing: bool, progressed_on_it: bool) -> str:
    """Display name of a therapy, marked when it is the current one."""
    name = therapy.name
    if ongoing:
        name = (
            f"{therapy.name} (current therapy; progressed on it)"
            if progressed_on_it
            else f"Continue {therapy.name} (current therapy)"
        )
    return name


def _evidence_rank(headline: EvidenceItem | None) -> int:
    """Sortable rank of the headline trial; the worst rank when there is none."""
    return (
        int("".join(str(min(int(v), 9)) for v in headline.rank[:-1]))
        if headline is not None
        else 10 ** (len(_EMPTY_RANK) - 1) * 10 - 1
    )


def _evaluate_systemic(ctx: _Context, therapy: Therapy) -> OptionAssessment:
    """Assess one systemic therapy for the patient."""
    state = ctx.state
    index = ctx.index
    classes = tuple(c.value for c in therapy.agent_classes)
    agents = tuple(a.value for a in therapy.agents)
    current = state.current_line
    ongoing = current is not None and set(agents) <= set(current.agents)
    matches, not_yet, later = _matches(ctx, index.options_by_key.get(therapy.id, ()))
    exclusions, cautions, to_check, relative = _statement_points(matches, not_yet)
    cautions += later
    eligibility: list[ProfileCheck] = []
    positive = [m for m in matches if m.preference != Preference.NOT_RECOMMENDED.value]
    if AgentClass.RADIOLIGAND in therapy.agent_classes and index.prrt_profiles:
        eligibility, excl, caut, check, rel = _prrt_eligibility(ctx, therapy, positive)
        exclusions += excl
        cautions += caut
        to_check += check
        relative += rel
    # efficacy and safety caveats of this patient first, conditional ones after
    cautions = _kb_fact_cautions(ctx, therapy) + _note_cautions(ctx, positive) + cautions
    progressed_on_it = _progressed_on(state, agents)
    if ongoing and progressed_on_it:
        cautions.append(
            Point(
                "The disease progressed on this therapy, which the patient is receiving: "
                "continuing it is not an option of its own",
                (),
                "caution",
            )
        )
    support, support_label, breadth, certain, possible = _support(positive)
    evidence = _therapy_evidence(ctx, therapy)
    headline = _headline_evidence(evidence)
    cautions += _evidence_cautions(evidence, headline)
    expected = _expected_outcome(headline)
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
    return OptionAssessment(
        key=therapy.id,
        name=_option_name(therapy, ongoing, progressed_on_it),
        kind="systemic",
        agents=agents,
        agent_classes=classes,
        ongoing=ongoing,
        status=_option_status(exclusions, relative, cautions, to_check),
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
        certain_score=certain,
        possible_score=possible,
        progressed_on_it=progressed_on_it,
        cross_resistance=cross,
        deferred=(state.disease_course == "stable" and bool(state.lines) and not ongoing),
        relative_contraindications=relative,
        breadth=breadth,
        evidence_rank=_evidence_rank(headline),
        order=index.therapy_order.get(therapy.id, 0),
    )


def _evaluate_strategy(ctx: _Context, key: str, order: int) -> OptionAssessment:
    state = ctx.state
    matches, not_yet, later = _matches(ctx, ctx.index.options_by_key.get(key, ()))
    exclusions: list[Point] = []
    cautions: list[Point] = list(later)
    to_check: list[Point] = []
    curative = False
    support, label, breadth, certain, possible = _support(matches)
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
        certain_score=certain,
        possible_score=possible,
        curative_potential=curative,
        breadth=breadth,
        order=order,
    )


def evaluate_options(
    state: DecisionState,
    index: KBIndex,
    surgery: SurgeryAssessment,
    within: Callable[[list[OptionAssessment]], list[OptionAssessment]] | None = None,
) -> tuple[tuple[OptionAssessment, ...], tuple[Point, ...]]:
    """Evaluate every option and the accompanying measures that apply.

    Returns
    -------
    options : tuple of OptionAssessment
        Ordered (see :func:`order_options`), excluded options last.
    accompanying : tuple of Point
        Strategies that accompany treatment (glucose control in insulinoma, acid suppression
        in gastrinoma, syndrome control and SSA cover around procedures).

    ``within`` places the options within the disease setting before they are ordered
    (:func:`netline.advice.setting_options.apply_setting`).
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
    if within is not None:
        options = within(options)
    return order_options(options), tuple(accompanying)


def statement_applicability(state: DecisionState, index: KBIndex) -> Mapping[str, Applicability]:
    """Return how every guideline statement's condition fares for the patient."""
    return {
        s.id: evaluate_condition(s.condition, state.facts, state.alternatives)
        for s in index.kb.statements
    }
