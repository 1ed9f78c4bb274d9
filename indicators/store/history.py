"""The change log and undo, read from the versions themselves (``change_log`` view and ``batch`` table).

Undo never deletes anything: it is a new batch of kind ``undo`` (``undoes`` names the batch it reverses)
that supersedes the versions the batch wrote and writes again the versions it replaced, so the previous
contents come back exactly, and the undo can itself be undone. An undo is refused when the figures no
longer hold what the batch left (a later batch changed them since): undoing then would silently throw that
later work away. The check compares contents, so once the later batch is undone, the earlier one can be.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from indicators.store.base import utc_now
from indicators.store.connection import StoreError
from indicators.store.schema import NEXT_OBSERVATION_ID

Figure = tuple[str, str, str, str]  # indicator, entity, period, source

CHANGE_LOG_COLUMNS = (
    "batch_id",
    "kind",
    "who",
    "changed_at",
    "reason",
    "action",
    "indicator_id",
    "entity",
    "period",
    "source_id",
    "old_value",
    "new_value",
    "old_qualifier",
    "new_qualifier",
    "undoes",
)


class UndoRefused(StoreError):
    """An undo that would throw away later work, or that has nothing to undo; the message says which."""


@dataclass
class UndoResult:
    batch_id: int  # the new undo batch
    undid: int  # the batch it reversed
    restored: int  # figures given back their previous value (changed or deleted by the batch)
    removed: int  # figures the batch had added, now removed again
    events_restored: int = 0  # events given back their previous version (corrected or deleted by the batch)
    events_removed: int = 0  # events the batch had added, now removed again

    def summary(self) -> str:
        """What the undo did, in words: "2 figure(s) restored, 0 removed", and the events when there were any."""
        parts = []
        if self.restored or self.removed or not (self.events_restored or self.events_removed):
            parts.append(f"{self.restored} figure(s) restored, {self.removed} removed")
        if self.events_restored or self.events_removed:
            parts.append(f"{self.events_restored} event(s) restored, {self.events_removed} removed")
        return "; ".join(parts)


_SAME_FIGURE = (
    "{a}.indicator_id = {b}.indicator_id AND {a}.entity = {b}.entity "
    "AND {a}.period = {b}.period AND {a}.source_id = {b}.source_id"
)


def _day_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1)


def _figure_filter(figure: Figure | None, alias: str) -> tuple[str, list]:
    if figure is None:
        return "", []
    columns = ("indicator_id", "entity", "period", "source_id")
    return " AND " + " AND ".join(f"{alias}.{column} = ?" for column in columns), list(figure)


def log_filters(
    *, who: str | None, since: dt.date | None, until: dt.date | None, batch_id: int | None, alias: str = ""
) -> tuple[str, list]:
    """The WHERE clause (or "") and its parameters that both change logs, figures' and events', filter by:
    who, UTC days from ``since`` to ``until`` (included) and one batch. ``alias``: the log's table alias."""
    prefix = f"{alias}." if alias else ""
    filters, params = [], []
    if who:
        filters.append(f"{prefix}who = ?")
        params.append(who)
    if since:
        filters.append(f"{prefix}changed_at >= ?")
        params.append(dt.datetime.combine(since, dt.time()))
    if until:
        filters.append(f"{prefix}changed_at < ?")
        params.append(_day_after(until))
    if batch_id is not None:
        filters.append(f"{prefix}batch_id = ?")
        params.append(int(batch_id))
    return ("WHERE " + " AND ".join(filters)) if filters else "", params


class HistoryMixin:
    # --- reading the log -------------------------------------------------------------------------

    def change_log(
        self,
        *,
        indicator_id: str | None = None,
        who: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        batch_id: int | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Every change, newest first: one row per figure a batch added, changed or deleted, and one row per
        change to the catalog (a new indicator or source). Dates are UTC days, ``until`` included."""
        where, params = log_filters(who=who, since=since, until=until, batch_id=batch_id)
        if indicator_id:
            where = f"{where} AND indicator_id = ?" if where else "WHERE indicator_id = ?"
            params.append(indicator_id)
        limit_sql = _limit_clause(limit, params)
        return self.query_df(
            f"""
            WITH log AS (
                SELECT l.batch_id, l.kind, l.who, l.changed_at, l.reason, l.action, l.indicator_id, l.entity,
                       l.period, l.source_id, l.old_value, l.new_value, l.old_qualifier, l.new_qualifier,
                       b.undoes
                FROM change_log l JOIN batch b ON b.id = l.batch_id
                UNION ALL
                SELECT b.id, b.kind, b.who, b.created_at, b.reason, b.kind,
                       CASE WHEN b.kind = 'indicator' THEN json_extract_string(b.detail, '$.indicator.id') END,
                       NULL, NULL,
                       CASE WHEN b.kind = 'source' THEN json_extract_string(b.detail, '$.source.id') END,
                       NULL, NULL, NULL, NULL, b.undoes
                FROM batch b WHERE b.kind IN ('indicator', 'source')
                UNION ALL  -- the indicators and sources a restore added or overwrote (its detail lists them)
                SELECT b.id, b.kind, b.who, b.created_at, b.reason, c.entry ->> '$.table',
                       CASE WHEN c.entry ->> '$.table' = 'indicator' THEN c.entry ->> '$.id' END, NULL, NULL,
                       CASE WHEN c.entry ->> '$.table' = 'source' THEN c.entry ->> '$.id' END,
                       NULL, NULL, NULL, NULL, b.undoes
                FROM batch b, LATERAL (SELECT unnest(json_extract(b.detail, '$.catalog[*]')) AS entry) c
                WHERE b.kind = 'restore'
            )
            SELECT * FROM log {where}
            ORDER BY changed_at DESC, batch_id DESC, indicator_id, entity, period, source_id
            {limit_sql}
            """,
            params,
        )

    def batches(self, *, limit: int | None = None) -> pd.DataFrame:
        """The batches, newest first, with the undo that reversed each one (if any)."""
        params: list = []
        limit_sql = _limit_clause(limit, params)
        return self.query_df(
            f"""
            SELECT b.id AS batch_id, b.kind, b.who, b.created_at, b.reason, b.undoes, b.added, b.changed, b.removed,
                   (SELECT max(u.id) FROM batch u WHERE u.undoes = b.id) AS undone_by
            FROM batch b ORDER BY b.id DESC {limit_sql}
            """,
            params,
        )

    def editors(self) -> list[str]:
        """Everyone who has written to the store, for the History page's filter."""
        return [row[0] for row in self.query_rows("SELECT DISTINCT who FROM batch ORDER BY who")]

    # --- undo ------------------------------------------------------------------------------------

    def undo_batch(
        self, batch_id: int, *, who: str, reason: str | None = None, figure: Figure | None = None
    ) -> UndoResult:
        """Reverse a batch (or only one ``figure`` of it) as a new batch of kind ``undo``: its figures and its
        events. Refused when the batch changed no figures or events, or when a later batch has changed the same
        figures or events since (or already undid it)."""
        batch_id = int(batch_id)
        with self.transaction() as con:
            batch = con.execute("SELECT kind FROM batch WHERE id = ?", [batch_id]).fetchone()
            if batch is None:
                raise UndoRefused(f"There is no batch {batch_id} in the change log.")
            new_filter, new_params = _figure_filter(figure, "n")
            old_filter, old_params = _figure_filter(figure, "o")
            wrote = con.execute(
                f"SELECT count(*) FROM observation n WHERE n.batch_id = ?{new_filter}", [batch_id, *new_params]
            ).fetchone()[0]
            replaced = con.execute(
                f"SELECT count(*) FROM observation o WHERE o.superseded_batch = ?{old_filter}", [batch_id, *old_params]
            ).fetchone()[0]
            events_wrote, events_replaced = (0, 0) if figure is not None else self._event_versions_of(con, batch_id)
            if wrote == 0 and replaced == 0 and events_wrote == 0 and events_replaced == 0:
                what = "that figure" if figure else "any figure or event"
                raise UndoRefused(
                    f"Batch {batch_id} ({batch[0]}) did not change {what}; there is nothing to undo. "
                    "Changes to an indicator or a source are corrected by saving them again."
                )
            self._refuse_if_changed_since(con, batch_id, new_filter, new_params, old_filter, old_params)
            if events_wrote or events_replaced:
                self._refuse_if_events_changed_since(con, batch_id)
            restored = replaced
            removed = con.execute(
                f"""
                SELECT count(*) FROM observation n WHERE n.batch_id = ?{new_filter}
                AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.superseded_batch = n.batch_id
                    AND o.indicator_id = n.indicator_id AND o.entity = n.entity
                    AND o.period = n.period AND o.source_id = n.source_id)
                """,
                [batch_id, *new_params],
            ).fetchone()[0]
            now = utc_now()
            detail = {"undoes": batch_id}
            if figure is not None:
                detail["figure"] = list(figure)
            undo_id = self._new_batch(
                con,
                "undo",
                who,
                (reason or "").strip() or f"undo of batch {batch_id}",
                detail=detail,
                undoes=batch_id,
                at=now,
            )
            con.execute(
                f"""
                UPDATE observation SET superseded_at = ?, superseded_batch = ?
                WHERE id IN (SELECT c.id FROM current_observation c
                             JOIN observation n ON {_SAME_FIGURE.format(a="c", b="n")}
                             WHERE n.batch_id = ?{new_filter})
                """,
                [now, undo_id, batch_id, *new_params],
            )
            con.execute(
                f"""
                INSERT INTO observation (id, indicator_id, entity, period, period_start, value, qualifier,
                    source_id, quote, note, batch_id, recorded_at, recorded_by)
                SELECT {NEXT_OBSERVATION_ID}, o.indicator_id, o.entity, o.period, o.period_start, o.value,
                       o.qualifier, o.source_id, o.quote, o.note, ?, ?, ?
                FROM observation o WHERE o.superseded_batch = ?{old_filter}
                """,
                [undo_id, now, who, batch_id, *old_params],
            )
            changed = wrote - removed  # figures the batch both replaced and rewrote
            events_removed = (
                self._undo_events(con, batch_id, undo_id, who, now) if events_wrote or events_replaced else 0
            )
            events_changed = events_wrote - events_removed
            con.execute(
                "UPDATE batch SET added = ?, changed = ?, removed = ? WHERE id = ?",
                [
                    restored - changed + events_replaced - events_changed,
                    changed + events_changed,
                    removed + events_removed,
                    undo_id,
                ],
            )
        return UndoResult(
            batch_id=undo_id,
            undid=batch_id,
            restored=restored,
            removed=removed,
            events_restored=events_replaced,
            events_removed=events_removed,
        )

    def _refuse_if_changed_since(self, con, batch_id, new_filter, new_params, old_filter, old_params) -> None:
        """Every figure the batch wrote must still be current, and every figure it deleted still absent."""
        later = con.execute(
            f"""
            SELECT n.indicator_id, n.entity, n.period, n.source_id, coalesce(c.batch_id, n.superseded_batch)
            FROM observation n
            LEFT JOIN current_observation c ON {_SAME_FIGURE.format(a="c", b="n")}
            WHERE n.batch_id = ?{new_filter}
              AND (c.id IS NULL OR c.value <> n.value OR c.qualifier <> n.qualifier
                   OR c.quote IS DISTINCT FROM n.quote OR c.note IS DISTINCT FROM n.note)
            UNION ALL
            SELECT o.indicator_id, o.entity, o.period, o.source_id, c.batch_id
            FROM observation o
            JOIN current_observation c ON {_SAME_FIGURE.format(a="c", b="o")}
            WHERE o.superseded_batch = ?{old_filter}
              AND NOT EXISTS (SELECT 1 FROM observation n WHERE n.batch_id = o.superseded_batch
                              AND {_SAME_FIGURE.format(a="n", b="o")})
            ORDER BY 5, 1, 2, 3
            """,
            [batch_id, *new_params, batch_id, *old_params],
        ).fetchall()
        if later:
            refuse_later_changes(
                con,
                batch_id,
                [(f"{r[0]} {r[1]} {r[2]} ({r[3]})", r[4]) for r in later],
                what="figures",
                otherwise="correct the figures by hand",
            )


def refuse_later_changes(con, batch_id: int, later: list[tuple[str, int]], *, what: str, otherwise: str) -> None:
    """Refuse an undo of ``batch_id`` because of ``later`` changes (what changed, by which batch): as already
    undone when one of those batches is its own undo, else naming the later batches to undo first."""
    later_batches = sorted({changed_by for _, changed_by in later})
    undone_by = con.execute(
        "SELECT id FROM batch WHERE undoes = ? AND list_contains(?::BIGINT[], id) ORDER BY id",
        [batch_id, later_batches],
    ).fetchall()
    if undone_by:
        raise UndoRefused(
            f"Batch {batch_id} was already undone by batch {undone_by[0][0]}; "
            f"undo batch {undone_by[0][0]} to bring its changes back."
        )
    shown = "; ".join(f"{item} by batch {changed_by}" for item, changed_by in later[:5])
    more = f" and {len(later) - 5} more" if len(later) > 5 else ""
    raise UndoRefused(
        f"Batch {batch_id} cannot be undone: later batches ({', '.join(map(str, later_batches))}) changed "
        f"the same {what} since: {shown}{more}. Undo those first, newest first, or {otherwise}."
    )


def _limit_clause(limit: int | None, params: list) -> str:
    """``LIMIT ?`` with its parameter appended to ``params``, or nothing when there is no limit."""
    if limit is None:
        return ""
    params.append(int(limit))
    return "LIMIT ?"
