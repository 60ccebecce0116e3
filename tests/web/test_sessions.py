"""Server-side sessions: expiry and logout hold for a session the store has already looked up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from netline.web.security import accounts
from netline.web.security.accounts import AccountStore, Role


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    store = AccountStore(tmp_path / "web.duckdb", session_minutes=30)
    store.add_user("viewer", "a long enough password", Role.VIEWER)
    return store


def test_a_looked_up_session_still_expires(
    store: AccountStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, session = store.open_session("viewer")
    assert store.session(token) == session
    later = session.expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert store.session(token) is None
    monkeypatch.undo()
    assert store.session(token) is None  # deleted, not only hidden


def test_logout_ends_a_looked_up_session(store: AccountStore) -> None:
    token, _ = store.open_session("viewer")
    assert store.session(token) is not None
    store.close_session(token)
    assert store.session(token) is None


def test_sessions_survive_a_restart_of_the_store(tmp_path: Path, store: AccountStore) -> None:
    token, session = store.open_session("viewer")
    store.close()
    reopened = AccountStore(tmp_path / "web.duckdb")
    assert reopened.session(token) == session
    assert reopened.session("not a token") is None
    reopened.close()
