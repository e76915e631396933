"""Charts on a 360 px phone: no text of the gap chart, the heatmap or the Likert bars
overlaps another, none is cut off; the radar, unreadable that small, gives way to its data
table. From Bootstrap's "sm" width (576 px) up the radar is drawn, and held to the same."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Item
from tests.browser.helpers import leader_page_url, log_in, wait_for_charts

PHONE = {"width": 360, "height": 740}
SMALL_TABLET = {"width": 576, "height": 900}  # the narrowest screen that draws the radar
CHECKED = ["figure-gap", "figure-heatmap", "figure-radar", "figure-likert"]
ON_PAGE = {
    "dashboard": ["figure-gap", "figure-heatmap"],
    "dimension": ["figure-likert"],
}
# Glyph boxes of neighbouring lines touch; a real overlap is more than this many px.
TOLERANCE_PX = 1.0

# Every text of every chart: its box, the box of its SVG, and the chart's container.
MEASURE_TEXTS = """
ids => [...document.querySelectorAll('[data-figure]')]
  .filter(container => ids.includes(container.getAttribute('data-figure')))
  .map(container => {
  const svgs = [...container.querySelectorAll('svg.main-svg')];
  const outer = container.getBoundingClientRect();
  const texts = [];
  svgs.forEach(svg => svg.querySelectorAll('text').forEach(node => {
    const box = node.getBoundingClientRect();
    const content = node.textContent.trim();
    if (!content || box.width === 0 || box.height === 0) return;
    if (getComputedStyle(node).visibility === 'hidden' || node.closest('[opacity="0"]')) return;
    // A text's own lines (tspans) belong together; its parent group says what it labels.
    const group = node.closest('g[class]');
    texts.push({
      text: content,
      kind: group ? group.getAttribute('class') : '',
      left: box.left, right: box.right, top: box.top, bottom: box.bottom,
    });
  }));
  if (!container.getClientRects().length) return null;  // not shown at this width
  return {
    figure: container.getAttribute('data-figure'),
    box: {left: outer.left, right: outer.right, top: outer.top, bottom: outer.bottom},
    texts,
  };
}).filter(chart => chart)
"""


def overlap(a: dict, b: dict) -> float:
    """The smaller side of the intersection of two boxes, px (0 when apart)."""
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(0.0, min(width, height))


def chart_problems(charts: list[dict]) -> list[str]:
    """Texts outside their chart's box, and pairs of texts that overlap."""
    problems = []
    for chart in charts:
        box, texts = chart["box"], chart["texts"]
        assert texts, f"{chart['figure']} has no text"
        for text in texts:
            if (
                text["left"] < box["left"] - TOLERANCE_PX
                or text["right"] > box["right"] + TOLERANCE_PX
                or text["top"] < box["top"] - TOLERANCE_PX
                or text["bottom"] > box["bottom"] + TOLERANCE_PX
            ):
                where = f"{text['left']:.0f}..{text['right']:.0f}"
                inside = f"{box['left']:.0f}..{box['right']:.0f}"
                problems.append(
                    f"{chart['figure']}: {text['text']!r} cut off ({where} in {inside})"
                )
        for n, first in enumerate(texts):
            for second in texts[n + 1 :]:
                if overlap(first, second) > TOLERANCE_PX:
                    problems.append(
                        f"{chart['figure']}: {first['text']!r} overlaps {second['text']!r}"
                    )
    return problems


@pytest.fixture
def phone(new_page) -> Page:
    return new_page(**PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.mark.parametrize("which", ["dashboard", "dimension"])
def test_chart_texts_neither_overlap_nor_get_cut_on_a_phone(
    phone: Page, leader, answered_round, which: str
):
    log_in(phone, leader)
    phone.goto(leader_page_url(which, answered_round))
    wait_for_charts(phone)
    charts = phone.evaluate(MEASURE_TEXTS, CHECKED)
    assert [chart["figure"] for chart in charts] == ON_PAGE[which]
    problems = chart_problems(charts)
    assert problems == [], "\n".join(problems)


def test_the_radar_gives_way_to_its_open_data_table_on_a_phone(phone: Page, leader, answered_round):
    log_in(phone, leader)
    phone.goto(leader_page_url("dashboard", answered_round))
    wait_for_charts(phone)
    radar = phone.locator("figure:has([data-figure=figure-radar])")
    expect(radar.locator(".chart")).to_be_hidden()
    expect(radar.locator("details")).to_have_attribute("open", "")
    rows = radar.locator("details tbody tr")
    # One spoke, so one row, per scored dimension (v2's outcome statement has none).
    scored = answered_round.instrument.dimensions.filter(items__kind=Item.Kind.LIKERT)
    expect(rows).to_have_count(scored.distinct().count())
    for row in rows.all():
        expect(row).to_be_visible()
    # The caption describes the table, not lines that are not drawn.
    caption = radar.locator("figcaption").inner_text()  # what is shown, unlike textContent
    assert "dashed line" not in caption
    assert "radar chart on wider screens" in caption


def test_dashboard_charts_are_readable_where_the_radar_starts(new_page, leader, answered_round):
    page = new_page(**SMALL_TABLET)
    log_in(page, leader)
    page.goto(leader_page_url("dashboard", answered_round))
    wait_for_charts(page)
    charts = page.evaluate(MEASURE_TEXTS, CHECKED)
    assert [chart["figure"] for chart in charts] == [
        "figure-gap",
        "figure-heatmap",
        "figure-radar",
    ]
    problems = chart_problems(charts)
    assert problems == [], "\n".join(problems)
    radar = page.locator("figure:has([data-figure=figure-radar])")
    expect(radar.locator("details")).not_to_have_attribute("open", "")
    caption = radar.locator("figcaption").inner_text()
    assert "dashed line" in caption
    assert "wider screens" not in caption


def test_the_checks_catch_an_overlap_and_a_cut():
    """The measure is no placeholder: two boxes on top of each other and one past the edge."""
    text = {"left": 10, "right": 60, "top": 10, "bottom": 20}
    charts = [
        {
            "figure": "f",
            "box": {"left": 0, "right": 100, "top": 0, "bottom": 100},
            "texts": [
                {**text, "text": "a", "kind": ""},
                {**text, "left": 40, "right": 90, "text": "b", "kind": ""},
                {
                    **text,
                    "left": 80,
                    "right": 120,
                    "top": 50,
                    "bottom": 60,
                    "text": "c",
                    "kind": "",
                },
            ],
        }
    ]
    problems = chart_problems(charts)
    assert any("'a' overlaps 'b'" in p for p in problems)
    assert any("'c' cut off" in p for p in problems)
