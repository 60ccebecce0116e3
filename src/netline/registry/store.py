"""The registry store: one DuckDB file, created on first use, with atomic imports and an audit.

Every import runs in one DuckDB transaction: either every valid record of the import is
written (records, patient facts, course tables, audit and import rows) or nothing is. A
process killed in the middle of an import leaves the file as it was before the import began
(DuckDB writes a transaction to its write-ahead log only when it commits, and skips an
incomplete log entry when it next opens the file).

Records are keyed by ``patient.id``. Importing a record whose canonical JSON is unchanged
does nothing; a changed record replaces the old one, and the fields that changed are kept in
the ``audit`` table with who imported it, when, and from which file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import pyarrow as pa  # type: ignore[import-untyped]

from netline.errors import InvalidInputError, Problem
from netline.records.model import CaseRecord
from netline.registry import _course
from netline.registry._facts import canonical_json, content_hash, diff, facts_table
from netline.registry._render import render_result
from netline.registry._schema import COURSE_TABLES, MIGRATIONS, SCHEMA_VERSION, TABLES

__all__ = ["ImportRefusedError", "ImportReport", "Refused", "Registry", "open_registry"]


class ImportRefusedError(InvalidInputError):
    """An import refused whole because some of its records are invalid; nothing was written."""

    def _format(self) -> str:
        return (
            super()._format() + "\nNothing was imported. Fix these records, or import the valid "
            "ones and list the rest with keep_valid=True (--keep-valid)."
        )


@dataclass(frozen=True)
class Refused:
    """A record (file, row or resource) left out of an import, with its problems."""

    where: str
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the record's location and problems as JSON-ready data."""
        return {
            "where": self.where,
            "problems": [
                {"field": p.location, "value": repr(p.value), "expected": p.expected}
                for p in self.problems
            ],
        }


@dataclass(frozen=True)
class ImportReport:
    """What an import did.

    Attributes
    ----------
    source : str
        What was imported (a file, a folder).
    who : str
        Who imported it.
    import_id : int or None
        The row of the ``imports`` table (``None`` when nothing was valid).
    added, changed, unchanged : tuple of str
        Patient ids.
    refused : tuple of Refused
        Records left out, each with its problems (only with ``keep_valid``).
    """

    schema_version: ClassVar[str] = "1"

    source: str
    who: str
    import_id: int | None
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    refused: tuple[Refused, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "schema_version": self.schema_version,
            "source": self.source,
            "who": self.who,
            "import_id": self.import_id,
            "added": list(self.added),
            "changed": list(self.changed),
            "unchanged": list(self.unchanged),
            "refused": [r.to_dict() for r in self.refused],
        }

    def summary(self) -> str:
        """Return one line of counts."""
        return (
            f"{self.source}: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.refused)} refused"
        )

    def render(self, fmt: str = "text") -> str:
        """Render as ``"text"``, ``"json"``, ``"markdown"`` or ``"html"``."""
        lines = [self.summary()]
        for refused in self.refused:
            lines.append(f"refused {refused.where}:")
            lines.extend(f"  - {p}" for p in refused.problems)
        return render_result(self.to_dict(), "Import", lines, fmt)


def open_registry(path: str | Path) -> Registry:
    """Open (and create, on first use) the registry store at ``path``.

    Parameters
    ----------
    path : str or Path
        The DuckDB file; its folder is created if needed.

    Returns
    -------
    Registry
        Use it as a context manager, or call :meth:`Registry.close`.

    Raises
    ------
    InvalidInputError
        When the file is not a netline registry or was written by a newer netline.
    """
    return Registry(path)


class Registry:
    """A netline registry store (a DuckDB file). See :func:`open_registry`."""

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            raise InvalidInputError.single(
                "registry", str(self.path), f"a DuckDB registry file ({exc})"
            ) from None
        try:
            self.schema_version = self._migrate()
        except BaseException:
            self._con.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the store."""
        self._con.close()

    def _migrate(self) -> int:
        con = self._con
        present = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        if "netline_meta" in present:
            row = con.execute(
                "SELECT value FROM netline_meta WHERE key = 'schema_version'"
            ).fetchone()
            version = int(row[0]) if row else 0
        elif present:
            raise InvalidInputError.single(
                "registry", str(self.path), "a netline registry (this DuckDB file has other tables)"
            )
        else:
            version = 0
        if version > SCHEMA_VERSION:
            raise InvalidInputError.single(
                "schema_version",
                version,
                f"at most {SCHEMA_VERSION} (the store was written by a newer netline)",
            )
        if version == SCHEMA_VERSION:
            return version
        con.execute("BEGIN TRANSACTION")
        try:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                migration = MIGRATIONS[step]
                if callable(migration):
                    migration(con)
                else:
                    for statement in migration:
                        con.execute(statement)
            now = _now().isoformat(timespec="seconds")
            con.execute(
                "INSERT OR REPLACE INTO netline_meta VALUES ('schema_version', ?), "
                "('migrated_at', ?)",
                [str(SCHEMA_VERSION), now],
            )
            if version == 0:
                con.execute(
                    "INSERT INTO netline_meta VALUES ('created_at', ?), ('created_by', ?)",
                    [now, _who(None)],
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return SCHEMA_VERSION

    # ------------------------------------------------------------------ import

    def import_records(
        self,
        records: Iterable[tuple[str, CaseRecord | InvalidInputError]],
        *,
        source: str,
        who: str | None = None,
        keep_valid: bool = False,
    ) -> ImportReport:
        """Import validated records in one transaction.

        Parameters
        ----------
        records : iterable of (str, CaseRecord or InvalidInputError)
            Each record with where it came from (file, row or resource); an error stands for
            a record that failed validation there.
        source : str
            What is being imported (shown in the report and kept in ``imports``).
        who : str, optional
            Who imports (default: the operating-system user).
        keep_valid : bool
            Import the valid records and report the others; by default one invalid record
            refuses the whole import and nothing is written.

        Returns
        -------
        ImportReport

        Raises
        ------
        ImportRefusedError
            When a record is invalid (or two share a patient id) and ``keep_valid`` is false.
        """
        who = _who(who)
        valid: dict[str, tuple[str, CaseRecord]] = {}
        refused: list[Refused] = []
        for where, item in records:
            if isinstance(item, InvalidInputError):
                refused.append(Refused(where, item.problems))
                continue
            pid = item.patient.id
            if pid in valid:
                problem = Problem(
                    "patient.id", pid, f"a patient id not already used by {valid[pid][0]}"
                )
                refused.append(Refused(where, (problem,)))
                continue
            valid[pid] = (where, item)
        if refused and not keep_valid:
            raise ImportRefusedError(
                [
                    Problem(
                        f"{r.where}: {p.location}" if p.location else r.where, p.value, p.expected
                    )
                    for r in refused
                    for p in r.problems
                ],
                source=source,
            )
        if not valid:
            return ImportReport(source, who, None, refused=tuple(refused))
        return self._write(valid, refused, source, who)

    def _write(
        self,
        valid: dict[str, tuple[str, CaseRecord]],
        refused: list[Refused],
        source: str,
        who: str,
    ) -> ImportReport:
        con = self._con
        texts = {pid: canonical_json(record) for pid, (_, record) in valid.items()}
        hashes = {pid: content_hash(text) for pid, text in texts.items()}
        ids = list(valid)
        stored = dict(
            con.execute(
                "SELECT patient_id, content_hash FROM records "
                "WHERE patient_id IN (SELECT UNNEST(?::VARCHAR[]))",
                [ids],
            ).fetchall()
        )
        added = [pid for pid in ids if pid not in stored]
        changed = [pid for pid in ids if pid in stored and stored[pid] != hashes[pid]]
        unchanged = [pid for pid in ids if pid in stored and stored[pid] == hashes[pid]]
        # the old JSON only of the changed records (for the audit's list of changes)
        old = dict(
            con.execute(
                "SELECT patient_id, record FROM records "
                "WHERE patient_id IN (SELECT UNNEST(?::VARCHAR[]))",
                [changed],
            ).fetchall()
        )
        now = _now()
        con.execute("BEGIN TRANSACTION")
        try:
            import_id = _next_id(con, "imports", "import_id")
            writing = added + changed
            if changed:
                for table in ("records", "patient_facts", *COURSE_TABLES):
                    con.execute(
                        f"DELETE FROM {table} WHERE patient_id IN (SELECT UNNEST(?::VARCHAR[]))",
                        [changed],
                    )
            if writing:
                self._insert_rows(valid, texts, hashes, writing, import_id, now)
                audit_rows = [
                    (
                        pid,
                        "changed" if pid in old else "added",
                        json.dumps(diff(old[pid], texts[pid]) if pid in old else []),
                    )
                    for pid in writing
                ]
                first = _next_id(con, "audit", "audit_id")
                audit = pa.table(
                    {
                        "audit_id": pa.array(range(first, first + len(writing)), pa.int32()),
                        "import_id": pa.array([import_id] * len(writing), pa.int32()),
                        "patient_id": pa.array(writing, pa.string()),
                        "action": pa.array([a for _, a, _ in audit_rows], pa.string()),
                        "who": pa.array([who] * len(writing), pa.string()),
                        "changed_at": pa.array([now] * len(writing), pa.timestamp("us")),
                        "source_file": pa.array([valid[p][0] for p in writing], pa.string()),
                        "changes": pa.array([c for _, _, c in audit_rows], pa.string()),
                    }
                )
                _insert(con, "audit", audit)
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    source,
                    who,
                    now,
                    len(added),
                    len(changed),
                    len(unchanged),
                    len(refused),
                ],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return ImportReport(
            source, who, import_id, tuple(added), tuple(changed), tuple(unchanged), tuple(refused)
        )

    def _insert_rows(
        self,
        valid: dict[str, tuple[str, CaseRecord]],
        texts: dict[str, str],
        hashes: dict[str, str],
        writing: Sequence[str],
        import_id: int,
        now: dt.datetime,
    ) -> None:
        records = [valid[pid][1] for pid in writing]
        record_rows = pa.Table.from_pylist(
            [
                {
                    "patient_id": pid,
                    "case_id": valid[pid][1].id,
                    "record": texts[pid],
                    "content_hash": hashes[pid],
                    "source_file": valid[pid][0],
                    "imported_at": now,
                    "import_id": import_id,
                }
                for pid in writing
            ]
        )
        facts = facts_table(records)
        tables = _course.tables_from_records(records).as_dict()
        for name, table in (("records", record_rows), ("patient_facts", facts), *tables.items()):
            _insert(self._con, name, table)

    def import_case_files(
        self,
        paths: str | Path | Sequence[str | Path],
        *,
        who: str | None = None,
        keep_valid: bool = False,
        progress: bool | None = None,
    ) -> ImportReport:
        """Import netline case files (YAML or JSON): files, or folders searched recursively.

        See :meth:`import_records` for ``who`` and ``keep_valid``. ``progress`` shows a
        progress bar (default: on a terminal, for more than 50 files).
        """
        from netline.registry.importers.casefiles import read_case_files

        items, source = read_case_files(paths, progress=progress)
        return self.import_records(items, source=source, who=who, keep_valid=keep_valid)

    # ------------------------------------------------------------------ read

    def patient_ids(self) -> list[str]:
        """Return every patient id, sorted."""
        return [
            r[0] for r in self._con.execute("SELECT patient_id FROM records ORDER BY 1").fetchall()
        ]

    def records(self, patient_ids: Iterable[str] | None = None) -> list[CaseRecord]:
        """Return the stored records (all, or some patients), sorted by patient id."""
        if patient_ids is None:
            rows = self._con.execute("SELECT record FROM records ORDER BY patient_id").fetchall()
        else:
            rows = self._con.execute(
                "SELECT record FROM records WHERE patient_id IN (SELECT UNNEST(?::VARCHAR[])) "
                "ORDER BY patient_id",
                [list(patient_ids)],
            ).fetchall()
        return [CaseRecord.model_validate(json.loads(row[0])) for row in rows]

    def table(self, name: str) -> pa.Table:
        """Return a whole table of the store as Arrow (see ``docs/registry.md``)."""
        if name not in TABLES:
            raise InvalidInputError.single("table", name, "one of " + ", ".join(TABLES))
        return self._con.execute(f"SELECT * FROM {name}").to_arrow_table()

    def facts(self) -> pa.Table:
        """Return ``patient_facts`` (one row per patient), sorted by patient id."""
        return self._con.execute("SELECT * FROM patient_facts ORDER BY patient_id").to_arrow_table()

    def course_tables(self) -> _course.CourseTables:
        """Return the course engine's tables for every patient."""
        frames = {
            name: self._con.execute(f"SELECT * FROM {name}").to_arrow_table()
            for name in COURSE_TABLES
        }
        return _course.CourseTables.from_frames(**frames)

    def audit(self, patient_id: str | None = None) -> list[dict[str, Any]]:
        """Return the audit rows (all, or one patient's), oldest first."""
        query = "SELECT * FROM audit"
        params: list[object] = []
        if patient_id is not None:
            query += " WHERE patient_id = ?"
            params.append(patient_id)
        rows = self._con.execute(query + " ORDER BY audit_id", params).to_arrow_table().to_pylist()
        for row in rows:
            row["changes"] = json.loads(row["changes"])
        return list(rows)

    def counts(self) -> dict[str, int]:
        """Return the number of rows of every table."""
        return {
            name: int(self._con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0])  # type: ignore[index]
            for name in TABLES
        }

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Return every row of every table, sorted (to compare two states of a store)."""
        return {
            name: sorted(
                self._con.execute(f"SELECT * FROM {name}").fetchall(), key=lambda r: repr(r)
            )
            for name in TABLES
        }


def _who(who: str | None) -> str:
    if who:
        return who
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _insert(con: Any, name: str, table: pa.Table) -> None:
    """Append an Arrow table to a store table in one statement (columns matched by name)."""
    if table.num_rows:
        con.register("_incoming", table)
        try:
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _incoming")
        finally:
            con.unregister("_incoming")


def _next_id(con: Any, table: str, column: str) -> int:
    row = con.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}").fetchone()
    return int(row[0])
