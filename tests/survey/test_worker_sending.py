"""Background mail with a real Celery worker, Redis and an SMTP server (issue 16).

The worker is a subprocess on the test database (a file on SQLite, see tests/conftest.py);
it takes its tasks from Redis DB 12 and hands each email to an aiosmtpd server started by
the fixture. These tests read what that server accepted, never a mocked backend.
"""

from __future__ import annotations

import random
import time

import pytest
from django.urls import reverse

from survey.models import Invitation, SendItem, SendJob
from survey.services.invitations import invitees_add
from tests.factories import SurveyRoundFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_worker(worker_queue):
    """The session's worker, sent this test's tasks."""
    return worker_queue


@pytest.fixture
def smtp(mail_worker):
    """The session's SMTP server, emptied, at full speed, accepting everyone."""
    return mail_worker.smtp


@pytest.fixture
def mail_round(small_instrument):
    return SurveyRoundFactory(instrument=small_instrument, name="Mail 2027", slug="mail-2027")


def invite(survey_round, count: int) -> list[str]:
    emails = [f"person{n:05d}@example.org" for n in range(count)]
    invitees_add(round=survey_round, rows=[{"email": email} for email in emails])
    return emails


def send_url(survey_round, action: str = "send") -> str:
    return reverse(f"survey:manage_{action}", kwargs={"slug": survey_round.slug})


def wait_until_finished(client, survey_round, timeout: float) -> dict:
    """Poll the round page's status endpoint until the latest job is no longer under way."""
    url = send_url(survey_round, "sending")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).json()["job"]
        if job is not None and not job["under_way"]:
            return job
        time.sleep(0.2)
    raise AssertionError(f"The send job is still under way after {timeout} s: {job}")


def test_send_for_2000_invitees_answers_at_once_and_each_gets_one_working_link(
    admin_client, client, mail_round, smtp, mail_worker
):
    """The issue's test of done: the request answers within 2 seconds; the server receives
    exactly 2,000 emails, one per invitee, and a sample of their links open the survey."""
    emails = invite(mail_round, 2000)
    # Staff click Send on the round page, which they have just opened (a served site has
    # loaded its code by then).
    assert admin_client.get(send_url(mail_round, "round")).status_code == 200
    url = send_url(mail_round)

    started = time.perf_counter()
    response = admin_client.post(url, {"send-confirm": "on"})
    seconds = time.perf_counter() - started

    assert response.status_code == 302
    assert seconds < 2, f"the Send request took {seconds:.2f} s"
    page = admin_client.get(response["Location"])
    assert "Sending 2000 emails in the background" in page.content.decode()

    job = wait_until_finished(admin_client, mail_round, timeout=240)
    assert (job["status"], job["sent"], job["failed"], job["unknown"]) == ("done", 2000, 0, 0)
    assert smtp.wait_for(2000, timeout=10)
    assert len(smtp.received) == 2000
    assert smtp.count_by_address() == dict.fromkeys(emails, 1)
    links = [message.link for message in smtp.received]
    assert len(set(links)) == 2000
    for message in random.Random(16).sample(smtp.received, 20):
        welcome = client.get(message.link)
        assert welcome.status_code == 200, message.to
        assert "Welcome" in welcome.content.decode()
    assert Invitation.objects.filter(round=mail_round, last_sent_on__isnull=True).count() == 0


def test_a_worker_killed_mid_send_emails_nobody_twice_and_the_rest_after_its_restart(
    admin_client, mail_round, smtp, mail_worker
):
    emails = invite(mail_round, 80)
    smtp.handler.delay = 0.03  # a slow server, so the kill lands in the middle

    admin_client.post(send_url(mail_round), {"send-confirm": "on"})
    assert smtp.wait_for(15, timeout=60), mail_worker.worker.tail()
    mail_worker.worker.kill()
    before = set(smtp.count_by_address())
    assert 15 <= len(before) < 80
    job = SendJob.objects.get(round=mail_round)
    assert job.under_way
    smtp.handler.delay = 0

    mail_worker.worker.start()
    finished = wait_until_finished(admin_client, mail_round, timeout=60)

    counts = smtp.count_by_address()
    assert max(counts.values()) == 1, "an invitee was emailed twice"
    unknown = set(
        SendItem.objects.filter(job=job, state=SendItem.State.UNKNOWN).values_list(
            "invitation__email", flat=True
        )
    )
    # The solo worker hands one email at a time to the server: at most one is in doubt, and
    # it is not sent again automatically.
    assert len(unknown) <= 1
    assert set(counts) | unknown == set(emails)
    assert set(counts) - before, "nothing was sent after the restart"
    assert finished["status"] == "done"
    assert finished["sent"] + finished["unknown"] == 80
    assert finished["sent"] == len(set(counts) - unknown)


def test_the_worker_retries_a_temporary_refusal_and_fails_a_permanent_one(
    admin_client, mail_round, smtp, mail_worker
):
    invitees_add(
        round=mail_round,
        rows=[{"email": e} for e in ("busy@example.org", "gone@example.org", "ok@example.org")],
    )
    smtp.handler.refuse["busy@example.org"] = "451 4.7.1 Greylisted, try again later"
    smtp.handler.refuse_times["busy@example.org"] = 2
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 No such user"

    admin_client.post(send_url(mail_round), {"send-confirm": "on"})
    finished = wait_until_finished(admin_client, mail_round, timeout=60)

    assert smtp.count_by_address() == {"busy@example.org": 1, "ok@example.org": 1}
    assert (finished["status"], finished["sent"], finished["failed"]) == ("done", 2, 1)
    items = dict(
        SendItem.objects.filter(job__round=mail_round).values_list("invitation__email", "attempts")
    )
    assert items["busy@example.org"] == 3
    gone = SendItem.objects.get(invitation__email="gone@example.org")
    assert gone.state == SendItem.State.FAILED
    assert "550" in gone.error
    # Refused: as before the send, so the next Send tries that address again.
    assert Invitation.objects.get(email="gone@example.org").last_sent_on is None


def test_a_second_click_while_sending_starts_nothing_and_emails_nobody_twice(
    admin_client, mail_round, smtp, mail_worker
):
    emails = invite(mail_round, 40)
    smtp.handler.delay = 0.02

    admin_client.post(send_url(mail_round), {"send-confirm": "on"})
    again = admin_client.post(send_url(mail_round), {"send-confirm": "on"}, follow=True)

    assert "already under way" in again.content.decode()
    page = admin_client.get(reverse("survey:manage_round", kwargs={"slug": mail_round.slug}))
    assert 'src="/static/survey/manage_sending.js"' in page.content.decode()
    wait_until_finished(admin_client, mail_round, timeout=60)
    assert smtp.count_by_address() == dict.fromkeys(emails, 1)
    assert SendJob.objects.filter(round=mail_round).count() == 1
