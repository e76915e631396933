"""The site header on a 360 px phone in French and German: the title wraps only between its
words (its navigation links go below it, never squeeze it), starts where the page's content
starts, and the page does not scroll sideways (issue 17)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page

from tests.browser.helpers import leader_page_url, log_in

PHONE = {"width": 360, "height": 740}
# Sub-pixel rounding of two boxes' edges.
TOLERANCE_PX = 1.0

# Per word of the title: on how many lines it is drawn (a Range's client rects, one per line
# box). The title's left edge, that of the main content (inside main's padding), the widths.
MEASURE_HEADER = """
() => {
  const brand = document.querySelector('.navbar-brand');
  const words = [];
  const walker = document.createTreeWalker(brand, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
      words.push({word: match[0], lines: tops.size});
    }
  }
  const main = document.querySelector('main');
  const padding = parseFloat(getComputedStyle(main).paddingLeft);
  const text = document.createRange();
  text.selectNodeContents(brand);
  return {
    words,
    brandLeft: text.getBoundingClientRect().left,
    contentLeft: main.getBoundingClientRect().left + padding,
    scrollWidth: document.documentElement.scrollWidth,
    headerHeight: document.querySelector('header').getBoundingClientRect().height,
  };
}
"""


def header_problems(page: Page) -> list[str]:
    """What is wrong with the header of the page shown: split words, misalignment, width."""
    found = page.evaluate(MEASURE_HEADER)
    problems = [
        f"{word['word']!r} is broken over {word['lines']} lines"
        for word in found["words"]
        if word["lines"] != 1
    ]
    assert found["words"], "the title has no words"
    if abs(found["brandLeft"] - found["contentLeft"]) > TOLERANCE_PX:
        problems.append(
            f"the title starts at x={found['brandLeft']:.1f}, the content at "
            f"x={found['contentLeft']:.1f}"
        )
    if found["scrollWidth"] > PHONE["width"]:
        problems.append(f"the page is {found['scrollWidth']} px wide")
    return [f"{page.url}: {problem}" for problem in problems]


@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_the_header_title_wraps_between_words_and_aligns_with_the_content_on_a_phone(
    new_page, leader, answered_round, respondent, language: str
):
    phone = new_page(**PHONE, is_mobile=True, has_touch=True, locale=language)
    phone.goto(respondent.url("welcome"))
    problems = header_problems(phone)
    phone.goto(reverse("login"))
    problems += header_problems(phone)
    log_in(phone, leader)
    for url in (reverse("reports:round_list"), leader_page_url("dashboard", answered_round)):
        phone.goto(url)
        problems += header_problems(phone)
    log_in(phone, User.objects.create_superuser("staff-header", password="a-long-pass-42-x"))
    phone.goto(reverse("survey:manage_round", kwargs={"slug": answered_round.slug}))
    problems += header_problems(phone)
    assert problems == [], "\n".join(problems)
