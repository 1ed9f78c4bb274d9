"""The store's tables and their forward migrations.

Migrations are named, applied in order, each in its own transaction, and recorded in ``schema_migration``
(as sqlite-utils does). ``SCHEMA_VERSION`` is the number of migrations; a store whose recorded version is
higher than ours was written by a newer release and is refused rather than touched.

Observations are *versioned*, never overwritten (as FRED's ALFRED keeps vintages): a correction supersedes
the current row (``superseded_at``, ``superseded_batch``) and inserts a new one. The change log is derived
from those versions and the ``batch`` table, so an import of a million rows writes each row once.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from indicators.store.summary import create_summary_tables, rebuild_summary

Migration = tuple[str, Callable[[duckdb.DuckDBPyConnection], None]]


def _initial(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

        CREATE TABLE entity (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            aliases VARCHAR
        );

        CREATE TABLE source (
            id VARCHAR PRIMARY KEY,
            title VARCHAR NOT NULL,
            publisher VARCHAR,
            authors VARCHAR,
            year INTEGER,
            url VARCHAR,
            kind VARCHAR NOT NULL,
            cited_in VARCHAR,
            licence VARCHAR,
            note VARCHAR
        );

        CREATE TABLE indicator (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            unit VARCHAR NOT NULL,
            category VARCHAR NOT NULL,
            description VARCHAR,
            min_value DOUBLE,
            max_value DOUBLE,
            decimals INTEGER NOT NULL DEFAULT 1,
            default_entity VARCHAR NOT NULL,
            benchmark_value DOUBLE,
            benchmark_label VARCHAR,
            release_cycle_months INTEGER
        );

        CREATE SEQUENCE batch_id START 1;
        CREATE TABLE batch (
            id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL,       -- seed, upload, edit, delete, restore, undo, indicator, source
            who VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,  -- UTC
            reason VARCHAR,
            undoes BIGINT,               -- the batch this one undid, if it is an undo
            detail VARCHAR,              -- JSON: file name, format, metadata changes, counts
            added INTEGER NOT NULL DEFAULT 0,
            changed INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0
        );

        CREATE SEQUENCE observation_id START 1;
        CREATE TABLE observation (
            id BIGINT NOT NULL DEFAULT nextval('observation_id'),
            indicator_id VARCHAR NOT NULL,
            entity VARCHAR NOT NULL,
            period VARCHAR NOT NULL,     -- exactly as written: 2019, 2019-Q3, 2019-07, 2019-07-15
            period_start DATE NOT NULL,  -- for sorting and charting only
            value DOUBLE NOT NULL,       -- base units
            qualifier VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            quote VARCHAR,
            note VARCHAR,
            batch_id BIGINT NOT NULL,    -- the batch that recorded this version
            recorded_at TIMESTAMP NOT NULL,
            recorded_by VARCHAR NOT NULL,
            superseded_at TIMESTAMP,     -- NULL while this is the current version
            superseded_batch BIGINT
        );

        -- what every page reads: the current version of each figure
        CREATE VIEW current_observation AS
            SELECT * FROM observation WHERE superseded_at IS NULL;

        -- the change log, derived from versions: one row per figure a batch added, changed or removed
        CREATE VIEW change_log AS
            SELECT b.id AS batch_id, b.kind, b.who, b.created_at AS changed_at, b.reason,
                   n.indicator_id, n.entity, n.period, n.source_id,
                   CASE WHEN o.id IS NULL THEN 'add' ELSE 'change' END AS action,
                   o.value AS old_value, n.value AS new_value,
                   o.qualifier AS old_qualifier, n.qualifier AS new_qualifier,
                   o.id AS old_observation_id, n.id AS new_observation_id
            FROM observation n
            JOIN batch b ON b.id = n.batch_id
            LEFT JOIN observation o
              ON o.superseded_batch = n.batch_id
             AND o.indicator_id = n.indicator_id AND o.entity = n.entity
             AND o.period = n.period AND o.source_id = n.source_id
            UNION ALL
            SELECT b.id, b.kind, b.who, b.created_at, b.reason,
                   o.indicator_id, o.entity, o.period, o.source_id,
                   'delete', o.value, NULL, o.qualifier, NULL, o.id, NULL
            FROM observation o
            JOIN batch b ON b.id = o.superseded_batch
            WHERE NOT EXISTS (
                SELECT 1 FROM observation n
                WHERE n.batch_id = o.superseded_batch
                  AND n.indicator_id = o.indicator_id AND n.entity = o.entity
                  AND n.period = o.period AND n.source_id = o.source_id
            );
        """
    )


EVENT_TYPES_SQL = "'visit', 'agreement', 'sanction', 'conflict', 'election', 'rating', 'crisis'"


def _events(con: duckdb.DuckDBPyConnection) -> None:
    """Dated bilateral events, versioned like observations: an edit supersedes the current version of the
    event (same ``id``) and inserts a new one, a deletion only supersedes; every write is a ``batch``."""
    con.execute(
        f"""
        CREATE SEQUENCE event_version_id START 1;
        CREATE TABLE event (
            version_id BIGINT NOT NULL DEFAULT nextval('event_version_id'),
            id VARCHAR NOT NULL,          -- a stable slug: 1999-03-24-nato-bombing
            date VARCHAR NOT NULL,        -- an SDMX period, exactly as written: 1999, 1980-06, 2024-11-05
            date_start DATE NOT NULL,     -- for sorting and charting only
            type VARCHAR NOT NULL CHECK (type IN ({EVENT_TYPES_SQL})),
            title VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            quote VARCHAR,
            note VARCHAR,
            batch_id BIGINT NOT NULL,
            recorded_at TIMESTAMP NOT NULL,
            recorded_by VARCHAR NOT NULL,
            superseded_at TIMESTAMP,
            superseded_batch BIGINT
        );
        CREATE VIEW current_event AS SELECT * FROM event WHERE superseded_at IS NULL;

        -- the events' change log, shaped like change_log: one row per event a batch added, changed or removed
        CREATE VIEW event_change_log AS
            SELECT b.id AS batch_id, b.kind, b.who, b.created_at AS changed_at, b.reason, n.id AS event_id,
                   CASE WHEN o.version_id IS NULL THEN 'add' ELSE 'change' END AS action,
                   o.date AS old_date, n.date AS new_date, o.title AS old_title, n.title AS new_title,
                   o.version_id AS old_version_id, n.version_id AS new_version_id
            FROM event n
            JOIN batch b ON b.id = n.batch_id
            LEFT JOIN event o ON o.superseded_batch = n.batch_id AND o.id = n.id
            UNION ALL
            SELECT b.id, b.kind, b.who, b.created_at, b.reason, o.id, 'delete', o.date, NULL, o.title, NULL,
                   o.version_id, NULL
            FROM event o
            JOIN batch b ON b.id = o.superseded_batch
            WHERE NOT EXISTS (SELECT 1 FROM event n WHERE n.batch_id = o.superseded_batch AND n.id = o.id);
        """
    )


# Each write hands out its own observation ids, one past the largest so far (writes are serialised: one
# writer per store file in a process, see base.py, and DuckDB lets one process write a file). A million-row
# import took 0.3 s more when every row asked the sequence for its id through nextval().
def next_observation_ids(place: str) -> str:
    """The id of each new version: one past the largest id so far, plus ``place`` (an SQL expression of ours,
    never user text: distinct per row, counted from 0; gaps are harmless)."""
    return f"(SELECT coalesce(max(id), 0) FROM observation) + 1 + {place}"


NEXT_OBSERVATION_ID = next_observation_ids("row_number() OVER () - 1")


def next_observation_ids_by_rowid(table: str) -> str:
    """The ids for rows selected from one temp table of ours (``table``): its row ids are distinct, so they
    number the new versions without the window of NEXT_OBSERVATION_ID, which costs as much as nextval() did
    (0.3 s of a million-row import); rows a filter leaves out only leave gaps. Counted from the table's first
    row id: a table written in the current transaction numbers its rows from 2^55."""
    return next_observation_ids(f"rowid - (SELECT min(rowid) FROM {table})")


def _observation_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Observation ids come from the writes themselves (NEXT_OBSERVATION_ID): no sequence, no default, so an
    insert that forgets the id fails loudly instead of drawing a number another write already used."""
    con.execute("ALTER TABLE observation ALTER COLUMN id DROP DEFAULT")
    con.execute("DROP SEQUENCE observation_id")


MIGRATIONS: list[Migration] = [
    ("0001_initial", _initial),
    ("0002_events", _events),
    ("0003_overview_summary", create_summary_tables),  # store/summary.py: what the Overview reads
    ("0004_observation_ids", _observation_ids),
    # the sparklines now keep to one frequency (a source's yearly totals no longer run into its quarters):
    # a store from before redraws its summary once, or it would keep the old lines until each indicator's
    # next write
    ("0005_sparkline_frequency", rebuild_summary),
]
SCHEMA_VERSION = len(MIGRATIONS)


def ensure_migration_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS schema_migration (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration'"
    ).fetchone()[0]
    if not exists:
        return []
    return [row[0] for row in con.execute("SELECT name FROM schema_migration ORDER BY name").fetchall()]
