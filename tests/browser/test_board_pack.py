"""The executive summary as a board pack: printed on A4 it fills at most two pages, and
nothing in it is cut off, on paper or at 1280 px."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page

from survey.models import SurveyRound
from survey.services.demo import DEMO_SLUG
from tests.browser.helpers import log_in, wait_for_charts

MAX_PAGES = 2
# A PDF page object, not the /Pages tree node that lists them.
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")

# Every table, table box and chart whose content is wider than the box it sits in.
CLIPPED = """
() => [...document.querySelectorAll(
    'main table, main .table-responsive, main .card, main .chart, main .chart svg.main-svg'
  )].filter(node => node.getClientRects().length > 0)
  .map(node => {
    const box = node.getBoundingClientRect();
    const parent = node.parentElement.getBoundingClientRect();
    return {
      what: node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') + '.' +
        [...node.classList].join('.'),
      scroll: node.scrollWidth, client: node.clientWidth,
      right: box.right, parentRight: parent.right,
      page: document.documentElement.clientWidth,
    };
  })
  .filter(n => n.scroll > n.client + 1 || n.right > n.page + 1 || n.right > n.parentRight + 1)
"""

# Every text of a chart that reaches past its SVG's box (a cut gap-chart label).
CUT_CHART_TEXT = """
() => [...document.querySelectorAll('[data-figure] svg.main-svg')].flatMap(svg => {
  const outer = svg.getBoundingClientRect();
  const drawn = t => t.textContent.trim() && t.getBoundingClientRect().width > 0;
  return [...svg.querySelectorAll('text')].filter(drawn).map(t => {
    const box = t.getBoundingClientRect();
    return {text: t.textContent.trim(), left: box.left, right: box.right,
            svgLeft: outer.left, svgRight: outer.right};
  }).filter(t => t.left < t.svgLeft - 1 || t.right > t.svgRight + 1);
})
"""


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF, by its page objects (Chromium writes them uncompressed)."""
    return len(PAGE_OBJECT.findall(pdf))


def summary_url(survey_round) -> str:
    return reverse("reports:executive_summary", kwargs={"slug": survey_round.slug})


def test_the_printed_summary_fits_two_a4_pages(page: Page, leader, board_round):
    log_in(page, leader)
    page.goto(summary_url(board_round))
    wait_for_charts(page)
    # Sanity: the round fills every part that takes room.
    assert page.locator("article.finding").count() == 3
    assert page.locator("#leaders-heading").count() == 1
    assert page.locator("#trend-heading ~ table, #trend-heading ~ * table").count() >= 1
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert 1 <= pdf_pages(pdf) <= MAX_PAGES, f"{pdf_pages(pdf)} pages"


def test_nothing_is_clipped_on_paper_or_at_1280px(new_page, leader, board_round):
    # A4 less 15 mm margins each side is 180 mm, 680 CSS px: print media at that width.
    paper = new_page(width=680, height=1000)
    log_in(paper, leader)
    paper.goto(summary_url(board_round))
    wait_for_charts(paper)
    paper.emulate_media(media="print")
    paper.wait_for_timeout(300)  # the charts redraw for paper
    assert paper.evaluate(CLIPPED) == []
    assert paper.evaluate(CUT_CHART_TEXT) == []
    screen = new_page(width=1280, height=900)
    log_in(screen, leader)
    screen.goto(summary_url(board_round))
    wait_for_charts(screen)
    assert screen.evaluate(CLIPPED) == []
    assert screen.evaluate(CUT_CHART_TEXT) == []


def test_page_count_reads_page_objects_not_the_page_tree():
    pdf = b"<< /Type /Pages /Kids [3 0 R 4 0 R] >> << /Type /Page >> << /Type/Page /Parent 2 >>"
    assert pdf_pages(pdf) == 2


@pytest.mark.perturbed
def test_the_demo_rounds_summary_prints_on_two_pages_and_fits_a_phone(new_page, leader, db):
    """The board pack of the round a newcomer sees first (`make run`'s demo), as deployed:
    figures perturbed, two rounds, a change table, leaders versus staff."""
    call_command("load_instrument", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    demo = SurveyRound.objects.get(slug=DEMO_SLUG)
    paper = new_page(width=1280, height=900)
    log_in(paper, leader)
    paper.goto(summary_url(demo))
    wait_for_charts(paper)
    pdf = paper.pdf(format="A4", print_background=True)
    assert 1 <= pdf_pages(pdf) <= MAX_PAGES, f"{pdf_pages(pdf)} pages"
    phone = new_page(width=360, height=740)
    log_in(phone, leader)
    phone.goto(summary_url(demo))
    wait_for_charts(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
