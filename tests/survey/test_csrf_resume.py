"""Tests of an expired page mid-survey: a failed CSRF check shows the same page again with
what was typed, a message and a fresh token, and nothing is lost (survey.views.csrf_failure)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import Invitation, Response
from survey.services.responses import invitation_draft

pytestmark = pytest.mark.django_db

PROFILE = {"side": "security", "function": "identity", "level": "manager"}
EXPIRED = "Your page had expired; check your answers and press Next again."


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def form_token(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def _start(browser: Client, token: str) -> None:
    """Open the profile page and send it properly: the draft has a profile."""
    page = browser.get(url("profile", token))
    sent = browser.post(url("profile", token), {**PROFILE, "csrfmiddlewaretoken": form_token(page)})
    assert sent.status_code == 302


def test_an_expired_likert_page_comes_back_with_the_answers_typed(browser, token_and_invitation):
    token, invitation = token_and_invitation
    _start(browser, token)
    browser.get(url("page", token, n=1))
    # The session expired: the cookie is gone, the form's token no longer matches.
    browser.cookies.clear()
    typed = {"a1": "4", "a2": "2", "a_comment": "Typed before the page expired", "action": "next"}
    page = browser.post(url("page", token, n=1), {**typed, "csrfmiddlewaretoken": "stale" * 8})
    assert page.status_code == 200
    body = page.content.decode()
    assert EXPIRED in body
    assert re.search(r'name="a1"[^>]*value="4" checked', body)
    assert re.search(r'name="a2"[^>]*value="2" checked', body)
    assert "Typed before the page expired" in body
    assert "no-store" in page["Cache-Control"]
    invitation.refresh_from_db()
    assert "answers" not in invitation_draft(
        invitation=invitation
    )  # a failed check saves nothing...

    # ...and pressing Next again, with the fresh token the page carries, saves it all.
    again = browser.post(
        url("page", token, n=1), {**typed, "csrfmiddlewaretoken": form_token(page)}
    )
    assert again.status_code == 302
    assert again["Location"] == url("page", token, n=2)
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["answers"]["a1"] == 4
    assert (
        invitation_draft(invitation=invitation)["answers"]["a_comment"]
        == "Typed before the page expired"
    )


def test_an_expired_profile_page_keeps_the_choices(browser, token_and_invitation):
    token, invitation = token_and_invitation
    browser.get(url("profile", token))
    browser.cookies.clear()
    page = browser.post(url("profile", token), PROFILE)  # no token at all
    assert page.status_code == 200
    body = page.content.decode()
    assert EXPIRED in body
    assert re.search(r'value="security"[^>]*checked', body)
    assert re.search(r'value="identity"[^>]*selected', body)
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}
    again = browser.post(
        url("profile", token), {**PROFILE, "csrfmiddlewaretoken": form_token(page)}
    )
    assert again.status_code == 302


def test_an_expired_submit_shows_the_review_and_stores_nothing_yet(browser, token_and_invitation):
    token, invitation = token_and_invitation
    _start(browser, token)
    review = browser.get(url("review", token))
    browser.cookies.clear()
    page = browser.post(url("submit", token), {"csrfmiddlewaretoken": form_token(review)})
    assert page.status_code == 200
    assert "Your page had expired; your answers are saved." in page.content.decode()
    assert not Response.objects.exists()
    sent = browser.post(url("submit", token), {"csrfmiddlewaretoken": form_token(page)})
    assert sent.status_code == 302
    assert Response.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).used


def test_a_csrf_failure_elsewhere_gets_the_generic_page(browser):
    page = browser.post(reverse("login"), {"username": "x", "password": "y"})
    assert page.status_code == 403
    assert "Your page had expired" in page.content.decode()
    assert "check your answers and press Next again" not in page.content.decode()


def test_a_csrf_failure_on_an_unknown_link_gets_the_generic_page(browser):
    page = browser.post(url("page", "A" * 43, n=1), {"a1": "3"})
    assert page.status_code == 403
    assert "check your answers" not in page.content.decode()


SURVEY_PAGES = [
    ("welcome", {}, {"GET", "HEAD"}),
    ("profile", {}, {"GET", "HEAD", "POST"}),
    ("page", {"n": 1}, {"GET", "HEAD", "POST"}),
    ("review", {}, {"GET", "HEAD"}),
    ("submit", {}, {"GET", "HEAD", "POST"}),
    ("thanks", {}, {"GET", "HEAD"}),
]


@pytest.mark.parametrize(("name", "kwargs", "allowed"), SURVEY_PAGES)
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_on_a_survey_page_are_405_not_the_csrf_page(
    browser, token_and_invitation, name, kwargs, allowed, method
):
    """Found by a fresh-user trial: a PUT to a respondent page answered the CSRF 403 page
    ("Your page had expired"), as the CSRF check ran before the method check."""
    token, invitation = token_and_invitation
    response = getattr(browser, method)(url(name, token, **kwargs))
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == allowed
    assert "Your page had expired" not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}


@pytest.mark.parametrize("name", ["welcome", "review", "thanks"])
def test_a_post_to_a_survey_page_without_a_form_is_405(browser, token_and_invitation, name):
    token, _invitation = token_and_invitation
    assert browser.post(url(name, token)).status_code == 405


def test_a_post_without_a_token_is_still_refused(browser, token_and_invitation):
    """The method check comes first; the CSRF check still guards every POST."""
    token, invitation = token_and_invitation
    assert browser.post(url("profile", "A" * 43), PROFILE).status_code == 403
    page = browser.post(url("profile", token), PROFILE)
    assert EXPIRED in page.content.decode()  # the expired page: nothing saved
    assert browser.post(url("submit", token)).status_code == 403  # no profile yet
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}
