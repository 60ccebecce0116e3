"""The app's caches: a cached answer is one the services would give now, under concurrency too.

The patient page caches its view per (patient, record version), the CDS service its cards per
prefetch content; both must never serve an answer for data other than the data asked about.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from netline.records import CaseRecord
from netline.registry import open_registry
from netline.web import views
from netline.web.app import create_app
from netline.web.cds import service
from netline.web.cds.service import CardCache
from netline.web.patients import PatientRow, RegistryRepository
from netline.web.routes.pages import patient_view_of
from netline.web.settings import WebSettings
from netline.web.views import PatientView, ViewCache


class RacingRepository:
    """A patient store where a save lands between the page's reads (as from another thread)."""

    def __init__(self, old: CaseRecord, new: CaseRecord) -> None:
        self.current, self.new, self.changes = old, new, 0
        self.write_pending = True

    def rows(self) -> list[PatientRow]:
        return []

    def get(self, patient_id: str) -> CaseRecord:
        record = self.current
        if self.write_pending:  # another request saves the patient right after this read
            self.write_pending = False
            self.current, self.changes = self.new, self.changes + 1
        return record

    def save(self, record: CaseRecord, who: str) -> None:
        self.current, self.changes = record, self.changes + 1

    def version(self, patient_id: str) -> str:
        return str(self.changes)


def _request(app: Any) -> Request:
    return Request({"type": "http", "app": app, "headers": [], "query_string": b""})


def test_a_save_between_the_page_reads_never_leaves_a_stale_view(
    tmp_path: Path, seed_record: CaseRecord
) -> None:
    # Defect: the page read the record, then its version, and cached the view under that
    # version; a save in between cached the old record's view under the new version, shown
    # until the next change. Reading the version first makes the key never newer than the view.
    changed = seed_record.model_copy(update={"source": "changed by a clinician"})
    repository = RacingRepository(seed_record, changed)
    settings = WebSettings(registry=tmp_path / "r.duckdb", accounts=tmp_path / "w.duckdb")
    app = create_app(settings, repository)
    patient_id = seed_record.patient.id
    patient_view_of(_request(app), patient_id)  # the read during which the save lands
    assert patient_view_of(_request(app), patient_id).record.source == "changed by a clinician"
    app.state.netline.accounts.close()


class SlowPopDict(dict[Any, Any]):
    """A dict whose ``pop`` lets other threads run first (widens a race window to 1 ms)."""

    def pop(self, key: Any, *default: Any) -> Any:
        time.sleep(0.001)
        return super().pop(key, *default)


def test_view_cache_evicts_safely_under_concurrent_requests(
    monkeypatch: pytest.MonkeyPatch, seed_record: CaseRecord
) -> None:
    # Defect: two requests filling a full cache at once both evicted the same oldest entry;
    # the second ``pop`` raised KeyError (a 500 for that page).
    built: list[str] = []

    def fake_view(record: CaseRecord) -> PatientView:
        built.append(record.patient.id)
        return PatientView(seed_record, "", [], [], "", "", "{}")

    monkeypatch.setattr(views, "patient_view", fake_view)
    cache = ViewCache(size=2)
    cache._views = SlowPopDict()
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def fill(worker: int) -> None:
        start.wait()
        try:
            for step in range(10):
                cache.get((f"p{worker}-{step}", "1"), lambda: seed_record)
        except BaseException as error:  # any failure is the finding
            failures.append(error)

    threads = [threading.Thread(target=fill, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(built) == 4 * 10


def test_concurrent_first_views_of_one_patient_build_it_once(
    monkeypatch: pytest.MonkeyPatch, seed_record: CaseRecord
) -> None:
    # Ten clinicians opening the same new patient at the tumour board wait for one build.
    release = threading.Event()
    built: list[str] = []

    def slow_view(record: CaseRecord) -> PatientView:
        built.append(record.patient.id)
        release.wait(5)
        return PatientView(record, "", [], [], "", "", "{}")

    monkeypatch.setattr(views, "patient_view", slow_view)
    cache = ViewCache()
    seen: list[PatientView] = []
    threads = [
        threading.Thread(target=lambda: seen.append(cache.get(("p", "1"), lambda: seed_record)))
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # every request arrives while the first build is still running
    release.set()
    for thread in threads:
        thread.join()
    assert built == [seed_record.patient.id]
    assert len(seen) == 10
    assert all(view is seen[0] for view in seen)


def test_a_failed_build_is_not_cached_and_waiters_retry(
    monkeypatch: pytest.MonkeyPatch, seed_record: CaseRecord
) -> None:
    calls: list[int] = []

    def flaky_view(record: CaseRecord) -> PatientView:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("service failed")
        return PatientView(record, "", [], [], "", "", "{}")

    monkeypatch.setattr(views, "patient_view", flaky_view)
    cache = ViewCache()
    with pytest.raises(RuntimeError):
        cache.get(("p", "1"), lambda: seed_record)
    assert cache.get(("p", "1"), lambda: seed_record).record is seed_record
    assert len(calls) == 2


def test_card_cache_key_covers_the_knowledge_base_and_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Cards depend on the prefetch, the knowledge base and netline's rules: a new knowledge
    # base or a new netline must never be answered from cards made with the old one.
    prefetch = {"patient": {"resourceType": "Patient", "id": "1"}}
    same = CardCache.key(prefetch)
    assert CardCache.key({"patient": {"id": "1", "resourceType": "Patient"}}) == same
    assert CardCache.key({"patient": {"resourceType": "Patient", "id": "2"}}) != same
    monkeypatch.setattr(service, "content_version", lambda: "kb 9.9 / netline 9.9")
    assert CardCache.key(prefetch) != same


def test_card_cache_gives_each_answer_its_own_card_ids() -> None:
    cache = CardCache(size=1)
    built: list[int] = []

    def build() -> tuple[str, dict[str, Any]]:
        built.append(1)
        return "p", {"cards": [{"uuid": "x", "summary": "s"}]}

    first = cache.get("k", build)[1]
    second = cache.get("k", build)[1]
    assert len(built) == 1
    assert first["cards"][0]["uuid"] != second["cards"][0]["uuid"]
    first["cards"][0]["summary"] = "edited by a caller"
    assert cache.get("k", build)[1]["cards"][0]["summary"] == "s"


def test_the_record_version_changes_with_every_write_through_the_repository(
    tmp_path: Path, seed_record: CaseRecord
) -> None:
    # The version is remembered between writes; a save and an import (the import page's path)
    # must each give a new one, else the page would show the view of the older record.
    repository = RegistryRepository(open_registry(tmp_path / "registry.duckdb"))
    patient_id = seed_record.patient.id
    assert repository.version(patient_id) == "0"
    repository.save(seed_record, "test")
    first = repository.version(patient_id)
    assert first != "0"
    changed = seed_record.model_copy(update={"source": "imported again"})
    repository.import_records([("import", changed)], source="test import", who="test")
    second = repository.version(patient_id)
    assert second != first
    repository.save(seed_record, "test")
    assert repository.version(patient_id) not in {first, second}
    repository.registry.close()
