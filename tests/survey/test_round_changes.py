"""Issue 13: a round's threshold k can be raised but never lowered once it has responses, and
every change of k or of its dates is recorded: who, when, from, to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from survey.models import RoundChange, SurveyRound
from survey.services.responses import responses_create_bulk
from survey.services.rounds import round_close, round_extend, round_open, round_settings_save
from tests.factories import InstrumentFactory

pytestmark = pytest.mark.django_db


def answered(survey_round) -> None:
    responses_create_bulk(
        round=survey_round,
        responses=[{"side": "it", "function": "", "level": "", "answers": {"a1": 4}}],
    )


def test_raising_k_is_recorded_with_who_from_and_to(survey_round, admin_user):
    answered(survey_round)
    survey_round.min_group_size = 8
    round_settings_save(round=survey_round, by=admin_user)
    survey_round.refresh_from_db()
    assert survey_round.min_group_size == 8
    (change,) = RoundChange.objects.filter(round=survey_round)
    assert (change.field, change.old_value, change.new_value) == ("min_group_size", "5", "8")
    assert change.changed_by == admin_user
    assert change.changed_by_name == admin_user.get_username()
    assert abs(change.changed_at - timezone.now()) < dt.timedelta(minutes=1)


def test_lowering_k_of_a_round_with_responses_is_refused_everywhere(survey_round, admin_user):
    answered(survey_round)
    survey_round.min_group_size = 3
    with pytest.raises(ValidationError, match="never lowered"):
        survey_round.full_clean()
    with pytest.raises(ValidationError, match="never lowered"):
        round_settings_save(round=survey_round, by=admin_user)
    assert SurveyRound.objects.get(pk=survey_round.pk).min_group_size == 5
    assert not RoundChange.objects.exists()


def test_k_of_a_round_without_responses_may_still_be_lowered(survey_round):
    survey_round.min_group_size = 3
    survey_round.full_clean()
    round_settings_save(round=survey_round)
    change = RoundChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by_name) == ("5", "3", "")


def test_opening_closing_and_extending_are_recorded(survey_round, admin_user):
    round_close(round=survey_round, by=admin_user)
    round_open(round=survey_round, by=admin_user)
    later = (timezone.now() + dt.timedelta(days=30)).replace(tzinfo=None, microsecond=0)
    round_extend(round=survey_round, closes_at=later, by=admin_user)
    fields = list(RoundChange.objects.order_by("pk").values_list("field", flat=True))
    assert fields[0] == "closes_at"  # closed now
    assert fields[-1] == "closes_at"  # extended
    assert "closes_at" in fields[1:-1] or "opens_at" in fields[1:-1]  # reopened
    assert {c.changed_by_name for c in RoundChange.objects.all()} == {admin_user.get_username()}
    last = RoundChange.objects.order_by("pk").last()
    assert last.new_value == survey_round.closes_at.astimezone(dt.UTC).isoformat()


def admin_form(survey_round, **changes) -> dict:
    opens = survey_round.opens_at.astimezone(dt.UTC)
    closes = survey_round.closes_at.astimezone(dt.UTC) if survey_round.closes_at else None
    form = {
        "instrument": survey_round.instrument_id,
        "name": survey_round.name,
        "slug": survey_round.slug,
        "opens_at_0": opens.strftime("%Y-%m-%d"),
        "opens_at_1": opens.strftime("%H:%M:%S"),
        "closes_at_0": closes.strftime("%Y-%m-%d") if closes else "",
        "closes_at_1": closes.strftime("%H:%M:%S") if closes else "",
        "timezone": "UTC",
        "min_group_size": str(survey_round.min_group_size),
        "profile_attributes": "[]",
    }
    return {**form, **changes}


def test_the_admin_refuses_a_lower_k_and_keeps_what_was_typed(admin_client, survey_round):
    survey_round.timezone = "UTC"
    survey_round.save()
    answered(survey_round)
    url = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    refused = admin_client.post(url, admin_form(survey_round, min_group_size="3"))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "never lowered" in body
    assert 'name="min_group_size" value="3"' in body
    assert SurveyRound.objects.get(pk=survey_round.pk).min_group_size == 5
    raised = admin_client.post(url, admin_form(survey_round, min_group_size="7"))
    assert raised.status_code == 302, raised.content.decode()[:3000]
    change = RoundChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by_name) == ("5", "7", "admin")
    page = admin_client.get(url).content.decode()
    assert "Changes of the threshold k and the dates" in page
    assert "admin" in page


def test_the_staff_round_page_records_who_closed_the_round(admin_client, survey_round):
    response = admin_client.post(
        reverse("survey:manage_close", kwargs={"slug": survey_round.slug}), {"confirm": "yes"}
    )
    assert response.status_code == 302
    change = RoundChange.objects.get()
    assert (change.field, change.changed_by_name) == ("closes_at", "admin")


def test_the_instrument_of_a_round_with_responses_cannot_change(survey_round, admin_user):
    """Found by a fresh-user trial: switching the instrument put the answers under other
    statements in responses.csv and made it fail for a shorter instrument."""
    answered(survey_round)
    survey_round.instrument = InstrumentFactory(slug="other-instrument")
    with pytest.raises(ValidationError, match="instrument cannot"):
        survey_round.full_clean()
    with pytest.raises(ValidationError, match="instrument cannot"):
        round_settings_save(round=survey_round, by=admin_user)


def test_k_has_an_upper_bound_so_a_typo_cannot_blank_a_round_for_good(survey_round):
    survey_round.min_group_size = 5000
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        survey_round.full_clean()


def test_the_admin_states_one_range_for_k(admin_client, survey_round):
    """Found by fresh-user checks: -1 was refused as "at least 0", 0 as "at least 3"."""
    survey_round.timezone = "UTC"
    survey_round.save()
    url = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    for typed in ("-1", "0"):
        body = admin_client.post(url, admin_form(survey_round, min_group_size=typed)).content
        assert "greater than or equal to 3" in body.decode()
    page = admin_client.get(url).content.decode()
    assert 'min="3"' in page
    assert 'max="100"' in page
