"""``netline evidence``: list, show and search the evidence knowledge base.

Every number is printed with its verification tag (``[verified]``, ``[recalled]``,
``[uncertain]``) and any conflict between sources with both values. Unknown identifiers give a
message with suggestions and exit code 2; no traceback reaches the user.

This module is imported when ``netline`` starts, so it imports nothing heavy at module level:
the knowledge base, pydantic, YAML, rich, matplotlib and plotly load inside the commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from netline.cli._app import app

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

evidence_app = typer.Typer(
    name="evidence",
    help=(
        "The evidence knowledge base: therapies, trials, guideline statements, eligibility "
        "profiles, published cases and references, each number with its verification tag."
    ),
    no_args_is_help=True,
)

_LEGEND = (
    "Tags: [verified] checked against the source text; [recalled] from the named source as "
    "recalled, not checked; [uncertain] not confirmed. 'as reported in X': read in the "
    "secondary document X. ⚠ conflict: sources disagree, both values shown."
)


@contextmanager
def _guard() -> Iterator[None]:
    """Turn netline errors into a message on stderr and exit code 2."""
    from netline.errors import NetlineError

    try:
        yield
    except NetlineError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except OSError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


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


# --------------------------------------------------------------------------- therapies


@evidence_app.command("therapies")
def list_therapies(
    kind: Annotated[str | None, typer.Option(help="systemic, regimen or local.")] = None,
    agent_class: Annotated[
        str | None, typer.Option("--class", help="Mode-of-action class, e.g. tki.")
    ] = None,
) -> None:
    """List the therapies (agents, regimens, local therapies)."""
    with _guard():
        kb = _kb()
        table = _table("Therapies", "id", "name", "kind", "agents", "classes", "route")
        for therapy in kb.therapies:
            if kind and therapy.kind.value != kind:
                continue
            classes = [c.value for c in therapy.agent_classes]
            if agent_class and agent_class not in classes:
                continue
            joiner = " + " if therapy.combination.value == "all" else " or "
            table.add_row(
                _text(therapy.id),
                _text(therapy.name),
                _text(therapy.kind.value),
                _text(joiner.join(a.value for a in therapy.agents) or "—"),
                _text(", ".join(classes) or "—"),
                _text(therapy.route.value),
            )
        _console().print(table)


@evidence_app.command("therapy")
def show_therapy(
    therapy_id: Annotated[str, typer.Argument(help="Therapy id, name or synonym.")],
) -> None:
    """Show a therapy: mode of action, doses, toxicities, monitoring, trials, guidance."""
    with _guard():
        kb = _kb()
        _render_therapy(kb, kb.therapy(therapy_id), _console())


def _render_therapy(kb: KnowledgeBase, therapy: Therapy, console: Console) -> None:
    joiner = " + " if therapy.combination.value == "all" else " or "
    console.print(_text(f"{therapy.name} ({therapy.id})", "bold"))
    console.print(_text(f"kind: {therapy.kind.value}; route: {therapy.route.value}"))
    if therapy.agents:
        classes = ", ".join(c.value for c in therapy.agent_classes)
        console.print(_text(f"agents: {joiner.join(a.value for a in therapy.agents)} ({classes})"))
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


# --------------------------------------------------------------------------- trials


@evidence_app.command("trials")
def list_trials(
    therapy: Annotated[
        str | None,
        typer.Option(help="Therapy, agent or class (e.g. everolimus, capecitabine, tki)."),
    ] = None,
    site: Annotated[
        str | None, typer.Option(help="Site group or primary site, e.g. pancreas.")
    ] = None,
    line: Annotated[int | None, typer.Option(help="Line of therapy, e.g. 1.")] = None,
) -> None:
    """List trials, optionally those of a therapy, site and line."""
    with _guard():
        kb = _kb()
        table = _table("Trials", "id", "name", "design", "N", "sites", "arms")
        for trial in kb.trials_for(therapy, site=site, line=line):
            table.add_row(
                _text(trial.id),
                _text(trial.name),
                _text(f"{trial.design.value}" + (f", phase {trial.phase}" if trial.phase else "")),
                _quantity(trial.n),
                _text(", ".join(s.value for s in trial.population.sites)),
                _text(" vs ".join(a.id for a in trial.arms) or "—"),
            )
        console = _console()
        console.print(table)
        _print_legend(console)


@evidence_app.command("trial")
def show_trial(
    trial_id: Annotated[str, typer.Argument(help="Trial id, name or alias (e.g. RADIANT-3).")],
) -> None:
    """Show a trial: population, arms, endpoints, subgroups, safety, every number tagged."""
    with _guard():
        kb = _kb()
        _render_trial(kb, kb.trial(trial_id), _console())


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
    from netline.evidence.schema import describe_criteria

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
    if population.note:
        console.print(_text(f"  note: {population.note}"))
    for characteristic in population.characteristics:
        console.print(_labelled(f"  {characteristic.label}", characteristic.value))

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


def _trial_refs(trial: Trial) -> Iterator[str]:
    from netline.evidence._walk import cited_keys, walk

    for _, node in walk(trial):
        for _, key in cited_keys(node):
            yield key


# --------------------------------------------------------------------------- guidelines


@evidence_app.command("guidelines")
def list_guidelines(
    guideline: Annotated[
        str | None, typer.Option(help="Only statements of this guideline id.")
    ] = None,
    therapy: Annotated[
        str | None, typer.Option(help="Only statements offering this therapy.")
    ] = None,
) -> None:
    """List guideline documents and their statements."""
    with _guard():
        kb = _kb()
        console = _console()
        documents = _table("Guidelines", "id", "name", "year", "ref", "tag")
        for document in kb.guidelines:
            documents.add_row(
                _text(document.id),
                _text(document.name),
                _text(document.year),
                _text(document.ref),
                _status(document.status),
            )
        console.print(documents)
        table = _table("Statements", "id", "guidelines", "topic", "options", "tag")
        for statement in kb.statements_for(therapy=therapy, guideline=guideline):
            options = ", ".join(f"{o.target} ({o.preference.value})" for o in statement.options)
            table.add_row(
                _text(statement.id),
                _text(", ".join(statement.guidelines)),
                _text(statement.topic),
                _text(options),
                _status(statement.status),
            )
        console.print(table)
        _print_legend(console)


@evidence_app.command("guideline")
def show_guideline(
    statement_id: Annotated[str, typer.Argument(help="Statement id (or guideline document id).")],
) -> None:
    """Show a guideline statement: condition, options, evidence (or a guideline document)."""
    with _guard():
        kb = _kb()
        console = _console()
        if statement_id in {g.id for g in kb.guidelines}:
            document = kb.guideline(statement_id)
            console.print(_text(f"{document.name} ({document.id})", "bold"))
            console.print(
                _text(f"{document.organisation} {document.year}; scope: {document.scope}")
            )
            console.print(
                _text(f"[{document.status.value}] {kb.reference(document.ref).citation()}")
            )
            if document.note:
                console.print(_text(f"note: {document.note}"))
            console.print(
                _text(
                    "statements: "
                    + ", ".join(s.id for s in kb.statements_for(guideline=document.id))
                )
            )
            return
        _render_statement(kb, kb.statement(statement_id), console)


def _render_statement(kb: KnowledgeBase, statement: GuidelineStatement, console: Console) -> None:
    console.print(_text(f"{statement.topic} ({statement.id})", "bold"))
    console.print(
        _text(f"status: [{statement.status.value}]", _STATUS_STYLE[statement.status.value])
    )
    for guideline_id in statement.guidelines:
        document = kb.guideline(guideline_id)
        console.print(
            _text(f"guideline: {document.name} {{{document.ref}}} [{document.status.value}]")
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


# --------------------------------------------------------------------------- profiles


@evidence_app.command("profiles")
def list_profiles() -> None:
    """List eligibility, dosing and surgical-criteria profiles."""
    with _guard():
        kb = _kb()
        table = _table("Profiles", "id", "kind", "label", "default", "tag")
        for profile in kb.profiles:
            table.add_row(
                _text(profile.id),
                _text(profile.kind.value),
                _text(profile.label),
                _text("yes" if profile.default else ""),
                _status(profile.status),
            )
        _console().print(table)


@evidence_app.command("profile")
def show_profile(profile_id: Annotated[str, typer.Argument(help="Profile id.")]) -> None:
    """Show a profile: criteria, dose-modification rules or decision rules, each tagged."""
    with _guard():
        kb = _kb()
        _render_profile(kb.profile(profile_id), _console())


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


# --------------------------------------------------------------------------- references and search


@evidence_app.command("references")
def list_references() -> None:
    """List every reference with its citation."""
    with _guard():
        kb = _kb()
        table = _table("References", "key", "citation", "citation details")
        for reference in kb.references:
            table.add_row(
                _text(reference.key), _text(reference.citation()), _status(reference.status)
            )
        _console().print(table)


@evidence_app.command("reference")
def show_reference(
    key: Annotated[str, typer.Argument(help="Reference key, e.g. yao2011.")],
) -> None:
    """Show a reference and every fact that cites it."""
    with _guard():
        kb = _kb()
        reference = kb.reference(key)
        console = _console()
        console.print(_text(reference.citation(), "bold"))
        console.print(
            _text(f"kind: {reference.kind.value}; citation details [{reference.status.value}]")
        )
        if reference.url:
            console.print(_text(f"url: {reference.url}"))
        if reference.note:
            console.print(_text(f"note: {reference.note}"))
        citing = kb.citing(key)
        console.print(_text(f"cited by {len(citing)} fact(s):"))
        for path in citing:
            console.print(_text(f"  {path}"))


@evidence_app.command("search")
def search(text: Annotated[list[str], typer.Argument(help="Words that must all appear.")]) -> None:
    """Search ids, names, labels and notes of every item."""
    with _guard():
        kb = _kb()
        hits = kb.search(" ".join(text))
        console = _console()
        if not hits:
            console.print(_text(f"no match for {' '.join(text)!r}"))
            return
        table = _table(f"{len(hits)} match(es)", "kind", "id", "label", "matched")
        for hit in hits:
            table.add_row(_text(hit.kind), _text(hit.id), _text(hit.label), _text(hit.context))
        console.print(table)


@evidence_app.command("conflicts")
def list_conflicts() -> None:
    """List every figure on which sources disagree, with both values."""
    with _guard():
        kb = _kb()
        table = _table("Conflicts between sources", "item", "where", "values", "what disagrees")
        for record in kb.conflicts():
            table.add_row(
                _text(f"{record.kind} {record.item_id}"),
                _text(record.path),
                _quantity(record.quantity),
                _text(record.quantity.conflict or ""),
            )
        console = _console()
        console.print(table)
        _print_legend(console)


# --------------------------------------------------------------------------- cases and forest


@evidence_app.command("cases")
def show_cases(
    series: Annotated[str, typer.Option(help="Case-series id.")] = "umino2024_table1",
) -> None:
    """Print the published conversion-surgery cases and the summary computed from them."""
    with _guard():
        from netline.evidence.cases import case_rows, summarise_case_series

        kb = _kb()
        console = _console()
        model = kb.series(series)
        rows = case_rows(series, kb)
        table = _table(f"{model.label} ({model.table}) {{{model.ref}}}", *rows[0].keys())
        for row in rows:
            table.add_row(*(_text(v) for v in row.values()))
        console.print(table)
        summary = summarise_case_series(series, kb)
        excluded = ", ".join(map(str, summary.excluded)) or "none"
        counts = _table(
            f"Summary computed from the rows (cases not operated, excluded: {excluded})",
            "count",
            "computed",
            "stated in text",
            "agrees",
            "cases",
            "unknown cells (possible)",
            "how counted",
        )
        for count in summary.counts:
            counts.add_row(
                _text(count.label),
                _text(f"{count} of {count.denominator}"),
                _text("—" if count.stated is None else count.stated),
                _text("yes" if count.consistent else "NO", "" if count.consistent else "bold red"),
                _text(", ".join(map(str, count.certain)) or "—"),
                _text(", ".join(map(str, count.possible)) or "—"),
                _text(count.derivation),
            )
        console.print(counts)
        for value in summary.values:
            shown = ", ".join(f"{v:g}" for v in value.values) or "—"
            stated = "—" if value.stated is None else f"{value.stated:g}"
            agrees = "agrees" if value.consistent else "DISAGREES"
            cases = ", ".join(map(str, value.case_numbers))
            console.print(
                _text(f"{value.label}: {shown} months (case {cases}); stated {stated}: {agrees}")
            )
        for descriptive in summary.descriptives:
            console.print(_text(f"{descriptive.label}: {descriptive}"))
        console.print(
            _text(
                "A range (low–high) means unknown cells ('Not mentioned', '-') leave the count "
                "open: low counts certain cases, high adds the possible ones.",
                "dim",
            )
        )


@evidence_app.command("forest")
def forest(
    out: Annotated[Path, typer.Option("--out", help="Output file: .png, .svg or .html.")],
    include_mixed: Annotated[
        bool, typer.Option("--include-mixed", help="Add trials that pooled pNET with other sites.")
    ] = False,
    subgroups: Annotated[
        bool, typer.Option("--subgroups", help="Add the subgroups of the pNET trials.")
    ] = False,
) -> None:
    """Draw the forest plot of PFS hazard ratios in pNET trials (unverified ones marked)."""
    with _guard():
        from netline.evidence.forest import forest_rows, write_forest_plot

        rows = forest_rows(_kb(), include_mixed=include_mixed, include_subgroups=subgroups)
        written = write_forest_plot(out, rows)
        unverified = sum(not r.verified for r in rows)
        conflicts = sum(r.conflict for r in rows)
        typer.echo(
            f"wrote {written} ({len(rows)} hazard ratios; {unverified} not verified, "
            f"{conflicts} with conflicting sources)"
        )


@evidence_app.command("validate")
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="Knowledge-base directory (default: the bundled one).")
    ] = None,
) -> None:
    """Validate a knowledge base: schema and integrity rules, every problem listed."""
    with _guard():
        from netline.evidence import load_knowledge_base

        kb = load_knowledge_base(path)
        typer.echo(f"knowledge base OK: {kb!r}")


app.add_typer(evidence_app, name="evidence")
