"""``netline evidence``: list, show and search the evidence knowledge base.

Every number is printed with its verification tag (``[verified]``, ``[recalled]``,
``[uncertain]``) and any conflict between sources with both values. Unknown identifiers give a
message with suggestions and exit code 2 (the application's error boundary,
:mod:`netline.cli._app`); no traceback reaches the user. The views are in
:mod:`netline.cli._evidence_views`.

This module is imported when ``netline`` starts, so it imports nothing heavy at module level:
the knowledge base, pydantic, YAML, rich, matplotlib and plotly load inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app
from netline.cli._evidence_views import (
    _console,
    _kb,
    _print_legend,
    _quantity,
    _render_profile,
    _render_statement,
    _render_therapy,
    _render_trial,
    _status,
    _table,
    _text,
)

evidence_app = typer.Typer(
    name="evidence",
    help=(
        "The evidence knowledge base: therapies, trials, guideline statements, eligibility "
        "profiles, published cases and references, each number with its verification tag."
    ),
    no_args_is_help=True,
)


@evidence_app.command("therapies")
def list_therapies(
    kind: Annotated[str | None, typer.Option(help="systemic, regimen or local.")] = None,
    agent_class: Annotated[
        str | None, typer.Option("--class", help="Mode-of-action class, e.g. tki.")
    ] = None,
) -> None:
    """List the therapies (agents, regimens, local therapies)."""
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
    kb = _kb()
    _render_therapy(kb, kb.therapy(therapy_id), _console())


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
    kb = _kb()
    _render_trial(kb, kb.trial(trial_id), _console())


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
            _text(", ".join(statement.guidelines) or "trial: " + ", ".join(statement.basis_trials)),
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
    kb = _kb()
    console = _console()
    if statement_id in {g.id for g in kb.guidelines}:
        document = kb.guideline(statement_id)
        console.print(_text(f"{document.name} ({document.id})", "bold"))
        console.print(_text(f"{document.organisation} {document.year}; scope: {document.scope}"))
        console.print(_text(f"[{document.status.value}] {kb.reference(document.ref).citation()}"))
        if document.note:
            console.print(_text(f"note: {document.note}"))
        console.print(
            _text(
                "statements: " + ", ".join(s.id for s in kb.statements_for(guideline=document.id))
            )
        )
        return
    _render_statement(kb, kb.statement(statement_id), console)


@evidence_app.command("profiles")
def list_profiles() -> None:
    """List eligibility, dosing and surgical-criteria profiles."""
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
    kb = _kb()
    _render_profile(kb.profile(profile_id), _console())


@evidence_app.command("references")
def list_references() -> None:
    """List every reference with its citation."""
    kb = _kb()
    table = _table("References", "key", "citation", "citation details")
    for reference in kb.references:
        table.add_row(_text(reference.key), _text(reference.citation()), _status(reference.status))
    _console().print(table)


@evidence_app.command("reference")
def show_reference(
    key: Annotated[str, typer.Argument(help="Reference key, e.g. yao2011.")],
) -> None:
    """Show a reference and every fact that cites it."""
    kb = _kb()
    reference = kb.reference(key)
    console = _console()
    console.print(_text(reference.citation(), "bold"))
    console.print(
        _text(f"kind: {reference.kind.value}; citation details [{reference.status.value}]")
    )
    console.print(_text(f"published: {reference.published_text()}"))
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


@evidence_app.command("cases")
def show_cases(
    series: Annotated[str, typer.Option(help="Case-series id.")] = "umino2024_table1",
) -> None:
    """Print the published conversion-surgery cases and the summary computed from them."""
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
    from netline._atomic import atomic_path, check_output_file

    check_output_file(out, suffixes=(".png", ".svg", ".html"))
    from netline.evidence.forest import forest_rows, write_forest_plot

    rows = forest_rows(_kb(), include_mixed=include_mixed, include_subgroups=subgroups)
    with atomic_path(out) as temporary:
        write_forest_plot(temporary, rows)
    unverified = sum(not r.verified for r in rows)
    conflicts = sum(r.conflict for r in rows)
    typer.echo(
        f"wrote {out} ({len(rows)} hazard ratios; {unverified} not verified, "
        f"{conflicts} with conflicting sources)"
    )


@evidence_app.command("validate")
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="Knowledge-base directory (default: the bundled one).")
    ] = None,
) -> None:
    """Validate a knowledge base: schema and integrity rules, every problem listed."""
    from netline.evidence import load_knowledge_base

    kb = load_knowledge_base(path)
    typer.echo(f"knowledge base OK: {kb!r}")


app.add_typer(evidence_app, name="evidence")
