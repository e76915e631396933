"""`make screenshots`: render the main pages into docs/screenshots/ (PNG) from the demo data.

Not collected by the normal test run (the file name does not start with ``test_``); the
Makefile passes this file to pytest explicitly so it reuses the live server and browser
fixtures. A missing browser fails here instead of skipping (BROWSER_REQUIRED=1).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from assessment.models import Item
from survey.models import Invitation, SurveyRound
from survey.services.invitations import invitations_issue
from survey.services.responses import invitation_save_page, invitation_save_profile
from survey.tokens import token_hash
from tests.browser.helpers import log_in, questionnaire_pages, wait_for_charts

OUTPUT = Path(os.environ.get("SCREENSHOTS_DIR", settings.BASE_DIR / "docs" / "screenshots"))
DEMO_SLUG = "demo"
SURVEY_PAGE = 2


def _demo_round() -> SurveyRound:
    call_command("load_instrument", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    return SurveyRound.objects.get(slug=DEMO_SLUG)


def _half_answered_page(survey_round: SurveyRound) -> str:
    """An invitation whose page ``SURVEY_PAGE`` has its first statements answered; its URL."""
    (token,) = invitations_issue(round=survey_round, count=1)
    invitation = Invitation.objects.get(token_hash=token_hash(token))
    invitation_save_profile(invitation=invitation, side="it", function="applications", level="")
    survey_page = questionnaire_pages(survey_round.instrument)[SURVEY_PAGE - 1]
    likert = [item.code for item in survey_page.items if item.kind == Item.Kind.LIKERT]
    answers = dict(zip(likert[:3], [4, 2, 5], strict=False))
    invitation_save_page(invitation=invitation, answers=answers, page=None)
    return reverse("survey:page", kwargs={"token": token, "n": SURVEY_PAGE})


def _shoot(page: Page, name: str, **options) -> None:
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=path, type="png", **options)


def _item_breakdown_url(survey_round: SurveyRound) -> str | None:
    """The item-level page of the demo's most divided dimension, if the reports app has one."""
    try:
        return reverse(
            "reports:dimension", kwargs={"slug": survey_round.slug, "code": "early_involvement"}
        )
    except NoReverseMatch:
        return None


@pytest.mark.perturbed  # as a real deployment publishes them, not the tests' exact figures
def test_render_screenshots(new_page, leader):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    survey_round = _demo_round()
    survey_url = _half_answered_page(survey_round)

    desktop = new_page(width=1280, height=860)
    desktop.goto(survey_url)
    _shoot(desktop, "survey-desktop")

    phone = new_page(width=360, height=740, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.goto(survey_url)
    # From the progress indicator down: the page's heading and its first statement's options.
    phone.locator(".survey-progress").evaluate(
        "e => window.scrollTo({top: e.getBoundingClientRect().top + scrollY - 12,"
        " behavior: 'instant'})"
    )
    _shoot(phone, "survey-phone")

    # A tall window at 0.75 scale: the dashboard's top with its first chart, in a small PNG.
    leader_page = new_page(width=1280, height=2420, device_scale_factor=0.75)
    log_in(leader_page, leader)
    leader_page.goto(reverse("reports:dashboard", kwargs={"slug": survey_round.slug}))
    wait_for_charts(leader_page)
    _shoot(leader_page, "dashboard")

    leader_page.goto(reverse("reports:executive_summary", kwargs={"slug": survey_round.slug}))
    wait_for_charts(leader_page)
    _shoot(leader_page, "executive-summary", full_page=True)

    breakdown = _item_breakdown_url(survey_round)
    response = leader_page.goto(breakdown) if breakdown else None
    if response is not None and response.ok:
        if leader_page.locator("[data-figure]").count():
            wait_for_charts(leader_page)
        _shoot(leader_page, "item-breakdown")
    else:
        # Without a working per-dimension page: the dashboard's item-level Likert chart.
        leader_page.goto(reverse("reports:dashboard", kwargs={"slug": survey_round.slug}))
        wait_for_charts(leader_page)
        chart = leader_page.locator("figure", has=leader_page.locator("[data-figure$='likert']"))
        expect(chart).to_have_count(1)
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=OUTPUT / "item-breakdown.png", type="png")
