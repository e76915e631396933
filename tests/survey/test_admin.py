"""Tests of the survey admin: invitations and responses are read-only and show nothing secret."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survey.services.responses import invitation_save_page, invitation_save_profile, response_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(token_and_invitation):
    token, invitation = token_and_invitation
    invitation_save_profile(invitation=invitation, side="it", function="identity", level="manager")
    invitation_save_page(invitation=invitation, answers={"a_comment": "SECRET-COMMENT"})
    return token, invitation, response_submit(invitation=invitation)


def test_round_admin_lists_and_adds(admin_client, survey_round):
    assert (
        survey_round.name
        in admin_client.get(reverse("admin:survey_surveyround_changelist")).content.decode()
    )
    add = admin_client.get(reverse("admin:survey_surveyround_add")).content.decode()
    assert "prepopulated" in add


def test_invitation_admin_shows_neither_token_hash_nor_draft(admin_client, issue):
    token, invitation = issue(side="security")
    invitation_save_page(invitation=invitation, answers={"a_comment": "DRAFT-TEXT"})
    for page in (
        admin_client.get(reverse("admin:survey_invitation_changelist")),
        admin_client.get(reverse("admin:survey_invitation_change", args=[invitation.pk])),
    ):
        body = page.content.decode()
        assert page.status_code == 200
        assert invitation.token_hash not in body
        assert token not in body
        assert "DRAFT-TEXT" not in body
    assert admin_client.get(reverse("admin:survey_invitation_add")).status_code == 403


def test_response_admin_is_read_only_and_shows_no_answers(admin_client, submitted):
    _token, _invitation, response = submitted
    change = admin_client.get(reverse("admin:survey_response_change", args=[response.pk]))
    assert change.status_code == 200
    assert "SECRET-COMMENT" not in change.content.decode()
    assert 'name="side"' not in change.content.decode()  # no editable input
    assert admin_client.get(reverse("admin:survey_response_add")).status_code == 403
    delete = reverse("admin:survey_response_delete", args=[response.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_round_admin_reads_dates_in_the_rounds_time_zone(admin_client, small_instrument):
    """09:00 typed for a Paris round is 09:00 in Paris (08:00 UTC in winter), as with
    create_round, and the change form shows it back as 09:00."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from survey.models import SurveyRound

    form = {
        "instrument": small_instrument.pk,
        "name": "Paris round",
        "slug": "paris-round",
        "opens_at_0": "2026-12-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2026-12-20",
        "closes_at_1": "18:00:00",
        "timezone": "Europe/Paris",
        "min_group_size": "5",
    }
    added = admin_client.post(reverse("admin:survey_surveyround_add"), form)
    assert added.status_code == 302, added.content.decode()[:2000]
    stored = SurveyRound.objects.get(slug="paris-round")
    assert stored.opens_at == dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert stored.opens_at.astimezone(ZoneInfo("Europe/Paris")).hour == 9
    change = admin_client.get(reverse("admin:survey_surveyround_change", args=[stored.pk]))
    assert 'value="09:00:00"' in change.content.decode()
