"""Validation of the knowledge base: schema, then integrity rules, every problem at once.

:func:`validate_knowledge_base` returns the list of :class:`~netline.errors.Problem` found in
a knowledge-base directory or in already-parsed data; an empty list means the knowledge base
is sound. The rules:

* **schema**: every file matches its pydantic model (types, required fields, no unknown keys);
* **versions**: every file carries the same ``version``;
* **identifiers**: unique within their scope (therapies, trials, arms of a trial, ...);
* **references**: every ``ref``/``reported_in`` key resolves, and every reference is cited
  (by a fact, or by code named in its ``used_by``);
* **links**: arms name existing therapies, comparisons name existing arms, statements name
  existing guidelines, therapies, trials and profiles, profiles name known patient fields;
* **ranges**: values lie in the range of their unit (a percentage in 0–100, a ratio > 0 ...);
* **intervals**: every confidence interval is ordered and contains its point estimate;
* **direction**: a hazard ratio below 1 goes with an experimental median at least the control
  median, and above 1 with one at most the control median;
* **conflicts**: a quantity with alternative values says what the conflict is;
* **provenance**: nothing is ``verified`` against a reference whose own identity is
  uncertain; every reference has a publication date; a guideline statement's sources name
  its own guidelines and its tag is their best; a guideline cites no trial published after it
  (see :mod:`netline.evidence._sources`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from netline.errors import Problem
from netline.evidence._links import (
    check_cases,
    check_guidelines,
    check_profiles,
    check_trials,
)
from netline.evidence._parts import (
    DATA_FILES,
    INTEGER_UNITS,
    LIMITS,
    POOLED,
    Parts,
    duplicates,
    known,
    normalise,
    sourced_nodes,
)
from netline.evidence._sources import (
    check_dates,
    check_statement_sources,
    check_verified_sources,
)
from netline.evidence._walk import cited_keys
from netline.evidence.schema import (
    Quantity,
    Report,
    Unit,
)

__all__ = ["DATA_FILES", "validate_knowledge_base"]


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


def check(source: str | Path | Mapping[str, Any] | None) -> tuple[Parts, list[Problem]]:
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


def _parse(raw: Mapping[str, Any], problems: list[Problem]) -> Parts:
    parts = Parts()
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


def _integrity(parts: Parts) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_versions(parts)
    problems += _check_unique(parts)
    problems += _check_references(parts)
    problems += _check_quantities(parts)
    problems += check_trials(parts)
    problems += check_guidelines(parts)
    problems += check_profiles(parts)
    problems += check_cases(parts)
    problems += check_verified_sources(parts)
    problems += check_dates(parts)
    problems += check_statement_sources(parts)
    return problems


def _check_versions(parts: Parts) -> list[Problem]:
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


def _check_unique(parts: Parts) -> list[Problem]:
    problems: list[Problem] = []
    if parts.references:
        problems += duplicates(
            "references.yaml:references", (r.key for r in parts.references.references), "reference"
        )
    if parts.therapies:
        problems += duplicates(
            "therapies.yaml:therapies", (t.id for t in parts.therapies.therapies), "therapy"
        )
        for therapy in parts.therapies.therapies:
            problems += duplicates(
                f"therapies.yaml:therapies[{therapy.id}].facts",
                (f.id for f in therapy.facts),
                "fact",
            )
    if parts.trials:
        trials = parts.trials.trials
        problems += duplicates("trials.yaml:trials", (t.id for t in trials), "trial")
        names: list[str] = []
        for trial in trials:
            names.extend({normalise(x) for x in (trial.id, trial.name, *trial.aliases)})
        problems += duplicates(
            "trials.yaml:trials (names and aliases)", names, "trial name or alias"
        )
        for trial in trials:
            base = f"trials.yaml:trials[{trial.id}]"
            problems += duplicates(f"{base}.arms", (a.id for a in trial.arms), "arm")
            problems += duplicates(f"{base}.endpoints", (e.id for e in trial.endpoints), "endpoint")
            problems += duplicates(f"{base}.subgroups", (s.id for s in trial.subgroups), "subgroup")
            problems += duplicates(f"{base}.safety", (s.id for s in trial.safety), "safety item")
            problems += duplicates(
                f"{base}.prognostic_factors", (p.id for p in trial.prognostic_factors), "factor"
            )
            problems += duplicates(f"{base}.facts", (f.id for f in trial.facts), "fact")
            problems += duplicates(
                f"{base}.population.characteristics",
                (c.id for c in trial.population.characteristics),
                "characteristic",
            )
            if POOLED in {a.id for a in trial.arms}:
                problems.append(
                    Problem(
                        f"{base}.arms[{POOLED}]",
                        POOLED,
                        "an arm id other than the reserved 'pooled'",
                    )
                )
            for subgroup in trial.subgroups:
                problems += duplicates(
                    f"{base}.subgroups[{subgroup.id}].endpoints",
                    (e.id for e in subgroup.endpoints),
                    "endpoint",
                )
    if parts.guidelines:
        problems += duplicates(
            "guidelines.yaml:guidelines", (g.id for g in parts.guidelines.guidelines), "guideline"
        )
        problems += duplicates(
            "guidelines.yaml:statements", (s.id for s in parts.guidelines.statements), "statement"
        )
    if parts.profiles:
        problems += duplicates(
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
            problems += duplicates(base, ids, "rule or criterion")
    if parts.cases:
        problems += duplicates("cases.yaml:series", (s.id for s in parts.cases.series), "series")
        problems += duplicates("cases.yaml:cases", (c.id for c in parts.cases.cases), "case")
        numbers = [f"{c.series} #{c.case_number}" for c in parts.cases.cases]
        problems += duplicates("cases.yaml:cases (series and case number)", numbers, "case number")
    return problems


def _check_references(parts: Parts) -> list[Problem]:
    problems: list[Problem] = []
    cited: set[str] = set()
    keys = {r.key for r in parts.references.references} if parts.references else None
    for where, node in sourced_nodes(parts):
        for attribute, key in cited_keys(node):
            cited.add(key)
            if keys is not None and key not in keys:
                problems.append(
                    Problem(f"{where}.{attribute}", key, known("reference key", keys, key))
                )
    if parts.references and all(getattr(parts, stem) is not None for stem in DATA_FILES):
        for reference in parts.references.references:
            if reference.key not in cited and not reference.used_by:
                problems.append(
                    Problem(
                        f"references.yaml:references[{reference.key}]",
                        reference.key,
                        "a reference that some fact cites (this one is orphaned)",
                    )
                )
    return problems


def _check_quantities(parts: Parts) -> list[Problem]:
    problems: list[Problem] = []
    for where, node in sourced_nodes(parts):
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
    low, high = LIMITS[unit]
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
        elif unit in INTEGER_UNITS and float(number) != int(number):
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
