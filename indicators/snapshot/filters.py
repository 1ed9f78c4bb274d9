"""What a snapshot holds: all figures, or chosen indicators, entities and a range of periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indicators.models import check_entity
from indicators.periods import parse_period
from indicators.store import Scope

_MONTHS = {"A": 12, "S": 6, "Q": 3, "M": 1}


def period_end(text: str) -> dt.date:
    """The last day a period covers (2019 -> 2019-12-31, 2019-Q3 -> 2019-09-30)."""
    period = parse_period(text)
    if period.frequency == "D":
        return period.start
    months = period.start.month - 1 + _MONTHS[period.frequency]
    following = dt.date(period.start.year + months // 12, months % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@dataclass(frozen=True)
class Filters:
    indicators: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    period_from: str | None = None  # inclusive: figures whose period starts on or after this one's start
    period_to: str | None = None  # inclusive: figures whose period starts on or before this one's end

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicators", tuple(sorted({str(i).strip() for i in self.indicators if i})))
        object.__setattr__(self, "entities", tuple(sorted({check_entity(e) for e in self.entities if e})))
        for name in ("period_from", "period_to"):
            value = getattr(self, name)
            object.__setattr__(self, name, parse_period(value).text if value else None)  # PeriodError if bad
        if self.period_from and self.period_to and parse_period(self.period_from).start > period_end(self.period_to):
            raise ValueError(
                f"the periods run from {self.period_from} to {self.period_to}: the first comes after the last, "
                "so nothing would be exported (swap them)"
            )

    @property
    def is_all(self) -> bool:
        return not (self.indicators or self.entities or self.period_from or self.period_to)

    def scope(self) -> Scope:
        return Scope(
            indicators=self.indicators,
            entities=self.entities,
            start_min=parse_period(self.period_from).start if self.period_from else None,
            start_max=period_end(self.period_to) if self.period_to else None,
        )

    def to_manifest(self) -> dict:
        return {
            "indicators": list(self.indicators),
            "entities": list(self.entities),
            "period_from": self.period_from,
            "period_to": self.period_to,
        }

    @classmethod
    def from_manifest(cls, data: object) -> Filters:
        """The filters a manifest names; ValueError (saying which) when they are not lists of text and periods
        as text, as ``to_manifest`` writes them (a hand-edited ``"indicators": "trade_volume"`` is not read as
        eleven one-letter ids)."""
        data = data if isinstance(data, dict) else {}
        for name in ("indicators", "entities"):
            listed = data.get(name)
            if listed is not None and not (isinstance(listed, list) and all(isinstance(i, str) for i in listed)):
                raise ValueError(f"{name} must be a list of text, not {listed!r:.100}")
        for name in ("period_from", "period_to"):
            if data.get(name) is not None and not isinstance(data[name], str):
                raise ValueError(f"{name} must be a period written as text (2015), not {data[name]!r:.100}")
        return cls(
            indicators=tuple(data.get("indicators") or ()),
            entities=tuple(data.get("entities") or ()),
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
        )

    def describe(self) -> str:
        if self.is_all:
            return "all figures"
        parts = []
        if self.indicators:
            parts.append("indicators " + ", ".join(self.indicators))
        if self.entities:
            parts.append("entities " + ", ".join(self.entities))
        if self.period_from or self.period_to:
            parts.append(f"periods {self.period_from or '…'} to {self.period_to or '…'}")
        return "; ".join(parts)
