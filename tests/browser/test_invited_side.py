"""A link made for IT in a Security person's hands (issue 18), in Chromium: the profile page
asks "You were invited as IT staff — is that right?", by keyboard, with an announced error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from survey.models import Invitation, SurveyRound
from survey.services.invitations import invitations_issue
from survey.services.responses import invitation_draft
from survey.tokens import token_hash
from tests.browser.helpers import Respondent, axe_report, axe_violations

QUESTION = "You were invited as IT staff — is that right?"
MESSAGE = "Choose “Yes”, or the side you work in."


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def press(page: Page, key: str, *, expect_focus: str) -> None:
    page.keyboard.press(key)
    assert focused(page, expect_focus), f"after {key}, focus is not on {expect_focus!r}"


@pytest.fixture
def it_invitee(survey_round: SurveyRound) -> Respondent:
    """An invitation made for IT staff, with nothing else prefilled."""
    (token,) = invitations_issue(round=survey_round, count=1, side="it")
    return Respondent(token, Invitation.objects.get(token_hash=token_hash(token)))


def test_a_security_person_with_an_it_link_says_so_by_keyboard(
    page: Page, it_invitee: Respondent, axe_source: str
):
    page.goto(it_invitee.url("profile"))
    group = page.get_by_role("group", name=re.compile(re.escape(QUESTION)))
    expect(group).to_be_visible()
    expect(group.get_by_role("radio")).to_have_count(3)
    for radio in group.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    found = {"profile invited as IT": axe_violations(page, axe_source)}

    # Next without answering: refused, announced, linked to the question; the rest is kept.
    page.get_by_label("Which function describes your work best?").select_option("identity")
    page.get_by_role("radio", name="Manager", exact=True).check()
    page.get_by_role("button", name="Next").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_focused()
    expect(alert.get_by_role("link")).to_have_text(f"{QUESTION} — {MESSAGE}")
    found["profile invited as IT, unanswered"] = axe_violations(page, axe_source)
    assert all(not v for v in found.values()), axe_report(found)
    alert.get_by_role("link").press("Enter")
    expect(page.locator("#id_side_0")).to_be_focused()
    expect(group).to_have_accessible_description(re.compile(re.escape(MESSAGE)))
    expect(page.get_by_label("Which function describes your work best?")).to_have_value("identity")
    expect(page.get_by_role("radio", name="Manager", exact=True)).to_be_checked()

    # Keyboard only: Space picks "Yes, I work in IT", the arrow moves to "No, ... Security".
    press(page, "Space", expect_focus="input[name=side][value=it]")
    press(page, "ArrowDown", expect_focus="input[name=side][value=security]")
    expect(page.get_by_role("radio", name="No, I work in Security")).to_be_checked()
    page.get_by_role("button", name="Next").press("Enter")
    expect(page).to_have_url(re.compile(r"/page/1/$"))

    invitation = it_invitee.invitation
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["profile"]["side"] == "security"
