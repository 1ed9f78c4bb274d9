"""The bundled data: `data/*.csv` (the papers' figures, their sources, the indicators' metadata, entity
names) loaded into a store, idempotently.

A second start adds nothing (the files' checksum is remembered in the store). When the files change, new
figures are added and corrected seed figures updated, but a figure that a person has edited or deleted keeps
the person's version: seed data never overrides a user.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.config import DATA_DIR
from indicators.models import Event, Indicator, Source
from indicators.reference import REFERENCE_SERIES, reference_files, reference_rows
from indicators.store import Store, WriteResult
from indicators.validate import validate_observations

SEED_FILES = ("entities.csv", "sources.csv", "indicators.csv", "figures.csv", "events.csv")
SEED_WHO = "seed data"


class SeedError(Exception):
    """The bundled data itself is invalid: a developer's mistake, reported with file, row and reason."""


@dataclass
class SeedData:
    entities: pd.DataFrame
    sources: list[Source]
    indicators: list[Indicator]
    figures: pd.DataFrame
    events: list[Event]
    checksum: str


def _read_csv(path: Path) -> pd.DataFrame:
    # keep_default_na=False: "NA" is Namibia's code, not missing; blanks become "" and are handled by models
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _models(frame: pd.DataFrame, model, file: str) -> list:
    items, problems = [], []
    for number, record in enumerate(frame.to_dict("records"), start=2):
        try:
            items.append(model.model_validate(record))
        except ValueError as error:
            problems.append(f"{file} row {number}: {error}")
    if problems:
        raise SeedError("\n".join(problems))
    return items


def _events(data_dir: Path) -> list[Event]:
    from indicators.events import read_events_csv

    parsed = read_events_csv((data_dir / "events.csv").read_bytes())
    if not parsed.ok:
        raise SeedError("\n".join(f"events.csv {problem}" for problem in parsed.problems))
    return parsed.events


def seed_checksum(data_dir: Path = DATA_DIR) -> str:
    """One checksum over data/*.csv and the reference series: any change to either is applied on next start."""
    digest = hashlib.sha256()
    for name in SEED_FILES:
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    digest.update(repr(REFERENCE_SERIES).encode())  # the series' sources (publisher, URL, licence) too
    for path in reference_files(data_dir / "reference"):
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_seed(data_dir: Path = DATA_DIR) -> SeedData:
    indicators = _models(_read_csv(data_dir / "indicators.csv"), Indicator, "indicators.csv")
    figures = _read_csv(data_dir / "figures.csv")
    figures.insert(0, "row", range(2, len(figures) + 2))
    validated = validate_observations(figures, {indicator.id: indicator for indicator in indicators})
    if not validated.ok:
        raise SeedError(
            "\n".join(
                f"figures.csv row {p.row}, column {p.column}: {p.reason}" for p in validated.problems.itertuples()
            )
        )
    return SeedData(
        entities=_read_csv(data_dir / "entities.csv"),
        sources=_models(_read_csv(data_dir / "sources.csv"), Source, "sources.csv"),
        indicators=indicators,
        figures=validated.rows,
        events=_events(data_dir),
        checksum=seed_checksum(data_dir),
    )


def apply_seed(store: Store, data_dir: Path = DATA_DIR, *, force: bool = False) -> WriteResult | None:
    """Seed the store from data/. Returns what was written, or None when the store already has this seed."""
    checksum = seed_checksum(data_dir)
    if not force and store.meta("seed_checksum") == checksum:
        return None
    seed = load_seed(data_dir)
    store.upsert_entities(seed.entities)
    store.upsert_catalog(seed.sources, seed.indicators)
    result = store.write_observations(
        seed.figures,
        kind="seed",
        who=SEED_WHO,
        reason="the papers' figures bundled in data/",
        detail={"checksum": checksum},
        seed=True,
    )
    store.write_events(seed.events, kind="seed", who=SEED_WHO, reason="the papers' events bundled in data/", seed=True)
    apply_reference(store, data_dir)
    store.set_meta("seed_checksum", checksum)
    return result


def apply_reference(store: Store, data_dir: Path = DATA_DIR) -> WriteResult | None:
    """The official reference series (data/reference/), through the upload importer, as seed data."""
    if not (data_dir / "reference").exists():
        return None
    rows, sources, problems = reference_rows(store, data_dir / "reference")
    if problems:
        raise SeedError("\n".join(problems))
    if rows.empty:
        return None
    return store.write_observations(
        rows,
        kind="seed",
        who=SEED_WHO,
        reason="official reference series bundled in data/reference/",
        detail={"files": [path.name for path in reference_files(data_dir / "reference")]},
        seed=True,
        sources=sources,
    )
