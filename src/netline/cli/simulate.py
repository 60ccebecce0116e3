"""``netline simulate`` (run a sequence model) and ``netline calibrate`` (its report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netline.cli._app import app, user_errors


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
    with user_errors():
        from netline.errors import InvalidInputError
        from netline.simulation import simulate as run_simulation

        if by not in ("os", "qaly", "nmb", "cost", "tot"):
            raise InvalidInputError.single("--by", by, "os, qaly, nmb, cost or tot")
        formats = tuple(f.strip() for f in fmt.split(",") if f.strip())
        for f in formats:
            if f not in ("csv", "parquet"):
                raise InvalidInputError.single("--format", f, "csv or parquet")
        if (figures or html) and out is None:
            raise InvalidInputError.single("--out", None, "a directory for the figures")
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
        table = result.sequences_table(by=by, wtp=wtp)  # type: ignore[arg-type]
        key = {"os": "os_mean", "qaly": "qaly", "cost": "cost", "tot": "time_on_treatment"}
        sort_col = f"p_best_{by}" if by == "nmb" else key[by]
        ascending = by == "cost"
        shown = table.sort_values(sort_col, ascending=ascending).head(top)
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
        if out is not None:
            written = result.write(out, formats)
            if figures:
                from netline.simulation.plots import plot_rank_heatmap, plot_survival

                written.append(plot_survival(result, out / "os_curves.png", top=min(top, 8)))
                written.append(plot_rank_heatmap(result, out / "rank_heatmap.png", by=by, wtp=wtp))  # type: ignore[arg-type]
            if html:
                from netline.simulation.plots import survival_html

                written.append(survival_html(result, out / "os_curves.html", top=min(top, 8)))
            typer.echo(f"wrote {len(written)} files to {out}")


@app.command()
def calibrate(
    out: Annotated[Path, typer.Option(help="Markdown report to write.")] = Path(
        "calibration-report.md"
    ),
    patients: Annotated[int, typer.Option(help="Simulated patients per trial arm.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2026,
) -> None:
    """Check the simulator against the trials its parameters came from, and predict SEQTOR."""
    with user_errors():
        from netline.simulation.calibration import run_calibration

        report = run_calibration(patients=patients, seed=seed)
        out.write_text(report.markdown(), encoding="utf-8")
        typer.echo(report.summary())
        typer.echo(f"wrote {out}")
