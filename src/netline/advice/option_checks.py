"""Eligibility, cautions, sequencing, toxicities and monitoring of one option."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from netline.advice._kb import ANTITUMOUR_VALUES
from netline.advice._logic import evaluate_condition
from netline.advice._points import Point
from netline.advice.eligibility import ProfileCheck, check_profile
from netline.advice.option_types import (
    _CLASS_LABEL,
    _COMORBIDITY_TERMS,
    _HAEM_TERMS,
    GuidelineMatch,
    _Context,
)
from netline.advice.state_types import syndrome_label
from netline.evidence import format_quantity
from netline.evidence.facts import PatientFacts, fact_field
from netline.evidence.schema import (
    Profile,
    Therapy,
)
from netline.records.vocabulary import AgentClass

# --------------------------------------------------------------------------- eligibility


def _prrt_eligibility(
    ctx: _Context, therapy: Therapy, matches: Sequence[GuidelineMatch]
) -> tuple[list[ProfileCheck], list[Point], list[Point], list[Point], int]:
    exclusions: list[Point] = []
    cautions: list[Point] = []
    to_check: list[Point] = []
    checks = cast("list[ProfileCheck] | None", ctx.memo.get("prrt-profiles"))
    if checks is None:  # the same for every PRRT option at this decision point
        checks = [check_profile(p, ctx.state) for p in ctx.index.prrt_profiles]
        ctx.memo["prrt-profiles"] = checks
    default = checks[0]
    biology = {"grade", "ki67"}
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
        if fact_field(profile_criterion.field) in biology and offered:
            statements = "; ".join(
                f"'{topic}'" for topic in dict.fromkeys(m.topic for m in offered)
            )
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
                    f"Functioning tumour ({syndrome_label(str(state.functioning))}): {fact.label}",
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
                        f"contraindications that '{statement.topic}' discusses (its cut-offs "
                        "were not retrieved); check blood counts and marrow reserve",
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
                        "Peritoneal disease: among the contraindications that "
                        f"'{statement.topic}' discusses",
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
    antitumour = ANTITUMOUR_VALUES
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
            # the line's own class order: iterating a set intersection varies with the hash seed
            same = ", ".join(_CLASS_LABEL.get(c, c) for c in line.agent_classes if c in mine)
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
    offered = cast("frozenset[str] | None", ctx.index.memo.get("systemic-classes"))
    if offered is None:
        offered = ctx.index.memo["systemic-classes"] = frozenset(
            c.value for t in ctx.index.systemic for c in t.agent_classes
        )
    remaining = sorted(
        offered
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


_CLASSES = {c.value: c for c in AgentClass}


def _unlocks(ctx: _Context, key: str, classes: tuple[str, ...]) -> list[Point]:
    """Statement options this option would open (e.g. cabozantinib after a non-SSA line)."""
    state = ctx.state
    antitumour = ANTITUMOUR_VALUES
    if not set(classes) & antitumour:
        return []
    facts_key = ("facts-after", classes)
    facts = cast("PatientFacts | None", ctx.memo.get(facts_key))
    if facts is None:
        prior = set(state.prior_classes) | set(classes)
        non_ssa = any(c in antitumour and c != "ssa" for c in classes)
        facts = ctx.memo[facts_key] = state.facts.replace(
            prior_classes=frozenset(_CLASSES[c] for c in prior),
            prior_non_ssa_lines=state.prior_non_ssa_lines + (1 if non_ssa else 0),
        )
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
            now_key = ("condition-now", id(condition))
            now = ctx.memo.get(now_key)
            if now is None:
                now = ctx.memo[now_key] = evaluate_condition(condition, state.facts, {})
            if now.value is True:  # type: ignore[attr-defined]
                continue
            later = evaluate_condition(condition, facts, {})
            if later.value is True:
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
    shared = cast("list[Point] | None", ctx.memo.get("prrt-monitoring"))
    if shared is None:
        shared = ctx.memo["prrt-monitoring"] = _prrt_monitoring(ctx, profile)
    return points + shared


def _prrt_monitoring(ctx: _Context, profile: Profile) -> list[Point]:
    """Administration and dose-modification points of PRRT (the same for every PRRT option)."""
    points: list[Point] = []
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
