"""What the pages show, computed without Streamlit: tiles, tables, captions. Pages only lay these out."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from indicators.analysis import freshness
from indicators.models import CATEGORIES, Indicator
from indicators.periods import FREQUENCY_NAMES, period_frequency
from indicators.units import UNITS, format_value

CATEGORY_TITLES = {"economy": "Economy", "security": "Security", "people": "People", "politics": "Politics"}


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value is not pd.NA


@dataclass(frozen=True)
class Tile:
    indicator_id: str
    name: str
    category: str
    unit: str
    latest: str  # "≈ USD 1.7 bn", or "no figures yet"
    period: str
    entity: str
    source: str
    latest_is_claim: bool
    claim: str | None  # what the papers said, when the latest figure is not itself the claim
    claim_period: str | None
    observations: int
    overdue: str | None = None  # "older than its release cycle": when a newer figure was expected
    claim_source: str | None = None  # whose claim: the paper (", citing <source>" when it cites one)


_TILE_COLUMNS = (
    "indicator_id",
    "name",
    "category",
    "unit",
    "value",
    "qualifier",
    "decimals",
    "period",
    "entity",
    "source_title",
    "latest_is_claim",
    "claim_value",
    "claim_qualifier",
    "claim_period",
    "observations",
    "release_cycle_months",
    "claim_source_title",
)


def period_label(period: str) -> str:
    """A period as a tile shows it: a year as written; a half-year, quarter or month with its frequency, so a
    quarter's figure is not read beside a year's as if it were one ("2023-Q2 (quarterly)")."""
    frequency = period_frequency(period)
    return f"{period} ({FREQUENCY_NAMES[frequency]})" if frequency in ("S", "Q", "M") else period


def overdue_note(period: str, release_cycle_months: object, today: dt.date) -> str | None:
    """For a tile whose latest figure is older than its indicator's release cycle: when a newer one was due."""
    if not period or not _present(release_cycle_months):
        return None
    return _overdue_note(str(period), int(release_cycle_months), today)


@lru_cache(maxsize=4096)
def _overdue_note(period: str, release_cycle_months: int, today: dt.date) -> str | None:
    # cached: a store of hundreds of indicators has a few distinct latest periods, and the Overview is
    # drawn on every rerun (pandas in freshness() costs ~0.1 ms a call)
    fresh = freshness(pd.Series([period]), release_cycle_months, today)
    if not fresh.overdue or fresh.expected_by is None:
        return None
    return f"Older than its release cycle: a newer figure was expected by {fresh.expected_by:%B %Y}"


def overview_tiles(overview: pd.DataFrame, today: dt.date | None = None) -> dict[str, list[Tile]]:
    """Tiles grouped by category, in the order economy, security, people, politics; ``today`` (default: the
    current date) decides which latest figures are older than their release cycle."""
    today = today or dt.date.today()
    grouped: dict[str, list[Tile]] = {category: [] for category in CATEGORIES}
    # plain Python values column by column: itertuples() boxes every cell (slow with hundreds of indicators)
    row_type = namedtuple("OverviewRow", _TILE_COLUMNS)
    for row in map(row_type._make, zip(*(overview[column].tolist() for column in _TILE_COLUMNS), strict=True)):
        has_value = _present(row.value)
        latest = format_value(row.value, row.unit, row.qualifier, int(row.decimals)) if has_value else "no figures yet"
        has_claim = _present(row.claim_value)
        claim_is_latest = bool(has_value and row.latest_is_claim)
        grouped.setdefault(row.category, []).append(
            Tile(
                indicator_id=row.indicator_id,
                name=row.name,
                category=row.category,
                unit=row.unit,
                latest=latest,
                period=row.period if has_value else "",
                entity=row.entity if has_value else "",
                source=row.source_title if has_value and _present(row.source_title) else "",
                latest_is_claim=claim_is_latest,
                claim=(
                    format_value(row.claim_value, row.unit, row.claim_qualifier, int(row.decimals))
                    if has_claim and not claim_is_latest
                    else None
                ),
                claim_period=row.claim_period if has_claim and not claim_is_latest else None,
                observations=int(row.observations),
                overdue=overdue_note(row.period, row.release_cycle_months, today) if has_value else None,
                claim_source=(
                    row.claim_source_title
                    if has_claim and not claim_is_latest and _present(row.claim_source_title)
                    else None
                ),
            )
        )
    return {category: tiles for category, tiles in grouped.items() if tiles}


TILE_LIMIT = 48  # more tiles than this make the Overview slow to draw and hard to read


def select_tiles(
    tiles_by_category: dict[str, list[Tile]], search: str = "", limit: int = TILE_LIMIT
) -> tuple[dict[str, list[Tile]], int]:
    """At most ``limit`` tiles whose name or id contains the search words (all of them), papers' claims
    first; returns the tiles by category and how many there are."""
    words = search.lower().split()
    matching = [
        tile
        for tiles in tiles_by_category.values()
        for tile in tiles
        if all(word in f"{tile.name} {tile.indicator_id}".lower() for word in words)
    ]
    matching.sort(key=lambda tile: not (tile.latest_is_claim or tile.claim))
    chosen = {id(tile) for tile in matching[:limit]}
    selected = {
        category: [tile for tile in tiles if id(tile) in chosen] for category, tiles in tiles_by_category.items()
    }
    return {category: tiles for category, tiles in selected.items() if tiles}, len(chosen)


def split_waiting(tiles_by_category: dict[str, list[Tile]]) -> tuple[dict[str, list[Tile]], list[Tile]]:
    """Tiles with figures, by category, and the indicators still waiting for their first figure."""
    with_figures = {
        category: [tile for tile in tiles if tile.observations] for category, tiles in tiles_by_category.items()
    }
    waiting = [tile for tiles in tiles_by_category.values() for tile in tiles if not tile.observations]
    return {category: tiles for category, tiles in with_figures.items() if tiles}, waiting


def series_table(series: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The observations behind a chart, for people: formatted value, with its source and sentence."""
    if series.empty:
        return pd.DataFrame(columns=["Period", "Entity", "Value", "Source", "Quote or note", "Recorded"])
    return pd.DataFrame(
        {
            "Period": series["period"],
            "Entity": series["entity_name"],
            "Value": [
                format_value(v, indicator.unit, q, indicator.decimals)
                for v, q in zip(series["value"], series["qualifier"], strict=True)
            ],
            "Source": series["source_title"],
            "Quote or note": series["quote"].fillna(series["note"]).fillna(""),
            "Recorded": series["recorded_at"].dt.strftime("%Y-%m-%d"),
        }
    )


PERIOD_NOUNS = {"A": "year", "S": "half-year", "Q": "quarter", "M": "month", "D": "day"}
AMOUNT_UNITS = {unit for unit, spec in UNITS.items() if len(spec.scales) > 1}  # totals over a period: USD, people


def frequency_note(series: pd.DataFrame, indicator: Indicator) -> str | None:
    """What a reader must know when a chart holds figures of different lengths (yearly and quarterly): they
    are separate lines, and a total over a quarter is not comparable with one over a year (a stock, such as
    investment at a date, is: so the note says which kind it means)."""
    if series.empty:
        return None
    found = {period_frequency(period) for period in series["period"]} - {""}
    if len(found) < 2:
        return None
    ordered = [frequency for frequency in PERIOD_NOUNS if frequency in found]  # longest first
    names = [FREQUENCY_NAMES[frequency] for frequency in ordered]
    note = f"This chart holds {', '.join(names[:-1])} and {names[-1]} figures, drawn as separate lines"
    if indicator.unit not in AMOUNT_UNITS:
        return note + "."
    shorter, longer = PERIOD_NOUNS[ordered[-1]], PERIOD_NOUNS[ordered[0]]
    return (
        f"{note}: where a figure is a total over its period (trade, arrivals), "
        f"a {shorter}'s is not comparable with a {longer}'s."
    )


def series_as_csv_frame(series: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The shown observations in our CSV columns, for the page's download."""
    return pd.DataFrame(
        {
            "indicator": series["indicator_id"],
            "entity": series["entity"],
            "period": series["period"],
            "value": series["value"],
            "unit": indicator.unit,
            "qualifier": series["qualifier"],
            "source": series["source_id"],
            "quote": series["quote"],
            "note": series["note"],
        }
    )


# --- the papers' claims against the official statistics ----------------------------------------------

CLAIM_TOLERANCE = {"exactly": 0.02, "about": 0.10}  # relative: "3.8%" matches 3.8 ± 2 %, "about 400" ± 10 %


def _half_last_digit(claim: float) -> float:
    """Half a unit of the claim's last stated decimal: "0.2 %" stands for anything that rounds to 0.2 (0.15
    to 0.25). A whole number's trailing zeros say nothing of its precision ("400 million"), so half a unit."""
    text = f"{abs(claim):.15g}"
    if "e" in text or "." not in text:
        return 0.5 if "e" not in text else 0.0
    return 0.5 * 10 ** -len(text.split(".")[1])


def claim_verdict(claim: float, qualifier: str | None, official: float) -> str:
    """Whether an official figure "confirms", "exceeds" or "falls short of" a paper's claim, reading the
    claim's qualifier: "more than 2" is confirmed by 2.6 (not by 2.0); "about 400 million" by 417.9 million;
    a figure stated as "0.2 %" by anything that rounds to it (0.22)."""
    qualifier = qualifier or "exactly"
    if qualifier in ("more than", "less than") and official == claim:
        return "does not confirm"  # exactly the bound: "more than 60" is not confirmed by 60
    if qualifier in ("more than", "at least"):
        return "confirms" if official >= claim else "falls short of"
    if qualifier == "less than":
        return "confirms" if official < claim else "exceeds"
    tolerance = max(CLAIM_TOLERANCE.get(qualifier, 0.02) * abs(claim), _half_last_digit(claim))
    if abs(official - claim) <= tolerance:
        return "confirms"
    return "exceeds" if official > claim else "falls short of"


def _distinct_from_claim(official: float, claim: float, row) -> str:
    """The official figure with the decimals that tell it from the claim: 2.04 % beside "more than 2 %" (shown
    as "2 %" it seemed to confirm a claim it was equal to), at most three decimals more than usual."""
    decimals = int(row.decimals)
    for more in range(decimals, decimals + 4):
        shown = format_value(official, row.unit, "exactly", more)
        if official == claim or shown != format_value(claim, row.unit, "exactly", more):
            return shown
    return shown


def claim_check_captions(checks: pd.DataFrame, overview: pd.DataFrame) -> dict[str, str]:
    """indicator id -> a caption for its tile: what the latest statistics say about the paper's claim."""
    captions: dict[str, str] = {}
    if checks.empty:
        return captions
    keyed = checks.set_index(["indicator_id", "entity", "claim_period"])
    for row in overview[overview["claim_value"].notna()].itertuples():
        if not _present(row.claim_value):
            continue
        key = (row.indicator_id, row.claim_entity, row.claim_period)
        if key not in keyed.index:
            continue
        check = keyed.loc[key]
        if isinstance(check, pd.DataFrame):
            check = check.iloc[0]
        official = format_value(check["official_value"], row.unit, "exactly", int(row.decimals))
        if check["same_period"]:
            official = _distinct_from_claim(float(check["official_value"]), float(row.claim_value), row)
        said = f"{check['official_source_title']}, {check['official_period']}: {official}"
        if check["same_period"]:
            verdict = claim_verdict(float(row.claim_value), row.claim_qualifier, float(check["official_value"]))
            captions[row.indicator_id] = f"{said}, which {verdict} the paper's figure"
        else:
            captions[row.indicator_id] = f"{said} (the latest we hold; none yet for {row.claim_period} to compare)"
    return captions


# --- the Sources page ----------------------------------------------------------------------------------


def paper_byline(paper) -> str:
    """Authors, publisher, year of a paper (a row of ``Store.sources()``), the parts it states; a part recorded
    as "not stated" says which part it is ("not stated, not stated" named neither)."""
    parts = []
    for name, part in (("authors", paper.authors), ("publisher", paper.publisher), ("year", paper.year)):
        if _present(part):
            parts.append(f"{name} not stated" if str(part).strip().lower() == NOT_STATED else str(part))
    return ", ".join(parts)


NOT_STATED = "not stated"  # how data/sources.csv records an author or publisher a paper does not name


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """The sources that are not papers, as people cite them: who published what, when, where to find it and
    under which terms; a cited source names the paper that cites it (by title, not by our id)."""
    titles = dict(zip(sources["id"], sources["title"], strict=True))
    return pd.DataFrame(
        {
            "Title": sources["title"],
            "Publisher": sources["publisher"],
            "Year": sources["year"],
            "Kind": sources["kind"],
            "Cited in": sources["cited_in"].map(lambda paper: titles.get(paper, paper) if _present(paper) else None),
            "Figures": sources["figures"],
            "URL": sources["url"],
            "Licence": sources["licence"],
        }
    )
