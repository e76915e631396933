"""Tests of the survey services: rounds, invitations, drafts, submitting and bulk responses."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from survey.models import Answer, Invitation, Response, SurveyRound
from survey.services.invitations import invitation_url, invitations_issue
from survey.services.responses import (
    COMMENT_MAX_LENGTH,
    DraftIncompleteError,
    invitation_resume_step,
    invitation_save_page,
    invitation_save_profile,
    response_submit,
    responses_create_bulk,
)
from survey.services.rounds import RoundNotOpenError, round_create
from survey.tokens import token_hash
from survey.zones import round_today
from tests.factories import DimensionFactory, InstrumentFactory, ItemFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db

PROFILE = {"side": "security", "function": "governance", "level": "manager"}


def _fill_draft(invitation, answers=None, profile=PROFILE):
    invitation_save_profile(invitation=invitation, **profile)
    invitation_save_page(invitation=invitation, answers=answers or {}, page=2)


# --- round_create --------------------------------------------------------------------------


def test_round_create_defaults(small_instrument):
    before = timezone.now()
    survey_round = round_create(instrument=small_instrument, name="Spring survey 2026")
    assert survey_round.pk
    assert survey_round.slug == "spring-survey-2026"
    assert survey_round.timezone == "UTC"
    assert survey_round.min_group_size == 5
    assert survey_round.closes_at is None
    assert survey_round.opens_at >= before
    assert survey_round.is_open()


def test_round_create_makes_the_slug_unique(small_instrument):
    slugs = [round_create(instrument=small_instrument, name="Q1 round").slug for _ in range(3)]
    assert slugs == ["q1-round", "q1-round-2", "q1-round-3"]


def test_round_create_name_without_letters_still_gets_a_slug(small_instrument):
    assert round_create(instrument=small_instrument, name="???").slug == "round"


def test_round_create_rejects_a_taken_explicit_slug(small_instrument):
    round_create(instrument=small_instrument, name="A", slug="taken")
    with pytest.raises(ValidationError) as excinfo:
        round_create(instrument=small_instrument, name="B", slug="taken")
    assert "already exists" in str(excinfo.value.message_dict["slug"])
    assert SurveyRound.objects.count() == 1


def test_round_create_rejects_a_malformed_slug(small_instrument):
    with pytest.raises(ValidationError) as excinfo:
        round_create(instrument=small_instrument, name="A", slug="no spaces/please")
    assert "slug" in excinfo.value.message_dict


def test_round_create_rejects_an_unknown_timezone(small_instrument):
    with pytest.raises(ValidationError) as excinfo:
        round_create(instrument=small_instrument, name="A", timezone="Mars/Olympus_Mons")
    assert "Mars/Olympus_Mons" in str(excinfo.value.message_dict["timezone"])
    assert not SurveyRound.objects.exists()


@pytest.mark.parametrize("k", [0, 2, -5, True])
def test_round_create_rejects_k_below_the_floor(small_instrument, k, settings):
    with pytest.raises(ValidationError) as excinfo:
        round_create(instrument=small_instrument, name="A", min_group_size=k)
    assert str(settings.FRICTION_MIN_GROUP_SIZE_FLOOR) in str(
        excinfo.value.message_dict["min_group_size"]
    )


def test_round_create_accepts_k_at_the_floor(small_instrument, settings):
    floor = settings.FRICTION_MIN_GROUP_SIZE_FLOOR
    survey_round = round_create(instrument=small_instrument, name="A", min_group_size=floor)
    assert survey_round.min_group_size == floor


def test_round_create_rejects_closing_before_opening(small_instrument):
    opens = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as excinfo:
        round_create(instrument=small_instrument, name="A", opens_at=opens, closes_at=opens)
    assert "close after it opens" in str(excinfo.value.message_dict["closes_at"])


def test_round_create_rejects_an_empty_name(small_instrument):
    with pytest.raises(ValidationError) as excinfo:
        round_create(instrument=small_instrument, name="   ")
    assert "name" in excinfo.value.message_dict


def test_round_create_reads_naive_datetimes_in_the_round_timezone(small_instrument):
    survey_round = round_create(
        instrument=small_instrument,
        name="A",
        opens_at=dt.datetime(2026, 7, 1, 9, 0),  # noqa: DTZ001 - naive on purpose
        closes_at=dt.datetime(2026, 7, 31, 17, 0),  # noqa: DTZ001 - naive on purpose
        timezone="Europe/Paris",
    )
    survey_round.refresh_from_db()
    assert survey_round.opens_at == dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)
    assert survey_round.closes_at == dt.datetime(2026, 7, 31, 15, 0, tzinfo=dt.UTC)


# --- invitations ---------------------------------------------------------------------------


def test_invitations_issue_returns_tokens_and_stores_only_hashes(survey_round):
    tokens = invitations_issue(round=survey_round, count=25)
    assert len(set(tokens)) == 25
    stored = set(Invitation.objects.filter(round=survey_round).values_list("token_hash", flat=True))
    assert stored == {token_hash(t) for t in tokens}
    assert not Invitation.objects.filter(token_hash__in=tokens).exists()


def test_invitations_issue_uses_one_bulk_insert(survey_round, django_assert_max_num_queries):
    # one INSERT plus the transaction's savepoint statements, not one query per invitation
    with django_assert_max_num_queries(4):
        invitations_issue(round=survey_round, count=50)
    assert Invitation.objects.count() == 50


def test_invitations_issue_prefills_the_profile(survey_round):
    invitations_issue(round=survey_round, count=2, side="it", function="identity", level="manager")
    assert set(Invitation.objects.values_list("side", "function", "level")) == {
        ("it", "identity", "manager")
    }


@pytest.mark.parametrize("count", [0, -1, 10_001, 2.5, "3"])
def test_invitations_issue_rejects_a_bad_count(survey_round, count):
    with pytest.raises(ValidationError) as excinfo:
        invitations_issue(round=survey_round, count=count)
    assert "count" in excinfo.value.message_dict
    assert not Invitation.objects.exists()


def test_invitations_issue_rejects_an_unknown_side(survey_round):
    with pytest.raises(ValidationError) as excinfo:
        invitations_issue(round=survey_round, count=1, side="marketing")
    assert "side" in excinfo.value.message_dict
    assert not Invitation.objects.exists()


def test_invitation_url_is_absolute_from_the_setting(settings):
    settings.SURVEY_BASE_URL = "https://survey.example.org"
    assert invitation_url(token="abc_DEF-123") == "https://survey.example.org/s/abc_DEF-123/"


# --- drafts --------------------------------------------------------------------------------


def test_invitation_save_profile_stores_the_profile(token_and_invitation):
    _token, invitation = token_and_invitation
    assert invitation_save_profile(invitation=invitation, **PROFILE)
    invitation.refresh_from_db()
    assert invitation.draft["profile"] == PROFILE


@pytest.mark.parametrize(
    ("field", "value"), [("side", ""), ("side", "admin"), ("function", "ceo"), ("level", "boss")]
)
def test_invitation_save_profile_rejects_unknown_values(token_and_invitation, field, value):
    _token, invitation = token_and_invitation
    with pytest.raises(ValueError, match=field):
        invitation_save_profile(invitation=invitation, **{**PROFILE, field: value})
    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_invitation_save_page_merges_answers_and_removes_cleared_ones(token_and_invitation):
    _token, invitation = token_and_invitation
    invitation_save_page(invitation=invitation, answers={"a1": 4, "a2": 2, "a_comment": "Hi"})
    invitation_save_page(invitation=invitation, answers={"a2": None, "b1": 5}, page=2)
    invitation.refresh_from_db()
    assert invitation.draft["answers"] == {"a1": 4, "a_comment": "Hi", "b1": 5}
    assert invitation.draft["page"] == 2


def test_invitation_save_page_keeps_the_furthest_page(token_and_invitation):
    _token, invitation = token_and_invitation
    invitation_save_page(invitation=invitation, answers={}, page=2)
    invitation_save_page(invitation=invitation, answers={"a1": 1}, page=1)
    invitation_save_page(invitation=invitation, answers={"a1": 2})
    invitation.refresh_from_db()
    assert invitation.draft["page"] == 2


@pytest.mark.parametrize(
    "answers", [{"a1": 6}, {"a1": 0}, {"a1": "4"}, {"a1": True}, {"zz": 3}, {"a_comment": 3}]
)
def test_invitation_save_page_rejects_values_off_the_scale(token_and_invitation, answers):
    _token, invitation = token_and_invitation
    with pytest.raises(ValueError):  # noqa: PT011 - the message depends on the case
        invitation_save_page(invitation=invitation, answers=answers)
    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_draft_saves_on_a_used_invitation_change_nothing(token_and_invitation):
    _token, invitation = token_and_invitation
    Invitation.objects.filter(pk=invitation.pk).update(used=True)
    assert invitation_save_profile(invitation=invitation, **PROFILE) is False
    assert invitation_save_page(invitation=invitation, answers={"a1": 3}, page=1) is False
    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_invitation_resume_step_follows_the_draft(token_and_invitation):
    _token, invitation = token_and_invitation
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("profile", None)
    invitation_save_profile(invitation=invitation, **PROFILE)
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("page", 1)
    invitation_save_page(invitation=invitation, answers={}, page=1)
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("page", 2)
    invitation_save_page(invitation=invitation, answers={}, page=2)
    assert invitation_resume_step(invitation=invitation, page_count=2) == ("review", None)


# --- response_submit -----------------------------------------------------------------------


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
    assert invitation.draft == {}


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
    assert invitation.draft["answers"] == {"a1": 2}
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


def test_no_column_links_a_response_or_answer_to_an_invitation():
    for model in (Response, Answer):
        for field in model._meta.get_fields():
            assert field.related_model is not Invitation, f"{model.__name__}.{field.name}"
            assert "invitation" not in field.name
            assert "token" not in field.name
            # no exact time either: only the day is kept
            assert not isinstance(field, models.DateTimeField), f"{model.__name__}.{field.name}"


# --- responses_create_bulk -----------------------------------------------------------------


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
    with django_assert_max_num_queries(8):
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
    invitation.draft = {
        "profile": {"side": "it", "function": "", "level": ""},
        "answers": {"a1": 4, "gone": 3, "a2": 9, "a_comment": "Still here."},
    }
    invitation.save()
    response = response_submit(invitation=invitation)
    assert response is not None
    stored = dict(Answer.objects.filter(response=response).values_list("item__code", "value"))
    assert stored == {"a1": 4, "a_comment": None}


@pytest.mark.django_db
def test_a_round_cannot_take_the_slug_of_a_reports_page(small_instrument):
    with pytest.raises(ValidationError, match="reserved"):
        round_create(instrument=small_instrument, name="Ours", slug="methodology")
    named = round_create(instrument=small_instrument, name="Methodology")
    assert named.slug == "methodology-2"


@pytest.mark.django_db
def test_a_closing_time_the_clocks_skip_is_refused(small_instrument):
    """02:30 on 28 March 2027 does not exist in Paris (clocks go from 02:00 to 03:00)."""
    with pytest.raises(ValidationError, match="does not exist in Europe/Paris"):
        round_create(
            instrument=small_instrument,
            name="Spring",
            opens_at=dt.datetime(2027, 3, 1, 9, 0),  # noqa: DTZ001 (wall clock)
            closes_at=dt.datetime(2027, 3, 28, 2, 30),  # noqa: DTZ001 (wall clock)
            timezone="Europe/Paris",
        )
    made = round_create(
        instrument=small_instrument,
        name="Spring",
        opens_at=dt.datetime(2027, 3, 1, 9, 0),  # noqa: DTZ001 (wall clock)
        closes_at=dt.datetime(2027, 3, 28, 3, 30),  # noqa: DTZ001 (wall clock)
        timezone="Europe/Paris",
    )
    assert made.closes_at == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_skipped_time_is_a_problem_of_its_field_reported_with_the_others(small_instrument):
    """round_create says which date the clocks skip, with every other problem (as the
    command's --opens/--closes messages need), instead of stopping at the first."""
    with pytest.raises(ValidationError) as caught:
        round_create(
            instrument=small_instrument,
            name="",
            opens_at=dt.datetime(2026, 3, 29, 2, 30),  # noqa: DTZ001 (wall clock)
            timezone="Europe/Paris",
        )
    errors = caught.value.message_dict
    assert set(errors) == {"name", "opens_at"}
    assert errors["opens_at"] == [
        "2026-03-29 02:30 does not exist in Europe/Paris: the clocks skip it. Choose another time."
    ]
