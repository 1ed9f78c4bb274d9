"""Before a big file is checked, its keys are looked over once: when no (indicator, entity, period, source)
repeats as written, the check skips its search for repeated figures. That look must never call a file with
a repeated key unique, however its cells are blank (a blank source is the upload's source)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.store import Store, staging

COLUMNS = ("row", "indicator", "entity", "period", "value", "unit", "qualifier", "source", "quote", "note")
cell = st.sampled_from([None, "a", "b", "up"])  # "up" is also the upload's source below
STORE = Store()  # in memory, empty: the look reads nothing from the store


def _raw(rows: list[tuple]) -> pa.Table:
    columns = {name: pa.array([None] * len(rows), pa.string()) for name in COLUMNS}
    columns["row"] = pa.array(range(2, 2 + len(rows)), pa.int64())
    for index, name in enumerate(("indicator", "entity", "period", "source")):
        columns[name] = pa.array([row[index] for row in rows], pa.string())
    return pa.table(columns)


def _unique_as_the_key_reads(rows: list[tuple], default_source: str | None) -> bool:
    keys = [(i or "", e, p or "", s if s is not None else (default_source or "")) for i, e, p, s in rows]
    return len(set(keys)) == len(keys)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(cell, st.sampled_from(["SRB", "USA"]), cell, cell), max_size=12),
    st.sampled_from([None, "up", "other"]),
    st.integers(1, 3),
)
def test_a_repeated_key_is_always_seen_and_a_unique_file_is_called_unique(rows, default_source, chunks):
    store = STORE
    raw = _raw(rows)
    if chunks > 1 and len(rows) > 2:  # Arrow tables arrive in chunks (blocks of the file)
        raw = pa.concat_tables([raw.slice(0, len(rows) // 2), raw.slice(len(rows) // 2)])
    distinct, unique = store.staged_summary(raw, default_source)
    assert unique == _unique_as_the_key_reads(rows, default_source)
    dense, staging.DENSE_KEYS = staging.DENSE_KEYS, -1000  # keys counted by pandas' hash table instead
    try:
        assert store.staged_summary(raw, default_source) == (distinct, unique)
    finally:
        staging.DENSE_KEYS = dense
    assert unique == store._keys_unique_by_hash(raw, default_source)
    for index, name in enumerate(("indicator", "entity", "period", "source")):
        assert sorted(distinct[name]) == sorted({"" if row[index] is None else row[index] for row in rows})


def test_a_file_with_a_blank_entity_is_never_called_unique():
    store = STORE
    distinct, unique = store.staged_summary(_raw([("a", None, "2019", "s")]), None)
    assert not unique and distinct["entity"] == [""]
