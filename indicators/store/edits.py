"""One figure at a time: add, correct or delete a single observation on a person's behalf.

Optimistic concurrency: a form remembers the version id it was opened with (``expected_version``; ``None``
when the figure did not exist yet). A save is refused with :class:`EditConflict` when the current version
differs, so a second editor never silently overwrites the first. The check and the write run in one
transaction, under the store's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indicators.models import Observation, Source
from indicators.periods import parse_period
from indicators.store.base import utc_now
from indicators.store.connection import StoreError
from indicators.store.schema import NEXT_OBSERVATION_ID

ANY_VERSION: Any = object()  # "overwrite whatever is there" (the CLI's `add`, which is a deliberate act)

_CURRENT_COLUMNS = (
    "id",
    "indicator_id",
    "entity",
    "period",
    "value",
    "qualifier",
    "source_id",
    "quote",
    "note",
    "batch_id",
    "recorded_at",
    "recorded_by",
)


@dataclass(frozen=True)
class FigureVersion:
    """The current version of one figure, as a form shows it and remembers it."""

    id: int
    indicator_id: str
    entity: str
    period: str
    value: float
    qualifier: str
    source_id: str
    quote: str | None
    note: str | None
    batch_id: int
    recorded_at: Any
    recorded_by: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator_id, self.entity, self.period, self.source_id)


class EditConflict(StoreError):
    """The figure changed since the form was opened; ``current`` is what the store holds now (or None)."""

    def __init__(self, current: FigureVersion | None) -> None:
        self.current = current
        if current is None:
            message = "This figure was deleted by someone else since you opened it; nothing was saved."
        else:
            message = (
                f"This figure was changed by {current.recorded_by} at {current.recorded_at:%Y-%m-%d %H:%M} UTC "
                f"since you opened it (now {current.value:g}, {current.qualifier}); nothing was saved. "
                "Look at the current value and save again if yours should replace it."
            )
        super().__init__(message)


@dataclass
class EditResult:
    action: str  # add, change, delete or unchanged
    batch_id: int | None
    version: FigureVersion | None  # the current version after the edit (None after a delete)


def _version(row: tuple | None) -> FigureVersion | None:
    return None if row is None else FigureVersion(*row)


class EditsMixin:
    def current_version(self, indicator_id: str, entity: str, period: str, source_id: str) -> FigureVersion | None:
        """The current version of one figure, or None when there is none."""
        with self.cursor() as con:
            return self._current_version(con, (indicator_id, entity, period, source_id))

    def _current_version(self, con, key: tuple[str, str, str, str]) -> FigureVersion | None:
        row = con.execute(
            f"SELECT {', '.join(_CURRENT_COLUMNS)} FROM current_observation "
            "WHERE indicator_id = ? AND entity = ? AND period = ? AND source_id = ?",
            list(key),
        ).fetchone()
        return _version(row)

    @staticmethod
    def _check_expected(current: FigureVersion | None, expected_version: Any) -> None:
        if expected_version is ANY_VERSION:
            return
        current_id = None if current is None else current.id
        if current_id != expected_version:
            raise EditConflict(current)

    def save_observation(
        self,
        observation: Observation,
        *,
        who: str,
        reason: str,
        expected_version: Any = ANY_VERSION,
        new_source: Source | None = None,
    ) -> EditResult:
        """Add or correct one figure (validated by ``Observation.model_validate``), as one batch of kind
        ``edit``. ``new_source``, when given, is created in the same transaction. Refused with EditConflict
        when the current version is not ``expected_version``."""
        if not (reason or "").strip():
            raise StoreError("Say why you are making this change: a reason is required.")
        key = observation.key
        with self.transaction() as con:
            current = self._current_version(con, key)
            self._check_expected(current, expected_version)
            if (
                current is not None
                and current.value == observation.value
                and current.qualifier == observation.qualifier
                and current.quote == observation.quote
                and current.note == observation.note
            ):
                return EditResult("unchanged", None, current)
            if new_source is None and not con.execute("SELECT 1 FROM source WHERE id = ?", [key[3]]).fetchone():
                raise StoreError(f"There is no source '{key[3]}': pick one or add it first.")
            now = utc_now()
            action = "add" if current is None else "change"
            detail: dict[str, Any] = {"figure": list(key), "action": action}
            if new_source is not None:
                detail["source"] = new_source.model_dump()
            batch_id = self._new_batch(con, "edit", who, reason.strip(), detail=detail, at=now)
            if new_source is not None:
                self._upsert_source(con, new_source)
            if current is not None:
                con.execute(
                    "UPDATE observation SET superseded_at = ?, superseded_batch = ? WHERE id = ?",
                    [now, batch_id, current.id],
                )
            con.execute(
                f"""
                INSERT INTO observation (id, indicator_id, entity, period, period_start, value, qualifier,
                    source_id, quote, note, batch_id, recorded_at, recorded_by)
                SELECT {NEXT_OBSERVATION_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
                """,
                [
                    *key[:3],
                    parse_period(observation.period).start,
                    observation.value,
                    observation.qualifier,
                    key[3],
                    observation.quote,
                    observation.note,
                    batch_id,
                    now,
                    who,
                ],
            )
            con.execute(
                "UPDATE batch SET added = ?, changed = ? WHERE id = ?",
                [int(action == "add"), int(action == "change"), batch_id],
            )
            return EditResult(action, batch_id, self._current_version(con, key))

    def delete_observation(
        self,
        indicator_id: str,
        entity: str,
        period: str,
        source_id: str,
        *,
        who: str,
        reason: str,
        expected_version: Any = ANY_VERSION,
    ) -> EditResult:
        """Delete one figure: its current version is superseded without a successor (the old versions stay,
        and the deletion can be undone). One batch of kind ``delete``."""
        if not (reason or "").strip():
            raise StoreError("Say why you are deleting this figure: a reason is required.")
        key = (indicator_id, entity, period, source_id)
        with self.transaction() as con:
            current = self._current_version(con, key)
            self._check_expected(current, expected_version)
            if current is None:
                raise StoreError(f"There is no figure {indicator_id} {entity} {period} from {source_id} to delete.")
            now = utc_now()
            batch_id = self._new_batch(
                con, "delete", who, reason.strip(), detail={"figure": list(key), "action": "delete"}, at=now
            )
            con.execute(
                "UPDATE observation SET superseded_at = ?, superseded_batch = ? WHERE id = ?",
                [now, batch_id, current.id],
            )
            con.execute("UPDATE batch SET removed = 1 WHERE id = ?", [batch_id])
        return EditResult("delete", batch_id, None)
