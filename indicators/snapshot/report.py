"""report.html: one self-contained page that works offline (plotly.js embedded once): what the snapshot
holds, the latest value of each indicator, a chart per indicator, the papers' claims and the sources.

Every piece of text from the store is HTML-escaped. A large snapshot (over ``REPORT_FULL_LIMIT`` figures)
charts only each indicator's usual entity, and a chart never draws more than ``CHART_ENTITY_LIMIT`` entities;
the page says so when it leaves any out. The CSV and Parquet files hold everything.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.io as pio
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs

from indicators.charts import indicator_spec
from indicators.periods import parse_period
from indicators.store import Scope, Store
from indicators.units import format_value

REPORT_FULL_LIMIT = 20_000
CHART_POINT_LIMIT = 2_000  # a chart's points, latest first: a report of a million figures stays light
TEMPLATE = "plotly_white"  # defined once in the page, used by every chart
CHART_ENTITY_LIMIT = 8  # lines per chart: the usual entity first, then those with the most figures

_STYLE = (
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;"
    "padding:0 1rem;color:#222}table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}td.n{text-align:right;white-space:nowrap}"
    "blockquote{margin:.2rem 0 .8rem 1rem;color:#444;font-style:italic}"
    ".note{background:#fff8e1;padding:.6rem;border-left:4px solid #e0a800}.chart{margin:1.5rem 0}"
)


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return escape(str(value), quote=True)


def _starts(periods: pd.Series) -> pd.Series:
    starts = {text: parse_period(text).start for text in pd.unique(periods.dropna())}
    return pd.to_datetime(periods.map(starts))


def _in_period_range(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    if frame.empty or (scope.start_min is None and scope.start_max is None):
        return frame
    starts = pd.to_datetime(frame["period_start"]).dt.date
    keep = pd.Series(True, index=frame.index)
    if scope.start_min is not None:
        keep &= starts >= scope.start_min
    if scope.start_max is not None:
        keep &= starts <= scope.start_max
    return frame[keep]


def build_report(
    store: Store,
    *,
    scope: Scope,
    summary: pd.DataFrame,
    figures: int,
    indicators: pd.DataFrame,
    sources: pd.DataFrame,
    title: str,
    header_lines: list[str],
    charts: list[str] | None = None,
) -> tuple[bytes, bool]:
    """The page's bytes and whether it was limited because the snapshot is large. ``charts`` (from
    ``report_charts``, for the same scope and figure count) may be drawn beforehand."""
    limited = figures > REPORT_FULL_LIMIT
    if charts is None:
        charts = report_charts(store, scope=scope, figures=figures, indicators=indicators)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_text(title)}</title><style>{_STYLE}</style>",
        f"<script type='text/javascript'>{get_plotlyjs()}</script>",
        f"<script>var REPORT_TEMPLATE = {_template_json()};</script>",
        "</head><body>",
        f"<h1>{_text(title)}</h1>",
        "".join(f"<p>{_text(line)}</p>" for line in header_lines),
    ]
    if limited:
        parts.append(
            f"<p class='note'>This snapshot holds {figures:,} figures, more than this page shows in "
            f"full ({REPORT_FULL_LIMIT:,}): each chart shows the indicator's usual entity only. observations.csv "
            "and observations.parquet in the same zip hold every figure.</p>"
        )
    parts.append(_latest_table(summary, indicators, sources))
    parts.append("<h2>Charts</h2>")
    parts.extend(charts)
    parts.append(_claims(store, scope))
    parts.append(_sources(sources))
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8"), limited


def report_charts(store: Store, *, scope: Scope, figures: int, indicators: pd.DataFrame) -> list[str]:
    """The report's charts, one ``<div>`` each, in the order of ``indicators``."""
    limited = figures > REPORT_FULL_LIMIT
    catalog = {indicator.id: indicator for indicator in store.indicators()}  # one query, not one per chart
    # a large snapshot charts one entity per indicator: all of them read in one query
    chosen = dict(tuple(store.snapshot_chart_series(scope).groupby("indicator_id", sort=False))) if limited else {}
    in_scope: dict[str, list[str]] = {}
    if not limited:  # the entities with figures within the scope (its periods too), most figures first
        entities = store.snapshot_entities(scope)
        in_scope = {key: list(group["entity"]) for key, group in entities.groupby("indicator_id", sort=False)}
    charts: list[str] = []
    for indicator_id in indicators["id"]:
        indicator = catalog.get(indicator_id)
        if indicator is None:
            continue
        if limited:
            entities, left_out = [], 0
            series = chosen.get(indicator_id, pd.DataFrame())
        else:
            entities, left_out = _chart_entities(in_scope.get(indicator_id, []), indicator.default_entity)
            series = _in_period_range(store.series(indicator_id, entities), scope)
        if series.empty:
            continue
        notes = []
        if left_out and not limited:
            notes.append(f"This chart shows {len(entities)} entities; {left_out} more are in the CSV files.")
        if len(series) > CHART_POINT_LIMIT:
            notes.append(f"This chart shows the latest {CHART_POINT_LIMIT:,} of {len(series):,} figures.")
            cutoff = series["period_start"].sort_values().iloc[-CHART_POINT_LIMIT]
            series = series[series["period_start"] >= cutoff]
        figure = indicator_spec(series, indicator, plain=True)
        note = "".join(f"<p class='note'>{_text(text)}</p>" for text in notes)
        charts.append(f"<div class='chart'>{_chart(figure, len(charts))}{note}</div>")
    return charts


def _template_json() -> str:
    return _script_json(pio.templates[TEMPLATE].to_plotly_json())


def _script_json(value) -> str:
    """JSON safe inside a <script> element (no ``</`` that could close it)."""
    return to_json_plotly(value).replace("</", "<\\/")


def _chart(spec: dict, number: int) -> str:
    """One chart: a div and the call that draws it, with the template the page defines once (the same
    markup as plotly's ``to_html``, without a copy of the template per chart)."""
    div = f"chart-{number}"
    return (
        f"<div id='{div}' class='plotly-graph-div' style='height:450px; width:100%;'></div>"
        f"<script>Plotly.newPlot('{div}', {_script_json(spec['data'])}, "
        f"Object.assign({{template: REPORT_TEMPLATE}}, {_script_json(spec['layout'])}), {{responsive: true}});"
        "</script>"
    )


def _chart_entities(available: list[str], default_entity: str) -> tuple[list[str], int]:
    """The entities one chart draws (of ``available``, the indicator's entities with figures in the snapshot,
    most figures first): the usual one first, and how many it leaves out."""
    ordered = sorted(available, key=lambda e: e != default_entity)  # stable: most figures after the usual
    chosen = ordered[:CHART_ENTITY_LIMIT]
    return chosen, len(available) - len(chosen)


def _latest_table(summary: pd.DataFrame, indicators: pd.DataFrame, sources: pd.DataFrame) -> str:
    titles = dict(zip(sources["id"], sources["title"], strict=True))  # a person reads titles, not ids
    rows = [
        "<h2>Latest values</h2><table><tr><th>Indicator</th><th>Latest</th><th>Entity</th><th>Period</th>"
        "<th>Source</th><th>Figures</th><th>Periods</th></tr>"
    ]
    if summary.empty:
        return rows[0] + "<tr><td colspan='7'>No figures in this snapshot.</td></tr></table>"
    latest = summary.set_index("indicator")
    for record in indicators.itertuples():
        if record.id not in latest.index:
            continue
        row = latest.loc[record.id]
        decimals = 1 if pd.isna(record.decimals) else int(record.decimals)
        value = format_value(row["latest_value"], record.unit, row["latest_qualifier"], decimals)
        rows.append(
            f"<tr><td>{_text(record.name)}</td><td class='n'>{_text(value)}</td>"
            f"<td>{_text(row['latest_entity'])}</td><td>{_text(row['latest_period'])}</td>"
            f"<td>{_text(titles.get(row['latest_source'], row['latest_source']))}</td>"
            f"<td class='n'>{int(row['figures']):,}</td>"
            f"<td>{_text(row['first_period'])} to {_text(row['last_period'])}</td></tr>"
        )
    return "".join(rows) + "</table>"


def _claims(store: Store, scope: Scope) -> str:
    claims = store.claims()
    if scope.indicators:
        claims = claims[claims["indicator_id"].isin(scope.indicators)]
    if scope.entities:
        claims = claims[claims["entity"].isin(scope.entities)]
    if not claims.empty:
        claims = _in_period_range(claims.assign(period_start=_starts(claims["period"])), scope)
    parts = ["<h2>The papers' claims</h2>"]
    if claims.empty:
        return parts[0] + "<p>No claims from the papers in this snapshot.</p>"
    for claim in claims.itertuples():
        value = format_value(claim.value, claim.unit, claim.qualifier, int(claim.decimals))
        parts.append(
            f"<p><b>{_text(claim.indicator_name)}</b>: {_text(value)} ({_text(claim.entity)}, {_text(claim.period)})"
            f" · {_text(claim.attributed_title)}</p><blockquote>“{_text(claim.quote)}”</blockquote>"
        )
    return "".join(parts)


def _sources(sources: pd.DataFrame) -> str:
    rows = [
        "<h2>Sources</h2><table><tr><th>Title</th><th>Publisher</th><th>Year</th><th>Kind</th><th>Licence</th>"
        "<th>Address</th></tr>"
    ]
    for source in sources.itertuples():
        year = "" if pd.isna(source.year) else int(source.year)
        rows.append(
            f"<tr><td>{_text(source.title)}</td><td>{_text(source.publisher)}</td><td>{year}</td>"
            f"<td>{_text(source.kind)}</td><td>{_text(source.licence)}</td><td>{_text(source.url)}</td></tr>"
        )
    return "".join(rows) + "</table>"
