"""Audit rows of concurrent requests committed together, none lost, none before its request."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from netline.web.security.accounts import AccountStore
from netline.web.security.group_commit import GroupCommit


def test_every_row_is_written_once_and_before_its_call_returns(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "web.duckdb")
    late: list[str] = []
    start = threading.Barrier(8)

    def reader(worker: int) -> None:
        start.wait()
        for step in range(25):
            detail = f"w{worker}-{step}"
            store.audit("viewer", "read_patient", "p1", detail)
            if detail not in {entry.detail for entry in store.audit_log(limit=1000)}:
                late.append(detail)

    threads = [threading.Thread(target=reader, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    details = [entry.detail for entry in store.audit_log(limit=1000)]
    assert late == []
    assert sorted(details) == sorted(f"w{w}-{s}" for w in range(8) for s in range(25))
    store.close()


def test_rows_of_one_caller_keep_their_order(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "web.duckdb")
    for step in range(5):
        store.audit("admin", "read_audit", None, str(step))
    assert [entry.detail for entry in store.audit_log()] == ["4", "3", "2", "1", "0"]
    store.close()


def test_a_failed_batch_fails_every_call_in_it_and_later_calls_go_on() -> None:
    written: list[int] = []
    entered, release = threading.Event(), threading.Event()
    calls = 0

    def write(rows: Sequence[int]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # the first batch waits until the others have queued, then fails
            entered.set()
            release.wait(5)
            raise OSError("disk full")
        if calls == 2:
            raise OSError("still full")
        written.extend(rows)

    commit: GroupCommit[int] = GroupCommit(write)
    outcomes: dict[int, str] = {}

    def add(row: int) -> None:
        try:
            commit.add(row)
            outcomes[row] = "written"
        except OSError as error:
            outcomes[row] = str(error)

    first = threading.Thread(target=add, args=(0,))
    first.start()
    entered.wait(5)
    queued = [threading.Thread(target=add, args=(row,)) for row in (1, 2, 3)]
    for thread in queued:
        thread.start()
    deadline = time.monotonic() + 5
    while commit._queued < 4 and time.monotonic() < deadline:  # all three wait behind batch 1
        time.sleep(0.001)
    release.set()
    for thread in [first, *queued]:
        thread.join()
    commit.add(4)
    assert outcomes == {0: "disk full", 1: "still full", 2: "still full", 3: "still full"}
    assert written == [4]


def test_the_error_is_raised_to_a_lone_caller() -> None:
    def fail(rows: Sequence[str]) -> None:
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError, match="no database"):
        GroupCommit(fail).add("row")


def test_a_batch_over_one_statement_is_written_whole(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "web.duckdb")
    rows = [(f"2026-01-01 00:00:{i % 60:02d}", "u", "read", "p", str(i)) for i in range(450)]
    store._insert_audit(rows)
    assert len(store.audit_log(limit=1000)) == 450
    with pytest.raises(duckdb.Error):
        store._insert_audit([*rows[:250], ("not a time", "u", "a", None, "bad")])
    assert len(store.audit_log(limit=1000)) == 450  # nothing of the failed batch kept
    store.close()
