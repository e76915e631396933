"""axe-core in Chromium: no WCAG 2.1 A or AA violation on any page a respondent or leader sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    Respondent,
    axe_report,
    axe_violations,
    leader_page_url,
    log_in,
    questionnaire_pages,
    wait_for_charts,
)


def test_every_respondent_page_has_no_axe_violations(
    page: Page, respondent: Respondent, instrument, axe_source: str
):
    found: dict[str, list[dict[str, Any]]] = {}

    def check(where: str) -> None:
        found[where] = axe_violations(page, axe_source)

    page.goto(respondent.url("welcome"))
    check("welcome")
    page.goto(respondent.url("profile"))
    check("profile")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("profile with errors")
    page.get_by_role("radio", name="Security", exact=True).check()
    page.get_by_label("Which function describes your work best?").select_option("identity")
    page.get_by_role("radio", name="Executive", exact=True).check()
    page.get_by_role("button", name="Next").click()
    pages = questionnaire_pages(instrument)
    # The first page with a follow-up guess (the respondent is in Security) shows that
    # question in its error state too.
    follow_up_page = next(
        number
        for number, survey_page in enumerate(pages, start=1)
        if any(item.meta_perception for item in survey_page.items)
    )
    for number in range(1, len(pages) + 1):
        expect(page).to_have_url(f"{page.watch.origin}{respondent.url('page', n=number)}")
        page.locator("fieldset.likert-item").first.get_by_role("radio").nth(3).check()
        check(f"page {number}")
        if number == 1:
            radio = page.locator("fieldset.likert-item").last.get_by_role("radio").last
            radio.evaluate("e => { e.value = '9'; e.checked = true; }")
            page.get_by_role("button", name="Next").click()
            expect(page.get_by_role("alert")).to_be_visible()
            check("page 1 with an error")
            radio = page.locator("fieldset.likert-item").last.get_by_role("radio").last
            radio.check()
        if number == follow_up_page:
            radio = page.locator("fieldset.likert-meta").first.get_by_role("radio").last
            radio.evaluate("e => { e.value = '9'; e.checked = true; }")
            page.get_by_role("button", name="Next").click()
            expect(page.get_by_role("alert")).to_be_visible()
            check(f"page {number} with an error in a follow-up question")
            radio = page.locator("fieldset.likert-meta").first.get_by_role("radio").last
            radio.check()
        page.get_by_role("button", name="Next").click()
    check("review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    check("thank-you")
    page.goto(respondent.url("welcome"))
    check("already completed")
    page.goto(reverse("survey:welcome", kwargs={"token": "no-such-token"}))
    check("unknown link")
    assert all(not v for v in found.values()), axe_report(found)


def test_the_login_page_has_no_axe_violations(page: Page, axe_source: str):
    page.goto(reverse("login"))
    found = {"login": axe_violations(page, axe_source)}
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found["login with an error"] = axe_violations(page, axe_source)
    assert all(not v for v in found.values()), axe_report(found)


def test_the_round_list_has_no_axe_violations(page: Page, leader, answered_round, axe_source):
    log_in(page, leader)
    page.goto(reverse("reports:round_list"))
    expect(page.get_by_role("link", name=answered_round.name)).to_be_visible()
    violations = axe_violations(page, axe_source)
    assert violations == [], axe_report({"round list": violations})


@pytest.mark.parametrize("which", ["dashboard", "dimension"])
def test_the_dashboard_and_item_level_view_have_no_axe_violations(
    page: Page, leader, answered_round, axe_source, which: str
):
    log_in(page, leader)
    page.goto(leader_page_url(which, answered_round))
    wait_for_charts(page)
    # Open the data tables so that axe checks them too.
    for summary in page.locator("details > summary").all():
        summary.click()
    violations = axe_violations(page, axe_source)
    assert violations == [], axe_report({which: violations})


def test_the_empty_dashboard_has_no_axe_violations(page: Page, leader, survey_round, axe_source):
    log_in(page, leader)
    page.goto(reverse("reports:dashboard", kwargs={"slug": survey_round.slug}))
    violations = axe_violations(page, axe_source)
    assert violations == [], axe_report({"empty dashboard": violations})


def test_the_methodology_page_has_no_axe_violations(page: Page, leader, axe_source):
    try:
        url = reverse("reports:methodology")
    except NoReverseMatch:
        pytest.fail(
            "reports:methodology does not resolve: the methodology page (issue 3) must exist "
            "at /reports/methodology/ for its accessibility to be checked",
            pytrace=False,
        )
    log_in(page, leader)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    violations = axe_violations(page, axe_source)
    assert violations == [], axe_report({"methodology": violations})


@pytest.mark.parametrize("width", [1280, 360])
def test_the_story_dashboard_and_summary_have_no_axe_violations(
    new_page, leader, board_round, axe_source, width: int
):
    """With findings, divided groups, blame pairs and a previous round, at desk and phone
    width; the statistics behind the story are opened by keyboard (Enter on its summary)."""
    page = new_page(width=width, height=900)
    log_in(page, leader)
    found = {}
    for name in ("dashboard", "executive_summary"):
        page.goto(reverse(f"reports:{name}", kwargs={"slug": board_round.slug}))
        wait_for_charts(page)
        if name == "dashboard":
            summary = page.locator(".story details > summary")
            summary.focus()
            page.keyboard.press("Enter")
            expect(page.locator(".story details table.scorecard")).to_be_visible()
        found[f"{name} at {width}px"] = axe_violations(page, axe_source)
    assert all(v == [] for v in found.values()), axe_report(found)


def test_the_v2_pages_with_dont_know_and_the_follow_up_question_have_no_axe_violations(
    page: Page, v2_respondent: Respondent, axe_source: str
):
    found: dict[str, list[dict[str, Any]]] = {}
    for number in (1, 2, 3):
        page.goto(v2_respondent.url("page", n=number))
        found[f"page {number}"] = axe_violations(page, axe_source)
        if number == 2:
            page.locator("input[name=a1][value=dont_know]").check()
            page.locator("input[name=a1__predicted_other][value='2']").check()
            page.locator("input[name=a1__predicted_other]").first.evaluate(
                "e => { e.value = '9'; e.checked = true; }"
            )
            page.get_by_role("button", name="Next").click()
            expect(page.get_by_role("alert")).to_be_visible()
            found["page 2 with an error in the follow-up question"] = axe_violations(
                page, axe_source
            )
            page.locator("input[name=a1__predicted_other][value='2']").check()
            page.get_by_role("button", name="Next").click()
    page.goto(v2_respondent.url("review"))
    expect(page.get_by_text("Don't know", exact=True)).to_be_visible()
    found["review"] = axe_violations(page, axe_source)
    assert all(not v for v in found.values()), axe_report(found)
