"""The staff round page while a send job runs: progress numbers, the JSON status endpoint
polled by survey/manage_sending.js, a second click refused, an unreachable queue."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from config.celery import app
from survey.models import SendItem, SendJob
from survey.services.sending import send_job_create
from tests.survey.background import app_restore, app_use_broker, free_port
from tests.survey.mail import add

pytestmark = pytest.mark.django_db


def url(name: str, survey_round) -> str:
    return reverse(f"survey:manage_{name}", kwargs={"slug": survey_round.slug})


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.fixture
def running_job(survey_round):
    """A job of three invitations queued (no worker has taken it yet), one already sent."""
    add(survey_round, "a@example.org", "b@example.org", "c@example.org")
    job = send_job_create(round=survey_round, kind="invitation").job
    SendItem.objects.filter(job=job, invitation__email="a@example.org").update(
        state=SendItem.State.SENT
    )
    return job


def test_the_status_endpoint_gives_the_latest_jobs_numbers(admin_client, survey_round, running_job):
    assert admin_client.get(url("sending", survey_round)).json()["job"] == {
        "kind": "invitation",
        "status": "queued",
        "under_way": True,
        "total": 3,
        "sent": 1,
        "failed": 0,
        "pending": 2,
        "unknown": 0,
        "skipped": 0,
        "done": 1,
        "text": "Invitations: waiting for the mail worker. 1 sent, 0 failed, 2 waiting of 3.",
    }
    response = admin_client.get(url("sending", survey_round))
    assert "no-cache" in response["Cache-Control"]


def test_the_status_endpoint_says_when_there_is_no_job(admin_client, survey_round):
    assert admin_client.get(url("sending", survey_round)).json() == {"job": None}


def test_the_status_endpoint_is_for_staff_only(client, django_user_model, survey_round):
    assert client.get(url("sending", survey_round))["Location"].startswith(reverse("login"))
    staff = django_user_model.objects.create_user("staff", password="pw-1234567890", is_staff=True)
    client.force_login(staff)
    assert client.get(url("sending", survey_round)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="change_surveyround"))
    client.force_login(staff)
    assert client.get(url("sending", survey_round)).status_code == 200


def test_the_page_shows_the_progress_in_a_live_region_and_loads_the_script(
    admin_client, survey_round, running_job
):
    page = admin_client.get(url("round", survey_round)).content.decode()

    region = re.search(r'<p id="sending-text" role="status" aria-live="polite"[^>]*>([^<]*)<', page)
    assert region.group(1) == (
        "Invitations: waiting for the mail worker. 1 sent, 0 failed, 2 waiting of 3."
    )
    assert '<progress id="sending-bar" class="w-100" max="3" value="1"' in page
    assert 'src="/static/survey/manage_sending.js" defer></script>' in page
    assert "<script>" not in page  # no inline script: the CSP allows our own files only
    assert "Reload the page for the latest numbers" in page  # without JavaScript
    assert re.search(r"<button[^>]*disabled>Send 3 invitations</button>", page)


def test_a_second_click_while_a_job_is_under_way_starts_nothing(
    admin_client, survey_round, running_job, mailoutbox
):
    again = admin_client.post(url("send", survey_round), {"send-confirm": "on"}, follow=True)
    reminded = admin_client.post(url("remind", survey_round), {"remind-confirm": "on"}, follow=True)

    for response in (again, reminded):
        assert "A send is already under way for this round" in messages_of(response)
    assert SendJob.objects.count() == 1
    assert mailoutbox == []


def test_a_finished_job_is_shown_done_without_the_script(admin_client, survey_round, mailoutbox):
    add(survey_round, "a@example.org", "b@example.org")
    sent = admin_client.post(url("send", survey_round), {"send-confirm": "on"}, follow=True)

    assert "Sent 2 invitations." in messages_of(sent)
    page = sent.content.decode()
    assert "Invitations: done. 2 sent, 0 failed, 0 waiting of 2." in page
    assert "manage_sending.js" not in page


def test_an_unreachable_queue_sends_nothing_and_says_so(admin_client, survey_round, mailoutbox):
    add(survey_round, "a@example.org")
    before = app_use_broker(app, broker_url=f"redis://127.0.0.1:{free_port()}/12", queue="none")
    try:
        response = admin_client.post(url("send", survey_round), {"send-confirm": "on"}, follow=True)
    finally:
        app_restore(app, before)

    assert response.status_code == 200
    assert "Nothing was sent: the worker queue cannot be reached" in messages_of(response)
    job = SendJob.objects.get()
    assert job.status == SendJob.Status.STOPPED
    assert mailoutbox == []
    # The round is free again: the next click (here in-process) sends.
    again = admin_client.post(url("send", survey_round), {"send-confirm": "on"}, follow=True)
    assert "Sent 1 invitation." in messages_of(again)


def test_the_emails_page_sets_automatic_reminders_and_the_round_page_says_so(
    admin_client, survey_round
):
    data = {
        "invitation_subject": "s",
        "invitation_body": "{{ link }}",
        "reminder_subject": "s",
        "reminder_body": "{{ link }}",
        "max_reminders": "2",
        "reminder_after_days": "4",
    }
    admin_client.post(url("email", survey_round), data)
    survey_round.refresh_from_db()
    assert survey_round.reminder_after_days == 4
    page = admin_client.get(url("round", survey_round)).content.decode()
    assert "Reminders also go out by themselves 4 days after an invitee's last email" in page

    refused = admin_client.post(url("email", survey_round), {**data, "reminder_after_days": "99"})
    assert "less than or equal to 60" in refused.content.decode()


def test_the_admin_lists_send_jobs_without_addresses(admin_client, survey_round, running_job):
    page = admin_client.get(reverse("admin:survey_sendjob_changelist")).content.decode()

    assert "Waiting for a worker" in page
    assert "@example.org" not in page
    change = reverse("admin:survey_sendjob_change", args=[running_job.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"status": "done"}).status_code == 403
