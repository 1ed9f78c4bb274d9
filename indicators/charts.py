"""Observations -> plotly figures. Pure functions: no Streamlit, no store; tested without a browser.

Every piece of text that came from a file or a form (names, quotes, sources) is HTML-escaped before it
reaches plotly, whose labels and hover boxes render a subset of HTML.
"""

from __future__ import annotations

import html
import re
import textwrap
import zlib

import pandas as pd
import plotly.graph_objects as go

from indicators.models import Indicator
from indicators.periods import FREQUENCY_NAMES, period_frequency
from indicators.units import UNITS, format_value

# Colour-blind-safe palette (Okabe-Ito); each entity keeps its colour on every chart.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
FIXED_COLOURS = {"SRB": "#C6363C", "USA": "#0C4076", "SRB-USA": "#6A3D9A"}
DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")
CLAIM_SYMBOL = "star"


def entity_colour(entity: str) -> str:
    """A stable colour for an entity, the same on every chart and every run."""
    if entity in FIXED_COLOURS:
        return FIXED_COLOURS[entity]
    return PALETTE[zlib.crc32(entity.encode()) % len(PALETTE)]


def safe_text(text: object, width: int | None = None) -> str:
    """User text made inert for plotly labels (escaped), optionally wrapped with <br> for hover boxes."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    # Quotes become numeric references: plotly decodes &#34; and &#39; but shows &quot; literally.
    escaped = html.escape(str(text), quote=False).replace('"', "&#34;").replace("'", "&#39;")
    if width:
        return "<br>".join(textwrap.wrap(escaped, width=width, break_long_words=True)) or escaped
    return escaped


def _has_text(value: object) -> bool:
    """A quote or note is there: a non-empty string (missing ones come back from the store as NaN)."""
    return isinstance(value, str) and value != ""


def _hover_rows(frame: pd.DataFrame, indicator: Indicator) -> list[list[str]]:
    # Sources, quotes and entity names repeat from point to point: each distinct text is escaped and wrapped
    # once (a chart of 2,000 points spent most of its time re-wrapping the same source title).
    cache: dict[tuple[object, int | None], str] = {}

    def text(value: object, width: int | None = None) -> str:
        key = (value, width)
        if key not in cache:
            cache[key] = safe_text(value, width=width)
        return cache[key]

    names = ("period", "value", "qualifier", "source_title", "quote", "note", "entity_name")
    columns = [frame[name].tolist() for name in names]
    return [
        [
            safe_text(period),
            safe_text(format_value(value, indicator.unit, qualifier, indicator.decimals)),
            text(source_title, width=70),
            text(f"“{quote}”" if _has_text(quote) else (note if _has_text(note) else ""), width=70),
            text(entity_name),
        ]
        for period, value, qualifier, source_title, quote, note, entity_name in zip(*columns, strict=True)
    ]


HOVER_TEMPLATE = (
    "<b>%{customdata[1]}</b> · %{customdata[4]} · %{customdata[0]}"
    "<br>Source: %{customdata[2]}<br><i>%{customdata[3]}</i><extra></extra>"
)


def indicator_figure(
    series: pd.DataFrame,
    indicator: Indicator,
    *,
    log_scale: bool = False,
    show_benchmark: bool = True,
) -> go.Figure:
    """One indicator over time: a line per entity and per source (two sources' values are never joined
    into one line), the papers' figures marked as claims (stars), the benchmark as a dashed line."""
    spec = indicator_spec(series, indicator, log_scale=log_scale, show_benchmark=show_benchmark)
    spec["layout"]["template"] = "plotly_white"
    return go.Figure(spec)


def indicator_spec(
    series: pd.DataFrame,
    indicator: Indicator,
    *,
    log_scale: bool = False,
    show_benchmark: bool = True,
    plain: bool = False,
) -> dict:
    """``indicator_figure`` as plotly's plain ``{"data", "layout"}`` dict, without a template. With
    ``plain`` the columns become lists (dates as ``YYYY-MM-DD``) ready for JSON: the snapshot report draws
    dozens of charts from these without building plotly objects (a tenth of the time)."""
    unit_label = UNITS[indicator.unit].label if indicator.unit in UNITS else indicator.unit
    layout: dict = {
        "title": {"text": safe_text(indicator.name)},
        "xaxis": {},
        "yaxis": {"title": {"text": safe_text(unit_label)}, "type": "log" if log_scale else "linear"},
        "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
    }
    annotations: list[dict] = []
    if series.empty:
        annotations.append(
            {
                "text": "No figures recorded for this indicator yet",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 16},
            }
        )
        layout["xaxis"]["visible"] = False
        layout["yaxis"]["visible"] = False
    data: list[dict] = []
    source_dash: dict[str, str] = {}
    lines = _lines(series)
    # a year's total beside a quarter's: separate lines, and the legend says which is which
    mixed = len({frequency for (_, _, frequency), _ in lines}) > 1
    for (entity, source_id, frequency), group in lines:
        group = group.sort_values("period_start")
        is_claim = bool(group["is_claim"].all())
        dash_key = (source_id, frequency) if mixed else source_id
        dash = source_dash.setdefault(dash_key, DASHES[len(source_dash) % len(DASHES)])
        colour = entity_colour(entity)
        name = f"{group['entity_name'].iloc[0]} · {group['source_title'].iloc[0]}"
        x, y = group["period_start"], group["value"]
        if plain:
            x, y = pd.to_datetime(x).dt.strftime("%Y-%m-%d").tolist(), y.astype(float).tolist()
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "markers" if is_claim or len(group) == 1 else "lines+markers",
                "name": safe_text(textwrap.shorten(name, 80, placeholder="…"))
                + (f" ({FREQUENCY_NAMES.get(frequency, frequency)})" if mixed else "")
                + (" (paper's claim)" if is_claim else ""),
                "line": {"color": colour, "dash": dash},
                "marker": {
                    "color": colour,
                    "size": 16 if is_claim else 7,
                    "symbol": CLAIM_SYMBOL if is_claim else "circle",
                    "line": {"width": 1, "color": "white"},
                },
                "customdata": _hover_rows(group, indicator),
                "hovertemplate": HOVER_TEMPLATE,
                "meta": {"entity": entity, "source_id": source_id, "claim": is_claim},
            }
        )
    if show_benchmark and indicator.benchmark_value is not None:
        # what plotly's add_hline(annotation_position="top left") draws
        level = indicator.benchmark_value
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": level,
                "y1": level,
                "line": {"color": "#666666", "dash": "dash"},
            }
        ]
        annotations.append(
            {
                "text": safe_text(indicator.benchmark_label or f"benchmark {level:g}"),
                "showarrow": False,
                "xref": "x domain",
                "x": 0,
                "xanchor": "left",
                "yref": "y",
                "y": level,
                "yanchor": "bottom",
            }
        )
    if annotations:
        layout["annotations"] = annotations
    _axes(layout, series, log_scale=log_scale, plain=plain)
    return {"data": data, "layout": layout}


def _lines(series: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    """``((entity, source, frequency), rows)`` for each line of a chart, in order of first appearance, rows in
    their order, figures without an entity or source left out: what ``groupby(["entity", "source_id",
    frequency], sort=False)`` gives, at a tenth of its cost on a chart's few hundred rows (the snapshot report
    draws dozens of charts). A source's yearly and quarterly figures are two lines: joined, a year's total
    followed by a quarter's reads as a collapse."""
    rows: dict[tuple, list[int]] = {}
    keys = zip(
        series["entity"].tolist(),
        series["source_id"].tolist(),
        [period_frequency(period) for period in series["period"].tolist()],
        strict=True,
    )
    for position, key in enumerate(keys):
        if not (pd.isna(key[0]) or pd.isna(key[1])):
            rows.setdefault(key, []).append(position)
    if len(rows) == 1 and len(next(iter(rows.values()))) == len(series):
        return [(next(iter(rows)), series)]  # one line of every row: no copy
    return [(key, series.iloc[positions]) for key, positions in rows.items()]


_YEAR = re.compile(r"[0-9]{4}")  # as pandas' str.fullmatch(r"\d{4}") (RE2: \d is ASCII digits only)


def off_log_axis(series: pd.DataFrame) -> pd.DataFrame:
    """The figures a logarithmic axis cannot draw (zero or below): plotly leaves them out without a word."""
    if series.empty:
        return series
    return series[series["value"] <= 0]


def _axes(layout: dict, series: pd.DataFrame, *, log_scale: bool, plain: bool) -> None:
    """Years read as years (not as midnight timestamps), and a lone point gets room around it."""
    if series.empty:
        return
    starts = pd.to_datetime(series["period_start"])
    # a missing period is passed over, as Series.all() skips it
    annual = all(_YEAR.fullmatch(str(period)) for period in series["period"].tolist() if not pd.isna(period))
    if annual:
        layout["xaxis"]["tickformat"] = "%Y"
        if starts.dt.year.nunique() <= 12:
            layout["xaxis"]["dtick"] = "M12"
    if starts.nunique() == 1:
        only = starts.iloc[0]
        low, high = only - pd.DateOffset(years=2), only + pd.DateOffset(years=2)
        layout["xaxis"]["range"] = [low.strftime("%Y-%m-%d"), high.strftime("%Y-%m-%d")] if plain else [low, high]
    values = series["value"]
    if not log_scale and (values >= 0).all():
        # levels and shares read against zero; a lone value would otherwise get a microscopic axis
        layout["yaxis"]["rangemode"] = "tozero"
        if values.nunique() == 1:
            top = float(values.iloc[0]) or 1.0
            layout["yaxis"]["range"] = [0, top * 1.5]


def sparkline_figure(points: pd.DataFrame, colour: str = "#0C4076") -> go.Figure:
    """A tiny line of the latest values, for an Overview tile (no axes, no hover).

    The Overview draws up to 48 of these, so the figure is built in one step from a fixed spec, without
    plotly's validation (5 ms a figure, most of a large Overview's drawing time), and with what
    "plotly_white" changes on a line without axes, legend or text (white backgrounds) instead of copying
    that whole template into every figure (another 40 ms)."""
    return go.Figure(
        data=[
            {
                "type": "scatter",
                "x": points["period_start"].to_numpy(),
                "y": points["value"].to_numpy(dtype=float),
                "mode": "lines+markers" if len(points) < 3 else "lines",
                "line": {"color": colour, "width": 2},
                "marker": {"size": 6},
                "hoverinfo": "skip",
            }
        ],
        layout={
            "height": 70,
            "margin": {"l": 0, "r": 0, "t": 4, "b": 4},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "showlegend": False,
            "template": {"layout": {"plot_bgcolor": "white", "paper_bgcolor": "white"}},
        },
        _validate=False,
    )


# --- events, revisions and the image's own caption (the analysis layer) ------------------------------

EVENT_COLOURS = {
    "visit": "#0072B2",
    "agreement": "#009E73",
    "sanction": "#CC79A7",
    "conflict": "#D55E00",
    "election": "#6A3D9A",
    "rating": "#E69F00",
    "crisis": "#7F7F7F",
}
EVENT_LABEL_LEVELS = (0.99, 0.9, 0.81)  # labels of nearby events are staggered so they do not overprint


def add_event_markers(figure: go.Figure, events: pd.DataFrame, types: tuple[str, ...] | None = None) -> go.Figure:
    """Each event (optionally of some types only) as a dotted vertical line with its title beside it; the
    hover box of the label gives the date, type, source and the sentence it came from."""
    if events.empty or not figure.data:  # no figures, no time axis: labels would float over "No figures yet"
        return figure
    shown = events if types is None else events[events["type"].isin(types)]
    axis = _time_range(figure, shown)
    for number, event in enumerate(shown.sort_values("date_start").itertuples()):
        colour = EVENT_COLOURS.get(event.type, "#444444")
        day = pd.Timestamp(event.date_start)
        # a label reads rightwards from its line, or leftwards in the right part of the chart (inside it)
        leftwards = axis is not None and day > axis[0] + (axis[1] - axis[0]) * 0.6
        figure.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=day,
            x1=day,
            y0=0,
            y1=1,
            line={"color": colour, "width": 1.5, "dash": "dot"},
            name=f"event:{event.id}",
        )
        quote = f"“{event.quote}”" if isinstance(event.quote, str) and event.quote else ""
        figure.add_annotation(
            x=day,
            xref="x",
            y=EVENT_LABEL_LEVELS[number % len(EVENT_LABEL_LEVELS)],
            yref="paper",
            text=safe_text(textwrap.shorten(str(event.title), 40, placeholder="…")),
            showarrow=False,
            xanchor="right" if leftwards else "left",
            yanchor="top",
            font={"size": 10, "color": colour},
            bgcolor="rgba(255,255,255,0.75)",
            hovertext=safe_text(f"{event.date} · {event.type} · {event.source_title} {quote}", width=70),
            name=f"event:{event.id}",
        )
    if axis is not None and figure.layout.xaxis.range is None and not shown.empty:
        # Fixed to the figures and events shown: plotly widens an axis until every annotation's text fits,
        # so a label near the right edge stretched the axis years past the data (decades on a phone).
        figure.update_xaxes(range=list(axis))
    return figure


def _time_range(figure: go.Figure, events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The span of the chart's points and the events, with a little room at both ends."""
    dates = [pd.to_datetime(pd.Series(trace.x)) for trace in figure.data if trace.x is not None and len(trace.x)]
    if figure.layout.xaxis.range is not None:
        low, high = (pd.Timestamp(end) for end in figure.layout.xaxis.range)
        return low, high
    if not dates:
        return None
    every = pd.concat([*dates, pd.to_datetime(events["date_start"]).rename(None)], ignore_index=True)
    low, high = every.min(), every.max()
    pad = max((high - low) * 0.03, pd.Timedelta(days=120))
    return low - pad, high + pad


def mark_revised(figure: go.Figure, series: pd.DataFrame, revised: pd.DataFrame) -> go.Figure:
    """Ring the revised figures (``Store.revised_figures``: their value or qualifier changed at least once)."""
    if series.empty or revised.empty:
        return figure
    marked = series.merge(revised, on=["entity", "period", "source_id"])
    if marked.empty:
        return figure
    figure.add_trace(
        go.Scatter(
            x=marked["period_start"],
            y=marked["value"],
            mode="markers",
            name="revised (value changed)",
            marker={"symbol": "circle-open", "size": 16, "color": "#222222", "line": {"width": 2}},
            customdata=[[safe_text(p), int(v)] for p, v in zip(marked["period"], marked["versions"], strict=True)],
            hovertemplate="%{customdata[0]}: revised, %{customdata[1]} versions<extra></extra>",
            meta={"revised": True},
        )
    )
    return figure


def caption_figure(figure: go.Figure, indicator: Indicator, sources: list[str], extra: str = "") -> go.Figure:
    """Draw the units and a source line on the figure itself (as a subtitle under the title), so a PNG or
    SVG saved from the chart's toolbar carries them."""
    unit_label = UNITS[indicator.unit].label if indicator.unit in UNITS else indicator.unit
    source_text = "; ".join(dict.fromkeys(s for s in sources if s)) or "no figures"
    line = f"Unit: {unit_label} · Source: {source_text}" + (f" · {extra}" if extra else "")
    # wrapped, not cut: a saved image must name every source (a cut line dropped the official one)
    subtitle = safe_text(line, width=SUBTITLE_WIDTH)
    figure.update_layout(
        title={"text": safe_text(indicator.name), "subtitle": {"text": subtitle}},
        margin={"t": 62 + 22 * (subtitle.count("<br>") + 1)},
    )
    return figure


SUBTITLE_WIDTH = 110  # characters per line of the source line drawn on the chart


def image_config(indicator_id: str, image_format: str = "png") -> dict:
    """The chart toolbar's camera button: PNG or SVG, named after the indicator, drawn in the browser."""
    return {
        "toImageButtonOptions": {"format": image_format, "filename": indicator_id, "scale": 2},
        "displaylogo": False,
    }
