"""``netline simulate`` (run a sequence model) and ``netline calibrate`` (its report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from netline.cli._app import app


@app.command()
def simulate(
    model: Annotated[Path, typer.Argument(help="Model file (YAML; docs/simulate.md).")],
    patients: Annotated[int | None, typer.Option(help="Patients per PSA draw.")] = None,
    draws: Annotated[int | None, typer.Option(help="PSA draws.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    antithetic: Annotated[
        bool | None, typer.Option("--antithetic/--no-antithetic", help="Antithetic variates.")
    ] = None,
    deterministic: Annotated[
        bool, typer.Option("--deterministic", help="No PSA: every parameter at its point value.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="Directory for tables (and figures with --figures).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Table formats, comma-separated: csv, parquet.")
    ] = "csv",
    figures: Annotated[bool, typer.Option(help="Also write PNG figures into --out.")] = False,
    html: Annotated[
        bool, typer.Option(help="Also write interactive HTML curves into --out.")
    ] = False,
    by: Annotated[str, typer.Option(help="Rank sequences by os, qaly, nmb or cost.")] = "os",
    wtp: Annotated[
        float | None, typer.Option(help="Willingness to pay per QALY (for nmb).")
    ] = None,
    top: Annotated[int, typer.Option(help="Sequences shown in the summary.")] = 10,
    workers: Annotated[int, typer.Option(help="Threads.")] = 1,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: tty).")
    ] = None,
) -> None:
    """Simulate every sequence of a model and summarise OS, PFS per line, QALYs and costs."""
    _check_options(patients, draws, seed, workers, top, by, wtp)
    formats = _formats(fmt)
    from netline._atomic import atomic_folder, check_output_folder
    from netline.errors import InvalidInputError

    if (figures or html) and out is None:
        raise InvalidInputError.single("--out", None, "a folder for the figures")
    if out is not None:
        check_output_folder(out)
    from netline.simulation import simulate as run_simulation

    result = run_simulation(
        model,
        patients=patients,
        draws=draws,
        seed=seed,
        antithetic=antithetic,
        psa=False if deterministic else None,
        workers=workers,
        progress=progress,
    )
    _print_summary(result, by, wtp, top)
    if out is None:
        return
    with atomic_folder(out) as staging:
        written = result.write(staging, formats)
        if figures:
            from netline.simulation.plots import plot_rank_heatmap, plot_survival

            written.append(plot_survival(result, staging / "os_curves.png", top=min(top, 8)))
            written.append(plot_rank_heatmap(result, staging / "rank_heatmap.png", by=by, wtp=wtp))  # type: ignore[arg-type]
        if html:
            from netline.simulation.plots import survival_html

            written.append(survival_html(result, staging / "os_curves.html", top=min(top, 8)))
    typer.echo(f"wrote {len(written)} files to {out}")


_METRICS = ("os", "qaly", "nmb", "cost", "tot")


def _check_options(
    patients: int | None,
    draws: int | None,
    seed: int | None,
    workers: int,
    top: int,
    by: str,
    wtp: float | None,
) -> None:
    """Refuse option values before any work, every problem at once."""
    import math

    from netline.errors import InvalidInputError, Problem

    problems: list[Problem] = []
    for name, value in (("--patients", patients), ("--draws", draws)):
        if value is not None and value < 1:
            problems.append(Problem(name, value, "a whole number of at least 1"))
    if seed is not None and seed < 0:
        problems.append(Problem("--seed", seed, "a whole number of at least 0"))
    for name, value in (("--workers", workers), ("--top", top)):
        if value < 1:
            problems.append(Problem(name, value, "a whole number of at least 1"))
    if by not in _METRICS:
        problems.append(Problem("--by", by, "os, qaly, nmb, cost or tot"))
    if wtp is not None and not (math.isfinite(wtp) and wtp >= 0):
        problems.append(Problem("--wtp", wtp, "a finite amount of at least 0 per QALY"))
    if by == "nmb" and wtp is None:
        problems.append(Problem("--wtp", None, "a willingness to pay per QALY with --by nmb"))
    if problems:
        raise InvalidInputError(problems)


def _formats(fmt: str) -> tuple[str, ...]:
    from netline.errors import InvalidInputError

    formats = tuple(f.strip() for f in fmt.split(",") if f.strip())
    if not formats:
        raise InvalidInputError.single("--format", fmt, "csv, parquet or both (comma-separated)")
    for f in formats:
        if f not in ("csv", "parquet"):
            raise InvalidInputError.single("--format", f, "csv or parquet")
    return formats


def _print_summary(result: Any, by: str, wtp: float | None, top: int) -> None:
    table = result.sequences_table(by=by, wtp=wtp)
    key = {"os": "os_mean", "qaly": "qaly", "cost": "cost", "tot": "time_on_treatment"}
    sort_col = f"p_best_{by}" if by == "nmb" else key[by]
    shown = table.sort_values(sort_col, ascending=by == "cost").head(top)
    raw = result.raw
    typer.echo(
        f"{result.model_name}: {len(raw.sequences)} sequences x {raw.draws} draws x "
        f"{raw.patients_per_draw} patients in {raw.elapsed_s:.1f} s "
        f"({raw.trajectories / max(raw.elapsed_s, 1e-9):,.0f} trajectories/s)"
    )
    typer.echo("Mean over PSA draws [95 % PSA interval]; months unless stated.")
    for _, row in shown.iterrows():
        parts = [
            f"OS mean {row.os_mean:6.1f} [{row.os_mean_lo:.1f}, {row.os_mean_hi:.1f}]",
            f"median {row.os_median:6.1f}",
        ]
        if "qaly" in row:
            parts.append(f"QALY {row.qaly:.2f} [{row.qaly_lo:.2f}, {row.qaly_hi:.2f}]")
        if "cost" in row:
            parts.append(f"cost {row.cost:,.0f}")
        if f"p_best_{by}" in row:
            parts.append(f"P(best {by}) {row[f'p_best_{by}']:.2f}")
        typer.echo(f"  {row.sequence}\n      " + "; ".join(parts))


@app.command()
def calibrate(
    out: Annotated[Path, typer.Option(help="Markdown report to write.")] = Path(
        "calibration-report.md"
    ),
    patients: Annotated[int, typer.Option(help="Simulated patients per trial arm.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2026,
) -> None:
    """Check the simulator against the trials its parameters came from, and predict SEQTOR."""
    from netline._atomic import check_output_file, write_text_atomic
    from netline.errors import InvalidInputError

    if patients < 1:
        raise InvalidInputError.single("--patients", patients, "a whole number of at least 1")
    if seed < 0:
        raise InvalidInputError.single("--seed", seed, "a whole number of at least 0")
    check_output_file(out, suffixes=(".md",))
    from netline.simulation.calibration import run_calibration

    report = run_calibration(patients=patients, seed=seed)
    write_text_atomic(out, report.markdown())
    typer.echo(report.summary())
    typer.echo(f"wrote {out}")
