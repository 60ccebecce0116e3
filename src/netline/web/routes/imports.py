"""The import page: case files, FHIR Bundles, REDCap exports and OMOP tables, in the background.

Each import calls the registry's reader as the command line does (``netline registry import``),
then :meth:`netline.registry.Registry.import_records`: a file with any invalid record is refused
whole and nothing is written. The job's page refreshes itself until the import has finished.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from netline.web.auth import check_csrf, context, page_user
from netline.web.jobs import Job
from netline.web.omop_import import UNAVAILABLE, omop_available, read_omop
from netline.web.patients import RegistryRepository
from netline.web.security.accounts import Role, Session

router = APIRouter()
#: Largest upload accepted by the import page (all files of one import together).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")
Reader = Callable[[Path], tuple[list[tuple[str, Any]], str]]


def _repository(request: Request) -> RegistryRepository:
    patients = context(request).patients
    if not isinstance(patients, RegistryRepository):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this app has no registry")
    return patients


def _page(request: Request, session: Session, code: int = 200, **values: Any) -> HTMLResponse:
    defaults: dict[str, Any] = {"job": None, "error": "", "omop_available": omop_available()}
    return context(request).templates.TemplateResponse(
        request, "import.html", {"session": session, **defaults, **values}, status_code=code
    )


async def _save(uploads: list[tuple[UploadFile, str, tuple[str, ...]]]) -> Path:
    """Write the uploads into a new private folder; refuse oversized or wrongly typed files."""
    folder = Path(tempfile.mkdtemp(prefix="netline-import-"))
    total = 0
    try:
        for upload, role, suffixes in uploads:
            name = _SAFE_NAME.sub("_", Path(upload.filename or "upload").name) or "upload"
            if Path(name).suffix.lower() not in suffixes:
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST, f"{role}: a {' or '.join(suffixes)} file"
                )
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
            total += len(data)
            if total > MAX_UPLOAD_BYTES:
                raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "files over 20 MiB")
            target = folder / role
            target.mkdir(exist_ok=True)
            (target / name).write_bytes(data)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _start(
    request: Request, session: Session, label: str, folder: Path, reader: Reader
) -> Response:
    ctx = context(request)
    repository = _repository(request)
    job = ctx.jobs.new("import", label, session.username)
    ctx.accounts.audit(session.username, "import", None, label)

    def work(job: Job) -> None:
        try:
            job.progress = "reading and validating the files"
            items, source = reader(folder)
            job.progress = f"importing {len(items)} record(s)"
            report = repository.import_records(items, source=source, who=session.username)
            job.report = report.render("text")
            job.progress = "finished"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    ctx.jobs.start(job, work, refused="nothing was imported")
    return RedirectResponse(f"/import/{job.id}", status.HTTP_303_SEE_OTHER)


def _read_case_or_fhir(folder: Path) -> tuple[list[tuple[str, Any]], str]:
    from netline.registry.fhir import read_bundles
    from netline.registry.importers.casefiles import read_case_files

    path = next((folder / "file").iterdir())
    if path.suffix.lower() == ".json" and '"Bundle"' in path.read_text(encoding="utf-8"):
        return read_bundles(path)
    return read_case_files(path, progress=False)


def _redcap_reader(default_mapping: Path | None) -> Reader:
    def read(folder: Path) -> tuple[list[tuple[str, Any]], str]:
        from netline.registry.redcap import read_redcap

        mapping = folder / "mapping"
        chosen = next(mapping.iterdir()) if mapping.is_dir() else default_mapping
        assert chosen is not None  # checked before the job starts
        dictionary = next((folder / "dictionary").iterdir())
        records = next((folder / "records").iterdir())
        return read_redcap(dictionary, records, chosen)

    return read


@router.get("/import", response_class=HTMLResponse, include_in_schema=False)
def import_form(request: Request) -> HTMLResponse:
    """Return the import forms (case files or FHIR Bundles; REDCap; OMOP)."""
    session = page_user(request, Role.CLINICIAN)
    return _page(request, session)


@router.post("/import", include_in_schema=False)
async def start_import(
    request: Request, file: UploadFile, csrf_token: Annotated[str, Form(max_length=128)]
) -> Response:
    """Start importing a case file or a FHIR Bundle in the background."""
    session = page_user(request, Role.CLINICIAN)
    check_csrf(session, csrf_token)
    _repository(request)
    folder = await _save([(file, "file", (".yaml", ".yml", ".json"))])
    label = next((folder / "file").iterdir()).name
    return _start(request, session, label, folder, _read_case_or_fhir)


@router.post("/import/redcap", include_in_schema=False)
async def start_redcap_import(
    request: Request,
    dictionary: UploadFile,
    records: UploadFile,
    csrf_token: Annotated[str, Form(max_length=128)],
    mapping: UploadFile | None = None,
) -> Response:
    """Start importing a REDCap records export (data dictionary, records, optional mapping)."""
    session = page_user(request, Role.CLINICIAN)
    check_csrf(session, csrf_token)
    _repository(request)
    default = context(request).settings.redcap_mapping
    given = mapping is not None and bool(mapping.filename)
    if not given and default is None:
        return _page(
            request,
            session,
            code=400,
            error="REDCap import needs a mapping file: this app has no default mapping.",
        )
    uploads: list[tuple[UploadFile, str, tuple[str, ...]]] = [
        (dictionary, "dictionary", (".csv",)),
        (records, "records", (".csv",)),
    ]
    if given and mapping is not None:
        uploads.append((mapping, "mapping", (".yaml", ".yml")))
    folder = await _save(uploads)
    label = f"REDCap {next((folder / 'records').iterdir()).name}"
    return _start(request, session, label, folder, _redcap_reader(None if given else default))


@router.post("/import/omop", include_in_schema=False)
async def start_omop_import(
    request: Request,
    tables: list[UploadFile],
    csrf_token: Annotated[str, Form(max_length=128)],
) -> Response:
    """Start importing OMOP CDM tables (CSV), where this installation has an OMOP importer."""
    session = page_user(request, Role.CLINICIAN)
    check_csrf(session, csrf_token)
    _repository(request)
    if not omop_available():
        return _page(request, session, code=status.HTTP_501_NOT_IMPLEMENTED, error=UNAVAILABLE)
    folder = await _save([(table, "tables", (".csv", ".parquet")) for table in tables])
    return _start(
        request,
        session,
        f"OMOP tables ({len(tables)} file(s))",
        folder,
        lambda folder: read_omop(folder / "tables"),
    )


@router.get("/import/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def import_status(request: Request, job_id: str) -> HTMLResponse:
    """Return the progress of an import (the page refreshes itself until it is finished)."""
    session = page_user(request, Role.CLINICIAN)
    job = context(request).jobs.get(job_id, "import")
    if job is None or (job.owner != session.username and not session.role.allows(Role.ADMIN)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such import")
    return _page(request, session, job=job)
