"""The words that travel with a snapshot: README.md in the zip and the README sheet of the workbook."""

from __future__ import annotations

import re

import pandas as pd

FILES = (
    ("manifest.json", "when and by which version this was made, the filters, row counts, a SHA-256 of every file"),
    (
        "observations.csv",
        "every figure in our CSV format (indicator, entity, period, value, unit, qualifier, "
        "source, quote, note); import it as it is",
    ),
    ("observations.parquet", "the same figures as Parquet, exact to the last bit (restore reads this)"),
    ("indicators.csv", "what each indicator measures, its unit, valid range and usual entity"),
    ("sources.csv", "where the figures come from, with licences and addresses"),
    ("changes.csv", "the change log: every figure added, changed or removed, by whom, when and why"),
    ("snapshot.xlsx", "the same tables as a workbook; open its README sheet first"),
    ("report.html", "one page that works offline: latest values, a chart per indicator, the papers' claims, sources"),
    ("README.md", "this file"),
)

FORMULA_NOTE = (
    "Text cells that begin with =, +, -, @, a tab or a carriage return carry a leading apostrophe in the CSV "
    "files and the workbook, so that a spreadsheet never runs them as formulas; numbers are plain numbers."
)


_MARKDOWN = re.compile(r"([\\`*_\[\]<>!#])")
_PLAIN_URL = re.compile(r"https?://[^\s<>]+")


def _inline(value: object) -> str:
    """Text from the store as README.md shows it: on one line, with the characters markdown would turn into a
    link, an image, HTML, emphasis or a heading backslash-escaped, so a viewer shows it as typed."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(value).split()))


def _address(url: object) -> str:
    """A source's address as an autolink ``<https://...>`` (clickable, shown as it is), else as text."""
    text = str(url).strip()
    return f"<{text}>" if _PLAIN_URL.fullmatch(text) else _inline(text)


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or str(value) == ""


def workbook_readme(describe: list[str]) -> list[str]:
    lines = ["Serbia–US relations in figures: snapshot", *describe, ""]
    lines += [
        "Sheets: summary (one row per indicator), observations (every figure), indicators, sources, "
        "changes (the change log)."
    ]
    lines += ["Values are in base units: US dollars (not millions), percent as 0-100, persons."]
    lines += [FORMULA_NOTE]
    return lines


def readme_text(
    *,
    filename: str,
    describe: list[str],
    sources: pd.DataFrame,
    created: str,
    workbook_omitted: list[str],
    report_limited: bool,
) -> str:
    lines = ["# Serbia–US relations in figures: snapshot", "", *describe, "", "## Files", ""]
    lines += [f"- `{name}`: {what}" for name, what in FILES]
    lines += ["", "Values are in base units (US dollars, not millions; percent as 0-100). " + FORMULA_NOTE]
    if workbook_omitted or report_limited:
        lines += ["", "## Limits of this snapshot", ""]
        for name in workbook_omitted:
            lines.append(f"- The workbook leaves out the {name} sheet (too many rows); {name}.csv is complete.")
        if report_limited:
            lines.append(
                "- report.html charts each indicator's usual entity only; the CSV and Parquet files are complete."
            )
    lines += ["", "## Sources and licences", ""]
    for source in sources.itertuples():
        parts = [_inline(source.publisher), str(source.year), _address(source.url)]
        present = (source.publisher, source.year, source.url)
        detail = ", ".join(part for part, value in zip(parts, present, strict=True) if not _blank(value))
        licence = _inline(source.licence) if not _blank(source.licence) else "licence not stated"
        lines.append(f"- {_inline(source.title)}" + (f" ({detail})" if detail else "") + f". Licence: {licence}.")
    lines += [
        "",
        "## How to cite",
        "",
        f"Serbia–US relations in figures, snapshot `{filename}`, created {created}. "
        "Cite the original source of each figure as well (sources.csv); the manifest's SHA-256 sums identify "
        "this exact file set.",
        "",
        "## Restore or compare",
        "",
        f"`python -m indicators restore {filename} --dry-run` shows what restoring would change; "
        f"`python -m indicators diff {filename}` compares it with the live store.",
        "",
    ]
    return "\n".join(lines)
