"""The admin's round list and round page at 1280 × 800 (issue 18): the import and the
invitations are reachable without scrolling sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from survey.models import SurveyRound
from survey.services.rounds import round_create
from tests.browser.helpers import log_in

LAPTOP = {"width": 1280, "height": 800}
# A long name and the longest common zone name: the round list's widest realistic row.
ROUND_NAME = "IT and Security collaboration, spring 2026 (all sites)"


@pytest.fixture
def wide_round(instrument) -> SurveyRound:
    now = timezone.now()
    return round_create(
        instrument=instrument,
        name=ROUND_NAME,
        slug="spring-2026",
        timezone="America/Argentina/Buenos_Aires",
        opens_at=now,
        closes_at=now + dt.timedelta(days=30),
    )


@pytest.fixture
def laptop(new_page, live_server) -> Page:
    """A logged-in superuser's 1280 × 800 page."""
    page = new_page(**LAPTOP)
    log_in(page, User.objects.create_superuser("admin-browser", password="a-long-admin-pass-42"))
    return page


def fully_in_view(page: Page, selector: str) -> bool:
    """The element is drawn whole inside the window and inside every box that clips it."""
    return page.evaluate(
        """s => {
          const e = document.querySelector(s), r = e.getBoundingClientRect();
          if (r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight)
            return false;
          for (let n = e.parentElement; n; n = n.parentElement) {
            if (getComputedStyle(n).overflowX === 'visible') continue;
            const c = n.getBoundingClientRect();
            if (r.left < c.left || r.right > c.right) return false;
          }
          return true;
        }""",
        selector,
    )


def no_sideways_scrolling(page: Page) -> bool:
    """Neither the page nor the round list's box scrolls sideways."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= innerWidth
          && [...document.querySelectorAll('.results')]
               .every(e => e.scrollWidth <= e.clientWidth)"""
    )


def test_the_round_list_shows_import_and_invitations_at_1280_px(laptop: Page, wide_round):
    laptop.goto(reverse("admin:survey_surveyround_changelist"))
    import_url = reverse("admin:survey_surveyround_import", args=[wide_round.pk])
    invitations_url = reverse("survey:manage_round", kwargs={"slug": wide_round.slug})
    expect(laptop.locator("#result_list")).to_contain_text(ROUND_NAME)
    assert no_sideways_scrolling(laptop)
    for url in (import_url, invitations_url):
        assert fully_in_view(laptop, f"#result_list a[href='{url}']"), url
    link = laptop.get_by_role("link", name=f"Import responses into {ROUND_NAME}")
    expect(link).to_have_text("Import")
    link.click()
    expect(laptop).to_have_url(f"{laptop.watch.origin}{import_url}")


def test_the_round_page_offers_import_and_invitations_at_the_top(laptop: Page, wide_round):
    laptop.goto(reverse("admin:survey_surveyround_change", args=[wide_round.pk]))
    import_url = reverse("admin:survey_surveyround_import", args=[wide_round.pk])
    invitations_url = reverse("survey:manage_round", kwargs={"slug": wide_round.slug})
    for url in (import_url, invitations_url):
        assert fully_in_view(laptop, f".object-tools a[href='{url}']"), url
    laptop.get_by_role("link", name=f"Invitations and reminders of {ROUND_NAME}").click()
    expect(laptop).to_have_url(f"{laptop.watch.origin}{invitations_url}")
