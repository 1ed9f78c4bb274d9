"""From what a person typed (a form, or the `add` command) to a validated figure, source or indicator.

The rules are those of ``models.py`` (``Observation.model_validate(..., context={"indicator": ...})``), so a
form and an upload agree on what is valid. Problems come back per field, so a form can show each message
next to the field it is about; nothing here writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from indicators.ingest.countries import entity_code, entity_names
from indicators.ingest.dialect import number_readings
from indicators.models import Indicator, Observation, Source, slug
from indicators.units import UNITS, UnitError, format_value, parse_unit

# model field -> the field a person sees
_FIELD_NAMES = {"indicator_id": "indicator", "source_id": "source", "min_value": "range", "max_value": "range"}


@dataclass
class Checked:
    """The validated object, or None, the problems found (field -> message) and, where what was typed was
    read as something else (1,7 as 1.7; Srbija as SRB), how (field -> note) for the person to check."""

    value: Any = None
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def field_errors(error: ValidationError, fallback: str) -> dict[str, str]:
    """Pydantic's errors as {field: message}, without pydantic's "Value error, " prefixes."""
    found: dict[str, str] = {}
    for item in error.errors():
        location = item["loc"][0] if item["loc"] else fallback
        name = _FIELD_NAMES.get(str(location), str(location))
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "string_pattern_mismatch":  # pydantic would quote the regular expression
            message = f"{item['input']!r} is not an id: use lower-case letters, digits and _, as in fdi_inflow"
        elif item["type"] == "string_too_short":
            message = "empty: this is required"
        found.setdefault(name, message)
    return found


def unit_choices(indicator: Indicator) -> list[str]:
    """The units a value of this indicator may be typed in: "USD", "thousand USD", "million USD", ..."""
    unit = UNITS[indicator.unit]
    return [f"{scale} {unit.id}".strip() for scale in unit.scales]


def read_number(text: object) -> tuple[float, str | None]:
    """A number as typed, and how it was read when that was not plain. Digits with a dot for decimals (spaces
    and underscores between digit groups) are the form's own writing. Anything else is read by the rules an
    upload uses (``indicators.ingest.dialect.number_readings``): a decimal comma (1,7) or thousands separators
    (1.234,5; 1,234.5). Where those rules give two readings (1,700: 1700 or 1.7) nothing is guessed: the
    message asks for one of them. A number the form's own way (1.700, 1.125) is read that way without a note:
    it is how the form asks for numbers and how it prefills a correction, so noting it would ask every
    correction to be confirmed twice."""
    if isinstance(text, int | float):
        return float(text), None
    typed = str(text or "").strip()
    cleaned = re.sub(r"[\s_\u00a0\u202f]", "", typed)
    if not cleaned:
        raise ValueError("enter a value")
    try:
        return float(cleaned), None
    except ValueError:
        pass
    readings = number_readings(typed)
    if len(readings) > 1:
        shown = " or ".join(f"{reading:.15g}" for reading in readings)
        raise ValueError(f"'{typed}' could be {shown}: write {shown} (digits, with a dot for decimals)")
    if not readings:
        raise ValueError(f"'{text}' is not a number: write digits, with a dot for decimals (1.7)")
    return readings[0], f"'{typed}' read as {readings[0]:.15g}"


def parse_number(text: object) -> float:
    """A number as typed (see ``read_number``), without the note on how it was read."""
    return read_number(text)[0]


def read_entity(text: str | None) -> tuple[str, str | None]:
    """An entity as typed: a code (SRB, SRB-USA), or a name or alias an upload knows (Srbija, Serbia, RS: the
    rules of ``indicators.ingest.countries``), and how it was read when it was a name. Unknown text comes
    back as typed, for the model's rules to refuse with their message."""
    typed = (text or "").strip()
    code = entity_code(typed) if typed else None
    if code is None:
        return typed, None
    if code == typed.upper():  # srb: the code itself, in other letters
        return code, None
    name = entity_names().get(code)
    return code, f"'{typed}' read as {code}" + (f" ({name})" if name else "")


def check_figure(
    indicators: dict[str, Indicator],
    *,
    indicator: str,
    entity: str | None,
    period: str,
    value: object,
    unit: str | None = None,
    qualifier: str | None = None,
    source: str,
    quote: str | None = None,
    note: str | None = None,
    reason: str | None = None,
    reason_required: bool = True,
) -> Checked:
    """Validate one figure as typed. ``value`` is in ``unit`` (any scale of the indicator's unit; the
    indicator's own unit when blank) and comes back in base units."""
    errors: dict[str, str] = {}
    notes: dict[str, str] = {}
    chosen = indicators.get((indicator or "").strip())
    if chosen is None:
        errors["indicator"] = f"unknown indicator '{indicator}': create it first (Enter page) or pick one that exists"
    number: float | None = None
    try:
        number, notes["value"] = read_number(value)
    except ValueError as error:
        errors["value"] = str(error)
    entity, notes["entity"] = read_entity(entity)
    factor = 1.0
    if unit and str(unit).strip():
        try:
            unit_id, factor = parse_unit(str(unit))
        except UnitError as error:
            errors["unit"] = str(error)
        else:
            if chosen is not None and unit_id != chosen.unit:
                errors["unit"] = f"the indicator is measured in {chosen.unit}, not {unit_id}"
    if reason_required and not (reason or "").strip():
        errors["reason"] = "say why: every change needs a reason"
    data = {
        "indicator_id": (indicator or "").strip(),
        "entity": (entity or "").strip() or (chosen.default_entity if chosen else ""),
        "period": period or "",
        "value": number * factor if number is not None and "unit" not in errors else 0.0,
        "qualifier": qualifier,
        "source_id": source or "",
        "quote": quote,
        "note": note,
    }
    if chosen is not None and chosen.unit == "percent" and number is not None and not errors:
        notes["value"] = _fraction_note(number * factor, notes.get("value"))
    notes = {name: note for name, note in notes.items() if note}
    observation = None
    try:
        observation = Observation.model_validate(data, context={"indicator": chosen})
    except ValidationError as error:
        for name, message in field_errors(error, "value").items():
            if name == "value" and ("value" in errors or "unit" in errors):
                continue  # the number itself was unreadable: that message says more
            errors.setdefault(name, message)
    if errors:
        return Checked(None, errors, notes)
    return Checked(observation, {}, notes)


def _fraction_note(value: float, note: str | None) -> str | None:
    """A percentage between 0 and 1 is most often a share written as a fraction (0.45 for 45 %): say how it
    was read, so the form asks before saving it (a real 0.2 % is saved by pressing Save again)."""
    if not 0 < abs(value) < 1:
        return note
    share = f"{value * 100:.10g}"
    question = f"{value:.10g} read as {value:.10g} % (percentages are written 0–100: for {share} %, type {share})"
    return f"{note}; {question}" if note else question


def unconfirmed_notes(checked: Checked, seen: set) -> dict[str, str]:
    """The notes on how a form read its input that the person has not been shown yet; they count as shown
    from now on (``seen`` is the set of notes shown so far, kept by the page). A form saves only when this is
    empty, so a reinterpreted value is seen before it is written."""
    new = {name: note for name, note in checked.notes.items() if (name, note) not in seen}
    seen.update(new.items())
    return new


def _slug(text: str) -> str:
    return slug(text, "_")[:60].strip("_") or "source"


def new_source_id(title: str, year: object, existing: set[str]) -> str:
    """A readable, unused id for a new source: its title's first words and its year (``nbs_release_2025``)."""
    base = "_".join(_slug(title).split("_")[:5])
    if year not in (None, ""):
        base = f"{base}_{year}"
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def source_titled(sources: pd.DataFrame, title: str | None) -> str | None:
    """The id of the source already called ``title`` (case aside), if any: typing a source's title again
    means that source, not a second copy of it."""
    if not title or not title.strip() or sources.empty:
        return None
    same_title = sources[sources["title"].astype(str).str.casefold() == title.strip().casefold()]
    return None if same_title.empty else str(same_title.iloc[0]["id"])


def check_source(
    existing: set[str], *, title: str, publisher: str | None = None, year: object = None, url: str | None = None
) -> Checked:
    """A new source from a form: title required; year 1800-2100; URL http(s) only."""
    year_value: object = None
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = "enter the source's title"
    if year not in (None, "") and str(year).strip():
        try:
            year_value = int(str(year).strip())
        except ValueError:
            errors["year"] = f"'{year}' is not a year"
    data = {
        "id": new_source_id(title or "", year_value, existing),
        "title": title,
        "publisher": publisher,
        "year": year_value,
        "url": url,
        "kind": "user",
    }
    return _checked(Source, data, "title", errors)


def check_indicator(data: dict[str, Any], existing: set[str]) -> Checked:
    """A new indicator from a form; its id must not be taken."""
    errors: dict[str, str] = {}
    if (data.get("id") or "").strip() in existing:
        errors["id"] = f"there is already an indicator '{data['id']}': pick another id"
    return _checked(Indicator, data, "range", errors)


def check_indicator_form(data: dict[str, Any], numbers: dict[str, str], existing: set[str]) -> Checked:
    """A new indicator as a form types it: ``numbers`` holds the optional numeric fields as typed
    (min_value, max_value, benchmark_value); a bad one is reported under "range" or its own name."""
    data = dict(data)
    number_errors: dict[str, str] = {}
    for name, text in numbers.items():
        try:
            data[name] = optional_number(text)
        except ValueError as error:
            number_errors.setdefault("range" if name in ("min_value", "max_value") else name, str(error))
    checked = check_indicator(data, existing)
    if not number_errors:
        return checked
    return Checked(None, {**checked.errors, **number_errors})


def _checked(model: type[BaseModel], data: dict[str, Any], fallback: str, errors: dict[str, str]) -> Checked:
    try:
        result = model.model_validate(data)
    except ValidationError as error:
        for name, message in field_errors(error, fallback).items():
            errors.setdefault(name, message)
        return Checked(None, errors)
    return Checked(None, errors) if errors else Checked(result, {})


def split_value(value: float, indicator: Indicator) -> tuple[str, str]:
    """A base-unit value as a form shows it: the largest scale it reaches (1.7e9 USD -> "1.7", "billion USD")."""
    unit = UNITS[indicator.unit]
    best = ""
    for scale, factor in unit.scales.items():
        if abs(value) >= factor and factor >= unit.scales[best]:
            best = scale
    number = value / unit.scales[best]
    return f"{number:.15g}", f"{best} {unit.id}".strip()


def optional_number(text: object) -> float | None:
    """A number typed in an optional field: blank is None; anything else must be a number."""
    if text is None or not str(text).strip():
        return None
    return parse_number(text)


@dataclass
class Outcome:
    """What a save did, for a person: level is success, info, warning or error."""

    level: str
    message: str
    batch_id: int | None = None


def describe_version(indicator: Indicator, version) -> str:
    shown = format_value(version.value, indicator.unit, version.qualifier, indicator.decimals)
    return (
        f"{shown} (recorded by {version.recorded_by} on {version.recorded_at:%Y-%m-%d %H:%M} UTC, "
        f"batch {version.batch_id})"
    )


def save_figure(
    store,
    indicator: Indicator,
    observation: Observation,
    *,
    opened: dict,
    who: str,
    reason: str,
    new_source: Source | None = None,
) -> Outcome:
    """Save one figure from a form. ``opened`` maps a figure's key to the version id the person has seen
    (None: they expect no figure yet). A figure they have not seen is shown first and not overwritten; a
    figure changed since they saw it is refused with its current value. ``opened`` is updated to what the
    person has now seen."""
    from indicators.store import EditConflict, StoreError

    key = observation.key
    current = store.current_version(*key)
    if key not in opened and current is not None:
        opened[key] = current.id
        return Outcome(
            "warning",
            f"A value already exists for {' '.join(key[:3])} from {key[3]}: {describe_version(indicator, current)}. "
            "Nothing was saved yet: press Save again to replace it.",
        )
    try:
        result = store.save_observation(
            observation, who=who, reason=reason, expected_version=opened.get(key), new_source=new_source
        )
    except EditConflict as conflict:
        opened[key] = conflict.current.id if conflict.current else None
        return Outcome("error", str(conflict))
    except StoreError as error:
        return Outcome("error", str(error))
    if result.action == "unchanged":
        return Outcome("info", "Nothing changed: the store already holds exactly this.")
    opened[key] = result.version.id
    shown = format_value(observation.value, indicator.unit, observation.qualifier, indicator.decimals)
    verb = "added" if result.action == "add" else "corrected"
    return Outcome(
        "success",
        f"Saved ({verb}): {shown} for {observation.entity} {observation.period}, batch {result.batch_id}. "
        "Undo it on the History page.",
        result.batch_id,
    )
