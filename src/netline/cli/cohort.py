"""``netline cohort``: Table 1, Kaplan-Meier, Cox, pathways and swimmer plots of a cohort.

The lead registers this sub-app on the main application with::

    app.add_typer(cohort_app, name="cohort")

Selection options come before the command::

    netline cohort --registry reg.duckdb --grade "NET G2" km --endpoint pfs --by class --out km.png
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from netline.registry._progress import steps

if TYPE_CHECKING:
    from netline.registry import Cohort

cohort_app = typer.Typer(
    name="cohort",
    help=(
        "Analytics of a registry cohort: Table 1, Kaplan-Meier, Cox, treatment pathways, "
        "swimmer plots."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_FORMATS = ("text", "markdown", "html", "json")


@dataclass
class _Selection:
    registry: Path | None
    demo: int | None
    criteria: dict[str, Any]
    progress: bool | None = None

    def cohort(self) -> Cohort:
        from netline.errors import InvalidInputError
        from netline.registry import load_demo_registry, select_cohort

        if self.registry is None and self.demo is None:
            raise InvalidInputError.single(
                "--registry", None, "a registry file (or --demo N for the demo registry)"
            )
        if self.registry is not None and not self.registry.exists():
            raise InvalidInputError.single(
                "--registry", str(self.registry), "an existing registry (netline registry init)"
            )
        source: Any = (
            self.registry if self.registry is not None else load_demo_registry(self.demo or 200)
        )
        return select_cohort(source, **self.criteria)


def _date(name: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        from netline.errors import InvalidInputError

        raise InvalidInputError.single(name, value, "a date YYYY-MM-DD") from None


@cohort_app.callback()
def select(
    ctx: typer.Context,
    registry: Annotated[Path | None, typer.Option(help="The registry file.")] = None,
    demo: Annotated[
        int | None, typer.Option(help="Use the synthetic demo registry of N patients instead.")
    ] = None,
    site: Annotated[list[str] | None, typer.Option(help="Primary site (repeat for more).")] = None,
    grade: Annotated[list[str] | None, typer.Option(help='WHO grade, e.g. "NET G2".')] = None,
    ki67_min: Annotated[float | None, typer.Option(help="Lowest Ki-67 index, %.")] = None,
    ki67_max: Annotated[float | None, typer.Option(help="Highest Ki-67 index, %.")] = None,
    stage: Annotated[
        list[str] | None, typer.Option(help="AJCC 8 stage group at diagnosis.")
    ] = None,
    functioning: Annotated[
        bool | None, typer.Option("--functioning/--non-functioning", help="Functioning status.")
    ] = None,
    line: Annotated[
        int | None, typer.Option(help="Line number (with --agent/--agent-class).")
    ] = None,
    agent: Annotated[str | None, typer.Option(help="An agent given (in --line).")] = None,
    agent_class: Annotated[
        str | None, typer.Option(help="An agent class given (in --line).")
    ] = None,
    sequence: Annotated[
        str | None,
        typer.Option(help='First lines by class, comma-separated, e.g. "ssa,radioligand".'),
    ] = None,
    diagnosed_from: Annotated[
        str | None, typer.Option(help="Diagnosed on or after (YYYY-MM-DD).")
    ] = None,
    diagnosed_to: Annotated[
        str | None, typer.Option(help="Diagnosed on or before (YYYY-MM-DD).")
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Show the steps' progress on stderr (default: on a terminal).",
        ),
    ] = None,
) -> None:
    """Select the cohort (options before the command)."""
    criteria: dict[str, Any] = {
        "site": site or None,
        "grade": grade or None,
        "ki67": None if ki67_min is None and ki67_max is None else (ki67_min, ki67_max),
        "stage": stage or None,
        "functioning": functioning,
        "line": line,
        "agent": agent,
        "agent_class": agent_class,
        "sequence": None if sequence is None else [s.strip() for s in sequence.split(",")],
        "diagnosed_from": _date("--diagnosed-from", diagnosed_from),
        "diagnosed_to": _date("--diagnosed-to", diagnosed_to),
    }
    chosen = {k: v for k, v in criteria.items() if v is not None}
    ctx.obj = _Selection(registry, demo, chosen, progress)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"{out}: written")


def _check_format(fmt: str) -> None:
    if fmt not in _FORMATS:
        from netline.errors import InvalidInputError

        raise InvalidInputError.single("--format", fmt, "one of " + ", ".join(_FORMATS))


@cohort_app.command()
def table1(
    ctx: typer.Context,
    by: Annotated[
        str | None, typer.Option(help="Stratify by: grade, site, first_line_class, ...")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, markdown, html or json.")] = "text",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to a file.")] = None,
) -> None:
    """Table 1 of the cohort, with missing values counted."""
    from netline.registry import table1 as describe

    _check_format(fmt)
    with steps(2, "Table 1", ctx.obj.progress) as begin:
        begin("selecting the cohort")
        cohort = ctx.obj.cohort()
        begin("describing it")
        text = describe(cohort, by=by).render(fmt)
    _emit(text, out)


@cohort_app.command()
def km(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Option(help="os, pfs, ttnt or pfs2_ema (EMA PFS2).")] = "pfs",
    line: Annotated[int, typer.Option(help="The line (0: OS from diagnosis).")] = 1,
    by: Annotated[
        str | None, typer.Option(help="class, regimen, sequence or a patient fact.")
    ] = "class",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Figure (.png, .svg, .pdf).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, markdown, html or json.")] = "text",
) -> None:
    """Kaplan-Meier curves, log-rank test and numbers at risk (default: PFS by first-line class)."""
    from netline.registry import kaplan_meier

    _check_format(fmt)
    with steps(3 if out else 2, "Kaplan-Meier", ctx.obj.progress) as begin:
        begin("selecting the cohort")
        cohort = ctx.obj.cohort()
        begin("fitting the curves and the log-rank test")
        result = kaplan_meier(cohort, endpoint, line or None, by=by)  # type: ignore[arg-type]
        if out is not None:
            begin("drawing the figure")
            result.plot(out)
    typer.echo(result.render(fmt))
    if out is not None:
        typer.echo(f"{out}: written")


@cohort_app.command()
def cox(
    ctx: typer.Context,
    covariates: Annotated[
        str,
        typer.Option(
            help="Comma-separated, e.g. line,prior_ssa,prior_radioligand,age_at_diagnosis."
        ),
    ] = "line,prior_ssa,prior_radioligand",
    endpoint: Annotated[str, typer.Option(help="pfs, ttnt or os (per line).")] = "pfs",
    first_line: Annotated[int, typer.Option(help="First line included.")] = 1,
    last_line: Annotated[int | None, typer.Option(help="Last line included.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, markdown, html or json.")] = "text",
) -> None:
    """Cox proportional-hazards model with a proportional-hazards check."""
    from netline.registry import cox as fit

    _check_format(fmt)
    names = [c.strip() for c in covariates.split(",") if c.strip()]
    with steps(2, "Cox model", ctx.obj.progress) as begin:
        begin("selecting the cohort")
        cohort = ctx.obj.cohort()
        begin("fitting the model and checking proportional hazards")
        result = fit(cohort, names, endpoint, (first_line, last_line))  # type: ignore[arg-type]
    typer.echo(result.render(fmt))


@cohort_app.command()
def pathways(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(help="class or regimen.")] = "class",
    depth: Annotated[int, typer.Option(help="Lines followed.")] = 3,
    suppress_below: Annotated[int, typer.Option(help="Suppress counts below this.")] = 5,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Figure (.html).")] = None,
    kind: Annotated[str, typer.Option(help="sankey or sunburst.")] = "sankey",
    fmt: Annotated[str, typer.Option("--format", help="text, markdown, html or json.")] = "text",
) -> None:
    """Treatment sequences with numerators, denominators and small-cell suppression."""
    from netline.errors import InvalidInputError
    from netline.registry import pathways as count

    _check_format(fmt)
    if kind not in ("sankey", "sunburst"):
        raise InvalidInputError.single("--kind", kind, "sankey or sunburst")
    with steps(3 if out else 2, "Pathways", ctx.obj.progress) as begin:
        begin("selecting the cohort")
        cohort = ctx.obj.cohort()
        begin("counting the sequences")
        result = count(cohort, by=by, depth=depth, suppress_below=suppress_below)  # type: ignore[arg-type]
        if out is not None:
            begin("drawing the figure")
            result.save(out, kind)  # type: ignore[arg-type]
    typer.echo(result.render(fmt))
    if out is not None:
        typer.echo(f"{out}: written")


@cohort_app.command()
def swimmer(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Figure (.png, .svg, .pdf).")],
    patient: Annotated[
        list[str] | None, typer.Option(help="A patient to show (repeat for more).")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="Without --patient: the first N treated patients by id.")
    ] = 30,
) -> None:
    """Swimmer plot: one lane per patient, one bar per line, progression and death marked."""
    from netline.registry import swimmer as draw

    with steps(2, "Swimmer plot", ctx.obj.progress) as begin:
        begin("selecting the cohort")
        cohort = ctx.obj.cohort()
        begin("drawing the figure")
        plot = draw(cohort, patient or None, limit, out)
    typer.echo(plot.describe())
    typer.echo(f"{out}: written")
