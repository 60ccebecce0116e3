"""Validation of the knowledge base: schema, then integrity rules, every problem at once.

:func:`validate_knowledge_base` returns the list of :class:`~netline.errors.Problem` found in
a knowledge-base directory or in already-parsed data; an empty list means the knowledge base
is sound. The rules:

* **schema**: every file matches its pydantic model (types, required fields, no unknown keys);
* **versions**: every file carries the same ``version``;
* **identifiers**: unique within their scope (therapies, trials, arms of a trial, ...);
* **references**: every ``ref``/``reported_in`` key resolves, and every reference is cited;
* **links**: arms name existing therapies, comparisons name existing arms, statements name
  existing guidelines, therapies, trials and profiles, profiles name known patient fields;
* **ranges**: values lie in the range of their unit (a percentage in 0–100, a ratio > 0 ...);
* **intervals**: every confidence interval is ordered and contains its point estimate;
* **direction**: a hazard ratio below 1 goes with an experimental median at least the control
  median, and above 1 with one at most the control median;
* **conflicts**: a quantity with alternative values says what the conflict is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from netline.errors import Problem
from netline.evidence._walk import cited_keys, walk
from netline.evidence.schema import (
    FIELDS,
    CasesFile,
    Comparison,
    EffectMeasure,
    Endpoint,
    GuidelinesFile,
    Operator,
    ProfilesFile,
    Quantity,
    ReferencesFile,
    Report,
    Test,
    TherapiesFile,
    Trial,
    TrialsFile,
    Unit,
)

__all__ = ["DATA_FILES", "validate_knowledge_base"]

#: The files of a knowledge base, by stem, with their models.
DATA_FILES: dict[str, type[BaseModel]] = {
    "references": ReferencesFile,
    "therapies": TherapiesFile,
    "trials": TrialsFile,
    "guidelines": GuidelinesFile,
    "profiles": ProfilesFile,
    "cases": CasesFile,
}

_POOLED = "pooled"

# Inclusive lower/upper limits per unit; ``None`` marks an exclusive zero lower limit.
_LIMITS: dict[Unit, tuple[float | None, float]] = {
    Unit.PERCENT: (0, 100),
    Unit.RATIO: (None, 100),
    Unit.P_VALUE: (None, 1),
    Unit.MONTHS: (0, 600),
    Unit.WEEKS: (0, 2600),
    Unit.DAYS: (0, 18000),
    Unit.HOURS: (0, 10000),
    Unit.MINUTES: (0, 10000),
    Unit.YEARS: (0, 120),
    Unit.PATIENTS: (0, 1_000_000),
    Unit.COUNT: (0, 10_000_000),
    Unit.GBQ: (None, 100),
    Unit.MEV: (None, 10),
    Unit.KEV: (None, 10_000),
    Unit.MM: (None, 1000),
}
_INTEGER_UNITS = frozenset({Unit.PATIENTS, Unit.COUNT})


@dataclass
class _Parts:
    """The files that passed the schema, by stem (absent when a file failed)."""

    references: ReferencesFile | None = None
    therapies: TherapiesFile | None = None
    trials: TrialsFile | None = None
    guidelines: GuidelinesFile | None = None
    profiles: ProfilesFile | None = None
    cases: CasesFile | None = None
    versions: dict[str, str] = field(default_factory=dict)

    def files(self) -> Iterator[tuple[str, BaseModel]]:
        for stem in DATA_FILES:
            model = getattr(self, stem)
            if model is not None:
                yield stem, model


def validate_knowledge_base(source: str | Path | Mapping[str, Any] | None = None) -> list[Problem]:
    """Check a knowledge base and return every problem found (empty when it is sound).

    Parameters
    ----------
    source : str, Path, Mapping or None
        A directory holding ``references.yaml``, ``therapies.yaml``, ``trials.yaml``,
        ``guidelines.yaml``, ``profiles.yaml`` and ``cases.yaml``; or a mapping from those
        stems to the parsed content of each file (as :func:`read_knowledge_base_data`
        returns it); ``None`` for the knowledge base bundled with netline.

    Returns
    -------
    list of Problem
        Each with the file and field path (``"trials.yaml:trials[radiant3].n"``), the value
        found and what was expected.

    Examples
    --------
    >>> from netline.evidence import validate_knowledge_base
    >>> validate_knowledge_base()
    []
    """
    _, problems = check(source)
    return problems


def check(source: str | Path | Mapping[str, Any] | None) -> tuple[_Parts, list[Problem]]:
    """Validate ``source``; return the parts that passed the schema and all problems."""
    from netline.evidence.loader import read_files

    problems: list[Problem] = []
    if source is None or isinstance(source, str | Path):
        raw, read_problems = read_files(source)
        problems.extend(read_problems)
    else:
        raw = dict(source)
        for stem in DATA_FILES:
            if stem not in raw:
                problems.append(Problem(f"{stem}.yaml", None, f"the {stem} file"))
    parts = _parse(raw, problems)
    problems.extend(_integrity(parts))
    return parts, problems


# --------------------------------------------------------------------------- schema stage


def _parse(raw: Mapping[str, Any], problems: list[Problem]) -> _Parts:
    parts = _Parts()
    for stem, model in DATA_FILES.items():
        if stem not in raw:
            continue
        content = raw[stem]
        try:
            parsed = model.model_validate(content)
        except ValidationError as error:
            problems.extend(_schema_problems(stem, content, error))
            if isinstance(content, Mapping) and isinstance(content.get("version"), str):
                parts.versions[stem] = content["version"]
            continue
        setattr(parts, stem, parsed)
        parts.versions[stem] = str(getattr(parsed, "version"))  # noqa: B009
    return parts


def _schema_problems(stem: str, content: object, error: ValidationError) -> list[Problem]:
    grouped: dict[str, tuple[object, list[str]]] = {}
    for detail in error.errors():
        location = _location(content, tuple(detail["loc"]))
        message = str(detail["msg"]).removeprefix("Value error, ")
        if detail["type"] == "missing":
            value, message = None, "a value (this field is required)"
        elif detail["type"] == "extra_forbidden":
            value, message = detail["input"], "no field of this name (misspelt or misplaced?)"
        else:
            value = detail["input"]
        entry = grouped.setdefault(f"{stem}.yaml:{location}", (value, []))
        if message not in entry[1]:
            entry[1].append(message)
    return [
        Problem(where, value, "; or ".join(messages))
        for where, (value, messages) in grouped.items()
    ]


def _location(content: object, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a path naming list items by their id."""
    text = ""
    node: object = content
    for item in loc:
        if isinstance(item, int):
            child = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            label = str(item)
            if isinstance(child, Mapping):
                for key in ("id", "key", "arm"):
                    if isinstance(child.get(key), str):
                        label = child[key]
                        break
            text += f"[{label}]"
            node = child
        elif isinstance(node, Mapping):
            text += f".{item}" if text else item
            node = node.get(item)
        # otherwise the item names a union member or a function: not part of the path
    return text


# --------------------------------------------------------------------------- integrity stage


def _integrity(parts: _Parts) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_versions(parts)
    problems += _check_unique(parts)
    problems += _check_references(parts)
    problems += _check_quantities(parts)
    problems += _check_trials(parts)
    problems += _check_guidelines(parts)
    problems += _check_profiles(parts)
    problems += _check_cases(parts)
    return problems


def _check_versions(parts: _Parts) -> list[Problem]:
    versions = parts.versions
    if len(set(versions.values())) <= 1:
        return []
    common, _ = Counter(versions.values()).most_common(1)[0]
    return [
        Problem(
            f"{stem}.yaml:version", version, f"the same version as the other files ({common!r})"
        )
        for stem, version in versions.items()
        if version != common
    ]


def _duplicates(where: str, ids: Iterable[str], what: str) -> list[Problem]:
    counts = Counter(ids)
    return [
        Problem(where, key, f"a unique {what} identifier ({count} entries share it)")
        for key, count in counts.items()
        if count > 1
    ]


def _check_unique(parts: _Parts) -> list[Problem]:
    problems: list[Problem] = []
    if parts.references:
        problems += _duplicates(
            "references.yaml:references", (r.key for r in parts.references.references), "reference"
        )
    if parts.therapies:
        problems += _duplicates(
            "therapies.yaml:therapies", (t.id for t in parts.therapies.therapies), "therapy"
        )
        for therapy in parts.therapies.therapies:
            problems += _duplicates(
                f"therapies.yaml:therapies[{therapy.id}].facts",
                (f.id for f in therapy.facts),
                "fact",
            )
    if parts.trials:
        trials = parts.trials.trials
        problems += _duplicates("trials.yaml:trials", (t.id for t in trials), "trial")
        names: list[str] = []
        for trial in trials:
            names.extend({_normalise(x) for x in (trial.id, trial.name, *trial.aliases)})
        problems += _duplicates(
            "trials.yaml:trials (names and aliases)", names, "trial name or alias"
        )
        for trial in trials:
            base = f"trials.yaml:trials[{trial.id}]"
            problems += _duplicates(f"{base}.arms", (a.id for a in trial.arms), "arm")
            problems += _duplicates(
                f"{base}.endpoints", (e.id for e in trial.endpoints), "endpoint"
            )
            problems += _duplicates(
                f"{base}.subgroups", (s.id for s in trial.subgroups), "subgroup"
            )
            problems += _duplicates(f"{base}.safety", (s.id for s in trial.safety), "safety item")
            problems += _duplicates(
                f"{base}.prognostic_factors", (p.id for p in trial.prognostic_factors), "factor"
            )
            problems += _duplicates(f"{base}.facts", (f.id for f in trial.facts), "fact")
            problems += _duplicates(
                f"{base}.population.characteristics",
                (c.id for c in trial.population.characteristics),
                "characteristic",
            )
            if _POOLED in {a.id for a in trial.arms}:
                problems.append(
                    Problem(
                        f"{base}.arms[{_POOLED}]",
                        _POOLED,
                        "an arm id other than the reserved 'pooled'",
                    )
                )
            for subgroup in trial.subgroups:
                problems += _duplicates(
                    f"{base}.subgroups[{subgroup.id}].endpoints",
                    (e.id for e in subgroup.endpoints),
                    "endpoint",
                )
    if parts.guidelines:
        problems += _duplicates(
            "guidelines.yaml:guidelines", (g.id for g in parts.guidelines.guidelines), "guideline"
        )
        problems += _duplicates(
            "guidelines.yaml:statements", (s.id for s in parts.guidelines.statements), "statement"
        )
    if parts.profiles:
        problems += _duplicates(
            "profiles.yaml:profiles", (p.id for p in parts.profiles.profiles), "profile"
        )
        for profile in parts.profiles.profiles:
            base = f"profiles.yaml:profiles[{profile.id}]"
            ids = [
                *(c.id for c in profile.criteria),
                *(r.id for r in profile.rules),
                *(a.id for a in profile.administration),
                *(d.id for d in profile.decision_rules),
                *(f.id for f in profile.facts),
            ]
            problems += _duplicates(base, ids, "rule or criterion")
    if parts.cases:
        problems += _duplicates("cases.yaml:series", (s.id for s in parts.cases.series), "series")
        problems += _duplicates("cases.yaml:cases", (c.id for c in parts.cases.cases), "case")
        numbers = [f"{c.series} #{c.case_number}" for c in parts.cases.cases]
        problems += _duplicates("cases.yaml:cases (series and case number)", numbers, "case number")
    return problems


def _normalise(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _sourced_nodes(parts: _Parts) -> Iterator[tuple[str, BaseModel]]:
    for stem, model in parts.files():
        for path, node in walk(model):
            yield f"{stem}.yaml:{path}", node


def _check_references(parts: _Parts) -> list[Problem]:
    problems: list[Problem] = []
    cited: set[str] = set()
    known = {r.key for r in parts.references.references} if parts.references else None
    for where, node in _sourced_nodes(parts):
        for attribute, key in cited_keys(node):
            cited.add(key)
            if known is not None and key not in known:
                problems.append(
                    Problem(f"{where}.{attribute}", key, _known("reference key", known, key))
                )
    if parts.references and all(getattr(parts, stem) is not None for stem in DATA_FILES):
        for reference in parts.references.references:
            if reference.key not in cited:
                problems.append(
                    Problem(
                        f"references.yaml:references[{reference.key}]",
                        reference.key,
                        "a reference that some fact cites (this one is orphaned)",
                    )
                )
    return problems


def _known(what: str, known: Iterable[str], key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"an existing {what}{hint}"


def _check_quantities(parts: _Parts) -> list[Problem]:
    problems: list[Problem] = []
    for where, node in _sourced_nodes(parts):
        if isinstance(node, Quantity):
            problems += _check_report(where, node, node.unit)
            for index, alternative in enumerate(node.alternatives):
                problems += _check_report(f"{where}.alternatives[{index}]", alternative, node.unit)
            if node.alternatives and not node.conflict:
                problems.append(
                    Problem(
                        f"{where}.conflict",
                        None,
                        "a conflict note saying what the sources disagree on",
                    )
                )
    return problems


def _check_report(where: str, report: Report, unit: Unit) -> list[Problem]:
    problems: list[Problem] = []
    numbers: list[tuple[str, float]] = []
    if report.value is not None:
        numbers.append(("value", report.value))
    for name, pair in (("bounds", report.bounds), ("ci", report.ci)):
        if pair is not None:
            numbers += [(f"{name}[0]", pair[0]), (f"{name}[1]", pair[1])]
            if pair[0] > pair[1]:
                problems.append(
                    Problem(
                        f"{where}.{name}", list(pair), "a lower limit not above the upper limit"
                    )
                )
    low, high = _LIMITS[unit]
    for name, number in numbers:
        below = number <= 0 if low is None else number < low
        if below or number > high:
            lower = "above 0" if low is None else f"at least {low:g}"
            problems.append(
                Problem(
                    f"{where}.{name}",
                    number,
                    f"a value in {unit.value} {lower} and at most {high:g}",
                )
            )
        elif unit in _INTEGER_UNITS and float(number) != int(number):
            problems.append(Problem(f"{where}.{name}", number, f"a whole number of {unit.value}"))
    if report.ci is not None and report.value is not None:
        lo, hi = report.ci
        if not lo <= report.value <= hi:
            problems.append(
                Problem(
                    f"{where}.ci",
                    list(report.ci),
                    f"an interval containing the estimate {report.value}",
                )
            )
    if report.ci is not None and report.bounds is not None:
        problems.append(
            Problem(f"{where}.ci", list(report.ci), "no interval around a stated range")
        )
    return problems


def _check_trials(parts: _Parts) -> list[Problem]:
    if parts.trials is None:
        return []
    problems: list[Problem] = []
    therapies = {t.id for t in parts.therapies.therapies} if parts.therapies else None
    for trial in parts.trials.trials:
        base = f"trials.yaml:trials[{trial.id}]"
        arms = {a.id for a in trial.arms}
        if trial.n.unit not in _INTEGER_UNITS:
            problems.append(Problem(f"{base}.n.unit", trial.n.unit.value, "patients or count"))
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
                            _known("therapy id", therapies, therapy),
                        )
                    )
        for path, endpoint in _endpoints(trial):
            problems += _check_endpoint(f"{base}.{path}", endpoint, arms)
        for item in trial.safety:
            for value in item.values:
                if value.arm not in arms | {_POOLED}:
                    where = f"{base}.safety[{item.id}].values"
                    problems.append(
                        Problem(where, value.arm, _known("arm id (or 'pooled')", arms, value.arm))
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
        if value.arm not in arms | {_POOLED}:
            problems.append(
                Problem(
                    f"{where}.values", value.arm, _known("arm id (or 'pooled')", arms, value.arm)
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
                problems.append(Problem(f"{here}.{role}", arm, _known("arm id", arms, arm)))
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


def _check_guidelines(parts: _Parts) -> list[Problem]:
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
                        _known("guideline id", guidelines, guideline),
                    )
                )
        for index, option in enumerate(statement.options):
            if option.therapy and therapies is not None and option.therapy not in therapies:
                problems.append(
                    Problem(
                        f"{base}.options[{index}].therapy",
                        option.therapy,
                        _known("therapy id", therapies, option.therapy),
                    )
                )
        for trial in statement.evidence_trials:
            if trials is not None and trial not in trials:
                problems.append(
                    Problem(f"{base}.evidence_trials", trial, _known("trial id", trials, trial))
                )
        for profile in statement.profiles:
            if profiles is not None and profile not in profiles:
                problems.append(
                    Problem(f"{base}.profiles", profile, _known("profile id", profiles, profile))
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
                Problem(f"{where}.field", test.field, _known("patient field", FIELDS, test.field))
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


def _check_profiles(parts: _Parts) -> list[Problem]:
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
                    _known("therapy id", therapies, profile.therapy),
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


def _check_cases(parts: _Parts) -> list[Problem]:
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
                Problem(f"{base}.series", case.series, _known("series id", series, case.series))
            )
        for index, step in enumerate(case.pretreatment):
            if step.therapy and therapies is not None and step.therapy not in therapies:
                problems.append(
                    Problem(
                        f"{base}.pretreatment[{index}].therapy",
                        step.therapy,
                        _known("therapy id", therapies, step.therapy),
                    )
                )
    for identifier in series - used:
        problems.append(
            Problem(
                f"cases.yaml:series[{identifier}]", identifier, "a series with at least one case"
            )
        )
    return problems
