"""The evidence browser: guideline statements and trials with their verification, and search."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from netline.evidence import KnowledgeBase, load_knowledge_base
from netline.web.auth import context, page_user

router = APIRouter()


@dataclass(frozen=True)
class EvidenceRow:
    """One line of the evidence browser."""

    kind: str
    id: str
    label: str
    detail: str
    status: str


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


def _rows(kb: KnowledgeBase) -> list[EvidenceRow]:
    rows = [
        EvidenceRow(
            "guideline statement",
            s.id,
            s.topic,
            ", ".join(s.guidelines),
            s.status.value,
        )
        for s in kb.statements
    ]
    rows += [
        EvidenceRow("trial", t.id, t.name, f"{t.design.value.replace('_', ' ')}", t.status.value)
        for t in kb.trials
    ]
    return rows


@router.get("/evidence", response_class=HTMLResponse, include_in_schema=False)
def evidence_page(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """Return the statements and trials, or the search hits for ``q``."""
    session = page_user(request)
    kb = _kb()
    hits = kb.search(q) if q else ()
    return context(request).templates.TemplateResponse(
        request,
        "evidence.html",
        {"session": session, "rows": _rows(kb), "hits": hits, "q": q},
    )
