"""Tests of survey.services.invitations: issuing links, adding invitees, sending emails."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from survey.invitees import InviteeListError, invitees_read_csv, invitees_read_text
from survey.models import Invitation
from survey.services.invitations import (
    MailSendError,
    invitation_url,
    invitations_issue,
    invitations_send,
    invitees_add,
    reminders_send,
)
from survey.services.responses import invitation_save_profile
from survey.services.rounds import RoundNotOpenError, round_close
from survey.tokens import invitation_get_by_token, token_hash
from tests.factories import SurveyRoundFactory
from tests.survey.mail import add, backdate, link_of, token_of

pytestmark = pytest.mark.django_db

CSV = (
    b"email,side,function,level\n"
    b"Ana@Example.org,IT,infrastructure,Manager\n"
    b"ben@example.org,security,,individual\n"
    b"cy@example.org,,,\n"
)


# --- invitations_issue and links ---------------------------------------------------------


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


# --- adding invitees ---------------------------------------------------------------------


def test_csv_invitees_are_added_with_their_profile_in_lower_case(survey_round):
    result = invitees_add(round=survey_round, rows=invitees_read_csv(CSV))

    assert (result.added, result.duplicates) == (3, 0)
    rows = set(Invitation.objects.values_list("email", "side", "function", "level", "used"))
    assert rows == {
        ("ana@example.org", "it", "infrastructure", "manager", False),
        ("ben@example.org", "security", "", "individual", False),
        ("cy@example.org", "", "", "", False),
    }
    assert not Invitation.objects.filter(last_sent_on__isnull=False).exists()


def test_duplicates_in_the_round_and_in_the_list_are_skipped_and_counted(survey_round):
    add(survey_round, "ana@example.org")
    rows = invitees_read_text("ANA@example.org\nben@example.org, ben@example.org; cy@example.org")

    result = invitees_add(round=survey_round, rows=rows)

    assert (result.added, result.duplicates) == (2, 2)
    assert Invitation.objects.filter(round=survey_round).count() == 3


def test_the_same_address_may_be_invited_to_another_round(survey_round, small_instrument):
    add(survey_round, "ana@example.org")
    other = SurveyRoundFactory(instrument=small_instrument)
    assert invitees_add(round=other, rows=[{"email": "ana@example.org"}]).added == 1


def test_a_bad_line_is_named_and_nothing_is_written(survey_round):
    content = (
        b"email,side,level\n"
        b"ana@example.org,IT,manager\n"
        b"not-an-address,IT,\n"
        b"ben@example.org,Sales,\n"
        b",IT,\n" + b"x" * 250 + b"@example.org,,\n"
    )
    with pytest.raises(InviteeListError) as error:
        invitees_add(round=survey_round, rows=invitees_read_csv(content))

    assert error.value.problems == [
        "Line 3: 'not-an-address' is not a valid email address.",
        "Line 4: unknown side 'Sales'; expected one of IT, Security, Other.",
        "Line 5: no email address.",
        f"Line 6: {'x' * 250 + '@example.org'!r} is not a valid email address.",
    ]
    assert not Invitation.objects.exists()


# --- sending invitations -----------------------------------------------------------------


def test_each_invitee_gets_one_email_with_their_own_working_link(client, survey_round, mailoutbox):
    invitees_add(round=survey_round, rows=invitees_read_csv(CSV))
    invitations_issue(round=survey_round, count=2)  # printed links, no address: never mailed

    result = invitations_send(round=survey_round)

    assert result.sent == 3
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ana@example.org",
        "ben@example.org",
        "cy@example.org",
    ]
    assert all(len(message.to) == 1 for message in mailoutbox)
    assert len({link_of(message) for message in mailoutbox}) == 3
    for message in mailoutbox:
        assert message.subject == "Your invitation: Spring 2026"
        invitation = invitation_get_by_token(token=token_of(message))
        assert invitation.email == message.to[0]
        page = client.get(link_of(message))
        assert page.status_code == 200
        assert "Welcome" in page.content.decode()
    assert Invitation.objects.filter(last_sent_on=timezone.localdate()).count() == 3


def test_sending_again_mails_only_the_new_invitees(survey_round, mailoutbox):
    add(survey_round, "ana@example.org")
    invitations_send(round=survey_round)
    add(survey_round, "ben@example.org")

    assert invitations_send(round=survey_round).sent == 1
    assert [message.to for message in mailoutbox] == [["ana@example.org"], ["ben@example.org"]]
    assert invitations_send(round=survey_round).sent == 0
    assert len(mailoutbox) == 2


def test_the_rounds_own_text_fills_the_placeholders(survey_round, mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "survey@example.org"
    survey_round.closes_at = dt.datetime(2030, 6, 1, 16, 0, tzinfo=dt.UTC)
    survey_round.invitation_subject = "{{ round_name }}:\nplease answer"
    survey_round.invitation_body = "Go to {{ link }} before {{ closes }}."
    survey_round.full_clean()
    survey_round.save()
    add(survey_round, "ana@example.org")

    invitations_send(round=survey_round)

    (message,) = mailoutbox
    assert message.subject == "Spring 2026: please answer"  # one line, no header injection
    assert message.from_email == "survey@example.org"
    assert re.fullmatch(
        r"Go to http://\S+/s/[A-Za-z0-9_-]+/ before 1 June 2030, 17:00 \(Europe/London\)\.",
        message.body,
    )


def test_a_closed_round_sends_no_invitation(survey_round, mailoutbox):
    add(survey_round, "ana@example.org")
    round_close(round=survey_round)

    with pytest.raises(RoundNotOpenError):
        invitations_send(round=survey_round)
    assert mailoutbox == []


def test_invitations_may_go_out_before_the_round_opens(survey_round, mailoutbox, client):
    survey_round.opens_at = timezone.now() + dt.timedelta(days=2)
    survey_round.save()
    add(survey_round, "ana@example.org")

    assert invitations_send(round=survey_round).sent == 1
    assert "not open yet" in client.get(link_of(mailoutbox[0])).content.decode().lower()


def test_a_mail_server_failure_halfway_leaves_the_unsent_unchanged(
    survey_round, mailoutbox, settings, mail_fails_after
):
    add(survey_round, "a@example.org", "b@example.org", "c@example.org", "d@example.org")
    before = dict(Invitation.objects.values_list("email", "token_hash"))
    mail_fails_after(2)

    with pytest.raises(MailSendError) as error:
        invitations_send(round=survey_round)

    assert (error.value.sent, error.value.unsent) == (2, 2)
    assert "Connection unexpectedly closed" in str(error.value)
    mailed = {message.to[0] for message in mailoutbox}
    assert mailed == {"a@example.org", "b@example.org"}
    for invitation in Invitation.objects.all():
        if invitation.email in mailed:
            assert invitation.last_sent_on is not None
            assert invitation.token_hash != before[invitation.email]
        else:
            assert invitation.last_sent_on is None
            assert invitation.token_hash == before[invitation.email]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations_send(round=survey_round).sent == 2
    assert sorted(message.to[0] for message in mailoutbox[2:]) == ["c@example.org", "d@example.org"]


def test_nothing_to_send_does_not_contact_the_mail_server(survey_round, mail_fails_after):
    add(survey_round, "ana@example.org")
    Invitation.objects.update(used=True)
    mail_fails_after(0)

    assert invitations_send(round=survey_round).sent == 0
    assert reminders_send(round=survey_round).sent == 0


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_mail_each_invitee_once(small_instrument, mailoutbox):
    """The cron command and an admin's click racing: the claim locks the rows first."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database: SQLite's shared in-memory test DB locks instead")
    survey_round = SurveyRoundFactory(instrument=small_instrument)
    invitees_add(round=survey_round, rows=[{"email": f"p{n}@example.org"} for n in range(250)])
    barrier = threading.Barrier(3)
    totals = []

    def send() -> None:
        try:
            barrier.wait()
            totals.append(invitations_send(round=survey_round).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(totals) == 250
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        f"p{n}@example.org" for n in range(250)
    )


# --- reminders ---------------------------------------------------------------------------


def test_reminders_skip_completed_invitees_and_stop_after_the_maximum(survey_round, mailoutbox):
    survey_round.max_reminders = 2
    survey_round.save()
    add(survey_round, "done@example.org", "slow@example.org", "late@example.org")
    invitations_send(round=survey_round)
    Invitation.objects.filter(email="done@example.org").update(used=True)
    mailoutbox.clear()

    sent = []
    for _day in range(4):
        backdate(survey_round)
        sent.append(reminders_send(round=survey_round).sent)

    assert sent == [2, 2, 0, 0]
    assert len(mailoutbox) == 4
    assert {message.to[0] for message in mailoutbox} == {"slow@example.org", "late@example.org"}
    assert all(message.subject == "Reminder: Spring 2026" for message in mailoutbox)
    assert "no longer works" in mailoutbox[0].body
    assert set(Invitation.objects.values_list("email", "reminders_sent")) == {
        ("done@example.org", 0),
        ("slow@example.org", 2),
        ("late@example.org", 2),
    }


def test_a_reminder_link_replaces_the_old_one_and_keeps_the_draft(client, survey_round, mailoutbox):
    add(survey_round, "ana@example.org")
    invitations_send(round=survey_round)
    old_link = link_of(mailoutbox[0])
    invitation = Invitation.objects.get()
    invitation_save_profile(invitation=invitation, side="it", function="", level="")
    backdate(survey_round)

    assert reminders_send(round=survey_round).sent == 1

    new_link = link_of(mailoutbox[1])
    assert new_link != old_link
    assert client.get(old_link).status_code == 404
    resumed = client.get(new_link)
    assert resumed.status_code == 302  # the draft's profile is there: straight to page 1
    assert resumed["Location"] == f"{new_link}page/1/"


def test_no_second_email_the_same_day(survey_round, mailoutbox):
    add(survey_round, "ana@example.org")
    invitations_send(round=survey_round)

    result = reminders_send(round=survey_round)

    assert (result.sent, result.mailed_today) == (0, 1)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("when", ["closed", "not yet open"])
def test_a_round_that_is_not_open_sends_no_reminders(survey_round, mailoutbox, when):
    add(survey_round, "ana@example.org")
    invitations_send(round=survey_round)
    backdate(survey_round)
    if when == "closed":
        round_close(round=survey_round)
    else:
        survey_round.opens_at = timezone.now() + dt.timedelta(days=1)
        survey_round.save()

    with pytest.raises(RoundNotOpenError):
        reminders_send(round=survey_round)
    assert len(mailoutbox) == 1


def test_invitees_never_invited_get_no_reminder(survey_round, mailoutbox):
    add(survey_round, "ana@example.org")
    assert reminders_send(round=survey_round).sent == 0
    assert mailoutbox == []


def test_a_failed_reminder_keeps_the_old_link_working(
    client, survey_round, mailoutbox, mail_fails_after
):
    add(survey_round, "a@example.org", "b@example.org", "c@example.org")
    invitations_send(round=survey_round)
    links = {message.to[0]: link_of(message) for message in mailoutbox}
    backdate(survey_round)
    mail_fails_after(1)

    with pytest.raises(MailSendError) as error:
        reminders_send(round=survey_round)

    assert (error.value.sent, error.value.unsent) == (1, 2)
    reminded = mailoutbox[3].to[0]
    for email, link in links.items():
        expected = 404 if email == reminded else 200
        assert client.get(link).status_code == expected, email
    assert dict(Invitation.objects.values_list("email", "reminders_sent")) == {
        email: 1 if email == reminded else 0 for email in links
    }
