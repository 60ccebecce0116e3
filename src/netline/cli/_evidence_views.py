"""Views of the knowledge base for ``netline evidence``: rich tables and panels.

Each ``_render_*`` function prints one item; the commands are in :mod:`netline.cli.evidence`.
Nothing heavy is imported at module level (rich and the knowledge base load when used).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from netline.evidence.query import KnowledgeBase
    from netline.evidence.schema import (
        Endpoint,
        GuidelineStatement,
        Profile,
        Quantity,
        Therapy,
        Trial,
    )


_LEGEND = (
    "Tags: [verified] checked against the source text; [recalled] from the named source as "
    "recalled, not checked; [uncertain] not confirmed. 'as reported in X': read in the "
    "secondary document X. ⚠ conflict: sources disagree, both values shown."
)


def _kb() -> KnowledgeBase:
    from netline.evidence import load_knowledge_base

    return load_knowledge_base()


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False)


def _text(value: object, style: str | None = None) -> Text:
    from rich.text import Text

    return Text(str(value), style=style or "")


_STATUS_STYLE = {"verified": "", "recalled": "yellow", "uncertain": "red"}


def _quantity(quantity: Quantity | None) -> Text:
    from netline.evidence import format_quantity

    if quantity is None:
        return _text("—")
    style = "magenta" if quantity.in_conflict else _STATUS_STYLE[quantity.worst_status.value]
    return _text(format_quantity(quantity), style)


def _table(title: str, *columns: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _status(status: object) -> Text:
    value = getattr(status, "value", str(status))
    return _text(f"[{value}]", _STATUS_STYLE.get(value, ""))


def _labelled(label: str, quantity: Quantity | None) -> Text:
    from rich.text import Text

    return Text.assemble(f"{label}: ", _quantity(quantity))


def _print_legend(console: Console) -> None:
    console.print(_text(_LEGEND, "dim"))


def _render_therapy(kb: KnowledgeBase, therapy: Therapy, console: Console) -> None:
    joiner = " + " if therapy.combination.value == "all" else " or "
    console.print(_text(f"{therapy.name} ({therapy.id})", "bold"))
    console.print(_text(f"kind: {therapy.kind.value}; route: {therapy.route.value}"))
    if therapy.agents:
        classes = ", ".join(c.value for c in therapy.agent_classes)
        console.print(_text(f"agents: {joiner.join(a.value for a in therapy.agents)} ({classes})"))
    if therapy.syndromes:
        names = ", ".join(s.value for s in therapy.syndromes)
        console.print(_text(f"controls the syndrome of: {names} (excluded for other patients)"))
    moa = therapy.mode_of_action
    targets = f" Targets: {', '.join(moa.targets)}." if moa.targets else ""
    console.print(
        _text(f"mode of action: {moa.mechanism}{targets} [{moa.status.value}] {{{moa.ref}}}")
    )
    if therapy.doses:
        table = _table("Standard dose", "dose and schedule", "tag", "ref", "note")
        for dose in therapy.doses:
            table.add_row(
                _text(dose.describe()),
                _status(dose.status),
                _text(dose.ref),
                _text(dose.note or ""),
            )
        console.print(table)
    if therapy.toxicities:
        table = _table("Key toxicities", "toxicity", "grade", "incidence", "tag", "ref", "note")
        for tox in therapy.toxicities:
            incidence = "—" if tox.incidence_percent is None else f"{tox.incidence_percent:g} %"
            table.add_row(
                _text(tox.term),
                _text(tox.grade.value),
                _text(incidence),
                _status(tox.status),
                _text(tox.ref),
                _text(tox.note or ""),
            )
        console.print(table)
    if therapy.monitoring:
        table = _table("Monitoring", "item", "tag", "ref", "note")
        for item in therapy.monitoring:
            table.add_row(
                _text(item.item), _status(item.status), _text(item.ref), _text(item.note or "")
            )
        console.print(table)
    if therapy.facts:
        table = _table("Facts", "fact", "value")
        for fact in therapy.facts:
            table.add_row(_text(fact.label), _quantity(fact.value))
        console.print(table)
    trials = kb.trials_for(therapy.id)
    if trials:
        console.print(_text("Trials: " + ", ".join(f"{t.name} ({t.id})" for t in trials)))
    statements = kb.statements_for(therapy=therapy.id)
    if statements:
        console.print(_text("Guideline statements: " + ", ".join(s.id for s in statements)))
    for note in therapy.notes:
        console.print(_text(f"note: {note}"))
    _print_legend(console)


def _endpoint_rows(table: Table, endpoint: Endpoint, prefix: list[Text] | None = None) -> None:
    from netline.evidence import format_quantity

    label = endpoint.label or endpoint.kind.value.upper()
    if endpoint.primary:
        label += " (primary)"
    if endpoint.timepoint_months:
        label += f" at {endpoint.timepoint_months:g} mo"
    if endpoint.population:
        label += f" [{endpoint.population}]"
    values = _text(
        "\n".join(f"{v.arm}: {format_quantity(v.value)}" for v in endpoint.values) or "—"
    )
    comparisons = []
    for comparison in endpoint.comparisons:
        parts = [f"{comparison.experimental} vs {comparison.control}"]
        if comparison.estimate is not None and comparison.measure is not None:
            parts.append(
                f"{comparison.measure.value.upper()} {format_quantity(comparison.estimate)}"
            )
        if comparison.p_value is not None:
            parts.append(format_quantity(comparison.p_value))
        if comparison.note:
            parts.append(f"({comparison.note})")
        comparisons.append(": ".join(parts[:2]) + (" " + " ".join(parts[2:]) if parts[2:] else ""))
    table.add_row(*(prefix or []), _text(label), values, _text("\n".join(comparisons) or "—"))


def _render_trial(kb: KnowledgeBase, trial: Trial, console: Console) -> None:
    design = trial.design.value.replace("_", " ") + (
        f", phase {trial.phase}" if trial.phase else ""
    )
    if trial.blinding:
        design += f", {trial.blinding}"
    aliases = f"; also {', '.join(trial.aliases)}" if trial.aliases else ""
    console.print(_text(f"{trial.name} ({trial.id}{aliases})", "bold"))
    console.print(_text(f"design: {design} [{trial.status.value}] {{{trial.ref}}}"))
    if trial.registry_ids:
        console.print(_text("registry: " + ", ".join(trial.registry_ids)))
    console.print(_labelled("N", trial.n))
    population = trial.population
    console.print(
        _text(
            f"population: {population.description} [{population.status.value}] {{{population.ref}}}"
        )
    )
    details = [f"sites: {', '.join(s.value for s in population.sites)}"]
    if population.grades:
        details.append("grades: " + ", ".join(g.value for g in population.grades))
    if population.ki67_percent:
        details.append(f"Ki-67 % {population.ki67_percent}")
    if population.sstr_required is not None:
        details.append(f"SSTR required: {population.sstr_required}")
    if population.progression_required:
        window = population.progression_window_months
        details.append("progression required" + (f" (within {window:g} mo)" if window else ""))
    if population.prior_lines:
        details.append(f"prior lines {population.prior_lines}")
    if population.line:
        details.append(f"line {population.line}")
    if population.prior_classes_required:
        details.append("prior: " + ", ".join(c.value for c in population.prior_classes_required))
    if population.prior_classes_excluded:
        details.append("no prior: " + ", ".join(c.value for c in population.prior_classes_excluded))
    if population.prior_agents_excluded:
        details.append("no prior: " + ", ".join(a.value for a in population.prior_agents_excluded))
    console.print(_text("  " + "; ".join(details)))
    for test in population.entry_criteria:
        console.print(_text(f"  entry criterion: {test.describe()}"))
    if population.note:
        console.print(_text(f"  note: {population.note}"))
    for characteristic in population.characteristics:
        console.print(_labelled(f"  {characteristic.label}", characteristic.value))

    _render_trial_design_tables(trial, console)
    _render_trial_result_tables(trial, console)
    conflicts = [c for c in kb.conflicts() if c.kind == "trial" and c.item_id == trial.id]
    if conflicts:
        console.print(_text(f"Conflicts ({len(conflicts)}):", "bold magenta"))
        for record in conflicts:
            console.print(
                _text(
                    f"  ⚠ {record.path}: {record.quantity.conflict or 'sources disagree'}",
                    "magenta",
                )
            )
    cited = sorted(set(_trial_refs(trial)))
    console.print(_text("References:", "bold"))
    for key in cited:
        reference = kb.reference(key)
        console.print(_text(f"  {key}: {reference.citation()} [citation {reference.status.value}]"))
    _print_legend(console)


def _render_trial_design_tables(trial: Trial, console: Console) -> None:
    from netline.evidence.schema import describe_criteria

    if trial.arms:
        table = _table("Arms", "arm", "role", "regimen", "therapies", "n")
        for arm in trial.arms:
            regimen = arm.label + "".join(
                f"\n  {d.describe()} [{d.status.value}]" for d in arm.doses
            )
            table.add_row(
                _text(arm.id),
                _text(arm.role.value),
                _text(regimen),
                _text(", ".join(arm.therapies) or ("placebo" if arm.placebo else "—")),
                _quantity(arm.n),
            )
        console.print(table)
    if trial.endpoints:
        table = _table("Endpoints", "endpoint", "values by arm", "comparison")
        for endpoint in trial.endpoints:
            _endpoint_rows(table, endpoint)
        console.print(table)
    if trial.subgroups:
        table = _table(
            "Subgroups", "subgroup", "definition", "endpoint", "values by arm", "comparison"
        )
        for subgroup in trial.subgroups:
            for index, endpoint in enumerate(subgroup.endpoints):
                name = subgroup.label + (
                    f" (n: {_quantity(subgroup.n).plain})" if subgroup.n and index == 0 else ""
                )
                prefix = [
                    _text(name if index == 0 else ""),
                    _text(
                        f"{subgroup.dimension.value}: {describe_criteria(subgroup.criteria)}"
                        if index == 0
                        else ""
                    ),
                ]
                _endpoint_rows(table, endpoint, prefix)
        console.print(table)
        for subgroup in trial.subgroups:
            for note in subgroup.notes:
                console.print(_text(f"  {subgroup.label}: {note}", "dim"))


def _render_trial_result_tables(trial: Trial, console: Console) -> None:
    if trial.prognostic_factors:
        table = _table("Prognostic factors", "factor", "endpoint", "levels", "effect")
        for factor in trial.prognostic_factors:
            levels = "\n".join(
                f"{level.label}: {_quantity(level.value).plain}" for level in factor.levels
            )
            effect = [
                part
                for part in (
                    f"HR {_quantity(factor.effect).plain}" if factor.effect else "",
                    _quantity(factor.p_value).plain if factor.p_value else "",
                )
                if part
            ]
            table.add_row(
                _text(factor.factor),
                _text(factor.endpoint.value),
                _text(levels or "—"),
                _text("\n".join(effect) or "—"),
            )
        console.print(table)
    if trial.safety:
        table = _table("Safety and delivery", "event", "grade", "values by arm")
        for item in trial.safety:
            values = "\n".join(f"{v.arm}: {_quantity(v.value).plain}" for v in item.values)
            style = "magenta" if any(v.value.in_conflict for v in item.values) else ""
            table.add_row(_text(item.event), _text(item.grade.value), _text(values, style))
        console.print(table)
    if trial.response_criteria:
        rc = trial.response_criteria
        console.print(
            _text(f"response criteria: {rc.name} {rc.version} [{rc.status.value}] {{{rc.ref}}}")
        )
    for fact in trial.facts:
        console.print(_labelled(fact.label, fact.value))
    for note in trial.notes:
        console.print(_text(f"note: {note}"))


def _trial_refs(trial: Trial) -> Iterator[str]:
    from netline.evidence._walk import cited_keys, walk

    for _, node in walk(trial):
        for _, key in cited_keys(node):
            yield key


def _render_statement(kb: KnowledgeBase, statement: GuidelineStatement, console: Console) -> None:
    console.print(_text(f"{statement.topic} ({statement.id})", "bold"))
    console.print(
        _text(f"status: [{statement.status.value}]", _STATUS_STYLE[statement.status.value])
    )
    for source in kb.statement_sources(statement):
        console.print(
            _text(f"{source.kind}: {source.describe()}", _STATUS_STYLE[source.status.value])
        )
    console.print(_text("applies when: " + "; ".join(statement.condition.describe())))
    table = _table("Options", "option", "preference", "only if", "note")
    for option in statement.options:
        condition = "; ".join(option.condition.describe()) if option.condition else ""
        table.add_row(
            _text(option.target),
            _text(option.preference.value),
            _text(condition),
            _text(option.note or ""),
        )
    console.print(table)
    if statement.evidence_trials:
        names = [f"{kb.trial(t).name} ({t})" for t in statement.evidence_trials]
        console.print(_text("evidence: " + ", ".join(names)))
    if statement.references:
        console.print(_text("references: " + ", ".join(statement.references)))
    if statement.profiles:
        console.print(_text("profiles: " + ", ".join(statement.profiles)))
    for note in statement.notes:
        console.print(_text(f"note: {note}"))
    _print_legend(console)


def _render_profile(profile: Profile, console: Console) -> None:
    console.print(_text(f"{profile.label} ({profile.id})", "bold"))
    console.print(_text(f"kind: {profile.kind.value}{'; default' if profile.default else ''}"))
    console.print(_text(profile.description))
    if profile.criteria:
        table = _table(
            "Criteria (each must hold)", "id", "criterion", "test", "if failed", "tag", "ref"
        )
        for criterion in profile.criteria:
            test = criterion.describe()
            if criterion.unless:
                test += " unless " + " and ".join(t.describe() for t in criterion.unless)
            table.add_row(
                _text(criterion.id),
                _text(criterion.label),
                _text(test),
                _text(criterion.kind.value),
                _status(criterion.status),
                _text(criterion.ref),
            )
        console.print(table)
    for dose in profile.standard_dose:
        console.print(
            _text(f"standard dose: {dose.describe()} [{dose.status.value}] {{{dose.ref}}}")
        )
    if profile.administration:
        table = _table("Administration", "subject", "rule", "window", "tag")
        for timing in profile.administration:
            window = (
                ""
                if timing.window is None
                else f"{timing.window} {timing.unit.value if timing.unit else ''}"
            )
            table.add_row(
                _text(timing.subject),
                _text(timing.relation.replace("_", " ")),
                _text(window),
                _status(timing.status),
            )
        console.print(table)
    if profile.rules:
        table = _table(
            "Dose modification", "toxicity", "trigger", "action", "resume", "discontinue if", "tag"
        )
        for rule in profile.rules:
            trigger = []
            if rule.trigger_grades:
                trigger.append("CTCAE grade " + "/".join(str(g) for g in rule.trigger_grades))
            trigger += [" and ".join(t.describe() for t in group) for group in rule.trigger_any]
            resume = []
            if rule.resume_when:
                resume.append(f"when {rule.resume_when}")
            if rule.resume_activity_gbq:
                resume.append(f"at {rule.resume_activity_gbq:g} GBq")
            if rule.rechallenge_activity_gbq:
                resume.append(f"then {rule.rechallenge_activity_gbq:g} GBq if no recurrence")
            stop = []
            if rule.discontinue_if_recurrent_grade_at_least:
                stop.append(f"recurrent grade >= {rule.discontinue_if_recurrent_grade_at_least}")
            elif rule.discontinue_if_recurrent:
                stop.append("recurrence")
            if rule.discontinue_if_delay_weeks_at_least:
                stop.append(f"delay >= {rule.discontinue_if_delay_weeks_at_least:g} weeks")
            table.add_row(
                _text(rule.label),
                _text(" or ".join(trigger)),
                _text(rule.action.value.replace("_", " ")),
                _text("; ".join(resume) or "—"),
                _text("; ".join(stop) or "—"),
                _status(rule.status),
            )
        console.print(table)
    if profile.decision_rules:
        table = _table(
            "Decision rules (first that holds applies)", "rule", "when", "outcome", "tag"
        )
        for decision in profile.decision_rules:
            when = " and ".join(t.describe() for t in decision.when_all)
            if decision.when_any:
                when += (
                    (" and " if when else "")
                    + "("
                    + " or ".join(t.describe() for t in decision.when_any)
                    + ")"
                )
            table.add_row(
                _text(decision.label),
                _text(when),
                _text(decision.outcome),
                _status(decision.status),
            )
        console.print(table)
    for fact in profile.facts:
        console.print(_labelled(fact.label, fact.value))
    for note in profile.notes:
        console.print(_text(f"note: {note}"))
    _print_legend(console)
