"""Issue 13: answers before Submit are kept apart from the invitation and its email address,
encrypted, and deleted on submit or when the round closes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from survey.drafts import draft_handle, draft_open, draft_seal, draft_secret
from survey.models import Draft, Invitation
from survey.services.invitations import invitations_send, invitees_add, reminders_send
from survey.services.responses import (
    invitation_draft,
    invitation_save_page,
    invitation_save_profile,
    response_submit,
)
from survey.services.rounds import drafts_purge, round_close
from tests.factories import SurveyRoundFactory

SECRET = draft_secret("not the real secret key")
PROFILE = {"side": "it", "function": "identity", "level": "manager"}
COMMENT = "My manager ignores every patch request"


def test_a_sealed_draft_opens_only_with_its_handle_and_secret():
    handle = draft_handle(7, secret=SECRET)
    sealed = draft_seal({"answers": {"a_comment": COMMENT}}, handle=handle, secret=SECRET)
    assert COMMENT not in sealed
    assert draft_open(sealed, handle=handle, secret=SECRET) == {"answers": {"a_comment": COMMENT}}
    assert draft_open(sealed, handle=draft_handle(8, secret=SECRET), secret=SECRET) == {}
    assert draft_open(sealed, handle=handle, secret=draft_secret("another key")) == {}
    assert draft_open(sealed[:-4] + "AAAA", handle=handle, secret=SECRET) == {}
    assert draft_open("", handle=handle, secret=SECRET) == {}


def test_handles_are_opaque_and_differ_per_invitation_and_secret():
    first, second = draft_handle(1, secret=SECRET), draft_handle(2, secret=SECRET)
    assert len(first) == 64
    assert first != second
    assert first != "1"
    assert draft_handle(1, secret=draft_secret("another key")) != first


@pytest.mark.django_db
def test_nothing_in_the_database_ties_a_draft_to_its_invitation(token_and_invitation):
    token, invitation = token_and_invitation
    invitation_save_profile(invitation=invitation, **PROFILE)
    invitation_save_page(invitation=invitation, answers={"a1": 4, "a_comment": COMMENT})
    (draft,) = Draft.objects.all()
    # No column of Draft points to an invitation, and its handle is neither the invitation's
    # id nor its token's hash.
    assert {field.name for field in Draft._meta.concrete_fields} == {
        "id",
        "round",
        "handle",
        "sealed",
    }
    assert draft.handle not in {str(invitation.pk), invitation.token_hash, token}
    assert COMMENT not in draft.sealed
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert COMMENT not in str(row)
    assert "identity" not in str({k: v for k, v in row.items() if k != "function"})
    # The application still finds it for the link.
    assert invitation_draft(invitation=invitation)["answers"]["a_comment"] == COMMENT


@pytest.mark.django_db
def test_submitting_deletes_the_draft(token_and_invitation):
    _token, invitation = token_and_invitation
    invitation_save_profile(invitation=invitation, **PROFILE)
    assert Draft.objects.count() == 1
    assert response_submit(invitation=invitation) is not None
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_closing_a_round_deletes_its_unsubmitted_drafts_only(small_instrument, issue):
    other = SurveyRoundFactory(instrument=small_instrument, slug="other")
    _token, mine = issue()
    _token, theirs = issue(survey_round=other)
    invitation_save_profile(invitation=mine, **PROFILE)
    invitation_save_profile(invitation=theirs, **PROFILE)
    round_close(round=mine.round)
    assert list(Draft.objects.values_list("round_id", flat=True)) == [other.pk]


@pytest.mark.django_db
def test_purge_drafts_deletes_those_of_rounds_that_closed_on_their_own(small_instrument, issue):
    ended = SurveyRoundFactory(instrument=small_instrument, slug="ended")
    _token, late = issue(survey_round=ended)
    _token, on_time = issue()
    invitation_save_profile(invitation=late, **PROFILE)
    invitation_save_profile(invitation=on_time, **PROFILE)
    past = timezone.now() - dt.timedelta(minutes=1)
    type(ended).objects.filter(pk=ended.pk).update(
        opens_at=past - dt.timedelta(days=10), closes_at=past
    )
    out = io.StringIO()
    call_command("purge_drafts", stdout=out)
    assert "Emptied 1 unsubmitted draft of closed rounds." in out.getvalue()
    assert list(Draft.objects.values_list("round_id", flat=True)) == [on_time.round_id]
    assert drafts_purge() == 0  # running it again changes nothing


@pytest.mark.django_db
def test_a_reminders_fresh_link_resumes_the_same_draft(client, survey_round, mailoutbox):
    invitees_add(round=survey_round, rows=[{"email": "ana@example.org"}])
    invitations_send(round=survey_round)
    invitation = Invitation.objects.get()
    invitation_save_page(invitation=invitation, answers={"a1": 2})
    Invitation.objects.update(last_sent_on=timezone.localdate() - dt.timedelta(days=3))
    assert reminders_send(round=survey_round).sent == 1
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {"answers": {"a1": 2}}
