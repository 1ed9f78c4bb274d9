"""Events and the small history reads the Indicator page needs (last change, revised figures).

Events are versioned like observations: a write supersedes the current version of an event (same id) and
inserts the new one; a deletion only supersedes. Each write is one transaction and one ``batch``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd

from indicators.models import Event
from indicators.store.base import utc_now
from indicators.store.connection import StoreError
from indicators.store.writes import WriteResult

_EVENT_FIELDS = ("id", "date", "type", "title", "source_id", "quote", "note")


class EventsMixin:
    # --- reads ------------------------------------------------------------------------------------

    def events(self, types: Sequence[str] | None = None, as_of: dt.datetime | None = None) -> pd.DataFrame:
        """Events (optionally some types only) as recorded now or at ``as_of``, oldest first."""
        version_filter = "e.superseded_at IS NULL"
        params: list = []
        if as_of is not None:
            version_filter = "e.recorded_at <= ? AND (e.superseded_at IS NULL OR e.superseded_at > ?)"
            params += [as_of, as_of]
        type_filter = ""
        if types is not None:
            type_filter = "AND list_contains(?::VARCHAR[], e.type)"
            params.append(list(types))
        return self.query_df(
            f"""
            SELECT e.id, e.date, e.date_start, e.type, e.title, e.source_id,
                   coalesce(s.title, e.source_id) AS source_title, e.quote, e.note,
                   e.recorded_at, e.recorded_by, e.batch_id
            FROM event e LEFT JOIN source s ON s.id = e.source_id
            WHERE {version_filter} {type_filter}
            ORDER BY e.date_start, e.id
            """,
            params,
        )

    def event_changes(self, limit: int | None = None) -> pd.DataFrame:
        """The events' change log, newest first: who added, corrected or removed which event, when and why."""
        return self.query_df(
            "SELECT * FROM event_change_log ORDER BY changed_at DESC, batch_id DESC, event_id LIMIT ?",
            [limit if limit is not None else 2**62],
        )

    def last_changed(self, indicator_id: str) -> dt.datetime | None:
        """When any figure of this indicator last changed (added, corrected or deleted)."""
        value = self.query_value(
            "SELECT max(greatest(recorded_at, coalesce(superseded_at, recorded_at))) FROM observation "
            "WHERE indicator_id = ?",
            [indicator_id],
        )
        return None if value is None or value != value else value

    def revised_figures(self, indicator_id: str, as_of: dt.datetime | None = None) -> pd.DataFrame:
        """Figures of this indicator with more than one version (recorded up to ``as_of``): one row per
        entity, period and source, with the number of versions."""
        params: list = [indicator_id]
        recorded = ""
        if as_of is not None:
            recorded = "AND recorded_at <= ?"
            params.append(as_of)
        return self.query_df(
            f"""
            SELECT entity, period, source_id, count(*) AS versions
            FROM observation WHERE indicator_id = ? {recorded}
            GROUP BY entity, period, source_id HAVING count(*) > 1
            ORDER BY entity, period, source_id
            """,
            params,
        )

    # --- writes -----------------------------------------------------------------------------------

    def write_events(
        self,
        events: Iterable[Event],
        *,
        kind: str,
        who: str,
        reason: str | None,
        seed: bool = False,
    ) -> WriteResult:
        """Add or correct events as one batch: all of them or none. Every source must exist. With
        ``seed``, an event a person has edited or deleted keeps the person's version."""
        incoming = list(events)
        ids = [event.id for event in incoming]
        duplicates = sorted({identifier for identifier in ids if ids.count(identifier) > 1})
        if duplicates:
            raise StoreError(f"the same event id appears more than once: {', '.join(duplicates)}")
        now = utc_now()
        result = WriteResult(batch_id=None)
        with self.transaction() as con:
            known_sources = {row[0] for row in con.execute("SELECT id FROM source").fetchall()}
            missing = sorted({event.source_id for event in incoming} - known_sources)
            if missing:
                raise StoreError(f"unknown source {', '.join(missing)}: add the source first")
            current = {
                row[0]: row
                for row in con.execute(
                    f"SELECT {', '.join(_EVENT_FIELDS)}, version_id FROM current_event "
                    "WHERE list_contains(?::VARCHAR[], id)",
                    [ids],
                ).fetchall()
            }
            touched = set()
            if seed:
                touched = {
                    row[0]
                    for row in con.execute(
                        "SELECT DISTINCT e.id FROM event e JOIN batch b ON b.id = e.batch_id "
                        "WHERE b.kind <> 'seed' OR e.superseded_batch IN (SELECT id FROM batch WHERE kind <> 'seed')"
                    ).fetchall()
                }
                ever = {row[0] for row in con.execute("SELECT DISTINCT id FROM event").fetchall()}
            to_insert, to_supersede = [], []
            for event in incoming:
                values = tuple(getattr(event, field) for field in _EVENT_FIELDS)
                if seed and (event.id in touched or (event.id in ever and event.id not in current)):
                    result.skipped += 1
                elif event.id not in current:
                    result.added += 1
                    to_insert.append(event)
                elif tuple(current[event.id][:-1]) == values:
                    result.unchanged += 1
                else:
                    result.changed += 1
                    to_insert.append(event)
                    to_supersede.append(current[event.id][-1])
            if not to_insert:
                return result
            batch_id = self._new_batch(
                con, kind, who, reason, detail={"events": [event.id for event in to_insert]}, at=now
            )
            if to_supersede:
                con.execute(
                    "UPDATE event SET superseded_at = ?, superseded_batch = ? "
                    "WHERE list_contains(?::BIGINT[], version_id)",
                    [now, batch_id, to_supersede],
                )
            con.executemany(
                "INSERT INTO event (id, date, date_start, type, title, source_id, quote, note, batch_id, "
                "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [*(getattr(event, field) for field in _EVENT_FIELDS[:2]), event.date_start]
                    + [getattr(event, field) for field in _EVENT_FIELDS[2:]]
                    + [batch_id, now, who]
                    for event in to_insert
                ],
            )
            con.execute(
                "UPDATE batch SET added = ?, changed = ? WHERE id = ?", [result.added, result.changed, batch_id]
            )
            result.batch_id = batch_id
        return result

    def delete_event(self, event_id: str, *, who: str, reason: str) -> int:
        """Remove an event (its versions stay in the history); one batch."""
        now = utc_now()
        with self.transaction() as con:
            found = con.execute("SELECT version_id FROM current_event WHERE id = ?", [event_id]).fetchall()
            if not found:
                raise StoreError(f"there is no event '{event_id}'")
            batch_id = self._new_batch(con, "event", who, reason, detail={"deleted_event": event_id}, at=now)
            con.execute(
                "UPDATE event SET superseded_at = ?, superseded_batch = ? WHERE version_id = ?",
                [now, batch_id, found[0][0]],
            )
            con.execute("UPDATE batch SET removed = 1 WHERE id = ?", [batch_id])
        return batch_id
