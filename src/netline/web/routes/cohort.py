"""The cohort dashboard and the import page, over the registry the app runs on.

Both call :mod:`netline.registry` as the command line does (``netline cohort``, ``netline
registry import``); imports run in a background thread and the page shows their progress.
"""

from __future__ import annotations

import base64
import io
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from netline.errors import NetlineError
from netline.web.auth import check_csrf, context, page_user
from netline.web.patients import RegistryRepository
from netline.web.security.accounts import Role

router = APIRouter()
#: Largest upload accepted by the import page.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _repository(request: Request) -> RegistryRepository:
    patients = context(request).patients
    if not isinstance(patients, RegistryRepository):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this app has no registry")
    return patients


@dataclass
class ImportJob:
    """One background import: its state, a progress line, and the report when done."""

    id: str
    filename: str
    state: str = "queued"
    progress: str = "waiting to start"
    report: str = ""
    error: str = ""


@dataclass
class ImportJobs:
    """The imports of this app process."""

    jobs: dict[str, ImportJob] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_JOBS = ImportJobs()


def _run_import(job: ImportJob, repository: RegistryRepository, folder: Path, who: str) -> None:
    from netline.registry.fhir import read_bundles
    from netline.registry.importers.casefiles import read_case_files

    try:
        job.state, job.progress = "running", "reading and validating the file"
        path = next(folder.iterdir())
        if path.suffix.lower() == ".json" and '"Bundle"' in path.read_text(encoding="utf-8"):
            items, source = read_bundles(path)
        else:
            items, source = read_case_files(path, progress=False)
        job.progress = f"importing {len(items)} record(s)"
        with repository.lock:
            report = repository.registry.import_records(items, source=source, who=who)
        job.report = report.render("text")
        job.state, job.progress = "done", "finished"
    except NetlineError as error:
        job.state, job.error, job.progress = "refused", str(error), "nothing was imported"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.get("/import", response_class=HTMLResponse, include_in_schema=False)
def import_form(request: Request) -> HTMLResponse:
    """Return the import form (case files or FHIR Bundles)."""
    session = page_user(request, Role.CLINICIAN)
    return context(request).templates.TemplateResponse(
        request, "import.html", {"session": session, "job": None}
    )


@router.post("/import", include_in_schema=False)
async def start_import(
    request: Request,
    file: UploadFile,
    csrf_token: Annotated[str, Form(max_length=128)],
) -> Response:
    """Start an import in the background and show its progress page."""
    session = page_user(request, Role.CLINICIAN)
    check_csrf(session, csrf_token)
    repository = _repository(request)
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "file over 20 MiB")
    name = Path(file.filename or "upload.yaml").name
    if Path(name).suffix.lower() not in (".yaml", ".yml", ".json"):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "a .yaml, .yml or .json file")
    folder = Path(tempfile.mkdtemp(prefix="netline-import-"))
    (folder / name).write_bytes(data)
    job = ImportJob(uuid.uuid4().hex, name)
    with _JOBS.lock:
        _JOBS.jobs[job.id] = job
    context(request).accounts.audit(session.username, "import", None, name)
    threading.Thread(
        target=_run_import, args=(job, repository, folder, session.username), daemon=True
    ).start()
    return RedirectResponse(f"/import/{job.id}", status.HTTP_303_SEE_OTHER)


@router.get("/import/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def import_status(request: Request, job_id: str) -> HTMLResponse:
    """Return the progress of an import (the page refreshes itself until it is finished)."""
    session = page_user(request, Role.CLINICIAN)
    job = _JOBS.jobs.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such import")
    return context(request).templates.TemplateResponse(
        request, "import.html", {"session": session, "job": job}
    )


def _png(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


@router.get("/cohort", response_class=HTMLResponse, include_in_schema=False)
def cohort_page(
    request: Request,
    agent_class: Annotated[str, Query(max_length=40)] = "",
    grade: Annotated[str, Query(max_length=20)] = "",
    endpoint: Annotated[str, Query(pattern="^(pfs|os|ttnt)$")] = "pfs",
) -> HTMLResponse:
    """Return Table 1, Kaplan-Meier by first-line class and the treatment pathways."""
    from netline.registry import kaplan_meier, pathways, select_cohort, table1

    session = page_user(request)
    repository = _repository(request)
    values: dict[str, Any] = {"agent_class": agent_class, "grade": grade, "endpoint": endpoint}
    try:
        with repository.lock:
            cohort = select_cohort(
                repository.registry,
                agent_class=agent_class or None,
                grade=grade or None,
            )
        km = kaplan_meier(cohort, endpoint, 1, by="class")  # type: ignore[arg-type]
        values.update(
            table1=table1(cohort).render("html"),
            km_table=km.render("html"),
            km_png=_png(km.plot()),
            pathways=pathways(cohort).render("html"),
            error="",
        )
    except NetlineError as error:
        values.update(table1="", km_table="", km_png="", pathways="", error=str(error))
    context(request).accounts.audit(session.username, "read_cohort", None, str(values["grade"]))
    return context(request).templates.TemplateResponse(
        request, "cohort.html", {"session": session, **values}
    )
