"""Accounts, server-side sessions and the append-only audit log, kept in the registry's DuckDB file.

Sessions are server-side: the browser holds only a random token (``secrets.token_urlsafe``), the
store keeps its SHA-256, so a copy of the database does not hand out live sessions. Every session
has an absolute expiry and a CSRF token of its own (synchronizer-token pattern, OWASP CSRF
Prevention Cheat Sheet).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb

from netline.web.security.group_commit import GroupCommit
from netline.web.security.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password


class Role(StrEnum):
    """What a user may do: read, also edit patients, also administer users and read the audit."""

    VIEWER = "viewer"
    CLINICIAN = "clinician"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """Whether this role includes ``needed`` (admin ⊃ clinician ⊃ viewer)."""
        order = [Role.VIEWER, Role.CLINICIAN, Role.ADMIN]
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True)
class Session:
    """A signed-in user's session."""

    username: str
    role: Role
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log."""

    at: dt.datetime
    username: str
    action: str
    patient_id: str | None
    detail: str


_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS web_users (
        username VARCHAR PRIMARY KEY,
        password_hash VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_sessions (
        token_sha256 VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        csrf_token VARCHAR NOT NULL,
        expires_at TIMESTAMP NOT NULL)""",
    "CREATE SEQUENCE IF NOT EXISTS web_audit_seq",
    """CREATE TABLE IF NOT EXISTS web_audit (
        seq BIGINT PRIMARY KEY DEFAULT nextval('web_audit_seq'),
        occurred_at TIMESTAMP NOT NULL,
        username VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        patient_id VARCHAR,
        detail VARCHAR NOT NULL)""",
]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class AccountStore:
    """Users, sessions and audit rows in one DuckDB database.

    Parameters
    ----------
    path : Path or str
        The DuckDB file (``":memory:"`` in tests).
    session_minutes : int
        Absolute lifetime of a session.
    """

    def __init__(self, path: Path | str, *, session_minutes: int = 60) -> None:
        self._con = duckdb.connect(str(path))
        self._lock = threading.Lock()
        self.session_minutes = session_minutes
        # Live sessions by token digest, written through with the table: every change to
        # sessions goes through this store, and DuckDB lets one process at a time open the file,
        # so the table cannot change behind it. Saves a query (about 0.8 ms) per request.
        self._sessions: dict[str, Session] = {}
        self._audit: GroupCommit[tuple[Any, ...]] = GroupCommit(self._insert_audit)
        with self._lock:
            for statement in _SCHEMA:
                self._con.execute(statement)

    def _query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.execute(sql, params or []).fetchall()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._con.close()

    # users -------------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: Role) -> None:
        """Create an account; refuses a short password or an existing name."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        if self._query("SELECT 1 FROM web_users WHERE username = ?", [username]):
            raise ValueError(f"user {username!r} exists")
        self._query(
            "INSERT INTO web_users VALUES (?, ?, ?, ?)",
            [username, hash_password(password), role.value, _now()],
        )

    def has_users(self) -> bool:
        """Whether any account exists."""
        return bool(self._query("SELECT 1 FROM web_users LIMIT 1"))

    def authenticate(self, username: str, password: str) -> Role | None:
        """Return the user's role when the password matches, else None (same cost either way)."""
        rows = self._query(
            "SELECT password_hash, role FROM web_users WHERE username = ?", [username]
        )
        if not rows:
            verify_password(_DUMMY_HASH, password)  # equalise timing for unknown users
            return None
        stored, role = rows[0]
        return Role(role) if verify_password(stored, password) else None

    # sessions ----------------------------------------------------------------------------------
    def open_session(self, username: str) -> tuple[str, Session]:
        """Start a session; returns the browser token and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        expires = now + dt.timedelta(minutes=self.session_minutes)
        self._query(
            "INSERT INTO web_sessions VALUES (?, ?, ?, ?)",
            [_digest(token), username, csrf, expires],
        )
        role = self._query("SELECT role FROM web_users WHERE username = ?", [username])[0][0]
        session = Session(username, Role(role), csrf, expires)
        with self._lock:
            for stale in [k for k, s in self._sessions.items() if s.expires_at <= now]:
                del self._sessions[stale]
            self._sessions[_digest(token)] = session
        return token, session

    def session(self, token: str | None) -> Session | None:
        """Return the live session behind ``token``; expired sessions are deleted and give None."""
        if not token:
            return None
        digest = _digest(token)
        with self._lock:  # the lookup and the memo change together (never after a logout)
            session = self._sessions.get(digest)
            if session is None:
                rows = self._con.execute(
                    """SELECT s.username, u.role, s.csrf_token, s.expires_at
                       FROM web_sessions s JOIN web_users u USING (username)
                       WHERE s.token_sha256 = ?""",
                    [digest],
                ).fetchall()
                if not rows:
                    return None
                username, role, csrf, expires = rows[0]
                session = self._sessions[digest] = Session(username, Role(role), csrf, expires)
        if session.expires_at <= _now():
            self.close_session(token)
            return None
        return session

    def close_session(self, token: str) -> None:
        """End a session (log out)."""
        with self._lock:
            self._sessions.pop(_digest(token), None)
            self._con.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", [_digest(token)])

    # audit -------------------------------------------------------------------------------------
    def audit(self, username: str, action: str, patient_id: str | None, detail: str = "") -> None:
        """Append one audit row; rows are never updated or deleted by netline.

        Returns once the row is committed. Rows of concurrent requests are committed together
        (:class:`~netline.web.security.group_commit.GroupCommit`), in the order they came.
        """
        self._audit.add((_now(), username, action, patient_id, detail))

    def _insert_audit(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` in one transaction (one statement up to 200 rows, the usual case)."""
        chunks = [rows[start : start + 200] for start in range(0, len(rows), 200)]
        with self._lock:
            if len(chunks) > 1:
                self._con.execute("BEGIN TRANSACTION")
            try:
                for chunk in chunks:
                    self._con.execute(
                        "INSERT INTO web_audit (occurred_at, username, action, patient_id, "
                        f"detail) VALUES {', '.join(['(?, ?, ?, ?, ?)'] * len(chunk))}",
                        [value for row in chunk for value in row],
                    )
            except BaseException:
                if len(chunks) > 1:
                    self._con.execute("ROLLBACK")
                raise
            if len(chunks) > 1:
                self._con.execute("COMMIT")

    def audit_log(self, limit: int = 500) -> list[AuditEntry]:
        """Return the newest audit rows first."""
        rows = self._query(
            "SELECT occurred_at, username, action, patient_id, detail FROM web_audit "
            "ORDER BY seq DESC LIMIT ?",
            [limit],
        )
        return [AuditEntry(*row) for row in rows]


_DUMMY_HASH = hash_password("netline-timing-equaliser")
