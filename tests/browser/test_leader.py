"""The leader's path in Chromium: log in, charts drawn with data, hover text, CSVs that parse."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import Page, expect

from survey.models import Response
from tests.browser.helpers import (
    LEADER_PASSWORD,
    first_scored_dimension,
    leader_page_url,
    likert_codes,
    log_in,
    wait_for_charts,
)

SUMMARY_COLUMNS = [
    "dimension_code",
    "attribute",
    "group",
    "n",
    "score_mean",
    "score_sd",
    "favourable_pct",
]

# Per chart container: is a Plotly SVG there, and how many data marks did it draw?
CHART_STATE = """
() => [...document.querySelectorAll('[data-figure]')].map(c => ({
  id: c.getAttribute('data-figure'),
  svg: c.querySelectorAll('svg.main-svg').length,
  traces: (c._fullData || []).length,
  marks: [...c.querySelectorAll('.trace .point, .trace path.js-line, .hm image')]
    .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
    .length,
}))
"""

# The centre of a chart's first drawn data mark, in page coordinates.
# Points over the first data mark: its centre, then (a heatmap's image spans blank heading
# rows between its rows of cells, and hidden cells) a grid of points over it.
FIRST_MARK_POINTS = """
c => {
  const mark = [...c.querySelectorAll('.trace .point path, .trace .point, .hm image')]
    .find(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
  if (!mark) return [];
  const b = mark.getBoundingClientRect();
  const points = [{x: b.left + b.width / 2, y: b.top + b.height / 2}];
  for (let j = 1; j < 8; j++)
    for (let i = 1; i < 20; i++)
      points.push({x: b.left + b.width * j / 8, y: b.top + b.height * i / 20});
  return points;
}
"""


def csv_download(page: Page, link_name: re.Pattern[str]) -> list[dict[str, str]]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    return list(csv.DictReader(io.StringIO(text)))


def assert_charts_drawn_with_hover_text(page: Page) -> None:
    """Every chart container holds a Plotly SVG with data marks; hovering one shows text."""
    wait_for_charts(page)
    charts = page.evaluate(CHART_STATE)
    assert charts, "the page has no chart container"
    empty = [chart for chart in charts if not (chart["svg"] and chart["traces"] and chart["marks"])]
    assert empty == [], f"charts without a drawn figure: {empty}"
    for container in page.locator("[data-figure]").all():
        name = container.get_attribute("data-figure")
        container.scroll_into_view_if_needed()
        points = container.evaluate(FIRST_MARK_POINTS)
        assert points, f"no data mark in {name}"
        hover = container.locator(".hoverlayer .hovertext")
        # Plotly listens on a drag layer above the marks: move the real mouse there.
        for point in points:
            page.mouse.move(point["x"], point["y"])
            page.wait_for_timeout(50)
            if hover.count():
                break
        expect(hover.first, f"no hover text in {name}").to_be_visible()
        assert hover.first.text_content().strip(), name
        page.mouse.move(0, 0)


def assert_no_console_error_nor_foreign_request(page: Page) -> None:
    assert page.watch.console_errors == []
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests() == []


def test_a_leader_logs_in_and_sees_every_chart_drawn_with_hover_text(
    new_page, leader, answered_round
):
    # Raw responses are for analysts (issue 4): this leader is one too, to get every button.
    leader.groups.add(Group.objects.get_or_create(name="Analysts")[0])
    page = new_page(accept_downloads=True)
    page.goto("/reports/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(leader.username)
    page.get_by_label("Password").fill(LEADER_PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(re.compile(r"/reports/$"))
    page.get_by_role("link", name=answered_round.name).click()
    expect(page).to_have_url(re.compile(rf"/reports/{answered_round.slug}/$"))
    assert_charts_drawn_with_hover_text(page)

    responses = csv_download(page, re.compile(r"responses.*csv", re.IGNORECASE))
    # The export is k-anonymised: the two 'other' respondents fit no group of k and are left
    # out; every IT and Security response is there.
    assert (
        len(responses)
        == Response.objects.filter(round=answered_round, side__in=["it", "security"]).count()
    )
    header = list(responses[0])
    assert "side" in header
    assert set(likert_codes(answered_round.instrument)) <= set(header)
    assert {row["side"] for row in responses} == {"it", "security"}

    summary = csv_download(page, re.compile(r"summary.*csv", re.IGNORECASE))
    assert list(summary[0])[: len(SUMMARY_COLUMNS)] == SUMMARY_COLUMNS
    it_rows = [row for row in summary if row["attribute"] == "side" and row["group"] == "it"]
    assert it_rows
    assert all(row["n"] == "14" and 0 <= float(row["score_mean"]) <= 100 for row in it_rows)

    # Every other CSV button (gaps, ...) delivers a file that parses into rows too.
    for link in page.locator("a[href*='.csv']").all():
        with page.expect_download() as info:
            link.click()
        with open(info.value.path(), encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, f"{link.inner_text()} downloaded no rows"
        assert all(len(row) == len(rows[0]) and None not in row for row in rows)
    assert_no_console_error_nor_foreign_request(page)


def test_the_item_level_view_draws_its_charts(page: Page, leader, answered_round):
    dimension = first_scored_dimension(answered_round.instrument)
    log_in(page, leader)
    response = page.goto(
        reverse("reports:dimension", kwargs={"slug": answered_round.slug, "code": dimension.code})
    )
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text(dimension.name)
    assert_charts_drawn_with_hover_text(page)
    assert_no_console_error_nor_foreign_request(page)


@pytest.mark.parametrize("which", ["dashboard", "dimension"])
def test_every_chart_has_a_caption_and_a_data_table(page: Page, leader, answered_round, which: str):
    log_in(page, leader)
    page.goto(leader_page_url(which, answered_round))
    wait_for_charts(page)
    for container in page.locator("[data-figure]").all():
        name = container.get_attribute("data-figure")
        figure = container.locator("xpath=ancestor::figure[1]")
        expect(figure, f"{name} is not inside a <figure>").to_have_count(1)
        caption = figure.locator("figcaption")
        expect(caption, f"{name} has no caption").to_have_count(1)
        assert caption.inner_text().strip()
        table = figure.locator("table")
        expect(table, f"{name} has no data table").to_have_count(1)
        assert table.locator("tbody tr").count() > 0, f"{name}'s data table is empty"


# The values each chart draws on its value axis: bar lengths, heatmap cells, radar radii.
PLOTTED_VALUES = """
c => c._fullData.flatMap(t => {
  if (t.type === 'bar') return (t.orientation === 'h' ? t.x : t.y) || [];
  if (t.type === 'heatmap') return (t.z || []).flat();
  if (t.type === 'scatterpolar') return t.r || [];
  return [];
}).filter(v => typeof v === 'number' && Number.isFinite(v))
"""


def test_each_data_table_has_the_numbers_its_chart_draws(page: Page, leader, answered_round):
    log_in(page, leader)
    page.goto(leader_page_url("dashboard", answered_round))
    wait_for_charts(page)
    checked = 0
    for container in page.locator("[data-figure]").all():
        name = container.get_attribute("data-figure")
        if container.evaluate("c => c._fullLayout.barmode === 'relative'"):
            continue  # diverging bars split the middle point: drawn halves, tabled wholes
        plotted = container.evaluate(PLOTTED_VALUES)
        assert plotted, f"{name} draws no number"
        table = container.locator("xpath=ancestor::figure[1]").locator("table")
        cells = " | ".join(table.locator("th, td").all_text_contents()).replace("\u2212", "-")
        missing = sorted({f"{v:.1f}" for v in plotted} - set(re.findall(r"-?\d+\.\d", cells)))
        assert missing == [], f"{name} draws numbers its data table lacks: {missing}"
        checked += 1
    assert checked >= 2
