"""Tests of survey.services.sending and sending_work: send jobs worked in this process,
against Django's locmem backend or a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from survey.models import Invitation, SendItem, SendJob
from survey.services.invitations import invitations_send, reminders_send
from survey.services.sending import (
    SendJobUnderWayError,
    reminder_jobs_schedule,
    send_job_create,
    send_job_progress,
    send_jobs_to_resume,
)
from survey.services.sending_work import _claim, _Sender, send_job_work
from tests.survey.background import SmtpServer, free_port
from tests.survey.mail import add, backdate

pytestmark = pytest.mark.django_db

State = SendItem.State


@pytest.fixture
def smtp(settings):
    """A real SMTP server; Django sends to it."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.EMAIL_RATE_PER_MINUTE = 0
    settings.EMAIL_RETRY_DELAY = 0


def states(job) -> dict[str, str]:
    return dict(
        SendItem.objects.filter(job=job).values_list("invitation__email", "state").order_by("pk")
    )


# --- mail server answers ------------------------------------------------------------------


def test_a_refused_address_fails_that_invitee_and_the_send_goes_on(survey_round, smtp):
    add(survey_round, "a@example.org", "gone@example.org", "c@example.org")
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 No such user"

    result = invitations_send(round=survey_round)

    assert (result.sent, result.failed) == (2, 1)
    assert smtp.count_by_address() == {"a@example.org": 1, "c@example.org": 1}
    gone = Invitation.objects.get(email="gone@example.org")
    assert gone.last_sent_on is None  # unchanged: the next send tries it again
    item = SendItem.objects.get(invitation=gone)
    assert (item.state, item.error) == (State.FAILED, "550 5.1.1 No such user")
    assert SendJob.objects.get().status == SendJob.Status.DONE


def test_a_worker_tries_a_4xx_again_and_fails_it_after_three_attempts(survey_round, smtp):
    add(survey_round, "busy@example.org", "full@example.org")
    smtp.handler.refuse["busy@example.org"] = "451 4.7.1 Greylisted"
    smtp.handler.refuse_times["busy@example.org"] = 1
    smtp.handler.refuse["full@example.org"] = "452 4.2.2 Mailbox full"
    job = send_job_create(round=survey_round, kind="invitation").job

    outcome = send_job_work(job_id=job.pk)

    assert (outcome.sent, outcome.failed, outcome.again_in) == (1, 1, None)
    assert smtp.count_by_address() == {"busy@example.org": 1}
    assert states(job) == {"busy@example.org": State.SENT, "full@example.org": State.FAILED}
    assert SendItem.objects.get(state=State.FAILED).attempts == 3


def test_a_lost_server_makes_a_worker_wait_then_stop_after_its_retries(survey_round, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_RETRY_DELAY, settings.EMAIL_MAX_RETRIES = 30, 2
    add(survey_round, "a@example.org", "b@example.org")
    before = dict(Invitation.objects.values_list("email", "token_hash"))
    job = send_job_create(round=survey_round, kind="invitation").job

    waits = [send_job_work(job_id=job.pk).again_in for _n in range(2)]

    assert waits == [30, 60]  # doubling
    job.refresh_from_db()
    assert (job.status, job.retries) == (SendJob.Status.RUNNING, 2)
    assert "refused" in job.error.lower()
    assert set(states(job).values()) == {State.PENDING}
    assert dict(Invitation.objects.values_list("email", "token_hash")) == before
    # Waiting for its retry, the job is not mistaken for one whose worker died.
    settings.EMAIL_CLAIM_TIMEOUT = 1
    assert send_jobs_to_resume() == []

    last = send_job_work(job_id=job.pk)

    assert last.stopped
    job.refresh_from_db()
    assert job.status == SendJob.Status.STOPPED
    assert set(states(job).values()) == {State.FAILED}
    assert not Invitation.objects.filter(last_sent_on__isnull=False).exists()


def test_an_in_process_send_stops_at_a_lost_server_and_changes_nobody(survey_round, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    add(survey_round, "a@example.org")

    with pytest.raises(Exception, match="Sending stopped after 0 email") as error:
        invitations_send(round=survey_round)

    assert error.value.unsent == 1
    assert SendJob.objects.get().status == SendJob.Status.STOPPED
    # A stopped job is over: the next send starts a new one and reaches the invitee.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations_send(round=survey_round).sent == 1


# --- claims, crashes, at most once ----------------------------------------------------------


def test_a_dead_senders_claims_go_back_and_its_email_in_flight_is_unknown(
    survey_round, mailoutbox, settings
):
    settings.EMAIL_CLAIM_TIMEOUT = 60
    add(survey_round, *(f"p{n}@example.org" for n in range(5)))
    job = send_job_create(round=survey_round, kind="invitation").job
    dead = _Sender(job)
    batch = _claim(job.pk, dead.lease, 3)
    assert dead._take(*batch[0]) is not None  # handed over, then the sender died
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    SendItem.objects.filter(job=job, lease=dead.lease).update(claimed_at=long_ago)

    outcome = send_job_work(job_id=job.pk)

    assert outcome.sent == 4
    in_flight = SendItem.objects.get(pk=batch[0][0])
    assert in_flight.state == State.UNKNOWN
    assert in_flight.invitation.email not in {message.to[0] for message in mailoutbox}
    assert len(mailoutbox) == 4
    progress = send_job_progress(job=job)
    assert (progress.status, progress.sent, progress.unknown, progress.pending) == ("done", 4, 1, 0)
    # Still counted as emailed: the next Send invitations does not mail it again.
    assert invitations_send(round=survey_round).sent == 0


def test_a_sender_whose_claim_was_taken_back_changes_nothing(survey_round, mailoutbox, settings):
    settings.EMAIL_CLAIM_TIMEOUT = 60
    add(survey_round, "a@example.org")
    job = send_job_create(round=survey_round, kind="invitation").job
    slow = _Sender(job)
    ((item_id, invitation_id),) = _claim(job.pk, slow.lease, 1)
    SendItem.objects.filter(pk=item_id).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    send_job_work(job_id=job.pk)  # another sender gives the claim back and sends
    token_hash = Invitation.objects.get().token_hash

    assert slow._take(item_id, invitation_id) is None

    assert Invitation.objects.get().token_hash == token_hash
    assert len(mailoutbox) == 1


def test_an_invitee_who_completed_meanwhile_is_skipped(survey_round, mailoutbox):
    add(survey_round, "a@example.org", "b@example.org")
    job = send_job_create(round=survey_round, kind="invitation").job
    Invitation.objects.filter(email="a@example.org").update(used=True)

    send_job_work(job_id=job.pk)

    assert [message.to for message in mailoutbox] == [["b@example.org"]]
    assert states(job)["a@example.org"] == State.SKIPPED


def test_the_throttle_spaces_the_emails(survey_round, mailoutbox, settings):
    settings.EMAIL_RATE_PER_MINUTE = 600  # one every 0.1 s
    add(survey_round, *(f"p{n}@example.org" for n in range(6)))

    started = time.monotonic()
    invitations_send(round=survey_round)

    assert len(mailoutbox) == 6
    # One slot of 0.1 s each: the first may come at the end of its slot, then five more.
    assert time.monotonic() - started >= 0.39


# --- starting jobs --------------------------------------------------------------------------


def test_one_job_under_way_per_round(survey_round, settings):
    add(survey_round, "a@example.org")
    job = send_job_create(round=survey_round, kind="invitation").job

    with pytest.raises(SendJobUnderWayError):
        send_job_create(round=survey_round, kind="invitation")
    with pytest.raises(SendJobUnderWayError):
        reminders_send(round=survey_round)
    assert send_job_create(round=survey_round, kind="invitation", join=True).job == job
    # A job whose sender went silent (it died) is resumed rather than refused.
    SendJob.objects.update(active_at=timezone.now() - dt.timedelta(hours=1))
    resumed = send_job_create(round=survey_round, kind="invitation")
    assert (resumed.job, resumed.joined) == (job, True)


def test_nobody_due_starts_no_job(survey_round):
    assert send_job_create(round=survey_round, kind="invitation").job is None
    assert not SendJob.objects.exists()


def test_jobs_to_resume_are_the_silent_ones_or_all_when_a_worker_starts(survey_round, settings):
    add(survey_round, "a@example.org")
    job = send_job_create(round=survey_round, kind="invitation").job

    assert send_jobs_to_resume() == []
    assert send_jobs_to_resume(every=True) == [job.pk]
    SendJob.objects.update(active_at=timezone.now() - dt.timedelta(hours=1))
    assert send_jobs_to_resume() == [job.pk]


def test_scheduled_reminders_go_out_after_the_rounds_days_in_its_daytime(survey_round, mailoutbox):
    add(survey_round, "old@example.org", "recent@example.org", "done@example.org")
    invitations_send(round=survey_round)
    backdate(survey_round, days=3)
    Invitation.objects.filter(email="recent@example.org").update(
        last_sent_on=timezone.localdate() - dt.timedelta(days=1)
    )
    Invitation.objects.filter(email="done@example.org").update(used=True)
    mailoutbox.clear()
    # 10:00 and 03:00 today in the round's time zone.
    london = ZoneInfo("Europe/London")
    morning = dt.datetime.combine(timezone.localdate(), dt.time(10), tzinfo=london)
    night = dt.datetime.combine(timezone.localdate(), dt.time(3), tzinfo=london)

    assert reminder_jobs_schedule(now=morning) == []  # the round does not ask for them

    survey_round.reminder_after_days = 3
    survey_round.save()
    assert reminder_jobs_schedule(now=night) == []
    (job_id,) = reminder_jobs_schedule(now=morning)

    assert [message.to for message in mailoutbox] == [["old@example.org"]]
    assert mailoutbox[0].subject == "Reminder: Spring 2026"
    assert SendJob.objects.get(pk=job_id).kind == "reminder"
    assert reminder_jobs_schedule(now=morning) == []  # emailed today: not twice a day
