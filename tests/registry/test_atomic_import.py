"""An import killed with SIGKILL at random points leaves the store exactly as before (or done)."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import duckdb

from netline.records import CaseRecord
from netline.registry import open_registry
from netline.registry._schema import TABLES

from .conftest import write_cases

KILLS = 20

# A "zygote" process loads netline and reads the case files once, then forks one child per
# import, so that each of the many killed imports starts at once and spends its time writing
# (reading files writes nothing; a fresh interpreter per kill would take seconds).
_ZYGOTE = textwrap.dedent(
    """
    import os, sys, time
    from netline.registry import store
    from netline.registry.importers.casefiles import read_case_files
    import netline.assessment, netline.course
    original = store.Registry._write
    def traced(self, *args, **kwargs):
        print("writing", flush=True)
        started = time.perf_counter()
        result = original(self, *args, **kwargs)
        print(f"written {time.perf_counter() - started:.6f}", flush=True)
        return result
    store.Registry._write = traced
    print("loaded", flush=True)
    parsed = {}
    for line in sys.stdin:
        path, folder = line.split()
        if folder not in parsed:  # the files are read once; each child writes them
            parsed[folder] = read_case_files(folder, progress=False)[0]
        pid = os.fork()
        if pid == 0:
            try:
                print(f"child {os.getpid()}", flush=True)
                with store.open_registry(path) as reg:
                    print("ready", flush=True)
                    reg.import_records(parsed[folder], source=folder, who="killed")
                print("done", flush=True)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        print(f"reaped {status}", flush=True)
    """
)


def _state(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, without the timestamps of the import."""
    con = duckdb.connect(str(path))
    try:
        out = {}
        for table in TABLES:
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                    "AND data_type <> 'TIMESTAMP'",
                    [table],
                ).fetchall()
            ]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


class _Zygote:
    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.wait_for("loaded")

    def wait_for(self, word: str) -> str:
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"zygote ended before {word!r}")
            if line.startswith(word):
                return line

    def start(self, store: Path, folder: Path) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{store} {folder}\n")
        self.process.stdin.flush()
        return int(self.wait_for("child").split()[1])

    def close(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()


def test_sigkilled_import_leaves_the_store_as_before(
    tmp_path: Path, synthetic_records: list[CaseRecord]
) -> None:
    pristine = tmp_path / "pristine.duckdb"
    with open_registry(pristine) as reg:
        reg.import_case_files(write_cases(tmp_path / "first", synthetic_records[:8]))
    # the killed import changes the 8 patients and adds 8 new ones
    changed = [
        CaseRecord.model_validate(r.model_dump() | {"source": "corrected export"})
        for r in synthetic_records[:8]
    ]
    folder = write_cases(tmp_path / "second", [*changed, *synthetic_records[8:16]])
    before = _state(pristine)

    zygote = _Zygote()
    try:
        # one full run: the state after a completed import and how long the write takes
        done_store = tmp_path / "done.duckdb"
        shutil.copy(pristine, done_store)
        zygote.start(done_store, folder)
        zygote.wait_for("writing")
        write_seconds = float(zygote.wait_for("written").split()[1])
        assert zygote.wait_for("reaped").split()[1] == "0"
        after = _state(done_store)
        assert after != before

        rng = random.Random(13)
        outcomes = {"before": 0, "after": 0}
        for i in range(KILLS):
            store = tmp_path / f"kill-{i}.duckdb"
            shutil.copy(pristine, store)
            pid = zygote.start(store, folder)
            # most kills land inside the write transaction, some while opening the store
            zygote.wait_for("ready" if i % 4 == 0 else "writing")
            time.sleep(rng.uniform(0, write_seconds * 1.2))
            with contextlib.suppress(ProcessLookupError):  # it may have finished already
                os.kill(pid, signal.SIGKILL)
            zygote.wait_for("reaped")
            state = _state(store)
            if state == before:
                outcomes["before"] += 1
            else:
                assert state == after, f"kill {i}: the store is neither as before nor imported"
                outcomes["after"] += 1
            with open_registry(store) as reg:  # and it opens and reads as a registry
                assert reg.counts()["records"] in (8, 16)
            store.unlink()
    finally:
        zygote.close()
    assert outcomes["before"] >= KILLS // 3, outcomes
