"""Helpers for the snapshot tests: hostile figures, and rewriting an archive's members and manifest."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pandas as pd

from indicators.store import Store
from indicators.validate import validate_observations

HOSTILE_QUOTE = '=HYPERLINK("http://evil.example","click")'
HOSTILE_NOTE = "-1+2 is how the author wrote it"


def with_store(action):
    """Run ``action`` on the store INDICATORS_DB names, opened for it and closed after (as a command is)."""
    from indicators.bootstrap import open_store

    store = open_store(idle_release=0)
    try:
        return action(store)
    finally:
        store.close()


def add_figures(store: Store, records: list[dict], who: str = "analyst") -> None:
    """Write figures as a user would (validated, one batch)."""
    frame = pd.DataFrame(records)
    checked = validate_observations(frame, store.indicator_map())
    assert checked.ok, checked.problems
    store.write_observations(checked.rows, kind="edit", who=who, reason="test figures")


def hostile_store(store: Store) -> Store:
    add_figures(
        store,
        [
            {
                "indicator": "gdp_growth",
                "entity": "SRB",
                "period": "2019",
                "value": 4.2,
                "source": "pupin_2024",
                "quote": HOSTILE_QUOTE,
                "note": HOSTILE_NOTE,
            },
            {
                "indicator": "gdp_growth",
                "entity": "SRB",
                "period": "2020-Q3",
                "value": -1.1,
                "source": "pupin_2024",
                "note": "@SUM(A1:A9)",
            },
            {
                "indicator": "trade_volume",
                "entity": "SRB-USA",
                "period": "2018",
                "value": 0.1 + 0.2,
                "source": "pupin_2024",
                "note": "'=already quoted by the author",
            },
        ],
    )
    return store


def rewrite(data: bytes, *, drop=(), replace=None, add=None, manifest_changes=None, relist=True) -> bytes:
    """A copy of an archive with members dropped, replaced or added; ``relist`` recomputes the manifest's
    checksums for replaced/added members (so only the fault under test remains)."""
    replace = dict(replace or {})
    add = dict(add or {})
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read("manifest.json"))
    members = {name: source.read(name) for name in source.namelist() if name != "manifest.json"}
    for name in drop:
        members.pop(name, None)
    members.update(replace)
    members.update(add)
    if relist:
        for name, content in {**replace, **add}.items():
            manifest["members"][name] = {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
    manifest.update(manifest_changes or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def store_state(store: Store) -> tuple:
    """Everything a restore could change: current figures, catalog, and the change log's size."""
    return (
        store.snapshot_observations().to_csv(index=False),
        store.snapshot_indicators().to_csv(index=False),
        store.snapshot_sources().to_csv(index=False),
        store.query_value("SELECT count(*) FROM batch"),
        store.query_value("SELECT count(*) FROM observation"),
    )
