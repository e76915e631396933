"""Tests of the respondent's path through Django's test client, from the link to thank-you."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import Prefetch
from django.urls import reverse

from assessment.models import Item
from assessment.services import instrument_load
from survey.models import Answer, Invitation, Response
from survey.scale import PREDICTED_SUFFIX, SCALE_KINDS
from survey.services.invitations import invitations_issue
from survey.services.responses import invitation_draft
from survey.services.rounds import round_create
from survey.tokens import token_create
from survey.views import survey_pages
from tests.factories import SurveyRoundFactory

pytestmark = pytest.mark.django_db

PROFILE = {"side": "it", "function": "infrastructure", "level": "manager"}
# Page views: token lookup, dimensions, items, and on POST the draft's read and update.
MAX_QUERIES = 10


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def text(response) -> str:
    """The page's visible text with whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body)


def draft_of(invitation: Invitation) -> dict:
    invitation.refresh_from_db()
    return invitation_draft(invitation=invitation)


def test_the_whole_path_stores_one_response_with_the_changed_answer(
    client, token_and_invitation, django_assert_max_num_queries
):
    token, invitation = token_and_invitation

    with django_assert_max_num_queries(MAX_QUERIES):
        welcome = client.get(url("welcome", token))
    assert welcome.status_code == 200
    assert "no-store" in welcome["Cache-Control"]  # a shared computer's Back shows nothing
    assert "about 10 minutes" in text(welcome)
    assert "without any link to this invitation" in text(welcome)
    assert "at least 5 people" in text(welcome)
    assert url("profile", token) in welcome.content.decode()

    assert client.get(url("profile", token)).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        step = client.post(url("profile", token), {**PROFILE, "action": "next"})
    assert step.status_code == 302
    assert step["Location"] == url("page", token, n=1)

    with django_assert_max_num_queries(MAX_QUERIES):
        page_one = client.get(url("page", token, n=1))
    assert "Page 2 of 4" in text(page_one)
    with django_assert_max_num_queries(MAX_QUERIES):
        step = client.post(
            url("page", token, n=1),
            {"a1": "4", "a2": "2", "a_comment": "Reviews come late.", "action": "next"},
        )
    assert step["Location"] == url("page", token, n=2)

    page_two = client.get(url("page", token, n=2))
    assert "Page 3 of 4" in text(page_two)
    # Back saves what is on the page, then shows page 1 with its answers.
    step = client.post(url("page", token, n=2), {"b1": "5", "action": "back"})
    assert step["Location"] == url("page", token, n=1)
    assert draft_of(invitation)["answers"]["b1"] == 5
    page_one = client.get(url("page", token, n=1))
    assert re.search(r'name="a1"[^>]*value="4" checked', page_one.content.decode())
    assert "Reviews come late." in page_one.content.decode()

    # Change an answer on page 1 and go forward again.
    client.post(
        url("page", token, n=1),
        {"a1": "1", "a2": "2", "a_comment": "Reviews come late.", "action": "next"},
    )
    step = client.post(url("page", token, n=2), {"b1": "5", "b3": "3", "action": "next"})
    assert step["Location"] == url("review", token)

    with django_assert_max_num_queries(MAX_QUERIES):
        review = client.get(url("review", token))
    review_text = text(review)
    assert "Page 4 of 4" in review_text
    assert "Strongly disagree" in review_text  # a1 changed to 1
    assert "Reviews come late." in review_text
    assert "Not answered" in review_text  # a3 and b2 were left out
    assert "2 statements are unanswered" in review_text
    assert url("page", token, n=1) in review.content.decode()
    assert url("page", token, n=2) in review.content.decode()

    with django_assert_max_num_queries(12):
        done = client.post(url("submit", token))
    assert done["Location"] == url("thanks", token)
    thanks = client.get(done["Location"])
    assert thanks.status_code == 200
    assert "Thank you" in text(thanks)

    again = client.get(url("welcome", token))
    assert again.status_code == 410
    assert "already been completed" in text(again)

    response = Response.objects.get()
    assert (response.side, response.function, response.level) == ("it", "infrastructure", "manager")
    assert dict(Answer.objects.filter(value__isnull=False).values_list("item__code", "value")) == {
        "a1": 1,
        "a2": 2,
        "b1": 5,
        "b3": 3,
    }
    assert Answer.objects.get(item__code="a_comment").text == "Reviews come late."
    invitation.refresh_from_db()
    assert invitation.used is True
    assert invitation_draft(invitation=invitation) == {}


def test_reopening_the_link_resumes_at_the_first_unfinished_step(client, token_and_invitation):
    token, _invitation = token_and_invitation
    assert client.get(url("welcome", token)).status_code == 200  # nothing started yet

    client.post(url("profile", token), PROFILE)
    client.post(url("page", token, n=1), {"a1": "3", "action": "next"})
    # A new browser: no session, no cookies. The draft lives on the invitation.
    client.cookies.clear()
    resumed = client.get(url("welcome", token))
    assert resumed.status_code == 302
    assert resumed["Location"] == url("page", token, n=2)

    client.post(url("page", token, n=2), {"action": "next"})
    assert client.get(url("welcome", token))["Location"] == url("review", token)


def test_profile_is_prefilled_from_the_invitation_but_its_side_is_asked(client, issue):
    token, _invitation = issue(side="security", level="manager")
    page = client.get(url("profile", token)).content.decode()
    assert re.search(r'value="manager"[^>]*checked', page)
    # The side is a question to answer (tests/survey/test_invited_side.py), not a default.
    assert "You were invited as Security staff — is that right?" in page
    assert not re.search(r'name="side"[^>]*checked', page)


def test_profile_keeps_the_saved_answers(client, token_and_invitation):
    token, invitation = token_and_invitation
    incomplete = {"side": "other", "function": "governance", "level": ""}
    assert client.post(url("profile", token), incomplete).status_code == 200
    assert draft_of(invitation) == {}
    client.post(url("profile", token), {**incomplete, "level": "executive"})
    page = client.get(url("profile", token)).content.decode()
    assert re.search(r'value="other"[^>]*checked', page)
    assert re.search(r'value="governance" selected', page)
    assert re.search(r'value="executive"[^>]*checked', page)


def test_profile_rejects_a_tampered_side_keeping_the_rest(client, token_and_invitation):
    token, invitation = token_and_invitation
    page = client.post(url("profile", token), {**PROFILE, "side": "admin"})
    assert page.status_code == 200
    assert "Choose IT, Security or Other." in text(page) or "valid choice" in text(page)
    assert re.search(r'value="manager"[^>]*checked', page.content.decode())
    assert draft_of(invitation) == {}


def test_values_off_the_scale_give_a_form_error_with_typed_values_kept(
    client, token_and_invitation, django_assert_max_num_queries
):
    token, invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.post(
            url("page", token, n=1),
            {"a1": "9", "a2": "4", "a_comment": "My typed comment", "action": "next"},
        )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="error-summary"' in body
    assert "Choose one of the options on the scale." in text(page)
    # the error is linked to its item
    assert 'aria-describedby="id_a1-error"' in body
    assert 'id="id_a1-error"' in body
    # what was typed is kept
    assert re.search(r'name="a2"[^>]*value="4" checked', body)
    assert "My typed comment" in body
    assert "answers" not in draft_of(invitation)


@pytest.mark.parametrize(
    "data",
    [
        {"a1": "-1"},
        {"a1": "3.5"},
        {"a1": "<script>"},
        {"a_comment": "x" * 2001},
        {"a1": ["1", "2"]},
    ],
)
def test_tampered_posts_never_give_a_server_error(client, token_and_invitation, data):
    token, invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    page = client.post(url("page", token, n=1), {**data, "action": "next"})
    assert page.status_code in (200, 302)
    if page.status_code == 200:
        assert 'id="error-summary"' in page.content.decode()
    for value in (draft_of(invitation).get("answers") or {}).values():
        assert value in (1, 2, 3, 4, 5) or isinstance(value, str)


def test_unknown_fields_are_ignored(client, token_and_invitation):
    token, invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    client.post(url("page", token, n=1), {"a1": "2", "b1": "5", "zz": "1", "action": "next"})
    assert draft_of(invitation)["answers"] == {"a1": 2}


def test_likert_page_is_accessible_markup(client, token_and_invitation):
    token, _invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    body = client.get(url("page", token, n=1)).content.decode()
    fieldsets = re.findall(r"<fieldset.*?</fieldset>", body, flags=re.DOTALL)
    assert len(fieldsets) == 3  # one per Likert item
    for fieldset in fieldsets:
        assert re.search(r"<legend[^>]*>\s*Statement number \d+\.\s*</legend>", fieldset)
        ids = re.findall(r'<input[^>]*type="radio"[^>]*id="([^"]+)"', fieldset)
        assert len(ids) == 5
        for radio_id in ids:
            assert re.search(rf'<label[^>]*for="{radio_id}"', fieldset)
    for label in ("Strongly disagree", "Neither agree nor disagree", "Strongly agree"):
        assert label in body
    assert 'role="progressbar"' in body
    assert 'aria-valuenow="2"' in body
    assert 'aria-valuemax="4"' in body
    assert "leave any statement unanswered" in body
    assert '<label class="form-label fw-semibold" for="id_a_comment">' in body
    assert 'maxlength="2000"' in body
    assert "survey/survey.css" in body
    assert "<script" not in body


def test_pages_need_a_profile_first(client, token_and_invitation):
    token, _invitation = token_and_invitation
    assert client.get(url("page", token, n=1))["Location"] == url("profile", token)
    assert client.get(url("review", token))["Location"] == url("profile", token)
    assert client.post(url("submit", token))["Location"] == url("profile", token)
    assert not Response.objects.exists()


def test_a_page_number_out_of_range_resumes_instead_of_calling_the_link_invalid(
    client, token_and_invitation
):
    """Found by a fresh-user trial: /page/99/ of a good link said "This link is not valid"."""
    token, _invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    for n in (0, 3, 99):
        response = client.get(url("page", token, n=n))
        assert response.status_code == 302
        assert response["Location"] == url("page", token, n=1)


def test_submitting_twice_stores_one_response(client, token_and_invitation):
    token, _invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    client.post(url("page", token, n=1), {"a1": "5", "action": "next"})
    first = client.post(url("submit", token))
    second = client.post(url("submit", token))
    assert first.status_code == 302
    assert second.status_code == 410
    assert "already been completed" in text(second)
    assert Response.objects.count() == 1


def test_back_then_submit_after_submitting_sees_already_completed(client, token_and_invitation):
    token, _invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    client.post(url("submit", token))
    for name, kwargs in (("review", {}), ("page", {"n": 1}), ("profile", {})):
        assert client.get(url(name, token, **kwargs)).status_code == 410
    stale_post = client.post(url("page", token, n=1), {"a1": "1", "action": "next"})
    assert stale_post.status_code == 410
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 0


def test_submit_by_get_goes_to_review(client, token_and_invitation):
    token, _invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    assert client.get(url("submit", token))["Location"] == url("review", token)
    assert not Response.objects.exists()


def test_thanks_before_submitting_resumes(client, token_and_invitation):
    token, _invitation = token_and_invitation
    assert client.get(url("thanks", token))["Location"] == url("profile", token)


@pytest.mark.parametrize("token", ["unknown", "x" * 43, "not a token!", "%2e%2e"])
def test_unknown_or_malformed_token_gets_the_404_page(client, token):
    page = client.get(f"/s/{token}/")
    assert page.status_code == 404
    assert "This link is not valid" in text(page)


def test_a_well_formed_but_unissued_token_gets_the_404_page(client, survey_round):
    for name in ("welcome", "profile", "review", "thanks"):
        page = client.get(url(name, token_create()))
        assert page.status_code == 404
    assert client.post(url("submit", token_create())).status_code == 404


def test_a_closed_round_says_so_in_its_timezone(client, small_instrument, issue):
    closed = SurveyRoundFactory(
        instrument=small_instrument,
        timezone="Asia/Tokyo",
        opens_at=dt.datetime(2001, 6, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2001, 6, 30, 23, 30, tzinfo=dt.UTC),
    )
    token, invitation = issue(survey_round=closed)
    for page in (client.get(url("welcome", token)), client.post(url("profile", token), PROFILE)):
        assert page.status_code == 403
        assert "This survey is closed" in text(page)
        # 23:30 UTC on 30 June is 08:30 on 1 July in Tokyo
        assert "Sunday 1 July 2001, 08:30 (Asia/Tokyo)" in text(page)
    assert draft_of(invitation) == {}


def test_a_round_not_yet_open_says_so_in_its_timezone(client, small_instrument, issue):
    future = SurveyRoundFactory(
        instrument=small_instrument,
        timezone="America/New_York",
        opens_at=dt.datetime(2099, 1, 15, 14, 0, tzinfo=dt.UTC),
        closes_at=dt.datetime(2099, 2, 15, 14, 0, tzinfo=dt.UTC),
    )
    token, _invitation = issue(survey_round=future)
    page = client.get(url("welcome", token))
    assert page.status_code == 403
    assert "This survey is not open yet" in text(page)
    assert "Thursday 15 January 2099, 09:00 (America/New_York)" in text(page)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Friday 6 February 2099, 18:00 (Europe/Paris)"),
        ("fr", "vendredi 6 février 2099, 18:00 (Europe/Paris)"),
        ("de", "Freitag, 6. Februar 2099, 18:00 (Europe/Paris)"),
        ("es", "viernes, 6 de febrero de 2099, 18:00 (Europe/Paris)"),
    ],
)
def test_the_welcome_page_writes_the_closing_date_the_language_s_way(
    client, small_instrument, issue, language, expected
):
    open_round = SurveyRoundFactory(
        instrument=small_instrument,
        timezone="Europe/Paris",
        closes_at=dt.datetime(2099, 2, 6, 17, 0, tzinfo=dt.UTC),
    )
    token, _invitation = issue(survey_round=open_round)
    page = client.get(url("welcome", token), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    assert expected in text(page)


def test_a_round_that_closes_between_review_and_submit_keeps_the_draft(
    client, token_and_invitation
):
    token, invitation = token_and_invitation
    client.post(url("profile", token), PROFILE)
    client.post(url("page", token, n=1), {"a1": "4", "action": "next"})
    type(invitation.round).objects.filter(pk=invitation.round_id).update(
        closes_at=invitation.round.opens_at + dt.timedelta(seconds=1)
    )
    page = client.post(url("submit", token))
    assert page.status_code == 403
    assert not Response.objects.exists()
    assert draft_of(invitation)["answers"] == {"a1": 4}


def test_the_default_instrument_can_be_answered_end_to_end(client, django_assert_max_num_queries):
    result = instrument_load()
    instrument = result.instrument
    survey_round = round_create(instrument=instrument, name="Default", timezone="Europe/Paris")
    (token,) = invitations_issue(round=survey_round, count=1, side="security")
    items = Item.objects.filter(dimension__instrument=instrument)
    scale = {item.code: item for item in items if item.kind in SCALE_KINDS}
    meta = {code for code, item in scale.items() if item.meta_perception}
    dimensions = list(
        instrument.dimensions.order_by("order", "pk").prefetch_related(
            Prefetch("items", queryset=Item.objects.order_by("order", "pk"))
        )
    )
    # v2: the outcome statement's page first, then one page per scored dimension.
    pages = survey_pages(dimensions)
    assert len(pages) == 1 + 12
    assert [item.kind for item in pages[0].items] == [Item.Kind.OUTCOME]
    assert meta

    client.post(url("profile", token), {**PROFILE, "side": "security"})
    for n, survey_page in enumerate(pages, start=1):
        with django_assert_max_num_queries(MAX_QUERIES):
            page = client.get(url("page", token, n=n))
        assert f"Page {n + 1} of {len(pages) + 2}" in text(page)
        assert survey_page.name in text(page)
        codes = [item.code for item in survey_page.items if item.code in scale]
        assert codes
        # Every statement on the scale answered "Agree"; each of the page's meta-perception
        # statements also gets a guess of IT's answer ("Disagree").
        guesses = {f"{code}{PREDICTED_SUFFIX}": "2" for code in codes if code in meta}
        data = {**dict.fromkeys(codes, "4"), **guesses, "action": "next"}
        step = client.post(url("page", token, n=n), data)
        assert step.status_code == 302
    assert client.get(url("welcome", token))["Location"] == url("review", token)
    assert client.post(url("submit", token))["Location"] == url("thanks", token)

    response = Response.objects.get(round=survey_round)
    assert response.side == "security"
    assert response.answers.count() == len(scale)
    assert set(response.answers.values_list("item__code", flat=True)) == set(scale)
    assert set(response.answers.values_list("value", flat=True)) == {4}
    assert not response.answers.filter(dont_know=True).exists()
    predicted = dict(
        response.answers.filter(predicted_other__isnull=False).values_list(
            "item__code", "predicted_other"
        )
    )
    assert predicted == dict.fromkeys(meta, 2)
