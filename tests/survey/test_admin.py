"""Tests of the survey admin: invitations and responses are read-only and show nothing secret."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from survey.services.responses import invitation_save_page, invitation_save_profile, response_submit
from tests.factories import SurveyRoundFactory

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


def cells_of_first_row(html: str) -> list[str]:
    """The cells of the round list's first row, in column order (the checkbox cell first)."""
    row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", html, re.S).group(1)
    return re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)


def test_round_list_has_import_and_invitations_right_after_the_name(admin_client, survey_round):
    """Issue 18: at 1280 px the last columns were cut off, and these links were in them."""
    html = admin_client.get(reverse("admin:survey_surveyround_changelist")).content.decode()
    _checkbox, name, actions, *rest = cells_of_first_row(html)
    assert survey_round.name in name
    import_url = reverse("admin:survey_surveyround_import", args=[survey_round.pk])
    manage_url = reverse("survey:manage_round", kwargs={"slug": survey_round.slug})
    assert f'<a href="{import_url}" aria-label="Import responses into Spring 2026">Import</a>' in (
        actions
    )
    assert (
        f'<a href="{manage_url}" aria-label="Invitations and reminders of Spring 2026">'
        "Invitations</a>" in actions
    )
    assert len(rest) == 2  # instrument, dates: no more columns to push the table wider


def test_round_list_shows_the_dates_in_the_rounds_own_time_zone(admin_client, small_instrument):
    SurveyRoundFactory(
        instrument=small_instrument,
        name="Tokyo",
        slug="tokyo",
        timezone="Asia/Tokyo",
        opens_at=dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC),  # 2 March, 05:00 in Tokyo
        closes_at=dt.datetime(2026, 3, 31, 14, 0, tzinfo=dt.UTC),
    )
    html = admin_client.get(reverse("admin:survey_surveyround_changelist")).content.decode()
    dates = cells_of_first_row(html)[-1]
    assert dates == '<div class="nowrap">2 Mar 2026 – 31 Mar 2026</div><div>Asia/Tokyo</div>'


def test_round_page_offers_the_import_and_the_invitations_at_the_top(admin_client, survey_round):
    html = admin_client.get(
        reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    ).content.decode()
    tools = re.search(r'<ul class="object-tools">(.*?)</ul>', html, re.S).group(1)
    import_url = reverse("admin:survey_surveyround_import", args=[survey_round.pk])
    manage_url = reverse("survey:manage_round", kwargs={"slug": survey_round.slug})
    hrefs = re.findall(r'<a href="([^"]+)"', tools)
    assert hrefs[:2] == [import_url, manage_url]
    assert "History" in tools
    assert admin_client.get(import_url).status_code == 200
    assert admin_client.get(manage_url).status_code == 200


def test_adding_a_round_offers_no_links_to_a_round_not_yet_saved(admin_client, survey_round):
    html = admin_client.get(reverse("admin:survey_surveyround_add")).content.decode()
    assert "Import responses into" not in html


@pytest.mark.parametrize(
    ("language", "plural"),
    [
        ("en", "Import batches"),
        ("fr", "Lots importés"),
        ("de", "Importvorgänge"),
        ("es", "Lotes importados"),
    ],
)
def test_the_admin_names_import_batches_in_the_plural(admin_client, language, plural):
    page = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language)
    body = page.content.decode()
    assert plural in body
    assert "batchs" not in body.lower()
