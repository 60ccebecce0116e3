"""What the CDS Hooks service writes, shared by all its processes: token ids seen and audit rows.

One SQLite file (stdlib :mod:`sqlite3`) in write-ahead-log mode, so several server processes
(``netline serve-cds --workers N``, and ``netline serve`` beside them) read and write it at
once: SQLite serialises writers across processes with a file lock, each waits for it up to
``busy_timeout``, and readers never block writers.

* ``cds_jti``: each client token's ``(issuer, jti)`` is inserted before the call does any
  work; the primary key makes the insert fail for a ``jti`` already used by any process, so a
  replayed token is refused whichever process receives it. A row is kept until its token can
  no longer pass the expiry check, then deleted. Written with ``synchronous = NORMAL``: in WAL
  mode that survives a crash of any server process (the row is in the WAL before the insert
  returns) but not an operating-system crash or power loss, after which a token used in the
  last moments before it could pass once more within its lifetime (minutes). The sync it saves
  is 1-3 ms a call, during which every other process's write waits.
* ``cds_audit``: one row per ``patient-view`` call (who: the client's issuer; what; which
  patient; when), committed and synced to disk (``synchronous = FULL``) before the answer
  leaves; rows of concurrent calls in one process
  are committed together (:class:`~netline.web.security.group_commit.GroupCommit`). netline has
  no code that updates or deletes them. The app's audit page shows them with its own rows
  (:func:`merged_audit_log`).

Why SQLite and not the app's DuckDB file: DuckDB lets one process at a time open a file for
writing, which would limit the CDS service to one process (docs/web.md).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from netline.web.cds.auth import ClientAuthError
from netline.web.security.accounts import AuditEntry
from netline.web.security.group_commit import GroupCommit

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS cds_jti (
        issuer TEXT NOT NULL,
        jti TEXT NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (issuer, jti)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS cds_jti_expiry ON cds_jti (expires_at)",
    """CREATE TABLE IF NOT EXISTS cds_audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        occurred_at TEXT NOT NULL,
        username TEXT NOT NULL,
        action TEXT NOT NULL,
        patient_id TEXT,
        detail TEXT NOT NULL)""",
)
#: Seconds between two deletions of token ids that can no longer pass (per process).
PRUNE_EVERY_S = 60.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class CdsState:
    """Token ids seen and CDS audit rows in one SQLite file, safe for several processes.

    Parameters
    ----------
    path : Path or str
        The SQLite file (created with its tables on first use).
    busy_timeout_s : float
        How long a write waits for another process's write to finish before failing.
    clock : callable
        Seconds since the epoch (tests pass their own).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout_s: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()  # the audit connection
        self._jti_lock = threading.Lock()
        self._con = _connect(self.path, busy_timeout_s, "FULL")
        with self._lock:
            for statement in _SCHEMA:
                self._con.execute(statement)
        self._jti = _connect(self.path, busy_timeout_s, "NORMAL")
        self._next_prune = 0.0
        self._audit: GroupCommit[tuple[str, str, str, str | None, str]] = GroupCommit(
            self._insert_audit
        )

    def close(self) -> None:
        """Close the connections."""
        with self._lock, self._jti_lock:
            self._con.close()
            self._jti.close()

    # replay ------------------------------------------------------------------------------------
    def check_and_add(self, issuer: str, jti: str, expires_at: float) -> None:
        """Refuse a ``jti`` already used by ``issuer`` in any process; remember this one.

        Raises
        ------
        ClientAuthError
            When the ``(issuer, jti)`` pair is already stored.
        """
        with self._jti_lock:
            now = self.clock()
            if now >= self._next_prune:
                self._jti.execute("DELETE FROM cds_jti WHERE expires_at < ?", [now])
                self._next_prune = now + PRUNE_EVERY_S
            try:
                self._jti.execute("INSERT INTO cds_jti VALUES (?, ?, ?)", [issuer, jti, expires_at])
            except sqlite3.IntegrityError:
                raise ClientAuthError("token replayed (jti already used)") from None

    # audit -------------------------------------------------------------------------------------
    def audit(self, username: str, action: str, patient_id: str | None, detail: str = "") -> None:
        """Append one audit row; returns once it is committed (never updated or deleted)."""
        self._audit.add((_now().isoformat(), username, action, patient_id, detail))

    def _insert_audit(self, rows: Sequence[tuple[str, str, str, str | None, str]]) -> None:
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                self._con.executemany(
                    "INSERT INTO cds_audit (occurred_at, username, action, patient_id, detail) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")

    def audit_log(self, limit: int = 500) -> list[AuditEntry]:
        """Return the newest CDS audit rows first."""
        with self._lock:
            rows = self._con.execute(
                "SELECT occurred_at, username, action, patient_id, detail FROM cds_audit "
                "ORDER BY seq DESC LIMIT ?",
                [limit],
            ).fetchall()
        return [_entry(row) for row in rows]


def _connect(path: Path, busy_timeout_s: float, synchronous: str) -> sqlite3.Connection:
    """Open ``path`` in WAL mode, waiting up to ``busy_timeout_s`` for other writers."""
    con = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    con.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute(f"PRAGMA synchronous = {synchronous}")
    return con


def _entry(row: Sequence[Any]) -> AuditEntry:
    at, username, action, patient_id, detail = row
    return AuditEntry(dt.datetime.fromisoformat(at), username, action, patient_id, detail)


def merged_audit_log(logs: Iterable[Sequence[AuditEntry]], limit: int = 500) -> list[AuditEntry]:
    """Merge audit logs (each newest first) into one, newest first, at most ``limit`` rows."""
    merged = sorted((e for log in logs for e in log), key=lambda e: e.at, reverse=True)
    return merged[:limit]
