"""Pure Plotly figures of a dimension's course over rounds (the trend page), built from
the frames of :mod:`reports.trends`. No Django; conventions as in :mod:`reports.charts`."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.chart_numbers import format_number
from reports.charts import (
    COLOUR_IT,
    COLOUR_SECURITY,
    ChartText,
    base_figure,
    escape_label,
    rounded_number,
    wrap_label,
)

# Okabe–Ito colours, a marker symbol and a dash per dimension: colour is never the only cue.
SERIES_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#999999",
)
SERIES_SYMBOLS = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "cross",
    "star",
    "triangle-down",
)
SERIES_DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")


ROUND_WRAP_AT = 18  # characters per line of a round's name under the x axis


def _round_label(label: object) -> str:
    """A round's name, escaped and wrapped for the x axis."""
    return wrap_label(label, ROUND_WRAP_AT)


def _round_labels(trend: pd.DataFrame) -> list[str]:
    """Round labels in the order the rounds appear (the trend's order: oldest first)."""
    return [_round_label(label) for label in dict.fromkeys(trend["label"].astype(str))]


def trend_gap_chart(
    trend: pd.DataFrame, names: Mapping[str, str], text: ChartText | None = None
) -> go.Figure:
    """One line per dimension: its gap (points, A − B) in each round, oldest round left.

    ``trend`` is :func:`reports.trends.trend_table` (``label``, ``dimension_code``, ``gap``,
    ``suppressed``); ``names`` maps dimension code to display name, in legend order. A
    suppressed round has no point (the line breaks) and its hover says "not enough
    responses". Each dimension has its own colour, marker and dash.
    """
    text = text or ChartText()
    rounds = _round_labels(trend)
    figure = base_figure(
        height=420,
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": rounds,
            "automargin": True,
            "tickangle": 0,
        },
        yaxis={
            "automargin": True,
            "title": {"text": escape_label(text.gap_axis)},
            "zeroline": True,
            "zerolinecolor": "#333333",
            "gridcolor": "#e5e5e5",
        },
        legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
        margin={"l": 10, "r": 10, "t": 20, "b": 40},
        hovermode="closest",
        separators=text.separators,
    )
    for position, code in enumerate(code for code in names if code in set(trend["dimension_code"])):
        part = trend.loc[trend["dimension_code"] == code]
        name = escape_label(names[code])
        values = [
            None if suppressed else rounded_number(gap)
            for gap, suppressed in zip(part["gap"], part["suppressed"], strict=True)
        ]
        labels = [_round_label(label) for label in part["label"].astype(str)]
        hover = [
            f"{name} · {label}: "
            + (
                escape_label(text.not_enough)
                if v is None
                else f"{format_number(v, text.separators, signed=True)} {escape_label(text.points)}"
            )
            for label, v in zip(labels, values, strict=True)
        ]
        figure.add_trace(
            go.Scatter(
                x=labels,
                y=values,
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line={
                    "color": SERIES_COLOURS[position % len(SERIES_COLOURS)],
                    "dash": SERIES_DASHES[position % len(SERIES_DASHES)],
                    "width": 2,
                },
                marker={"symbol": SERIES_SYMBOLS[position % len(SERIES_SYMBOLS)], "size": 9},
                hovertext=hover,
                hoverinfo="text",
            )
        )
    return figure


def trend_scores_chart(
    trend: pd.DataFrame,
    names: Mapping[str, str],
    text: ChartText | None = None,
    columns: int = 2,
) -> go.Figure:
    """Small multiples: one panel per dimension with both groups' scores (0–100) per round.

    ``trend`` is :func:`reports.trends.trend_table` (``label``, ``dimension_code``,
    ``score_a``, ``score_b``, ``suppressed_a``, ``suppressed_b``); group A is a solid line
    with circles, group B a dashed line with squares (``text.first``/``text.second`` name
    them). A suppressed group has no point in that round.
    """

    text = text or ChartText()
    rounds = _round_labels(trend)
    codes = [code for code in names if code in set(trend["dimension_code"])]
    rows = max(math.ceil(len(codes) / columns), 1)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[wrap_label(names[code], 40) for code in codes] or [""],
        vertical_spacing=min(0.6 / rows, 0.2),
        horizontal_spacing=0.1,
    )
    height = 160 + 290 * rows
    top = 110
    base = base_figure(
        height=height,
        # The legend sits above the first row's panel titles, in the top margin.
        legend={"orientation": "h", "y": 1 + 60 / (height - top - 40), "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": top, "b": 40},
        separators=text.separators,
    )
    figure.update_layout(base.layout)
    for position, code in enumerate(codes):
        row, col = position // columns + 1, position % columns + 1
        part = trend.loc[trend["dimension_code"] == code]
        labels = [_round_label(label) for label in part["label"].astype(str)]
        for side, label, colour, dash, symbol in (
            ("a", text.first, COLOUR_IT, "solid", "circle"),
            ("b", text.second, COLOUR_SECURITY, "dash", "square"),
        ):
            values = [
                None if hidden else rounded_number(score)
                for score, hidden in zip(
                    part[f"score_{side}"], part[f"suppressed_{side}"], strict=True
                )
            ]
            hover = [
                f"{escape_label(names[code])} · {escape_label(label)} · {round_label}: "
                + (
                    escape_label(text.not_enough)
                    if v is None
                    else format_number(v, text.separators)
                )
                for round_label, v in zip(labels, values, strict=True)
            ]
            figure.add_trace(
                go.Scatter(
                    x=labels,
                    y=values,
                    name=escape_label(label),
                    legendgroup=side,
                    showlegend=position == 0,
                    mode="lines+markers",
                    connectgaps=False,
                    line={"color": colour, "dash": dash, "width": 2},
                    marker={"symbol": symbol, "size": 8},
                    hovertext=hover,
                    hoverinfo="text",
                ),
                row=row,
                col=col,
            )
        figure.update_yaxes(
            range=[0, 100],
            tickvals=[0, 50, 100],
            gridcolor="#e5e5e5",
            automargin=True,
            row=row,
            col=col,
        )
        figure.update_xaxes(
            type="category",
            categoryorder="array",
            categoryarray=rounds,
            tickangle=0,
            tickfont={"size": 11},
            automargin=True,
            row=row,
            col=col,
        )
    for annotation in figure.layout.annotations:
        annotation.font = {"size": 12}
    return figure
