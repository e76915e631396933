"""Tests of invitees, invitation and reminder emails (locmem backend), and round dates."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import threading
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from survey.emails import email_template_check
from survey.invitees import InviteeListError, invitees_read_csv, invitees_read_text
from survey.models import Invitation
from survey.participation import cells_suppress, round_participation_table
from survey.services.invitations import (
    MailSendError,
    invitations_issue,
    invitations_send,
    invitees_add,
    reminders_send,
)
from survey.services.responses import invitation_save_profile
from survey.services.rounds import RoundNotOpenError, round_close, round_extend, round_open
from survey.tokens import invitation_get_by_token
from tests.factories import SurveyRoundFactory

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"https?://\S+/s/([A-Za-z0-9_-]+)/")
CSV = (
    b"email,side,function,level\n"
    b"Ana@Example.org,IT,infrastructure,Manager\n"
    b"ben@example.org,security,,individual\n"
    b"cy@example.org,,,\n"
)


def add(survey_round, *emails: str) -> None:
    invitees_add(round=survey_round, rows=[{"email": email} for email in emails])


def link_of(message) -> str:
    """The path of the one invitation link in an email's body."""
    (match,) = LINK_RE.finditer(message.body)
    return urlsplit(match.group(0)).path


def token_of(message) -> str:
    return LINK_RE.search(message.body).group(1)


def backdate(survey_round, days: int = 1) -> None:
    """Pretend the emails went out ``days`` ago, so a reminder is due today."""
    Invitation.objects.filter(round=survey_round, last_sent_on__isnull=False).update(
        last_sent_on=timezone.localdate() - dt.timedelta(days=days)
    )


class FailingBackend(EmailBackend):
    """A locmem backend whose server goes away after ``allowed`` messages."""

    allowed = 0

    def send_messages(self, messages):
        if FailingBackend.allowed < len(messages):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        FailingBackend.allowed -= len(messages)
        return super().send_messages(messages)


@pytest.fixture
def mail_fails_after(settings):
    """Call with n: the mail server accepts n more messages, then fails."""

    def _fails_after(n: int) -> None:
        FailingBackend.allowed = n
        settings.EMAIL_BACKEND = "tests.survey.test_invitations_email.FailingBackend"

    return _fails_after


# --- reading and adding invitees --------------------------------------------------------


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


def test_csv_with_semicolons_and_a_bom_and_extra_columns_is_read():
    rows = invitees_read_csv("\ufeffName;E-mail;Side\nAna;ana@example.org;IT\n\n".encode())
    assert [(row.line, row.email, row.side) for row in rows] == [(2, "ana@example.org", "IT")]


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


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty"),
        (b"name,side\nAna,IT\n", "Line 1: no email column"),
        (b"email,side\n\n", "no invitees"),
    ],
)
def test_a_csv_without_invitees_is_refused(content, problem):
    with pytest.raises(InviteeListError, match=problem):
        invitees_read_csv(content)


def test_pasted_addresses_keep_the_address_of_a_name_and_the_line():
    rows = invitees_read_text("Ana Lopez <ana@example.org>; ben@example.org\n\n cy@example.org ,")
    assert [(row.line, row.email) for row in rows] == [
        (1, "ana@example.org"),
        (1, "ben@example.org"),
        (3, "cy@example.org"),
    ]
    with pytest.raises(InviteeListError, match="No address"):
        invitees_read_text(" \n ;, ")


def test_a_quoted_name_with_a_comma_is_one_address_and_typos_are_kept_as_typed():
    rows = invitees_read_text('"Doe, Jane" <jane@example.org>, bob@example.org\nx@y <z')
    assert [(row.line, row.email) for row in rows] == [
        (1, "jane@example.org"),
        (1, "bob@example.org"),
        (2, "x@y <z"),  # what was typed, so the error message names it
    ]


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


# --- commands ----------------------------------------------------------------------------


def test_the_commands_send_invitations_then_reminders(survey_round, mailoutbox, capsys):
    add(survey_round, "ana@example.org", "ben@example.org")

    call_command("send_invitations", "spring")
    assert "Sent 2 invitations for round spring." in capsys.readouterr().out
    backdate(survey_round)
    call_command("send_reminders", "spring")
    assert "Reminded 2 invitees for round spring." in capsys.readouterr().out
    assert len(mailoutbox) == 4


def test_the_commands_refuse_an_unknown_or_closed_round(survey_round, mailoutbox):
    with pytest.raises(CommandError, match="Unknown round 'nope'"):
        call_command("send_invitations", "nope")
    round_close(round=survey_round)
    with pytest.raises(CommandError, match="closed"):
        call_command("send_invitations", "spring")
    with pytest.raises(CommandError, match="not open"):
        call_command("send_reminders", "spring")


def test_the_command_reports_a_mail_server_failure(survey_round, mailoutbox, mail_fails_after):
    add(survey_round, "a@example.org", "b@example.org", "c@example.org")
    mail_fails_after(2)
    with pytest.raises(CommandError, match="Sending stopped after 2 email"):
        call_command("send_invitations", "spring")


# --- email templates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Hello, please answer.", "must contain {{ link }}"),
        ("Go to {{ lnk }}", "Unknown placeholder lnk"),
        ("{{ link }} {% if closes %}", "not valid template syntax"),
        ('{{ link }} {% include "base.html" %}', "Only the placeholders"),
        ("{{ link }} {% load static %}", "not valid template syntax"),
        ("{{ link }} {% debug %}", "Only the placeholders"),
    ],
)
def test_a_bad_email_body_is_refused(survey_round, body, problem):
    survey_round.invitation_body = body
    with pytest.raises(ValidationError, match=re.escape(problem)):
        survey_round.full_clean()


def test_a_body_with_the_link_and_filters_is_accepted():
    email_template_check(
        "{{ round_name|upper }}: {{ link }}{% if closes %} by {{ closes }}{% endif %}",
        require_link=True,
    )


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


# --- participation -----------------------------------------------------------------------


def test_cells_below_k_are_suppressed_and_a_lone_one_gets_a_partner():
    assert cells_suppress([10, 7, 6], 5) == [10, 7, 6]
    assert cells_suppress([10, 3, 6], 5) == [10, None, None]
    assert cells_suppress([10, 3, 2, 6], 5) == [10, None, None, 6]
    assert cells_suppress([3], 5) == [None]


def test_participation_counts_used_invitations_by_the_lists_side_and_level(survey_round):
    rows = [{"email": f"it{n}@example.org", "side": "it", "level": "manager"} for n in range(6)]
    rows += [{"email": f"sec{n}@example.org", "side": "security"} for n in range(7)]
    rows += [{"email": f"x{n}@example.org"} for n in range(5)]
    invitees_add(round=survey_round, rows=rows)
    used = ["it0", "it1", "it2", "it3", "it4", "sec0", "sec1", "x0"]
    Invitation.objects.filter(email__in=[f"{name}@example.org" for name in used]).update(used=True)

    table = round_participation_table(round=survey_round)

    assert (table.invited, table.completed) == (18, 8)
    assert round(table.rate) == 44
    by_side = {row.label: (row.invited.value, row.completed.value) for row in table.by_side}
    # Security (2 completed) and Not given (1) are below k = 5: hidden.
    assert by_side == {"IT": (6, 5), "Security": (7, None), "Not given": (5, None)}
    by_level = {row.label: (row.invited.value, row.completed.value) for row in table.by_level}
    # Not given (3) is below k; Manager (5) is hidden too, else total - 5 would give it away.
    assert by_level == {"Manager": (6, None), "Not given": (12, None)}
    assert next(row for row in table.by_side if row.label == "IT").rate == pytest.approx(500 / 6)


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
