"""Pure Plotly figures built from the frames of reports.analysis. No Django.

Every user-written string (dimension names, item texts, group and scale labels) is passed
through :func:`html.escape` before it reaches a label, tick or hover text, because Plotly
renders a subset of HTML. Numbers are rounded to one decimal to keep payloads small.
Translated wording and the language's number separators come in through :class:`ChartText`
so this module stays Django-free; a number written here as text goes through
:func:`reports.chart_numbers.format_number` with them, to read like those Plotly writes.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from reports.chart_numbers import DEFAULT_SEPARATORS, format_number
from reports.vocabulary import (
    STATUS_ALIGNED,
    STATUS_BREAKDOWN,
    STATUS_DIVIDED,
    STATUS_ORDER,
    STATUS_SUPPRESSED,
    STATUS_TOO_FEW,
    STATUS_WATCH,
)

# Purple/orange (PuOr ends) stay distinct under the common colour-vision deficiencies.
COLOUR_IT = "#5e3c99"
COLOUR_SECURITY = "#e66101"
COLOUR_NEUTRAL = "#bdbdbd"
DIVERGING_SCALE = "RdBu"
# Status colours from the Okabe–Ito palette (distinct under colour-vision deficiencies);
# each status also has its own bar pattern and its name in the bar label, so colour is
# never the only cue.
STATUS_STYLE = {
    STATUS_BREAKDOWN: {"color": "#D55E00", "pattern": "x"},
    STATUS_WATCH: {"color": "#E69F00", "pattern": "/"},
    STATUS_DIVIDED: {"color": "#CC79A7", "pattern": "."},
    STATUS_TOO_FEW: {"color": "#999999", "pattern": "-"},
    STATUS_ALIGNED: {"color": "#0072B2", "pattern": ""},
    STATUS_SUPPRESSED: {"color": "#bdbdbd", "pattern": ""},
}
# Untranslated words, for callers without a translation (tests, commands).
DEFAULT_STATUS_LABELS = {
    **{status: status for status in STATUS_ORDER},
    STATUS_SUPPRESSED: "not enough responses",
    STATUS_TOO_FEW: "too few to tell",
}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}
WRAP_AT = 48
# Characters per line of a statement above its bars, and of a dimension's name and status
# above its gap bar: both fit the ~280 px plot of a 360 px phone.
HEADING_WRAP_AT = 40
GAP_ROW_PX = 56  # one dimension of the gap chart: its heading line and its bar
# Width of a character of a tick label, px (13 px system font, a little under the average,
# so a heading moved left by it never leaves the figure).
TICK_CHAR_PX = 6.5
# Characters per line of a heatmap column label: four columns fit a 360 px phone.
HEATMAP_COLUMN_WRAP_AT = 10
# A cell with too few responses to show; the heatmap's colour bar says what it means.
SUPPRESSED_MARK = "—"
# The radar's spoke labels: characters per line, and the side margins that hold them (a full
# line of 12 px text on a spoke pointing straight sideways, as the fourth of twelve does).
# Below about 500 px of chart the radar is too small to read, and the page shows its table
# instead.
RADAR_WRAP_AT = 14
RADAR_SIDE_MARGIN = 112


@dataclass(frozen=True)
class ChartText:
    """Wording and number separators used inside the figures; views pass the reader's
    language's (``separators`` as :data:`DEFAULT_SEPARATORS`)."""

    not_enough: str = "not enough responses"
    largest_gap: str = "largest gap"
    gap_axis: str = "Gap in points (IT − Security)"
    score_axis: str = "Mean score (0–100)"
    share_axis: str = "Share of answers (%)"
    gap: str = "Gap"
    points: str = "points"
    first: str = "IT"
    second: str = "Security"
    status: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUS_LABELS))
    separators: str = DEFAULT_SEPARATORS
    percent: str = "{}%"  # a number as a percentage: "{} %" in French, German and Spanish


def escape_label(value: object) -> str:
    """Escape ``& < >`` so no tag can form. Quotes stay: Plotly knows no ``&quot;``."""
    return html.escape(str(value), quote=False)


def wrap_label(value: object, width: int = WRAP_AT) -> str:
    """Escape, then break long text into lines (Plotly wraps nothing by itself)."""
    lines = textwrap.wrap(str(value), width=width) or [""]
    return "<br>".join(escape_label(line) for line in lines)


def rounded_number(value: Any) -> float | None:
    """Round to 1 decimal; missing values (None, NaN, <NA>) become None (a gap in the chart)."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 1)


def base_figure(**layout: Any) -> go.Figure:
    base = {
        "template": go.layout.Template(),
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
    }
    return go.Figure(layout=go.Layout({**base, **layout}))


def figure_to_dict(figure: go.Figure) -> dict[str, Any]:
    """Return the figure as plain JSON-able Python (dicts, lists, str, float, None)."""
    return json.loads(figure.to_json())


def gap_chart(
    gaps: pd.DataFrame, names: Mapping[str, str], text: ChartText | None = None
) -> go.Figure:
    """Horizontal bars of the gap per dimension (points, A − B), largest |gap| at the top.

    ``gaps`` is the ``dimensions`` frame of :func:`reports.analysis.compare_groups`
    (``dimension_code``, ``gap``, ``status``, ``suppressed``, ``rank``, ``worst``); ``names``
    maps dimension code to display name. One trace per status, so the legend explains the
    colours; each status also has its own fill pattern and its name in the bar label (a
    cue that is not colour). The worst dimension is starred. A suppressed dimension keeps
    its row, has no bar, only the "not enough responses" label; it sorts last.
    """
    text = text or ChartText()
    frame = gaps.assign(_abs=gaps["gap"].abs(), _order=range(len(gaps)))
    frame = frame.sort_values(["_abs", "_order"], ascending=[False, True], na_position="last")
    labels, annotations = [], []
    by_status: dict[str, dict[str, list[Any]]] = {
        status: {"x": [], "y": [], "text": [], "hover": []} for status in STATUS_ORDER
    }
    # Each dimension's name and status sit on a line of their own above its bar, across
    # the whole plot, so that on a phone neither a long name nor the value beside a bar
    # runs into the other (the category labels are kept but not drawn).
    heading = {"x": 0, "xref": "paper", "xanchor": "left", "yanchor": "bottom"}
    heading |= {"yshift": 12, "showarrow": False, "align": "left", "font": {"size": 12}}
    for row in frame.itertuples(index=False):
        name = escape_label(names.get(row.dimension_code, row.dimension_code))
        label = f"★ {name}" if row.worst else name
        labels.append(label)
        gap = None if row.suppressed else rounded_number(row.gap)
        status = row.status if row.status in STATUS_STYLE else "aligned"
        status_text = escape_label(text.status.get(status, status))
        if gap is None:
            annotations.append({**heading, "y": label, "text": wrap_label(label, 40)})
            annotations.append(
                {
                    "x": 0,
                    "y": label,
                    "text": escape_label(text.not_enough),
                    "showarrow": False,
                    "xanchor": "left",
                    "font": {"color": "#555555", "size": 12},
                }
            )
            continue
        lines = textwrap.wrap(f"{label} · {status_text}", width=HEADING_WRAP_AT) or [""]
        annotations.append({**heading, "y": label, "text": "<br>".join(lines)})
        marker = " ★" if row.worst else ""  # the heading names it "largest gap" too
        bucket = by_status[status]
        bucket["x"].append(gap)
        bucket["y"].append(label)
        written = format_number(gap, text.separators, signed=True)
        bucket["text"].append(f"{written}{marker}")
        largest = f"<br>★ {escape_label(text.largest_gap)}" if row.worst else ""
        bucket["hover"].append(
            f"{name}<br>{escape_label(text.gap)}: {written} {escape_label(text.points)} "
            f"({status_text}){largest}"
        )
    values = [v for bucket in by_status.values() for v in bucket["x"]]
    extent = max([abs(v) for v in values] + [10.0])
    figure = base_figure(
        height=130 + GAP_ROW_PX * max(len(labels), 1),
        barmode="overlay",
        bargap=0.55,
        xaxis={
            "title": {"text": escape_label(text.gap_axis)},
            "range": [round(-extent * 1.6, 1), round(extent * 1.6, 1)],
            "zeroline": True,
            "zerolinecolor": "#333333",
            "gridcolor": "#e5e5e5",
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
            "showticklabels": False,
            # Top to bottom, with room above the first bar for its heading.
            "range": [len(labels) - 0.5, -0.9],
        },
        annotations=annotations,
        showlegend=True,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        separators=text.separators,
    )
    for status in STATUS_ORDER:
        bucket = by_status[status]
        if not bucket["x"]:
            continue
        style = STATUS_STYLE[status]
        figure.add_trace(
            go.Bar(
                x=bucket["x"],
                y=bucket["y"],
                name=escape_label(text.status.get(status, status)),
                orientation="h",
                marker={
                    "color": style["color"],
                    "line": {"color": "#333333", "width": 1},
                    "pattern": {
                        "shape": style["pattern"],
                        "fillmode": "overlay",
                        "fgcolor": "#ffffff",
                        "size": 8,
                        "solidity": 0.25,
                    },
                },
                text=bucket["text"],
                textposition="outside",
                cliponaxis=False,
                hovertext=bucket["hover"],
                hoverinfo="text",
            )
        )
    return figure


def heatmap_chart(
    summary: pd.DataFrame,
    names: Mapping[str, str],
    groups: Sequence[tuple[str, str]],
    text: ChartText | None = None,
    attribute: str = "side",
) -> go.Figure:
    """Heatmap of mean dimension scores (0–100): dimensions down, ``groups`` across.

    ``summary`` is :func:`reports.analysis.group_summary`; ``groups`` lists (group code,
    display label) pairs in column order. Each dimension's full name sits on a line of its
    own above its cells, across the whole plot (as in :func:`gap_chart`), so a long name is
    never cut on a phone; the colour bar lies under the plot. Suppressed cells stay blank
    and carry :data:`SUPPRESSED_MARK`, which the colour bar's title explains.
    """
    text = text or ChartText()
    frame = summary.loc[summary["attribute"] == attribute].set_index(["dimension_code", "group"])
    dimensions = list(dict.fromkeys(summary["dimension_code"]))
    columns = [wrap_label(label, HEATMAP_COLUMN_WRAP_AT) for _, label in groups]
    # Bin edges, not centres: each dimension is a blank heading row and a row of cells.
    edges, z, cell_text, hover, annotations, shapes = [0.0], [], [], [], [], []
    any_suppressed = False
    for code in dimensions:
        name = escape_label(names.get(code, code))
        lines = textwrap.wrap(str(names.get(code, code)), width=HEADING_WRAP_AT) or [""]
        top = edges[-1]
        edges.append(round(top + 0.35 + 0.4 * len(lines), 2))
        edges.append(round(edges[-1] + 1, 2))
        annotations.append(
            {
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "y": round((top + edges[-2]) / 2, 2),
                "yanchor": "middle",
                "text": "<br>".join(escape_label(line) for line in lines),
                "showarrow": False,
                "align": "left",
                "font": {"size": 12},
            }
        )
        centre = round(edges[-1] - 0.5, 2)
        z_row, text_row, hover_row = [], [], []
        for index, ((group, label), column) in enumerate(zip(groups, columns, strict=True)):
            value = None
            if (code, group) in frame.index and not frame.loc[(code, group), "suppressed"]:
                value = rounded_number(frame.loc[(code, group), "score_mean"])
            z_row.append(value)
            text_row.append("" if value is None else format_number(value, text.separators))
            hover_row.append(f"{name} · {escape_label(label)}")
            if value is None:
                any_suppressed = True
                # A grey cell, so a blank reads as "hidden" rather than "nothing drawn yet".
                shapes.append(
                    {
                        "type": "rect",
                        "layer": "below",
                        "x0": index - 0.49,
                        "x1": index + 0.49,
                        "y0": round(edges[-1] - 0.98, 2),
                        "y1": round(edges[-1] - 0.02, 2),
                        "fillcolor": "#eeeeee",
                        "line": {"width": 0},
                    }
                )
                annotations.append(
                    {
                        "x": column,
                        "y": centre,
                        "text": SUPPRESSED_MARK,
                        "hovertext": f"{name} · {escape_label(label)}: "
                        f"{escape_label(text.not_enough)}",
                        "showarrow": False,
                        "font": {"size": 14, "color": "#333333"},
                    }
                )
        z.extend([[None] * len(groups), z_row])
        cell_text.extend([[""] * len(groups), text_row])
        hover.extend([[""] * len(groups), hover_row])
    title = escape_label(text.score_axis)
    if any_suppressed:
        title += f"<br>{SUPPRESSED_MARK} {escape_label(text.not_enough)}"
    figure = base_figure(
        height=round(150 + 48 * edges[-1]),
        xaxis={
            "side": "top",
            "type": "category",
            "automargin": True,
            "tickfont": {"size": 12},
            "showgrid": False,
            "ticks": "",
        },
        yaxis={
            "range": [edges[-1], 0],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
            "ticks": "",
        },
        annotations=annotations,
        shapes=shapes,
        margin={"l": 10, "r": 10, "t": 30, "b": 95 if any_suppressed else 80},
        separators=text.separators,
    )
    figure.add_trace(
        go.Heatmap(
            z=z,
            x=columns,
            y=edges,
            zmin=0,
            zmax=100,
            colorscale="Blues",
            text=cell_text,
            texttemplate="%{text}",
            textfont={"size": 12},
            customdata=hover,
            hovertemplate="%{customdata}: %{z:.1f}<extra></extra>",
            hoverongaps=False,
            xgap=2,
            ygap=2,
            # Under the plot, across it: beside it, it would take a phone's plot width.
            colorbar={
                "title": {"text": title, "side": "top"},
                "orientation": "h",
                "thickness": 12,
                "len": 1,
                "x": 0.5,
                "xanchor": "center",
                "yref": "container",
                "y": 0,
                "yanchor": "bottom",
                "tickvals": [0, 25, 50, 75, 100],
            },
        )
    )
    return figure


def radar_chart(
    gaps: pd.DataFrame,
    names: Mapping[str, str],
    text: ChartText | None = None,
) -> go.Figure:
    """Radar of the two groups' mean dimension scores (0–100), dimensions in ``names`` order.

    ``gaps`` is the ``dimensions`` frame of :func:`reports.analysis.compare_groups`
    (``score_a``, ``score_b``); ``text.first``/``text.second`` name groups A and B. A
    group's suppressed dimension has no point (the line breaks) and the dimension's label
    says "not enough responses".
    """
    text = text or ChartText()
    frame = gaps.set_index("dimension_code")
    codes = [code for code in names if code in frame.index]
    theta, hover_names = [], []
    for code in codes:
        label = wrap_label(names[code], RADAR_WRAP_AT)
        if frame.loc[code, "suppressed"]:
            label = f"{label}<br>({wrap_label(text.not_enough, RADAR_WRAP_AT)})"
        theta.append(label)
        hover_names.append(escape_label(names[code]))
    # The radial axis's numbers lie between the first two spokes, clear of their labels.
    between = 90 - 180 / max(len(codes), 1)
    figure = base_figure(
        height=520,
        polar={
            "radialaxis": {
                "range": [0, 100],
                "tickvals": [0, 25, 50, 75, 100],
                "angle": round(between, 1),
                "tickangle": round(between, 1),
                "tickfont": {"size": 10},
            },
            "angularaxis": {"direction": "clockwise", "tickfont": {"size": 12}},
        },
        legend={"orientation": "h", "y": -0.1},
        # Room for the wrapped spoke labels, which Plotly does not count in the margins.
        margin={"l": RADAR_SIDE_MARGIN, "r": RADAR_SIDE_MARGIN, "t": 60, "b": 40},
        separators=text.separators,
    )
    for side, label, colour in (
        ("a", text.first, COLOUR_IT),
        ("b", text.second, COLOUR_SECURITY),
    ):
        r = [rounded_number(frame.loc[code, f"score_{side}"]) for code in codes]
        hover = [
            f"{t}: "
            + (escape_label(text.not_enough) if v is None else format_number(v, text.separators))
            for t, v in zip(hover_names, r, strict=True)
        ]
        figure.add_trace(
            go.Scatterpolar(
                r=[*r, r[0]] if r else [],
                theta=[*theta, theta[0]] if theta else [],
                name=escape_label(label),
                mode="lines+markers",
                connectgaps=False,
                line={"color": colour, "dash": "solid" if side == "a" else "dash"},
                marker={"symbol": "circle" if side == "a" else "square", "size": 8},
                hovertext=[*hover, hover[0]] if hover else [],
                hoverinfo="text+name",
            )
        )
    return figure


def _scale_colours(points: int) -> list[str]:
    colours = sample_colorscale(DIVERGING_SCALE, [i / (points - 1) for i in range(points)])
    if points % 2:
        colours[points // 2] = COLOUR_NEUTRAL
    return colours


def likert_chart(
    distributions: pd.DataFrame,
    items: pd.DataFrame,
    scale_labels: Sequence[str],
    groups: Sequence[tuple[str, str]],
    text: ChartText | None = None,
) -> go.Figure:
    """Diverging stacked bars of the raw answers per item, one bar per group.

    ``distributions`` is :func:`reports.distributions.item_distributions`; ``items`` the
    Likert items (``item_code``, ``item_text``) in instrument order; ``scale_labels`` one label
    per point, lowest first (its length is k); ``groups`` (code, label) pairs. Disagreeing
    points extend left of zero, agreeing points right, the neutral point of an odd scale is
    split across zero; colours follow a diverging palette and the legend lists the points in
    scale order. Suppressed bars are left out and labelled "not enough responses".
    """
    text = text or ChartText()
    points = len(scale_labels)
    frame = distributions.set_index(["item_code", "group", "point"])
    positions, tick_text, headings, annotations = [], [], [], []
    rows: list[tuple[str, str]] = []
    # A heading starts under the group labels, not after them: the plot starts right of
    # the labels, so the heading moves left by about their width.
    labels_px = round(TICK_CHAR_PX * max((len(str(label)) for _, label in groups), default=0))
    cursor = 0.0  # top edge of the next row, in bar heights (the y axis runs downward)
    for item in items.itertuples(index=False):
        lines = textwrap.wrap(str(item.item_text), width=HEADING_WRAP_AT) or [""]
        height = 0.3 + 0.55 * len(lines)
        headings.append(
            {
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "xshift": -labels_px,
                "y": round(cursor + height / 2, 2),
                "yanchor": "middle",
                "text": "<br>".join(escape_label(line) for line in lines),
                "showarrow": False,
                "align": "left",
                "font": {"size": 12},
            }
        )
        cursor += height
        for code, label in groups:
            centre = round(cursor + 0.5, 2)
            positions.append(centre)
            tick_text.append(escape_label(label))
            rows.append((item.item_code, code))
            suppressed = (item.item_code, code, 1) not in frame.index or bool(
                frame.loc[(item.item_code, code, 1), "suppressed"]
            )
            if suppressed:
                annotations.append(
                    {
                        "x": 0,
                        "y": centre,
                        "text": escape_label(text.not_enough),
                        "showarrow": False,
                        "font": {"color": "#555555", "size": 12},
                    }
                )
            cursor += 1
        cursor += 0.3

    def shares(point: int) -> list[float | None]:
        values = []
        for item_code, code in rows:
            key = (item_code, code, point)
            present = key in frame.index and not frame.loc[key, "suppressed"]
            values.append(rounded_number(frame.loc[key, "pct"]) if present else None)
        return values

    colours = _scale_colours(points)
    low = list(range(1, points // 2 + 1))
    high = list(range(points - points // 2 + 1, points + 1))
    neutral = (points + 1) // 2 if points % 2 else None
    traces: list[go.Bar] = []

    def bar(point: int, sign: int, factor: float = 1.0, show: bool = True) -> go.Bar:
        label = escape_label(scale_labels[point - 1])
        values = shares(point)
        return go.Bar(
            x=[None if v is None else round(sign * v * factor, 1) for v in values],
            y=positions,
            orientation="h",
            name=label,
            legendgroup=f"p{point}",
            legendrank=point,
            showlegend=show,
            marker={"color": colours[point - 1]},
            hovertext=[
                f"{tick_text[i]}: {label} {text.percent.format(format_number(v, text.separators))}"
                if v is not None
                else ""
                for i, v in enumerate(values)
            ],
            hoverinfo="text",
        )

    # In "relative" mode each side stacks outward in trace order, so the points nearest
    # the middle of the scale go first on both sides.
    if neutral:
        traces.append(bar(neutral, -1, 0.5))
    traces.extend(bar(point, -1) for point in reversed(low))
    if neutral:
        traces.append(bar(neutral, +1, 0.5, show=False))
    traces.extend(bar(point, +1) for point in high)
    figure = base_figure(
        height=round(140 + 28 * max(cursor, 1)),
        barmode="relative",
        bargap=0.25,
        xaxis={
            "title": {"text": escape_label(text.share_axis)},
            "range": [-100, 100],
            "tickvals": [-100, -50, 0, 50, 100],
            "ticktext": [text.percent.format(n) if n else "0" for n in (100, 50, 0, 50, 100)],
            "zeroline": True,
            "zerolinecolor": "#333333",
            "gridcolor": "#e5e5e5",
        },
        yaxis={
            "tickvals": positions,
            "ticktext": tick_text,
            # Headings sit on rows without bars, so the range is set rather than autoranged.
            "range": [round(cursor, 2), 0],
            "automargin": True,
            "zeroline": False,
        },
        legend={"orientation": "h", "traceorder": "normal", "y": 1.02, "yanchor": "bottom"},
        annotations=headings + annotations,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        separators=text.separators,
    )
    figure.add_traces(traces)
    return figure
