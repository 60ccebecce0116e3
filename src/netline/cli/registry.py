"""``netline registry``: create a registry store, import into it and export from it.

The lead registers this sub-app on the main application with::

    app.add_typer(registry_app, name="registry")
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

registry_app = typer.Typer(
    name="registry",
    help="A registry of NET courses: a DuckDB file with audited, all-or-nothing imports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

StorePath = Annotated[
    Path, typer.Argument(help="The registry file (DuckDB), e.g. registry.duckdb.")
]


@registry_app.command("init")
def init(store: StorePath) -> None:
    """Create a registry file (or check and migrate an existing one)."""
    from netline.registry import open_registry

    with open_registry(store) as registry:
        counts = registry.counts()
        typer.echo(
            f"{store}: netline registry, schema version {registry.schema_version}, "
            f"{counts['records']} patients"
        )


@registry_app.command("import")
def import_(
    store: StorePath,
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Case files (YAML/JSON), FHIR Bundles, or folders of them; a REDCap records "
            "CSV; or a folder of OMOP CDM tables."
        ),
    ],
    keep_valid: Annotated[
        bool,
        typer.Option(
            "--keep-valid",
            help="Import the valid records and list the others (default: refuse all).",
        ),
    ] = False,
    who: Annotated[str | None, typer.Option(help="Who imports (default: your user name).")] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="case (case files), fhir (FHIR R4 Bundles), redcap (a records CSV export) or "
            "omop (a folder of OMOP CDM v5.4 CSV or Parquet tables). A single folder holding "
            "person.csv or person.parquet is read as OMOP.",
        ),
    ] = "case",
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    dictionary: Annotated[
        Path | None, typer.Option(help="REDCap data dictionary (CSV), with --format redcap.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="REDCap mapping file (YAML), with --format redcap.")
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Show progress on stderr (default: on a terminal, for long imports).",
        ),
    ] = None,
) -> None:
    """Import records into the registry, all or nothing, with an audit of every change."""
    from netline.errors import InvalidInputError
    from netline.registry import open_registry

    if fmt not in ("case", "fhir", "redcap", "omop"):
        raise InvalidInputError.single("--format", fmt, "case, fhir, redcap or omop")
    if fmt == "case" and len(sources) == 1 and _is_omop_folder(sources[0]):
        fmt = "omop"
    with open_registry(store) as registry:
        if fmt == "omop":
            from netline.registry.omop_import import import_omop

            if len(sources) != 1:
                raise InvalidInputError.single(
                    "--format omop", [str(s) for s in sources], "one folder of OMOP tables"
                )
            report = import_omop(
                registry, sources[0], who=who, keep_valid=keep_valid, progress=progress
            )
        elif fmt == "redcap":
            from netline.registry.redcap import read_redcap

            if dictionary is None or mapping is None or len(sources) != 1:
                raise InvalidInputError.single(
                    "--format redcap",
                    [str(s) for s in sources],
                    "one records CSV, with --dictionary and --mapping",
                )
            items, source = read_redcap(dictionary, sources[0], mapping)
            report = registry.import_records(items, source=source, who=who, keep_valid=keep_valid)
        elif fmt == "case":
            report = registry.import_case_files(
                sources, who=who, keep_valid=keep_valid, progress=progress
            )
        else:
            from netline.registry.fhir import read_bundles

            items, source = read_bundles(sources, progress=progress)
            report = registry.import_records(items, source=source, who=who, keep_valid=keep_valid)
    typer.echo(report.render("json" if json_out else "text"))


def _is_omop_folder(path: Path) -> bool:
    return path.is_dir() and any(
        p.name.lower() in ("person.csv", "person.parquet") for p in path.iterdir()
    )


@registry_app.command("export")
def export(
    store: StorePath,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="case (netline case files), fhir (mCODE Bundles), omop, omop-parquet (CDM 5.4).",
        ),
    ] = "case",
    patient: Annotated[
        list[str] | None, typer.Option(help="Only this patient id (repeat for more).")
    ] = None,
) -> None:
    """Write the registry's records as case files or FHIR mCODE Bundles, one file per patient."""
    from netline.errors import InvalidInputError
    from netline.registry import open_registry

    if fmt not in ("case", "fhir", "omop", "omop-parquet"):
        raise InvalidInputError.single("--format", fmt, "case, fhir, omop or omop-parquet")
    if fmt.startswith("omop"):
        from netline.registry.omop import export_omop

        with open_registry(store) as registry:
            rows = export_omop(registry, out, "parquet" if fmt == "omop-parquet" else "csv")
        typer.echo(f"{out}: " + ", ".join(f"{name} {n}" for name, n in rows.items()))
        return
    with open_registry(store) as registry:
        records = registry.records(patient)
    if patient and len(records) != len(set(patient)):
        found = {r.patient.id for r in records}
        missing = [p for p in patient if p not in found]
        raise InvalidInputError.single("--patient", missing, "patient ids in the registry")
    out.mkdir(parents=True, exist_ok=True)
    for record in records:
        if fmt == "case":
            from netline.records import dump_case

            dump_case(record, out / f"{record.patient.id}.yaml")
        else:
            from netline.registry.fhir import write_bundle

            write_bundle(record, out / f"{record.patient.id}.json")
    typer.echo(f"{out}: {len(records)} patients written as {fmt}")
