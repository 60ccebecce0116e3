"""Integrity rules on links between entries: trials, guidelines, profiles and cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from netline.errors import Problem
from netline.evidence._parts import INTEGER_UNITS, POOLED, Parts, known
from netline.evidence.schema import (
    FIELDS,
    Comparison,
    EffectMeasure,
    Endpoint,
    Operator,
    Test,
    Trial,
    Unit,
)


def check_trials(parts: Parts) -> list[Problem]:
    if parts.trials is None:
        return []
    problems: list[Problem] = []
    therapies = {t.id for t in parts.therapies.therapies} if parts.therapies else None
    for trial in parts.trials.trials:
        base = f"trials.yaml:trials[{trial.id}]"
        arms = {a.id for a in trial.arms}
        if trial.n.unit not in INTEGER_UNITS:
            problems.append(Problem(f"{base}.n.unit", trial.n.unit.value, "patients or count"))
        problems += _check_tests(
            f"{base}.population.entry_criteria", trial.population.entry_criteria
        )
        for arm in trial.arms:
            if arm.n is not None and arm.n.unit is not Unit.PATIENTS:
                problems.append(
                    Problem(f"{base}.arms[{arm.id}].n.unit", arm.n.unit.value, "patients")
                )
            for therapy in arm.therapies:
                if therapies is not None and therapy not in therapies:
                    problems.append(
                        Problem(
                            f"{base}.arms[{arm.id}].therapies",
                            therapy,
                            known("therapy id", therapies, therapy),
                        )
                    )
        for path, endpoint in _endpoints(trial):
            problems += _check_endpoint(f"{base}.{path}", endpoint, arms)
        for item in trial.safety:
            for value in item.values:
                if value.arm not in arms | {POOLED}:
                    where = f"{base}.safety[{item.id}].values"
                    problems.append(
                        Problem(where, value.arm, known("arm id (or 'pooled')", arms, value.arm))
                    )
        for factor in trial.prognostic_factors:
            where = f"{base}.prognostic_factors[{factor.id}]"
            if factor.effect is not None and factor.effect.unit is not Unit.RATIO:
                problems.append(Problem(f"{where}.effect.unit", factor.effect.unit.value, "ratio"))
            if factor.p_value is not None and factor.p_value.unit is not Unit.P_VALUE:
                problems.append(Problem(f"{where}.p_value.unit", factor.p_value.unit.value, "p"))
            expected = Unit.MONTHS if factor.endpoint.is_time else Unit.PERCENT
            for level in factor.levels:
                if level.value.unit is not expected:
                    problems.append(
                        Problem(f"{where}.levels", level.value.unit.value, expected.value)
                    )
    return problems


def _endpoints(trial: Trial) -> Iterator[tuple[str, Endpoint]]:
    for endpoint in trial.endpoints:
        yield f"endpoints[{endpoint.id}]", endpoint
    for subgroup in trial.subgroups:
        for endpoint in subgroup.endpoints:
            yield f"subgroups[{subgroup.id}].endpoints[{endpoint.id}]", endpoint


def _check_endpoint(where: str, endpoint: Endpoint, arms: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    expected = Unit.MONTHS if endpoint.kind.is_time else Unit.PERCENT
    for value in endpoint.values:
        if value.arm not in arms | {POOLED}:
            problems.append(
                Problem(
                    f"{where}.values", value.arm, known("arm id (or 'pooled')", arms, value.arm)
                )
            )
        if value.value.unit is not expected:
            problems.append(
                Problem(
                    f"{where}.values[{value.arm}].value.unit",
                    value.value.unit.value,
                    f"{expected.value} for a {endpoint.kind.value} endpoint",
                )
            )
    for index, comparison in enumerate(endpoint.comparisons):
        here = f"{where}.comparisons[{index}]"
        for role in ("experimental", "control"):
            arm = getattr(comparison, role)
            if arm not in arms:
                problems.append(Problem(f"{here}.{role}", arm, known("arm id", arms, arm)))
        if comparison.estimate is not None and comparison.estimate.unit is not Unit.RATIO:
            problems.append(
                Problem(f"{here}.estimate.unit", comparison.estimate.unit.value, "ratio")
            )
        if comparison.p_value is not None and comparison.p_value.unit is not Unit.P_VALUE:
            problems.append(Problem(f"{here}.p_value.unit", comparison.p_value.unit.value, "p"))
        problems += _check_direction(here, endpoint, comparison)
    return problems


def _check_direction(where: str, endpoint: Endpoint, comparison: Comparison) -> list[Problem]:
    """HR < 1 must go with experimental median >= control median (and HR > 1 with <=)."""
    estimate = comparison.estimate
    if (
        not endpoint.kind.is_time
        or comparison.measure is not EffectMeasure.HR
        or estimate is None
        or estimate.value is None
    ):
        return []
    experimental = endpoint.value_for(comparison.experimental)
    control = endpoint.value_for(comparison.control)
    if experimental is None or control is None:
        return []
    exp_point, ctl_point = experimental.point, control.point
    if exp_point is None or ctl_point is None:
        return []
    hr = float(estimate.value)
    if (hr < 1 and exp_point < ctl_point) or (hr > 1 and exp_point > ctl_point):
        medians = (
            f"{comparison.experimental} {exp_point:g} vs {comparison.control} {ctl_point:g} months"
        )
        side = "at least" if hr < 1 else "at most"
        relation = "<" if hr < 1 else ">"
        return [
            Problem(
                f"{where}.estimate.value",
                hr,
                f"a hazard ratio agreeing with the medians ({medians}): HR {relation} 1 "
                f"needs the experimental median {side} the control median",
            )
        ]
    return []


def check_guidelines(parts: Parts) -> list[Problem]:
    if parts.guidelines is None:
        return []
    problems: list[Problem] = []
    guidelines = {g.id for g in parts.guidelines.guidelines}
    therapies = {t.id for t in parts.therapies.therapies} if parts.therapies else None
    trials = {t.id for t in parts.trials.trials} if parts.trials else None
    profiles = {p.id for p in parts.profiles.profiles} if parts.profiles else None
    used: set[str] = set()
    for statement in parts.guidelines.statements:
        base = f"guidelines.yaml:statements[{statement.id}]"
        for guideline in statement.guidelines:
            used.add(guideline)
            if guideline not in guidelines:
                problems.append(
                    Problem(
                        f"{base}.guidelines",
                        guideline,
                        known("guideline id", guidelines, guideline),
                    )
                )
        for index, option in enumerate(statement.options):
            if option.therapy and therapies is not None and option.therapy not in therapies:
                problems.append(
                    Problem(
                        f"{base}.options[{index}].therapy",
                        option.therapy,
                        known("therapy id", therapies, option.therapy),
                    )
                )
        for trial in statement.evidence_trials:
            if trials is not None and trial not in trials:
                problems.append(
                    Problem(f"{base}.evidence_trials", trial, known("trial id", trials, trial))
                )
        for profile in statement.profiles:
            if profiles is not None and profile not in profiles:
                problems.append(
                    Problem(f"{base}.profiles", profile, known("profile id", profiles, profile))
                )
    for document in parts.guidelines.guidelines:
        if document.id not in used:
            problems.append(
                Problem(
                    f"guidelines.yaml:guidelines[{document.id}]",
                    document.id,
                    "a guideline that some statement cites (this one is orphaned)",
                )
            )
    return problems


def _check_tests(where: str, tests: Iterable[Test]) -> list[Problem]:
    problems: list[Problem] = []
    for test in tests:
        spec = FIELDS.get(test.field)
        if spec is None:
            problems.append(
                Problem(f"{where}.field", test.field, known("patient field", FIELDS, test.field))
            )
            continue
        op = test.operator
        if spec.type == "bool":
            if op not in (Operator.IS_TRUE, Operator.IS_FALSE):
                problems.append(
                    Problem(
                        f"{where}[{test.field}].operator",
                        op.value,
                        "is_true or is_false for a yes/no field",
                    )
                )
        elif spec.type == "category":
            if op not in (Operator.EQ, Operator.NE, Operator.IN, Operator.NOT_IN):
                problems.append(
                    Problem(
                        f"{where}[{test.field}].operator",
                        op.value,
                        "eq, ne, in or not_in for a category",
                    )
                )
            elif not isinstance(test.threshold, str | tuple):
                problems.append(
                    Problem(
                        f"{where}[{test.field}].threshold",
                        test.threshold,
                        "a category or a list of categories",
                    )
                )
        else:
            if (
                op in (Operator.IS_TRUE, Operator.IS_FALSE, Operator.IN, Operator.NOT_IN)
                or isinstance(test.threshold, bool)
                or not isinstance(test.threshold, int | float)
            ):
                problems.append(
                    Problem(
                        f"{where}[{test.field}]",
                        test.threshold,
                        "a numeric threshold with ge, gt, le, lt, eq or ne",
                    )
                )
            if test.unit != spec.unit:
                problems.append(
                    Problem(
                        f"{where}[{test.field}].unit", test.unit, f"the field's unit ({spec.unit})"
                    )
                )
    return problems


def check_profiles(parts: Parts) -> list[Problem]:
    if parts.profiles is None:
        return []
    problems: list[Problem] = []
    therapies = {t.id for t in parts.therapies.therapies} if parts.therapies else None
    defaults: dict[str, list[str]] = defaultdict(list)
    for profile in parts.profiles.profiles:
        base = f"profiles.yaml:profiles[{profile.id}]"
        if profile.default:
            defaults[profile.kind.value].append(profile.id)
        if profile.therapy and therapies is not None and profile.therapy not in therapies:
            problems.append(
                Problem(
                    f"{base}.therapy",
                    profile.therapy,
                    known("therapy id", therapies, profile.therapy),
                )
            )
        problems += _check_tests(f"{base}.criteria", profile.criteria)
        for criterion in profile.criteria:
            problems += _check_tests(f"{base}.criteria[{criterion.id}].unless", criterion.unless)
        for rule in profile.rules:
            for group in rule.trigger_any:
                problems += _check_tests(f"{base}.rules[{rule.id}].trigger_any", group)
        for decision in profile.decision_rules:
            problems += _check_tests(
                f"{base}.decision_rules[{decision.id}]", (*decision.when_all, *decision.when_any)
            )
            if not decision.when_all and not decision.when_any:
                problems.append(
                    Problem(
                        f"{base}.decision_rules[{decision.id}]", None, "when_all or when_any tests"
                    )
                )
    for kind, ids in defaults.items():
        if len(ids) > 1:
            problems.append(
                Problem("profiles.yaml:profiles", ids, f"at most one default {kind} profile")
            )
    return problems


def check_cases(parts: Parts) -> list[Problem]:
    if parts.cases is None:
        return []
    problems: list[Problem] = []
    series = {s.id for s in parts.cases.series}
    therapies = {t.id for t in parts.therapies.therapies} if parts.therapies else None
    used: set[str] = set()
    for case in parts.cases.cases:
        base = f"cases.yaml:cases[{case.id}]"
        used.add(case.series)
        if case.series not in series:
            problems.append(
                Problem(f"{base}.series", case.series, known("series id", series, case.series))
            )
        for index, step in enumerate(case.pretreatment):
            if step.therapy and therapies is not None and step.therapy not in therapies:
                problems.append(
                    Problem(
                        f"{base}.pretreatment[{index}].therapy",
                        step.therapy,
                        known("therapy id", therapies, step.therapy),
                    )
                )
    for identifier in series - used:
        problems.append(
            Problem(
                f"cases.yaml:series[{identifier}]", identifier, "a series with at least one case"
            )
        )
    return problems
