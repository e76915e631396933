"""A round's own profile questions in Chromium on a 360 px phone: keyboard, axe, no scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from survey.models import Invitation, SurveyRound
from survey.services.invitations import invitations_issue
from survey.services.responses import invitation_draft
from survey.tokens import token_hash
from tests.browser.helpers import Respondent, axe_report, axe_violations

PHONE = {"width": 360, "height": 740}
REGION = {"name": "region", "label": "Region", "choices": ["EMEA", "Americas", "APAC"]}
SITE = {"name": "site", "label": "Site", "choices": [f"Site {n}" for n in range(1, 10)]}


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def press(page: Page, key: str, *, expect_focus: str) -> None:
    page.keyboard.press(key)
    assert focused(page, expect_focus), f"after {key}, focus is not on {expect_focus!r}"


@pytest.fixture
def region_respondent(survey_round: SurveyRound) -> Respondent:
    survey_round.profile_attributes = [REGION, SITE]
    survey_round.save(update_fields=["profile_attributes"])
    (token,) = invitations_issue(round=survey_round, count=1)
    return Respondent(token, Invitation.objects.get(token_hash=token_hash(token)))


def test_profile_questions_work_by_keyboard_on_a_phone(
    new_page, region_respondent: Respondent, axe_source: str
):
    page = new_page(**PHONE, is_mobile=True, has_touch=True)
    page.goto(region_respondent.url("profile"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_role("group", name="Region")).to_be_visible()
    found = {"profile": axe_violations(page, axe_source)}

    # A value not among the choices (a tampered form) comes back with an announced error.
    page.get_by_role("radio", name="Security", exact=True).check()
    page.get_by_label("Which function describes your work best?").select_option("identity")
    page.get_by_role("radio", name="Manager", exact=True).check()
    page.get_by_role("radio", name="APAC").evaluate("e => { e.value = 'Mars'; e.checked = true; }")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_contain_text("Region — Choose one of the options")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    found["profile with an error"] = axe_violations(page, axe_source)
    assert all(not v for v in found.values()), axe_report(found)

    # Keyboard only: from the level group, Tab into the region group, arrows choose; Tab to
    # the site drop-down, arrows choose; Tab to Next, Enter.
    page.locator("input[name=level][value=manager]").focus()
    press(page, "Tab", expect_focus="input[name=attribute_region]")
    page.keyboard.press("Home")
    press(page, "ArrowDown", expect_focus="input[name=attribute_region][value=EMEA]")
    press(page, "ArrowDown", expect_focus="input[name=attribute_region][value=Americas]")
    press(page, "Tab", expect_focus="select[name=attribute_site]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("select[name=attribute_site]", "e => e.value") == "Site 2"
    press(page, "Tab", expect_focus="button[value=next]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/page/1/$"))

    invitation = region_respondent.invitation
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["profile"]["attributes"] == {
        "region": "Americas",
        "site": "Site 2",
    }
    page.goto(region_respondent.url("review"))
    expect(page.locator("dl.review-list").first).to_contain_text("Americas")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
