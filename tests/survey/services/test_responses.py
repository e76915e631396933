"""Tests of survey.services.responses: drafts, submitting and bulk responses."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, models
from django.utils import timezone

from survey.models import Answer, Invitation, Response
from survey.services.invitations import invitations_issue
from survey.services.responses import (
    COMMENT_MAX_LENGTH,
    DraftIncompleteError,
    invitation_draft,
    invitation_resume_step,
    invitation_save_page,
    invitation_save_profile,
    response_submit,
    responses_create_bulk,
)
from survey.services.rounds import RoundNotOpenError
from survey.tokens import token_hash
from survey.zones import round_today
from tests.factories import (
    DimensionFactory,
    InstrumentFactory,
    ItemFactory,
    SurveyRoundFactory,
    store_draft,
)

pytestmark = pytest.mark.django_db

PROFILE = {"side": "security", "function": "governance", "level": "manager"}


def _fill_draft(invitation, answers=None, profile=PROFILE):
    invitation_save_profile(invitation=invitation, **profile)
    invitation_save_page(invitation=invitation, answers=answers or {}, page=2)


# --- drafts ------------------------------------------------------------------------------


def test_invitation_save_profile_stores_the_profile(token_and_invitation):
    _token, invitation = token_and_invitation
    assert invitation_save_profile(invitation=invitation, **PROFILE)
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["profile"] == PROFILE


@pytest.mark.parametrize(
    ("field", "value"), [("side", ""), ("side", "admin"), ("function", "ceo"), ("level", "boss")]
)
def test_invitation_save_profile_rejects_unknown_values(token_and_invitation, field, value):
    _token, invitation = token_and_invitation
    with pytest.raises(ValueError, match=field):
        invitation_save_profile(invitation=invitation, **{**PROFILE, field: value})
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}


def test_invitation_save_page_merges_answers_and_removes_cleared_ones(token_and_invitation):
    _token, invitation = token_and_invitation
    invitation_save_page(invitation=invitation, answers={"a1": 4, "a2": 2, "a_comment": "Hi"})
    invitation_save_page(invitation=invitation, answers={"a2": None, "b1": 5}, page=2)
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["answers"] == {
        "a1": 4,
        "a_comment": "Hi",
        "b1": 5,
    }
    assert invitation_draft(invitation=invitation)["page"] == 2


def test_invitation_save_page_keeps_the_furthest_page(token_and_invitation):
    _token, invitation = token_and_invitation
    invitation_save_page(invitation=invitation, answers={}, page=2)
    invitation_save_page(invitation=invitation, answers={"a1": 1}, page=1)
    invitation_save_page(invitation=invitation, answers={"a1": 2})
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["page"] == 2


@pytest.mark.parametrize(
    "answers", [{"a1": 6}, {"a1": 0}, {"a1": "4"}, {"a1": True}, {"zz": 3}, {"a_comment": 3}]
)
def test_invitation_save_page_rejects_values_off_the_scale(token_and_invitation, answers):
    _token, invitation = token_and_invitation
    with pytest.raises(ValueError):  # noqa: PT011 - the message depends on the case
        invitation_save_page(invitation=invitation, answers=answers)
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}


def test_draft_saves_on_a_used_invitation_change_nothing(token_and_invitation):
    _token, invitation = token_and_invitation
    Invitation.objects.filter(pk=invitation.pk).update(used=True)
    assert invitation_save_profile(invitation=invitation, **PROFILE) is False
    assert invitation_save_page(invitation=invitation, answers={"a1": 3}, page=1) is False
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}


def test_invitation_resume_step_follows_the_draft(token_and_invitation):
    _token, invitation = token_and_invitation
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("profile", None)
    invitation_save_profile(invitation=invitation, **PROFILE)
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("page", 1)
    invitation_save_page(invitation=invitation, answers={}, page=1)
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("page", 2)
    invitation_save_page(invitation=invitation, answers={}, page=2)
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("review", None)


# --- response_submit ---------------------------------------------------------------------


def test_response_submit_moves_the_draft_into_a_response(token_and_invitation):
    _token, invitation = token_and_invitation
    _fill_draft(invitation, {"a1": 4, "a3": 1, "b2": 5, "b_comment": "  Slow reviews.  "})
    response = response_submit(invitation=invitation)

    assert response is not None
    assert (response.side, response.function, response.level) == (
        "security",
        "governance",
        "manager",
    )
    assert response.source == Response.Source.COLLECTED
    answers = {a.item.code: (a.value, a.text) for a in response.answers.select_related("item")}
    assert answers == {
        "a1": (4, ""),
        "a3": (1, ""),
        "b2": (5, ""),
        "b_comment": (None, "Slow reviews."),
    }
    invitation.refresh_from_db()
    assert invitation.used is True
    assert invitation_draft(invitation=invitation) == {}


def test_response_submit_twice_stores_one_response(token_and_invitation):
    _token, invitation = token_and_invitation
    _fill_draft(invitation, {"a1": 4})
    assert response_submit(invitation=invitation) is not None
    assert response_submit(invitation=invitation) is None
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 1


def test_response_submit_from_two_stale_tabs_stores_one_response(token_and_invitation):
    _token, invitation = token_and_invitation
    _fill_draft(invitation, {"a1": 4})
    tab_one = Invitation.objects.select_related("round__instrument").get(pk=invitation.pk)
    tab_two = Invitation.objects.select_related("round__instrument").get(pk=invitation.pk)
    assert tab_one.used is tab_two.used is False
    assert response_submit(invitation=tab_one) is not None
    assert response_submit(invitation=tab_two) is None
    assert Response.objects.count() == 1


def test_response_submit_on_a_used_invitation_returns_none(token_and_invitation):
    _token, invitation = token_and_invitation
    _fill_draft(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(used=True)
    assert response_submit(invitation=invitation) is None
    assert not Response.objects.exists()


def test_response_submit_without_a_profile_raises_and_keeps_the_link(token_and_invitation):
    _token, invitation = token_and_invitation
    invitation_save_page(invitation=invitation, answers={"a1": 2})
    with pytest.raises(DraftIncompleteError):
        response_submit(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.used is False
    assert invitation_draft(invitation=invitation)["answers"] == {"a1": 2}
    assert not Response.objects.exists()


def test_response_submit_in_a_closed_round_raises(small_instrument, issue):
    closed = SurveyRoundFactory(
        instrument=small_instrument,
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    _token, invitation = issue(survey_round=closed)
    _fill_draft(invitation)
    with pytest.raises(RoundNotOpenError):
        response_submit(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.used is False
    assert not Response.objects.exists()


def test_response_submitted_on_is_a_date_in_the_round_timezone(small_instrument, issue):
    far_east = SurveyRoundFactory(instrument=small_instrument, timezone="Pacific/Kiritimati")
    _token, invitation = issue(survey_round=far_east)
    _fill_draft(invitation)
    response = response_submit(invitation=invitation)
    response.refresh_from_db()
    assert type(response.submitted_on) is dt.date
    assert response.submitted_on == timezone.now().astimezone(ZoneInfo("Pacific/Kiritimati")).date()


@pytest.mark.django_db(transaction=True)
def test_response_submit_from_two_threads_at_once_stores_one_response(small_instrument):
    """Two requests racing for the same link: the conditional UPDATE lets only one through."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database: SQLite's shared in-memory test DB locks instead")
    survey_round = SurveyRoundFactory(instrument=small_instrument)
    (token,) = invitations_issue(round=survey_round, count=1)
    invitation = Invitation.objects.get(token_hash=token_hash(token))
    _fill_draft(invitation, {"a1": 4})
    barrier = threading.Barrier(4)
    results = []

    def submit() -> None:
        try:
            tab = Invitation.objects.select_related("round__instrument").get(pk=invitation.pk)
            barrier.wait()
            results.append(response_submit(invitation=tab))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sum(result is not None for result in results) == 1
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 1


@pytest.mark.django_db
def test_submit_drops_draft_answers_that_no_longer_fit_the_instrument(token_and_invitation):
    """An unanswered version corrected in place (item removed, scale shortened) while a
    respondent was half-way must not block their submission."""
    _token, invitation = token_and_invitation
    store_draft(
        invitation,
        {
            "profile": {"side": "it", "function": "", "level": ""},
            "answers": {"a1": 4, "gone": 3, "a2": 9, "a_comment": "Still here."},
        },
    )
    response = response_submit(invitation=invitation)
    assert response is not None
    stored = dict(Answer.objects.filter(response=response).values_list("item__code", "value"))
    assert stored == {"a1": 4, "a_comment": None}


def test_no_column_links_a_response_or_answer_to_an_invitation():
    for model in (Response, Answer):
        for field in model._meta.get_fields():
            assert field.related_model is not Invitation, f"{model.__name__}.{field.name}"
            assert "invitation" not in field.name
            assert "token" not in field.name
            # no exact time either: only the day is kept
            assert not isinstance(field, models.DateTimeField), f"{model.__name__}.{field.name}"


# --- responses_create_bulk ---------------------------------------------------------------


def _bulk_rows():
    return [
        {"side": "it", "function": "infrastructure", "level": "individual", "answers": {"a1": 5}},
        {"side": "security", "function": "", "level": "", "answers": {"a1": 1, "a2": 3}},
        {"side": "other", "answers": {"b_comment": "Fine.", "b1": None}},
    ]


def test_responses_create_bulk_stores_responses_and_answers(survey_round):
    day = dt.date(2026, 2, 3)
    stored = responses_create_bulk(
        round=survey_round, responses=_bulk_rows(), source="imported", submitted_on=day
    )
    assert stored == 3
    assert (
        Response.objects.filter(round=survey_round, submitted_on=day, source="imported").count()
        == 3
    )
    assert sorted(Answer.objects.values_list("item__code", "value", "text")) == [
        ("a1", 1, ""),
        ("a1", 5, ""),
        ("a2", 3, ""),
        ("b_comment", None, "Fine."),
    ]


def test_responses_create_bulk_defaults_to_today_in_the_round_timezone(survey_round):
    responses_create_bulk(round=survey_round, responses=_bulk_rows()[:1])
    assert Response.objects.get().submitted_on == round_today(survey_round)


def test_responses_create_bulk_uses_bulk_inserts(survey_round, django_assert_max_num_queries):
    rows = _bulk_rows() * 100
    # SQLite takes at most 999 parameters a statement: 300 responses (9 columns) need three
    # inserts, their answers (6 columns since dont_know and predicted_other) three more.
    with django_assert_max_num_queries(9):
        responses_create_bulk(round=survey_round, responses=rows)
    assert Response.objects.count() == 300


@pytest.mark.parametrize(
    "bad",
    [
        {"side": "it", "answers": {"a1": 6}},
        {"side": "it", "answers": {"a1": 0}},
        {"side": "it", "answers": {"a1": 2.5}},
        {"side": "it", "answers": {"a1": "4"}},
        {"side": "it", "answers": {"a_comment": 4}},
        {"side": "it", "answers": {"a_comment": "x" * (COMMENT_MAX_LENGTH + 1)}},
        {"side": "it", "answers": {"nope": 4}},
        {"side": "board", "answers": {"a1": 4}},
        {"side": "it", "level": "boss", "answers": {}},
    ],
)
def test_responses_create_bulk_rejects_bad_values_and_writes_nothing(survey_round, bad):
    with pytest.raises(ValueError, match="Response 3"):
        responses_create_bulk(round=survey_round, responses=[*_bulk_rows()[:2], bad])
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_responses_create_bulk_checks_the_instruments_own_scale():
    seven = InstrumentFactory(scale_points=7, scale_labels=[str(n) for n in range(1, 8)])
    ItemFactory(dimension=DimensionFactory(instrument=seven), code="q1")
    survey_round = SurveyRoundFactory(instrument=seven)
    assert responses_create_bulk(
        round=survey_round, responses=[{"side": "it", "answers": {"q1": 7}}]
    )
    with pytest.raises(ValueError, match="1 to 7"):
        responses_create_bulk(round=survey_round, responses=[{"side": "it", "answers": {"q1": 8}}])
