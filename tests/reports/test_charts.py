"""Tests of reports.charts: figures built from hand-made analysis frames (no database)."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from reports.analysis import round_analysis
from reports.charts import (
    RADAR_WRAP_AT,
    SUPPRESSED_MARK,
    ChartText,
    figure_to_dict,
    gap_chart,
    heatmap_chart,
    likert_chart,
    radar_chart,
)
from reports.trend_charts import trend_gap_chart, trend_scores_chart
from tests.reports.pages import COMMA_DECIMAL, ENGLISH_DECIMAL, figure_texts

NAMES = {"a": "Speed <b>x</b>", "b": "Trust", "c": "<script>alert(1)</script>"}
GROUPS = [("it", "IT"), ("security", "Security")]


def make_items(points_per_dimension: int = 2) -> pd.DataFrame:
    rows = [
        (f"{d}{n}", d, NAMES[d], f"Statement {d}{n} & <i>more</i>", "likert", n == 2)
        for d in "abc"
        for n in range(1, points_per_dimension + 1)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "item_code",
            "dimension_code",
            "dimension_name",
            "item_text",
            "kind",
            "reverse_scored",
        ],
    )


def make_analysis(points: int = 5):
    """IT n=3 everywhere; Security n=3 on a and b, 1 on c (suppressed at k=3)."""
    items = make_items()
    rows = []
    for rid in range(1, 4):
        rows += [(rid, "it", f"a{n}", v) for n, v in ((1, points), (2, 1))]
        rows += [(rid, "it", f"b{n}", v) for n, v in ((1, 3), (2, 3))]
        rows += [(rid, "it", f"c{n}", v) for n, v in ((1, 2), (2, 2))]
    for rid in range(4, 7):
        rows += [(rid, "security", f"a{n}", v) for n, v in ((1, 1), (2, points))]
        rows += [(rid, "security", f"b{n}", v) for n, v in ((1, 3), (2, 2))]
    rows += [(7, "security", "c1", 1), (7, "security", "c2", 1)]
    answers = pd.DataFrame(rows, columns=["response_id", "side", "item_code", "value"])
    return round_analysis(answers, items, points, 3, groups=("it", "security"))


def all_strings(figure: go.Figure) -> str:
    return json.dumps(figure_to_dict(figure))


def bars(figure: go.Figure) -> dict[str, tuple[float, str, str]]:
    """Dimension label -> (gap, bar text, status trace name), over every status trace."""
    found = {}
    for trace in figure.data:
        for x, y, label in zip(trace.x, trace.y, trace.text, strict=True):
            found[y] = (x, label, trace.name)
    return found


def test_gap_chart_sorts_by_absolute_gap_and_marks_the_worst():
    analysis = make_analysis()
    figure = gap_chart(analysis.gaps, NAMES)
    labels = list(figure.layout.yaxis.categoryarray)
    assert labels[0].startswith("★ Speed")  # a: +100, the largest
    found = bars(figure)
    assert found[labels[0]][0] == 100.0
    assert found[labels[1]][0] == pytest.approx(-12.5)  # b: IT 50 − Security 62.5
    assert "★" in found[labels[0]][1]
    assert "★" not in found[labels[1]][1]
    hover = [h for trace in figure.data for h in trace.hovertext if "largest gap" in h]
    assert len(hover) == 1
    assert hover[0].startswith("Speed")


def test_gap_chart_colours_by_status_with_a_legend_and_a_pattern():
    analysis = make_analysis()
    gaps = analysis.gaps.copy()
    gaps["status"] = ["breakdown", "aligned", "suppressed"]
    figure = gap_chart(gaps, NAMES)
    by_name = {trace.name: trace for trace in figure.data}
    assert set(by_name) == {"breakdown", "aligned"}  # one legend entry per status shown
    assert figure.layout.showlegend
    assert by_name["breakdown"].marker.color != by_name["aligned"].marker.color
    assert by_name["breakdown"].marker.pattern.shape != by_name["aligned"].marker.pattern.shape
    # The status word in the heading above each bar, beside the name.
    headings = {a.y: a.text for a in figure.layout.annotations if a.yanchor == "bottom"}
    assert "breakdown" in headings[by_name["breakdown"].y[0]]
    assert "aligned" in headings[by_name["aligned"].y[0]]
    assert not figure.layout.yaxis.showticklabels  # the headings name the bars instead


def test_gap_chart_labels_a_suppressed_dimension_without_a_bar():
    analysis = make_analysis()
    figure = gap_chart(analysis.gaps, NAMES)
    labels = list(figure.layout.yaxis.categoryarray)
    suppressed = labels.index("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert suppressed == len(labels) - 1
    assert labels[suppressed] not in bars(figure)
    notes = [a for a in figure.layout.annotations if a.y == labels[suppressed]]
    assert [a.text for a in notes][-1] == "not enough responses"


def test_charts_escape_user_written_text():
    analysis = make_analysis()
    figures = [
        gap_chart(analysis.gaps, NAMES),
        heatmap_chart(analysis.summary, NAMES, [*GROUPS, ("all", "<b>All</b>")]),
        radar_chart(analysis.gaps, NAMES),
        likert_chart(
            analysis.distributions, analysis.items, ["<em>No</em>", "2", "3", "4", "5"], GROUPS
        ),
    ]
    for figure in figures:
        text = all_strings(figure)
        assert "<script>" not in text
        assert "<b>x</b>" not in text
        assert "<i>more</i>" not in text
        assert "<em>" not in text
    assert "Speed &lt;b&gt;x&lt;/b&gt;" in all_strings(figures[0])
    assert "&lt;i&gt;more&lt;/i&gt;" in all_strings(figures[3])


def test_quotes_are_kept_since_plotly_has_no_quot_entity():
    analysis = make_analysis()
    figure = gap_chart(analysis.gaps, {**NAMES, "b": "The \"we\" & 'they'"})
    labels = list(figure.layout.yaxis.categoryarray)
    assert "The \"we\" &amp; 'they'" in labels


def test_heatmap_blanks_and_marks_suppressed_cells():
    analysis = make_analysis()
    figure = heatmap_chart(analysis.summary, NAMES, [*GROUPS, ("all", "All")])
    heat = figure.data[0]
    assert list(heat.x) == ["IT", "Security", "All"]
    # Each dimension is a blank heading row, then its row of cells; y holds the bin edges.
    assert len(heat.y) == len(heat.z) + 1 == 7
    assert all(value is None for value in heat.z[0])
    assert heat.z[1][0] == 100.0
    assert heat.z[1][1] == 0.0
    assert heat.z[5][1] is None  # c, Security: 1 respondent
    assert heat.text[5][1] == ""
    notes = [a for a in figure.layout.annotations if a.x == "Security"]
    assert [a.text for a in notes] == [SUPPRESSED_MARK]
    assert heat.y[5] < notes[0].y < heat.y[6]  # in the cell's row
    assert "not enough responses" in notes[0].hovertext
    assert "&lt;script&gt;" in notes[0].hovertext  # the full (escaped) name on hover
    (grey,) = figure.layout.shapes
    assert grey.x0 < 1 < grey.x1  # the Security column
    assert heat.y[5] <= grey.y0 < grey.y1 <= heat.y[6]
    # The colour bar lies under the plot and says what the mark means.
    assert heat.colorbar.orientation == "h"
    assert f"{SUPPRESSED_MARK} not enough responses" in heat.colorbar.title.text
    assert heat.zmin == 0
    assert heat.zmax == 100


def test_heatmap_names_each_row_in_full_above_its_cells():
    names = {**NAMES, "b": "Operational hand-offs between teams and their service providers"}
    analysis = make_analysis()
    figure = heatmap_chart(analysis.summary, names, GROUPS)
    heat = figure.data[0]
    assert not figure.layout.yaxis.showticklabels
    headings = [a for a in figure.layout.annotations if a.xref == "paper"]
    assert len(headings) == 3
    long = headings[1]
    assert long.text.replace("<br>", " ") == names["b"]
    assert long.text.count("<br>") == 1  # wrapped, not cut
    assert heat.y[2] < long.y < heat.y[3]  # in the heading row above its cells
    assert heat.y[3] - heat.y[2] > heat.y[1] - heat.y[0]  # which grew to hold two lines
    assert heat.customdata[3][0] == f"{names['b']} · IT"
    assert "%{customdata}" in heat.hovertemplate


def test_heatmap_has_no_colour_bar_note_when_nothing_is_suppressed():
    summary = make_analysis().summary
    figure = heatmap_chart(summary[summary["dimension_code"] != "c"], NAMES, GROUPS)
    assert None not in figure.data[0].z[1] + figure.data[0].z[3]
    assert "not enough" not in figure.data[0].colorbar.title.text
    assert not figure.layout.shapes


def test_radar_has_both_sides_closed_and_gaps_for_suppressed():
    analysis = make_analysis()
    figure = radar_chart(analysis.gaps, NAMES, ChartText(first="IT", second="Security"))
    it, security = figure.data
    assert it.name == "IT"
    assert security.name == "Security"
    assert len(it.r) == 4  # three dimensions, closed
    assert it.r[0] == it.r[-1] == 100.0
    assert security.r[2] is None
    assert "not enough responses" in it.theta[2].replace("<br>", " ")


def test_radar_wraps_spoke_labels_and_hovers_the_full_name():
    names = {**NAMES, "b": "Operational hand-offs between teams"}
    analysis = make_analysis()
    figure = radar_chart(analysis.gaps, names)
    label = figure.data[0].theta[1]
    assert all(len(line) <= RADAR_WRAP_AT for line in label.split("<br>"))
    assert label.replace("<br>", " ") == names["b"]
    assert figure.data[0].hovertext[1].startswith(f"{names['b']}: ")
    # The radial axis's numbers lie between spokes, not on the first one (at 90°).
    assert figure.layout.polar.radialaxis.angle != 90


@pytest.mark.parametrize("points", [4, 5, 7])
def test_likert_chart_diverges_in_scale_order(points):
    analysis = make_analysis(points)
    labels = [f"P{n}" for n in range(1, points + 1)]
    figure = likert_chart(analysis.distributions, analysis.items, labels, GROUPS)
    legend = sorted(
        (trace for trace in figure.data if trace.showlegend is not False),
        key=lambda trace: trace.legendrank,
    )
    assert [trace.name for trace in legend] == labels
    by_name: dict[str, list] = {}
    for trace in figure.data:
        by_name.setdefault(trace.name, []).append(trace)
    # lowest points to the left (negative), highest to the right
    assert all(v is None or v <= 0 for v in by_name["P1"][0].x)
    assert all(v is None or v >= 0 for v in by_name[f"P{points}"][0].x)
    if points % 2:
        halves = by_name[f"P{(points + 1) // 2}"]
        assert len(halves) == 2  # the neutral point is split across zero
    assert figure.layout.barmode == "relative"
    for row in range(len(figure.layout.yaxis.tickvals)):
        shares = [trace.x[row] for trace in figure.data]
        if shares[0] is not None:
            assert sum(abs(v) for v in shares) == pytest.approx(100.0, abs=0.2)
    colours = [trace.marker.color for trace in legend]
    assert len(set(colours)) == points


def test_likert_chart_uses_raw_values_and_leaves_out_suppressed_bars():
    analysis = make_analysis()
    figure = likert_chart(analysis.distributions, analysis.items, list("12345"), GROUPS)
    top = next(trace for trace in figure.data if trace.name == "5")
    bottom = next(trace for trace in figure.data if trace.name == "1")
    rows = list(figure.layout.yaxis.ticktext)
    assert rows[:2] == ["IT", "Security"]
    # a1: IT all 5 (right), Security all 1 (left); a2 is reverse-scored but shown as asked
    assert top.x[0] == 100.0
    assert bottom.x[1] == -100.0
    assert bottom.x[2] == -100.0  # a2 IT answered 1
    # c1 and c2 for Security (rows 9 and 11) have one respondent: no bar, a note instead
    assert all(trace.x[9] is None and trace.x[11] is None for trace in figure.data)
    assert all(trace.x[8] is not None for trace in figure.data)
    notes = [a for a in figure.layout.annotations if a.text == "not enough responses"]
    assert len(notes) == 2  # c1 and c2 for Security


def test_figures_are_json_able_with_rounded_numbers():
    analysis = make_analysis()
    payload = figure_to_dict(gap_chart(analysis.gaps, NAMES))
    assert json.loads(json.dumps(payload)) == payload
    assert [v for trace in payload["data"] for v in trace["x"]] == [100.0, -12.5]
    assert all(
        v is None or round(v, 1) == v
        for v in figure_to_dict(heatmap_chart(analysis.summary, NAMES, GROUPS))["data"][0]["z"][1]
    )


def make_trend() -> pd.DataFrame:
    """Two rounds of dimensions a and b (b suppressed in the autumn), as trends.trend_table."""
    rows = [
        ("Spring", "a", 45.8, False, 75.0, 29.2, False, False),
        ("Spring", "b", 8.3, False, 62.5, 54.2, False, False),
        ("Autumn", "a", -4.2, False, 75.0, 79.2, False, False),
        ("Autumn", "b", None, True, 62.5, None, False, True),
    ]
    columns = ["label", "dimension_code", "gap", "suppressed", "score_a", "score_b"]
    return pd.DataFrame(rows, columns=[*columns, "suppressed_a", "suppressed_b"])


def every_figure(text: ChartText) -> dict[str, go.Figure]:
    """Each figure the pages draw, built with ``text``."""
    analysis = make_analysis()
    scale = ["1", "2", "3", "4", "5"]
    return {
        "gap": gap_chart(analysis.gaps, NAMES, text),
        "heatmap": heatmap_chart(analysis.summary, NAMES, GROUPS, text),
        "radar": radar_chart(analysis.gaps, NAMES, text),
        "likert": likert_chart(analysis.distributions, make_items(), scale, GROUPS, text),
        "trend_gap": trend_gap_chart(make_trend(), {"a": "A", "b": "B"}, text),
        "trend_scores": trend_scores_chart(make_trend(), {"a": "A", "b": "B"}, text),
    }


@pytest.mark.parametrize("separators", [",\u202f", ",."])
def test_every_figure_carries_the_separators_and_writes_its_numbers_with_them(separators):
    for name, figure in every_figure(ChartText(separators=separators)).items():
        payload = figure_to_dict(figure)
        assert payload["layout"]["separators"] == separators, name
        texts = figure_texts(payload)
        assert not [t for t in texts if ENGLISH_DECIMAL.search(t)], name
        assert any(COMMA_DECIMAL.search(t) for t in texts), name


def test_every_figure_keeps_english_separators_by_default():
    for name, figure in every_figure(ChartText()).items():
        payload = figure_to_dict(figure)
        assert payload["layout"]["separators"] == ".,", name
        texts = figure_texts(payload)
        assert any(ENGLISH_DECIMAL.search(t) for t in texts), name
        assert not [t for t in texts if COMMA_DECIMAL.search(t)], name


def test_the_likert_chart_writes_percentages_as_the_language_does():
    """Found by a fresh-user trial: the ticks and hovers read "42,6%" beside tables
    reading "73 %"."""
    analysis = make_analysis()
    scale = ["1", "2", "3", "4", "5"]
    french = ChartText(separators=",\u202f", percent="{}\u00a0%")
    figure = likert_chart(analysis.distributions, make_items(), scale, GROUPS, french)
    english = likert_chart(analysis.distributions, make_items(), scale, GROUPS, ChartText())

    assert figure.layout.xaxis.ticktext == (
        "100\u00a0%",
        "50\u00a0%",
        "0",
        "50\u00a0%",
        "100\u00a0%",
    )
    assert english.layout.xaxis.ticktext == ("100%", "50%", "0", "50%", "100%")
    hovers = [hover for trace in figure.data for hover in trace.hovertext if hover]
    assert hovers
    assert all(hover.endswith("\u00a0%") for hover in hovers)
    assert not any(re.search(r"\d%", hover) for hover in hovers)


def test_a_gap_is_written_with_its_sign_and_the_decimal_comma():
    analysis = make_analysis()
    figure = gap_chart(analysis.gaps, NAMES, ChartText(separators=",."))
    texts = [label for trace in figure.data for label in trace.text]
    assert texts == ["+100,0 ★", "-12,5"]
    hovers = [hover for trace in figure.data for hover in trace.hovertext]
    assert "Gap: +100,0 points" in hovers[0]
