"""Mirror pairs: the same flow as each country reports it, declared in ``data/mirrors.csv``.

Columns: ``id,title,reporter_a,indicator_a,entity_a,reporter_b,indicator_b,entity_b``. Side a is usually the
US report and side b Serbia's (US imports from Serbia vs Serbia's exports to the US).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.config import DATA_DIR
from indicators.models import check_entity

MIRRORS_FILE = "mirrors.csv"
COLUMNS = ("id", "title", "reporter_a", "indicator_a", "entity_a", "reporter_b", "indicator_b", "entity_b")


@dataclass(frozen=True)
class MirrorPair:
    id: str
    title: str
    reporter_a: str
    indicator_a: str
    entity_a: str
    reporter_b: str
    indicator_b: str
    entity_b: str

    def involves(self, indicator_id: str) -> bool:
        return indicator_id in (self.indicator_a, self.indicator_b)


def load_mirrors(data_dir: Path = DATA_DIR) -> list[MirrorPair]:
    """The declared pairs; a missing file means no pairs. A malformed file is a developer's mistake and
    raises ValueError naming the row."""
    path = data_dir / MIRRORS_FILE
    if not path.exists():
        return []
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{MIRRORS_FILE}: missing columns {', '.join(missing)}")
    pairs = []
    for number, record in enumerate(frame.to_dict("records"), start=2):
        try:
            for side in ("reporter_a", "reporter_b", "entity_a", "entity_b"):
                record[side] = check_entity(record[side])
        except ValueError as error:
            raise ValueError(f"{MIRRORS_FILE} row {number}: {error}") from None
        pairs.append(MirrorPair(**{column: record[column].strip() for column in COLUMNS}))
    return pairs


def pairs_for(indicator_id: str, pairs: list[MirrorPair]) -> list[MirrorPair]:
    return [pair for pair in pairs if pair.involves(indicator_id)]
