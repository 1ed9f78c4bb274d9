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
from indicators.store.history import log_filters, refuse_later_changes
from indicators.store.writes import WriteResult

_EVENT_FIELDS = ("id", "date", "type", "title", "source_id", "quote", "note")
# the same event's contents in two versions (``a`` and ``b``): what an undo compares
_SAME_CONTENTS = " AND ".join(
    f"{{a}}.{field} IS NOT DISTINCT FROM {{b}}.{field}"
    for field in ("date", "type", "title", "source_id", "quote", "note")
)


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

    def event_changes(
        self,
        limit: int | None = None,
        *,
        who: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        batch_id: int | None = None,
    ) -> pd.DataFrame:
        """The events' change log, newest first: who added, corrected or removed which event, when and why
        (with the batch an undo reversed in ``undoes``). Dates are UTC days, ``until`` included."""
        where, params = log_filters(who=who, since=since, until=until, batch_id=batch_id, alias="l")
        params.append(limit if limit is not None else 2**62)
        return self.query_df(
            f"""
            SELECT l.*, b.undoes FROM event_change_log l JOIN batch b ON b.id = l.batch_id {where}
            ORDER BY l.changed_at DESC, l.batch_id DESC, l.event_id LIMIT ?
            """,
            params,
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
        """Figures of this indicator revised (recorded up to ``as_of``): more than one value or qualifier over
        their versions, one row per entity, period and source, with the number of versions. A figure deleted
        and brought back unchanged, or with only its quote or note corrected, was not revised."""
        params: list = [indicator_id]
        recorded = ""
        if as_of is not None:
            recorded = "AND recorded_at <= ?"
            params.append(as_of)
        return self.query_df(
            f"""
            SELECT entity, period, source_id, count(*) AS versions
            FROM observation WHERE indicator_id = ? {recorded}
            GROUP BY entity, period, source_id HAVING count(DISTINCT (value, qualifier)) > 1
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

    # --- undo (called by ``HistoryMixin.undo_batch``, inside its transaction) --------------------------

    def _event_versions_of(self, con, batch_id: int) -> tuple[int, int]:
        """How many event versions a batch wrote, and how many it superseded."""
        return con.execute(
            "SELECT count(*) FILTER (WHERE batch_id = ?), count(*) FILTER (WHERE superseded_batch = ?) FROM event "
            "WHERE batch_id = ? OR superseded_batch = ?",
            [batch_id] * 4,
        ).fetchone()

    def _refuse_if_events_changed_since(self, con, batch_id: int) -> None:
        """Every event the batch wrote must still read as it left it, and every event it deleted still be
        absent; otherwise a later batch changed them and undoing would throw that work away."""
        later = con.execute(
            f"""
            SELECT n.id, coalesce(c.batch_id, n.superseded_batch) AS later_batch
            FROM event n LEFT JOIN current_event c ON c.id = n.id
            WHERE n.batch_id = ? AND (c.version_id IS NULL OR NOT ({_SAME_CONTENTS.format(a="c", b="n")}))
            UNION ALL
            SELECT o.id, c.batch_id
            FROM event o JOIN current_event c ON c.id = o.id
            WHERE o.superseded_batch = ?
              AND NOT EXISTS (SELECT 1 FROM event n WHERE n.batch_id = o.superseded_batch AND n.id = o.id)
            ORDER BY 2, 1
            """,
            [batch_id, batch_id],
        ).fetchall()
        if later:
            refuse_later_changes(
                con,
                batch_id,
                [(f"event {row[0]}", row[1]) for row in later],
                what="events",
                otherwise="correct the event by saving it again with the same id (`indicators add-event --id`)",
            )

    def _undo_events(self, con, batch_id: int, undo_id: int, who: str, now: dt.datetime) -> int:
        """Supersede the event versions ``batch_id`` wrote and write again the versions it superseded, as
        batch ``undo_id``. Returns how many events the batch had added (now removed again)."""
        removed = con.execute(
            "SELECT count(*) FROM event n WHERE n.batch_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM event o WHERE o.superseded_batch = n.batch_id AND o.id = n.id)",
            [batch_id],
        ).fetchone()[0]
        con.execute(
            "UPDATE event SET superseded_at = ?, superseded_batch = ? WHERE version_id IN "
            "(SELECT c.version_id FROM current_event c JOIN event n ON n.id = c.id WHERE n.batch_id = ?)",
            [now, undo_id, batch_id],
        )
        con.execute(
            "INSERT INTO event (id, date, date_start, type, title, source_id, quote, note, batch_id, recorded_at, "
            "recorded_by) SELECT o.id, o.date, o.date_start, o.type, o.title, o.source_id, o.quote, o.note, ?, ?, ? "
            "FROM event o WHERE o.superseded_batch = ?",
            [undo_id, now, who, batch_id],
        )
        return removed
