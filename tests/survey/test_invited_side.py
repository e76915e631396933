"""The invitation's side on the profile page (issue 18): asked to be confirmed, never a quiet
default that a Security person holding a link made for IT would leave as it was."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from survey.forms import ProfileForm, invited_side_question
from survey.models import Answer, Response, Side
from survey.services.responses import invitation_draft

pytestmark = pytest.mark.django_db

PROFILE = {"function": "governance", "level": "executive"}


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def side_radios(html: str) -> list[tuple[str, str, bool]]:
    """The side radios in page order: (value, label text, checked)."""
    found = []
    for match in re.finditer(r'<input[^>]*name="side"[^>]*>', html):
        tag = match.group(0)
        value = re.search(r'value="([^"]*)"', tag).group(1)
        radio_id = re.search(r'id="([^"]*)"', tag).group(1)
        label = re.search(rf'<label[^>]*for="{radio_id}"[^>]*>\s*(.*?)\s*</label>', html, re.S)
        found.append((value, label.group(1), "checked" in tag))
    return found


def legend(html: str, field: str) -> str:
    fieldset = re.search(rf'<div id="div_id_{field}".*?</fieldset>', html, re.S).group(0)
    text = re.search(r"<legend[^>]*>(.*?)</legend>", fieldset, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


def test_invited_as_it_the_page_asks_whether_that_is_right_with_nothing_chosen(client, issue):
    token, _invitation = issue(side="it", function="infrastructure", level="manager")
    body = client.get(url("profile", token)).content.decode()
    assert legend(body, "side") == "You were invited as IT staff — is that right?*"
    assert side_radios(body) == [
        ("it", "Yes, I work in IT", False),
        ("security", "No, I work in Security", False),
        ("other", "No, I work outside IT and Security", False),
    ]
    # Function and level are still prefilled from the invitation.
    assert 'value="infrastructure" selected' in body
    assert re.search(r'value="manager"[^>]*checked', body)


def test_invited_as_it_answering_no_security_stores_a_security_response(client, issue):
    token, invitation = issue(side="it")
    page = client.post(url("profile", token), {"side": "security", **PROFILE})
    assert page.status_code == 302
    client.post(url("page", token, n=1), {"a1": "4", "action": "next"})
    client.post(url("page", token, n=2), {"action": "next"})
    assert client.post(url("submit", token))["Location"] == url("thanks", token)
    response = Response.objects.get(round=invitation.round)
    assert (response.side, response.function, response.level) == (
        "security",
        "governance",
        "executive",
    )


def test_the_invited_side_left_unanswered_is_refused_keeping_what_was_typed(client, issue):
    token, invitation = issue(side="it")
    page = client.post(url("profile", token), PROFILE)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="error-summary"' in body
    message = "Choose “Yes”, or the side you work in."
    # In the summary, linked to the question's first choice, and under the question.
    # The question's own "?" is not followed by a colon (found by a fresh-user trial).
    assert re.search(
        rf'href="#id_side_0">You were invited as IT staff — is that right\? — {message}</a>', body
    )
    assert re.search(r'<fieldset aria-describedby="[^"]*\bid_side_error\b', body)
    assert re.search(rf'<div id="id_side_error"[^>]*>\s*<p[^>]*><strong>{message}</strong>', body)
    # Still the confirmation question, with nothing chosen; the other answers kept.
    assert [checked for _value, _label, checked in side_radios(body)] == [False] * 3
    assert 'value="governance" selected' in body
    assert re.search(r'value="executive"[^>]*checked', body)
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}


def test_coming_back_shows_the_side_the_respondent_chose(client, issue):
    token, _invitation = issue(side="it")
    client.post(url("profile", token), {"side": "security", **PROFILE})
    body = client.get(url("profile", token)).content.decode()
    assert ("security", "No, I work in Security", True) in side_radios(body)
    assert [value for value, _label, checked in side_radios(body) if checked] == ["security"]


def test_without_an_invited_side_the_plain_side_question_is_asked(client, issue):
    token, _invitation = issue()
    body = client.get(url("profile", token)).content.decode()
    assert legend(body, "side") == "Which side of the organisation do you work in?*"
    assert side_radios(body) == [
        ("it", "IT", False),
        ("security", "Security", False),
        ("other", "Other", False),
    ]


def test_correcting_the_invited_side_drops_the_guesses_of_the_other_side(client, issue, v2_round):
    token, invitation = issue(survey_round=v2_round, side="it")
    client.post(url("profile", token), {"side": "it", **PROFILE})
    client.post(url("page", token, n=2), {"a1": "3", "a1__predicted_other": "1"})
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["predicted_other"] == {"a1": 1}
    client.post(url("profile", token), {"side": "security", **PROFILE})
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation).get("predicted_other", {}) == {}
    client.post(url("submit", token))
    answer = Answer.objects.get(item__code="a1")
    assert (answer.response.side, answer.value, answer.predicted_other) == ("security", 3, None)


@pytest.mark.parametrize("side", Side.values)
def test_every_side_has_a_question_naming_it_and_an_answer_for_every_side(side):
    question, choices = invited_side_question(side)
    assert question.startswith("You were invited as ")
    assert [value for value, _label in choices] == [side, *(s for s in Side.values if s != side)]
    assert choices[0][1].startswith("Yes, ")
    assert all(label.startswith("No, ") for _value, label in choices[1:])
    form = ProfileForm({"side": side, "function": "other", "level": "manager"}, invited_side=side)
    assert form.is_valid(), form.errors
    assert form.profile()["side"] == side


def test_an_answer_that_is_not_a_side_is_refused():
    form = ProfileForm({"side": "admin", **PROFILE}, invited_side="it")
    assert not form.is_valid()
    assert "side" in form.errors
