"""Units: which ones exist, how a value in base units is shown, and how scaled inputs convert to base units.

Values are always stored in base units (USD, not USD millions; percent as 0-100). This module turns
``1.7e9`` with qualifier "about" into ``≈ USD 1.7 bn`` and turns "1.7" + "billion USD" into ``1.7e9``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unit:
    id: str
    label: str  # how a person reads the unit in a sentence
    minimum: float | None = None  # a bound every indicator in this unit shares (no negative head counts)
    scales: dict[str, float] = field(default_factory=lambda: {"": 1.0})


_BIG = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
UNITS: dict[str, Unit] = {
    "USD": Unit("USD", "US dollars", scales=dict(_BIG)),
    "EUR": Unit("EUR", "euros", scales=dict(_BIG)),
    "percent": Unit("percent", "percent"),
    "persons": Unit("persons", "people", minimum=0.0, scales=dict(_BIG)),
    "count": Unit("count", "count", minimum=0.0, scales={"": 1.0, "thousand": 1e3}),
    "ratio": Unit("ratio", "times"),
    "years": Unit("years", "years", minimum=0.0),
    "index": Unit("index", "index points"),
}

QUALIFIERS = ("exactly", "about", "more than", "at least", "less than")
QUALIFIER_SYMBOLS = {"exactly": "", "about": "≈ ", "more than": "> ", "at least": "≥ ", "less than": "< "}
# The words the papers and the statistics offices use, mapped onto our five qualifiers.
QUALIFIER_ALIASES = {
    "": "exactly",
    "exact": "exactly",
    "=": "exactly",
    "approximately": "about",
    "around": "about",
    "circa": "about",
    "ca.": "about",
    "~": "about",
    "≈": "about",
    "roughly": "about",
    "over": "more than",
    "just over": "more than",
    "slightly more than": "more than",
    "exceeding": "more than",
    "above": "more than",
    ">": "more than",
    "≥": "at least",
    ">=": "at least",
    "no less than": "at least",
    "almost": "less than",
    "nearly": "less than",
    "under": "less than",
    "below": "less than",
    "just under": "less than",
    "<": "less than",
}


def normalise_qualifier(text: object) -> str | None:
    """Return one of QUALIFIERS for a qualifier word, or None when it is not one we know."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return "exactly"
    key = " ".join(str(text).strip().lower().split())
    if key in QUALIFIERS:
        return key
    return QUALIFIER_ALIASES.get(key)


_SCALE_WORDS = {
    "thousand": "thousand",
    "thousands": "thousand",
    "k": "thousand",
    "000": "thousand",
    "million": "million",
    "millions": "million",
    "mn": "million",
    "mio": "million",
    "m": "million",
    "billion": "billion",
    "billions": "billion",
    "bn": "billion",
    "bln": "billion",
}
_UNIT_WORDS = {
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "us dollars": "USD",
    "dollars": "USD",
    "current us$": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "percent": "percent",
    "per cent": "percent",
    "%": "percent",
    "pct": "percent",
    "% of gdp": "percent",
    "percent of gdp": "percent",
    "persons": "persons",
    "person": "persons",
    "people": "persons",
    "number of persons": "persons",
    "count": "count",
    "number": "count",
    "ratio": "ratio",
    "times": "ratio",
    "x": "ratio",
    "years": "years",
    "year": "years",
    "index": "index",
}


class UnitError(ValueError):
    """A unit text we cannot read; the message lists what we accept."""


def parse_unit(text: str) -> tuple[str, float]:
    """Read a unit as people write it ("USD millions", "million USD", "%", "thousand persons").

    Returns the base unit id and the multiplier that converts a value in that unit to base units.
    """
    raw = " ".join(str(text).strip().split())
    if raw in UNITS:
        return raw, 1.0
    words = re.sub(r"[()\[\],]", " ", raw.lower()).split()
    scale = ""
    rest = []
    for word in words:
        if word in _SCALE_WORDS and not scale:
            scale = _SCALE_WORDS[word]
        else:
            rest.append(word)
    unit_text = " ".join(rest)
    unit_id = _UNIT_WORDS.get(unit_text)
    if unit_id is None:
        known = ", ".join(UNITS)
        raise UnitError(f"unknown unit '{text}': use one of {known}, optionally with thousand/million/billion")
    unit = UNITS[unit_id]
    if scale not in unit.scales:
        raise UnitError(f"'{text}': {unit_id} cannot be scaled by '{scale}'")
    return unit_id, unit.scales[scale]


def _trim(number: float, decimals: int) -> str:
    """Format with thousands separators and at most `decimals` decimals, dropping trailing zeros. A value that
    is not zero is never shown as 0: it gets the decimals it needs (0.45 % with 0 decimals is "0.45 %")."""
    decimals = max(decimals, 0)
    text = _fixed(number, decimals)
    if number and text == "0" and math.isfinite(number):
        significant = -math.floor(math.log10(abs(number))) + 1  # decimals for two significant digits
        text = _fixed(number, min(significant, 15))
    return text


def _fixed(number: float, decimals: int) -> str:
    text = f"{number:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_number(value: float, unit: str, decimals: int = 1) -> str:
    """Show a base-unit value the way a reader expects: USD 1.7 bn, 3.8 %, 39,000 people, 2.5×."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    magnitude = abs(value)
    if unit in {"USD", "EUR"}:
        for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
            if magnitude >= size:
                return f"{unit} {_trim(value / size, max(decimals, 1))} {suffix}"
        return f"{unit} {_trim(value, 0)}"
    if unit == "percent":
        return f"{_trim(value, decimals)} %"
    if unit == "persons":
        if magnitude >= 1e9:  # the world's population: "8.1 billion people", not "8,100 million people"
            return f"{_trim(value / 1e9, max(decimals, 1))} billion people"
        if magnitude >= 1e6:
            return f"{_trim(value / 1e6, max(decimals, 1))} million people"
        return f"{_trim(value, 0)} people"
    if unit == "ratio":
        return f"{_trim(value, max(decimals, 1))}×"
    if unit == "years":
        return f"{_trim(value, decimals)} years"
    return _trim(value, decimals)


def format_change(value: float, unit: str, decimals: int = 1) -> str:
    """A difference between two values, signed: '+USD 12.5 m', '−2,000 people'. A difference of two
    percentages is in percentage points ('−5.3 pp'), never '%', which readers take for a relative change."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "−" if value < 0 else "+" if value > 0 else ""
    if unit == "percent":
        return f"{sign}{_trim(abs(value), decimals)} pp"
    return f"{sign}{format_number(abs(value), unit, decimals)}"


def format_value(value: float, unit: str, qualifier: str | None = "exactly", decimals: int = 1) -> str:
    """A value with its qualifier's sign: '> USD 400 m', '≈ USD 1.7 bn', '< 1 million people'."""
    symbol = QUALIFIER_SYMBOLS.get(qualifier or "exactly", "")
    return f"{symbol}{format_number(value, unit, decimals)}"
