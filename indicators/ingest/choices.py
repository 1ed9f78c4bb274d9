"""What the Upload page offers, computed without Streamlit: choices, labels, defaults, and the options and
mapping built from the user's picks."""

from __future__ import annotations

import pandas as pd

from indicators.ingest.countries import to_iso3
from indicators.ingest.decode import ENCODINGS
from indicators.ingest.dialect import DELIMITERS
from indicators.ingest.formats import FORMATS
from indicators.ingest.reader import Parsed

AUTO = "detect"
FORMAT_CHOICES = (AUTO, *FORMATS)
ENCODING_CHOICES = (AUTO, *ENCODINGS)
DELIMITER_CHOICES = {AUTO: None, **{name: mark for mark, name in DELIMITERS.items()}}
DECIMAL_CHOICES = {AUTO: None, "point (3.5)": ".", "comma (3,5)": ","}
THOUSANDS_CHOICES = {AUTO: None, "none": "", "point (1.234)": ".", "comma (1,234)": ",", "space (1 234)": " "}
PRESELECTED = ("SRB", "USA", "SRB-USA")
ON_CHANGE_CHOICES = {
    "Replace the current values": "replace",
    "Keep both, the new values as a separate source": "keep",
}
# The Upload page's widgets that describe one file: its settings, its mapping, what to do on commit.
FILE_KEYS = (
    "upload_format", "upload_encoding", "upload_delimiter", "upload_header", "upload_decimal", "upload_thousands",
    "upload_sheet", "upload_value_columns", "upload_value_column", "upload_indicator", "upload_series",
    "upload_entities", "upload_years", "upload_source", "upload_on_change", "upload_skip_invalid",
)  # fmt: skip


def start_afresh_for(state, file_id: str) -> None:
    """Forget the settings and mapping chosen for another file (a new file is detected and mapped on its
    own; it must never inherit the last file's indicator, source or entities). `state` is the session state."""
    if state.get("upload_file_id") == file_id:
        return
    for key in FILE_KEYS:
        if key in state:
            del state[key]
    state["upload_file_id"] = file_id


def entity_options(parsed: Parsed, pair_with: str | None = None) -> dict[str, str]:
    """label -> code for every entity the file holds that maps to a code (Serbia (SRB), ...)."""
    choices = parsed.entity_choices()
    choices = choices[choices["entity"].notna()]
    suffix = f"-{pair_with}" if pair_with else ""
    return {f"{row.label} ({row.entity}{suffix}) · {row.figures}": row.entity for row in choices.itertuples()}


def unmapped_entities(parsed: Parsed) -> list[str]:
    choices = parsed.entity_choices()
    return choices.loc[choices["entity"].isna(), "label"].dropna().astype(str).tolist()


def default_entities(options: dict[str, str]) -> list[str]:
    return [label for label, code in options.items() if code in PRESELECTED]


def year_bounds(parsed: Parsed) -> tuple[int, int] | None:
    frame = parsed.table
    years = frame["period"].astype("string").str[:4]
    numbers = years[years.str.fullmatch(r"\d{4}").fillna(False)].astype(int)
    if numbers.empty:
        return None
    return int(numbers.min()), int(numbers.max())


def entities_asked(parsed: Parsed, asked: list[str]) -> tuple[list[str], list[str]]:
    """The entities a user asked for (codes, or names and aliases such as Srbija) as the file's codes, and
    those of them the file holds no figures for (a pair such as SRB-USA counts when the file pairs SRB)."""
    text = pd.Series(asked, dtype="string")
    codes = [str(code) for code in to_iso3(text).fillna(text)]
    held = set(parsed.entity_choices()["entity"].dropna().astype(str))
    pair = parsed.foreign.default_pair_with if parsed.foreign is not None else None
    held |= {f"{code}-{pair}" for code in held} if pair else set()
    return codes, [wanted for wanted, code in zip(asked, codes, strict=True) if code not in held]
