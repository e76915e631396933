"""Issue 13: a round's threshold k can be raised but never lowered once it has responses, and
every change of k or of its dates is recorded: who, when, from, to (in the audit trail since
issue 16, which adds the profile questions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from survey.models import SurveyRound
from survey.services.responses import responses_create_bulk
from survey.services.rounds import (
    round_close,
    round_delete,
    round_extend,
    round_open,
    round_settings_save,
)
from tests.factories import InstrumentFactory

pytestmark = pytest.mark.django_db


def changes(**filters):
    """The recorded changes of rounds, oldest first."""
    return Entry.objects.filter(action=Entry.Action.ROUND_CHANGED, **filters).order_by("pk")


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
    (change,) = changes(round=survey_round)
    assert (change.subject, change.detail) == ("min_group_size", {"from": "5", "to": "8"})
    assert change.actor == admin_user
    assert change.actor_name == admin_user.get_username()
    assert change.round_name == "Spring 2026"
    assert abs(change.at - timezone.now()) < dt.timedelta(minutes=1)
    assert change.summary() == "Threshold k: 5 → 8"


def test_lowering_k_of_a_round_with_responses_is_refused_everywhere(survey_round, admin_user):
    answered(survey_round)
    survey_round.min_group_size = 3
    with pytest.raises(ValidationError, match="never lowered"):
        survey_round.full_clean()
    with pytest.raises(ValidationError, match="never lowered"):
        round_settings_save(round=survey_round, by=admin_user)
    assert SurveyRound.objects.get(pk=survey_round.pk).min_group_size == 5
    assert not changes().exists()


def test_k_of_a_round_without_responses_may_still_be_lowered(survey_round):
    survey_round.min_group_size = 3
    survey_round.full_clean()
    round_settings_save(round=survey_round)
    change = changes().get()
    assert (change.detail, change.actor_name) == ({"from": "5", "to": "3"}, "")


def test_opening_closing_and_extending_are_recorded(survey_round, admin_user):
    round_close(round=survey_round, by=admin_user)
    round_open(round=survey_round, by=admin_user)
    later = (timezone.now() + dt.timedelta(days=30)).replace(tzinfo=None, microsecond=0)
    round_extend(round=survey_round, closes_at=later, by=admin_user)
    fields = list(changes().values_list("subject", flat=True))
    assert fields[0] == "closes_at"  # closed now
    assert fields[-1] == "closes_at"  # extended
    assert "closes_at" in fields[1:-1] or "opens_at" in fields[1:-1]  # reopened
    assert {c.actor_name for c in changes()} == {admin_user.get_username()}
    last = changes().last()
    assert last.detail["to"] == survey_round.closes_at.astimezone(dt.UTC).isoformat()


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
    change = changes().get()
    assert (change.detail, change.actor_name) == ({"from": "5", "to": "7"}, "admin")
    page = admin_client.get(url).content.decode()
    assert "Changes of the threshold k, the dates and the profile questions" in page
    assert "admin" in page


def test_the_staff_round_page_records_who_closed_the_round(admin_client, survey_round):
    response = admin_client.post(
        reverse("survey:manage_close", kwargs={"slug": survey_round.slug}), {"confirm": "yes"}
    )
    assert response.status_code == 302
    change = changes().get()
    assert (change.subject, change.actor_name) == ("closes_at", "admin")


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


def test_the_admin_records_who_changed_the_profile_questions(admin_client, survey_round):
    survey_round.timezone = "UTC"
    survey_round.save()
    url = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    questions = '[{"name": "region", "label": "Region", "choices": ["EMEA", "APAC"]}]'
    response = admin_client.post(url, admin_form(survey_round, profile_attributes=questions))
    assert response.status_code == 302, response.content.decode()[:3000]
    change = changes().get()
    assert (change.subject, change.actor_name) == ("profile_attributes", "admin")
    assert change.detail["from"] == "[]"
    assert '"region"' in change.detail["to"]
    assert "Profile questions" in admin_client.get(url).content.decode()


def test_saving_the_admin_form_unchanged_records_nothing(admin_client, survey_round):
    """The form drops microseconds and re-sends the JSON of the questions: no change."""
    survey_round.timezone = "UTC"
    survey_round.profile_attributes = [{"name": "region", "label": "Region", "choices": ["A", "B"]}]
    survey_round.save()
    url = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    questions = '[{"label": "Region", "name": "region", "choices": ["A", "B"]}]'
    response = admin_client.post(url, admin_form(survey_round, profile_attributes=questions))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not changes().exists()


def test_creating_a_round_in_the_admin_is_recorded(admin_client, survey_round):
    form = admin_form(survey_round, name="Autumn", slug="autumn", min_group_size="6")
    response = admin_client.post(reverse("admin:survey_surveyround_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Entry.objects.get(action=Entry.Action.ROUND_CREATED)
    assert (created.round.slug, created.actor_name) == ("autumn", "admin")
    assert created.detail["min_group_size"] == "6"


def test_deleting_a_round_in_the_admin_is_recorded(admin_client, survey_round):
    url = reverse("admin:survey_surveyround_delete", args=[survey_round.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not SurveyRound.objects.filter(pk=survey_round.pk).exists()
    deleted = Entry.objects.get(action=Entry.Action.ROUND_DELETED)
    assert (deleted.round, deleted.round_name, deleted.actor_name) == (None, "Spring 2026", "admin")
    assert deleted.detail == {"responses": 0, "invitations": 0}


def test_deleting_a_round_keeps_its_entries_under_its_name(survey_round, admin_user):
    answered(survey_round)
    survey_round.min_group_size = 8
    round_settings_save(round=survey_round, by=admin_user)
    assert round_delete(round=survey_round, by="command line (ops)") == {
        "responses": 1,
        "invitations": 0,
    }
    change = changes().get()
    assert (change.round, change.round_name) == (None, "Spring 2026")
    deleted = Entry.objects.get(action=Entry.Action.ROUND_DELETED)
    assert deleted.actor_name == "command line (ops)"
