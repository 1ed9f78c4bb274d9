"""Country names and 2-letter codes -> ISO 3166 alpha-3, from `data/entities.csv` (code, name, aliases).

Three-letter codes are kept as they are (World Bank aggregates such as EUU or WLD included, on purpose).
Kosovo is XKX (World Bank and EU usage; XK in Eurostat files). Names we do not know map to nothing and are
listed for the user rather than guessed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from indicators.config import DATA_DIR


def _key(text: object) -> str:
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold()


@lru_cache(maxsize=4)
def _lookup_from(path: Path, mtime: float) -> dict[str, str]:
    entities = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    lookup: dict[str, str] = {}
    for code, name, aliases in entities[["code", "name", "aliases"]].itertuples(index=False):
        for alias in [code, name, *[a for a in aliases.split(";") if a.strip()]]:
            lookup.setdefault(_key(alias), code)
    return lookup


def entity_lookup(path: Path | None = None) -> dict[str, str]:
    path = path or DATA_DIR / "entities.csv"
    return _lookup_from(path, path.stat().st_mtime)


def to_iso3(values: pd.Series, lookup: dict[str, str] | None = None) -> pd.Series:
    """ISO3 codes for names, 2-letter and 3-letter codes; NA where unknown. One lookup per distinct value."""
    lookup = lookup if lookup is not None else entity_lookup()
    text = values.astype("string").fillna("").str.strip()
    codes, distinct = pd.factorize(text)  # a long file repeats a few hundred names: judge each once
    mapped = {}
    for value in distinct:
        if not value:
            mapped[value] = pd.NA
        elif _key(value) in lookup:
            mapped[value] = lookup[_key(value)]
        elif len(value) == 3 and value.isalpha() and value.isupper():
            mapped[value] = value  # an ISO3 code we do not list, or an aggregate (EUU, WLD, ECS)
        else:
            mapped[value] = pd.NA
    per_distinct = pd.array([mapped[value] for value in distinct], dtype="string")
    return pd.Series(per_distinct.take(codes, allow_fill=True), index=values.index, dtype="string")


def entity_code(text: object, lookup: dict[str, str] | None = None) -> str | None:
    """One entity as typed (a code, a name or an alias: ``Srbija``, ``RS``) read as ``to_iso3`` reads a file's
    column; None where it names nothing we know."""
    code = to_iso3(pd.Series([text], dtype="string"), lookup).iloc[0]
    return None if pd.isna(code) else str(code)


def entity_names(path: Path | None = None) -> dict[str, str]:
    path = path or DATA_DIR / "entities.csv"
    entities = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return dict(zip(entities["code"], entities["name"], strict=True))
