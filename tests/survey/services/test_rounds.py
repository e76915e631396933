"""Tests of survey.services.rounds: creating, opening, closing and extending a round."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from survey.models import SurveyRound
from survey.services.rounds import round_close, round_create, round_extend, round_open

pytestmark = pytest.mark.django_db


# --- round_create ------------------------------------------------------------------------


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


# --- opening, closing, extending ---------------------------------------------------------


def test_extend_reads_the_new_time_in_the_rounds_zone_and_reopens(survey_round):
    round_close(round=survey_round)
    assert not survey_round.is_open()
    next_year = timezone.localdate().year + 1

    round_extend(round=survey_round, closes_at=dt.datetime(next_year, 7, 1, 18, 0))  # noqa: DTZ001

    survey_round.refresh_from_db()
    local = survey_round.closes_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.year, local.month, local.day, local.hour) == (next_year, 7, 1, 18)
    assert survey_round.is_open()


def test_extend_refuses_a_time_that_has_passed(survey_round):
    with pytest.raises(ValidationError, match="has passed"):
        round_extend(round=survey_round, closes_at=timezone.now() - dt.timedelta(hours=1))


def test_open_close_open(survey_round):
    with pytest.raises(ValidationError, match="open already"):
        round_open(round=survey_round)
    round_close(round=survey_round)
    with pytest.raises(ValidationError, match="Only an open round"):
        round_close(round=survey_round)
    round_open(round=survey_round)
    survey_round.refresh_from_db()
    assert survey_round.is_open()
    assert survey_round.closes_at is None


def test_opening_a_future_round_starts_it_now(survey_round):
    survey_round.opens_at = timezone.now() + dt.timedelta(days=3)
    survey_round.save()
    round_open(round=survey_round)
    survey_round.refresh_from_db()
    assert survey_round.is_open()
    assert survey_round.closes_at is not None  # the planned closing time stays
