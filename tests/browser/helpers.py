"""Helpers shared by the browser tests: axe-core runs, logging in, URLs, waiting for charts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Prefetch
from django.test import Client
from django.urls import reverse

from assessment.models import Dimension, Instrument, Item
from survey.models import Invitation, SurveyRound
from survey.scale import SCALE_KINDS

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import Page

    from survey.views import SurveyPage

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LEADER_USERNAME = "leader-browser"
LEADER_PASSWORD = "a-long-browser-pass-phrase-42"


@dataclass(frozen=True)
class Respondent:
    """An invitation as a respondent holds it: the plain token and its URLs."""

    token: str
    invitation: Invitation

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"survey:{name}", kwargs={"token": self.token, **kwargs})


def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    """Run axe-core in ``page`` with the WCAG 2.1 A and AA rules; return its violations.

    Each violation is axe's dict: ``id``, ``impact``, ``help``, ``nodes`` (with ``target``).
    """
    page.evaluate(source)
    result = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    return result["violations"]


def axe_report(violations_by_page: dict[str, list[dict[str, Any]]]) -> str:
    """A readable list of violations: page, rule, impact, help and up to 3 targets."""
    lines = []
    for where, violations in violations_by_page.items():
        for violation in violations:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            lines.append(
                f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}"
                f" -> {targets}"
            )
    return "\n".join(lines)


def questionnaire_pages(instrument: Instrument) -> list[SurveyPage]:
    """The instrument's questionnaire pages as a respondent meets them (``survey_pages``):
    the outcome statement's page first when there is one, then one page per dimension."""
    from survey.views import survey_pages  # here: the views need the app registry ready

    items = Item.objects.order_by("order", "pk")
    dimensions = (
        Dimension.objects.filter(instrument=instrument)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("items", queryset=items))
    )
    return survey_pages(list(dimensions))


def scale_items(items: list[Item]) -> list[Item]:
    """The statements answered on the scale (Likert and outcome), in page order."""
    return [item for item in items if item.kind in SCALE_KINDS]


def likert_codes(instrument: Instrument) -> list[str]:
    """The instrument's Likert item codes in the order of its file."""
    return list(
        Item.objects.filter(dimension__instrument=instrument, kind=Item.Kind.LIKERT)
        .order_by("dimension__order", "order")
        .values_list("code", flat=True)
    )


def scale_codes(instrument: Instrument) -> list[str]:
    """The codes of every statement answered on the scale: the Likert statements and the
    outcome statement ("Overall, ..."), in the order of the instrument's file."""
    return list(
        Item.objects.filter(dimension__instrument=instrument, kind__in=SCALE_KINDS)
        .order_by("dimension__order", "order")
        .values_list("code", flat=True)
    )


def log_in(page: Page, user: User) -> None:
    """Give the page's context a logged-in session cookie for ``user`` (no login form)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": page.watch.origin}]
    )


def wait_for_charts(page: Page) -> None:
    """Wait until every chart container on the page holds a Plotly SVG."""
    from playwright.sync_api import expect  # here: conftest imports this module without it

    containers = page.locator("[data-figure]")
    expect(containers.first).to_be_attached()
    for container in containers.all():
        expect(container.locator("svg.main-svg").first).to_be_attached()


def first_scored_dimension(instrument: Instrument) -> Dimension:
    """The instrument's first dimension with a score: the first with Likert statements (v2's
    ``overall`` holds only the outcome statement, which no dimension score includes, and the
    dashboard links to no item-level view of it)."""
    return (
        instrument.dimensions.filter(items__kind=Item.Kind.LIKERT)
        .distinct()
        .order_by("order", "pk")
        .first()
    )


def leader_page_url(which: str, survey_round: SurveyRound) -> str:
    """The dashboard, or the item-level view of the round's first scored dimension."""
    if which == "dashboard":
        return reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    code = first_scored_dimension(survey_round.instrument).code
    return reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": code})
