"""The mail run: staff click Send for N invitees; a real Celery worker emails them.

``python -m bench.mail --invitees 2000`` (DATABASE_URL set) creates a round of N invitees,
starts an SMTP server (aiosmtpd) on 127.0.0.1 and a Celery worker subprocess reading a queue
of its own on Redis (BENCH_REDIS_URL, DB 12 by default), then posts the round page's Send
form through Django's test client. It measures how long that request takes and how long
until the server has accepted the last email, checks that it received exactly N emails, one
per invitee, and that a sample of their links open the survey's welcome page. Prints one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
# Issue 16's target: the Send request answers within this many seconds.
SEND_REQUEST_SECONDS = 2.0
LINKS_CHECKED = 20


def mail_run(*, invitees: int, rate: int, timeout: float, log: Path) -> dict[str, Any]:
    """Run the whole mail measurement once (Django set up with REDIS_URL and CELERY_QUEUE of
    this run); see the module."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assessment.models import Instrument
    from assessment.services import instrument_load
    from survey.models import SendJob
    from survey.services.invitations import invitees_add
    from survey.services.rounds import round_create
    from tests.survey.background import CeleryWorker, SmtpServer, database_url, queue_delete

    instrument = Instrument.objects.filter(slug="it-security-collaboration").first()
    instrument = instrument or instrument_load().instrument
    slug = f"mail-{int(time.time())}"
    survey_round = round_create(instrument=instrument, name=f"Mail run {slug}", slug=slug)
    emails = [f"invitee{n:06d}@example.org" for n in range(invitees)]
    for start in range(0, invitees, 10_000):
        invitees_add(
            round=survey_round, rows=[{"email": email} for email in emails[start : start + 10_000]]
        )
    staff = get_user_model().objects.create_superuser(f"bench-{slug}", password=None)
    client = Client()
    client.force_login(staff)
    round_url = reverse("survey:manage_round", kwargs={"slug": slug})
    send_url = reverse("survey:manage_send", kwargs={"slug": slug})

    with SmtpServer() as smtp:
        worker = CeleryWorker(
            env={
                "DATABASE_URL": database_url(connection.settings_dict),
                "REDIS_URL": REDIS_URL,
                "CELERY_QUEUE": os.environ["CELERY_QUEUE"],
                "EMAIL_BACKEND": "smtp",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp.port),
                "EMAIL_RATE_PER_MINUTE": str(rate),
                "SURVEY_BASE_URL": "http://testserver",
                "LOG_LEVEL": "WARNING",
            },
            log=log,
            name=os.environ["CELERY_QUEUE"],
        )
        worker.start()
        try:
            # Staff open the round page, then click Send: a served site has loaded its code.
            assert client.get(round_url).status_code == 200
            started = time.monotonic()
            response = client.post(send_url, {"send-confirm": "on"})
            request_seconds = time.monotonic() - started
            complete = smtp.wait_for(invitees, timeout=timeout)
            received = smtp.received
            deadline = time.monotonic() + 30
            job = SendJob.objects.filter(round=survey_round).first()
            while job is not None and job.under_way and time.monotonic() < deadline:
                time.sleep(0.2)
                job.refresh_from_db()
        finally:
            worker.stop()
            queue_delete(os.environ["CELERY_QUEUE"], REDIS_URL)
    counts = smtp.count_by_address()
    last = max((message.at for message in received), default=started) - started
    links_ok = 0
    for message in random.Random(16).sample(received, min(LINKS_CHECKED, len(received))):
        page = client.get(message.link)
        links_ok += page.status_code == 200 and b"Welcome" in page.content
    return {
        "invitees": invitees,
        "rate_per_minute": rate,
        "request_status": response.status_code,
        "request_seconds": round(request_seconds, 3),
        "last_email_seconds": round(last, 2),
        "emails_per_second": round(len(received) / last, 1) if last > 0 else None,
        "received": len(received),
        "distinct_invitees": len(counts),
        "exactly_once": complete and len(received) == invitees and set(counts) == set(emails),
        "links_checked": min(LINKS_CHECKED, len(received)),
        "links_ok": links_ok,
        "job_status": job.status if job else None,
        "worker": "celery solo pool, 1 process",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitees", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=0, help="EMAIL_RATE_PER_MINUTE (0: none)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for the emails")
    parser.add_argument("--log", type=Path, default=ROOT / "bench" / ".data" / "worker.log")
    args = parser.parse_args(argv)
    # This process sends its tasks to the worker through Redis, on a queue of its own.
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CELERY_QUEUE"] = f"bench-mail-{os.getpid()}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    args.log.parent.mkdir(parents=True, exist_ok=True)
    result = mail_run(invitees=args.invitees, rate=args.rate, timeout=args.timeout, log=args.log)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
