"""The registry's DuckDB schema, its version and the migrations between versions.

The schema is documented in ``docs/registry.md``. Its version is kept in ``netline_meta``
(key ``schema_version``). Opening a store applies, in one transaction, every migration above
the stored version; a store written by a newer netline is refused rather than guessed at.

Version 1
    ``netline_meta``   key/value: ``schema_version``, ``created_at``, ``created_by``.
    ``records``        one validated clinical record per patient (canonical JSON) with the
                       SHA-256 of that JSON, its source file and when it was imported.
    ``patient_facts``  one row per patient: what cohort selection and Table 1 read.
    ``episodes``, ``assessments``, ``followup``, ``procedures``
                       the course engine's long tables (see :mod:`netline.course.tables`),
                       keyed by ``patient_id``; lines of therapy are derived from them on
                       demand and never stored, so that a change of line rules needs no
                       migration.
    ``imports``        one row per import (source, who, when, counts).
    ``audit``          one row per record added or changed (who, when, source file, changes).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["COURSE_TABLES", "MIGRATIONS", "SCHEMA_VERSION", "TABLES"]

#: The schema version this netline writes.
SCHEMA_VERSION = 2

#: Course tables (the engine's inputs) in the order they are written.
COURSE_TABLES = ("episodes", "assessments", "followup", "procedures")

_V1 = (
    """CREATE TABLE netline_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
    """CREATE TABLE records (
        patient_id VARCHAR PRIMARY KEY,
        case_id VARCHAR NOT NULL,
        record JSON NOT NULL,
        content_hash VARCHAR NOT NULL,
        source_file VARCHAR,
        imported_at TIMESTAMP NOT NULL,
        import_id INTEGER NOT NULL
    )""",
    """CREATE TABLE patient_facts (
        patient_id VARCHAR PRIMARY KEY,
        case_id VARCHAR NOT NULL,
        synthetic BOOLEAN NOT NULL,
        sex VARCHAR,
        site VARCHAR,
        diagnosis DATE,
        age_at_diagnosis DOUBLE,
        ki67_percent DOUBLE,
        grade VARCHAR,
        stage VARCHAR,
        functioning_syndrome VARCHAR,
        hereditary_syndrome VARCHAR,
        distant_metastases BOOLEAN NOT NULL
    )""",
    """CREATE TABLE episodes (
        patient_id VARCHAR NOT NULL, episode_id INTEGER NOT NULL, event_id VARCHAR,
        agent VARCHAR NOT NULL, agent_class VARCHAR NOT NULL, start DATE NOT NULL, stop DATE,
        cycles INTEGER, reason_stopped VARCHAR, clinical_trial BOOLEAN
    )""",
    """CREATE TABLE assessments (
        patient_id VARCHAR NOT NULL, date DATE NOT NULL, response VARCHAR,
        progression BOOLEAN NOT NULL, source VARCHAR NOT NULL, event_id VARCHAR
    )""",
    """CREATE TABLE followup (
        patient_id VARCHAR PRIMARY KEY, diagnosis DATE, first_metastasis DATE, death DATE,
        last_follow_up DATE NOT NULL
    )""",
    """CREATE TABLE procedures (
        patient_id VARCHAR NOT NULL, procedure_id INTEGER, event_id VARCHAR, date DATE NOT NULL,
        kind VARCHAR NOT NULL, procedure VARCHAR NOT NULL, intent VARCHAR, margin VARCHAR,
        pathological_complete_response BOOLEAN, organs VARCHAR
    )""",
    """CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY, source VARCHAR NOT NULL, who VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL, added INTEGER NOT NULL, changed INTEGER NOT NULL,
        unchanged INTEGER NOT NULL, refused INTEGER NOT NULL
    )""",
    """CREATE TABLE audit (
        audit_id INTEGER PRIMARY KEY, import_id INTEGER NOT NULL, patient_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL, who VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL,
        source_file VARCHAR, changes JSON NOT NULL
    )""",
)

#: Every table of the current schema.
TABLES = ("netline_meta", "records", "patient_facts", *COURSE_TABLES, "imports", "audit")

#: ``MIGRATIONS[v]`` takes a store from version ``v - 1`` to ``v`` (version 0: empty file).
#: Each entry is a list of SQL statements or a callable on the open connection; all the
#: migrations needed run in one transaction.
_V2 = (
    # the course engine reads an assessment's note (an equivocal new lesion, RECIST 1.1)
    "ALTER TABLE assessments ADD COLUMN note VARCHAR",
    # episode and procedure ids may be any 64-bit integer (issue 9)
    "ALTER TABLE episodes ALTER episode_id TYPE BIGINT",
    "ALTER TABLE procedures ALTER procedure_id TYPE BIGINT",
)

MIGRATIONS: dict[int, tuple[str, ...] | Callable[[object], None]] = {1: _V1, 2: _V2}
