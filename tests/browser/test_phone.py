"""A 360 × 740 phone: no sideways scrolling, big Likert options, each statement beside them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.browser.helpers import (
    Respondent,
    leader_page_url,
    log_in,
    questionnaire_pages,
    scale_items,
    wait_for_charts,
)

PHONE = {"width": 360, "height": 740}
MIN_TARGET_PX = 24
# How far below its statement an item's first option may start and still read as "next to it".
MAX_STATEMENT_GAP_PX = 48

# One round trip measures every Likert option of the page after scrolling it into view.
MEASURE_OPTIONS = """
() => [...document.querySelectorAll('fieldset.likert-item')].map(fieldset => {
  const legend = fieldset.querySelector('legend');
  const options = [...fieldset.querySelectorAll('input[type=radio]')].map(input => {
    const label = input.closest('label');
    label.scrollIntoView({block: 'center', behavior: 'instant'});
    const box = label.getBoundingClientRect();
    const radio = input.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {
      value: input.value,
      label: label.innerText.trim(),
      width: box.width, height: box.height,
      radioWidth: radio.width, radioHeight: radio.height,
      left: box.left, right: box.right,
      reachable: hit !== null && label.contains(hit),
    };
  });
  legend.scrollIntoView({block: 'start', behavior: 'instant'});
  const text = legend.getBoundingClientRect();
  const first = fieldset.querySelector('label').getBoundingClientRect();
  const style = getComputedStyle(legend);
  return {
    statement: legend.innerText.trim(),
    followUp: fieldset.classList.contains('likert-meta'),
    visible: style.visibility !== 'hidden' && style.display !== 'none' && text.height > 0,
    statementLeft: text.left, statementRight: text.right,
    gap: first.top - text.bottom,
    options,
  };
})
"""


def scroll_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.fixture
def phone(new_page) -> Page:
    return new_page(**PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def test_no_respondent_page_scrolls_sideways_on_a_phone(
    phone: Page, profiled_respondent: Respondent, instrument
):
    urls = [profiled_respondent.url("welcome"), profiled_respondent.url("profile")]
    pages = questionnaire_pages(instrument)
    urls += [profiled_respondent.url("page", n=n) for n in range(1, len(pages) + 1)]
    urls.append(profiled_respondent.url("review"))
    wide = {}
    for url in urls:
        phone.goto(url)
        if scroll_width(phone) > PHONE["width"]:
            wide[url] = scroll_width(phone)
    assert wide == {}, f"pages wider than {PHONE['width']} px: {wide}"


def test_every_likert_option_is_a_reachable_24px_target_beside_its_statement(
    phone: Page, profiled_respondent: Respondent, instrument
):
    labels = list(instrument.scale_labels)
    # A statement offers the scale, then "don't know"; its follow-up guess only the scale.
    statement_labels = [*labels, instrument.dont_know_label]
    problems: list[str] = []
    for number, survey_page in enumerate(questionnaire_pages(instrument), start=1):
        phone.goto(profiled_respondent.url("page", n=number))
        items = phone.evaluate(MEASURE_OPTIONS)
        statements = scale_items(survey_page.items)
        follow_ups = [item for item in statements if item.meta_perception]
        assert [item["followUp"] for item in items].count(False) == len(statements), number
        assert [item["followUp"] for item in items].count(True) == len(follow_ups), number
        for item in items:
            where = f"page {number}, {item['statement'][:40]!r}"
            if not item["visible"]:
                problems.append(f"{where}: statement not visible")
            if not 0 <= item["gap"] <= MAX_STATEMENT_GAP_PX:
                problems.append(f"{where}: options start {item['gap']:.0f} px below the text")
            expected = labels if item["followUp"] else statement_labels
            if [option["label"] for option in item["options"]] != expected:
                problems.append(f"{where}: option labels {[o['label'] for o in item['options']]}")
            for option in item["options"]:
                name = f"{where} option {option['value']}"
                if min(option["width"], option["height"]) < MIN_TARGET_PX:
                    problems.append(f"{name}: target {option['width']}x{option['height']} px")
                if min(option["radioWidth"], option["radioHeight"]) < MIN_TARGET_PX:
                    problems.append(
                        f"{name}: radio {option['radioWidth']}x{option['radioHeight']} px"
                    )
                if option["left"] < 0 or option["right"] > PHONE["width"]:
                    problems.append(f"{name}: off screen ({option['left']}..{option['right']})")
                if not option["reachable"]:
                    problems.append(f"{name}: covered by another element")
        # And a real tap on the last option of every statement chooses it.
        for fieldset in phone.locator("fieldset.likert-item").all():
            last = fieldset.locator("label.likert-option").last
            last.tap()
            assert last.locator("input").is_checked(), f"page {number}: tap did not choose"
        assert scroll_width(phone) <= PHONE["width"]
    assert problems == [], "\n".join(problems)


def test_no_leader_page_scrolls_sideways_on_a_phone(phone: Page, leader, answered_round):
    """Reflow (WCAG 1.4.10): wide data tables may scroll inside their box, never the page."""
    phone.goto(reverse("login"))
    wide = {}
    if scroll_width(phone) > PHONE["width"]:
        wide["login"] = scroll_width(phone)
    log_in(phone, leader)
    urls = {
        "round list": reverse("reports:round_list"),
        "dashboard": leader_page_url("dashboard", answered_round),
        "item-level view": leader_page_url("dimension", answered_round),
        "methodology": reverse("reports:methodology"),
    }
    for name, url in urls.items():
        phone.goto(url)
        if phone.locator("[data-figure]").count():
            wait_for_charts(phone)
        if scroll_width(phone) > PHONE["width"]:
            wide[name] = scroll_width(phone)
    assert wide == {}, f"pages wider than {PHONE['width']} px: {wide}"


def test_dont_know_and_the_follow_up_question_fit_a_phone(phone: Page, v2_respondent: Respondent):
    phone.goto(v2_respondent.url("page", n=2))
    items = phone.evaluate(MEASURE_OPTIONS)
    statement, follow_up = items[0], items[1]
    assert statement["options"][-1]["value"] == "dont_know"
    assert statement["options"][-1]["label"] == "Don't know"
    assert follow_up["statement"].startswith("How do you think security staff would answer?")
    assert [option["value"] for option in follow_up["options"]] == ["1", "2", "3", "4", "5"]
    for item in items[:2]:
        for option in item["options"]:
            assert min(option["width"], option["height"]) >= MIN_TARGET_PX, option
            assert min(option["radioWidth"], option["radioHeight"]) >= MIN_TARGET_PX, option
            assert option["left"] >= 0, option
            assert option["right"] <= PHONE["width"], option
            assert option["reachable"], option
    # "Don't know" sits apart: a gap above it wider than between the scale's points.
    gaps = phone.evaluate(
        """() => [...document.querySelector('fieldset.likert-item')
            .querySelectorAll('label.likert-option')]
            .map(l => l.getBoundingClientRect())
            .map((box, i, all) => i ? box.top - all[i - 1].bottom : 0)"""
    )
    assert gaps[-1] > max(gaps[1:-1])
    phone.locator("label.likert-dont-know").first.tap()
    assert phone.locator("input[name=a1][value=dont_know]").is_checked()
    for n in (1, 2, 3):
        phone.goto(v2_respondent.url("page", n=n))
        assert scroll_width(phone) <= PHONE["width"]
    phone.goto(v2_respondent.url("review"))
    assert scroll_width(phone) <= PHONE["width"]
