"""Celery tasks of the survey: sending a job's emails, resuming jobs, scheduled reminders,
and the daily retention purge.

Thin: the work and its rules are in ``survey.services.sending``. A worker runs these with
``celery -A config worker``; without REDIS_URL they run in the calling process.

``sending.job_run`` is acknowledged late and requeued if its worker is lost: that is safe
because every invitee is claimed in the database before its email goes out, so a second
delivery of the task finds nothing to send twice. A worker killed outright (SIGKILL, power
loss) leaves the message unacknowledged in Redis until the broker's visibility timeout, so a
starting worker and the scheduler's ``sending.resume`` (every minute) also hand unfinished
jobs to the queue again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from audit.services import SCHEDULED_TASK
from survey.services.retention import expired_purge
from survey.services.sending import (
    reminder_jobs_schedule,
    send_job_work,
    send_jobs_to_resume,
)

logger = logging.getLogger(__name__)

# One run of the send task works a job this long, then queues its next run: other jobs get
# their turn, and a run stays far shorter than the broker's visibility timeout.
RUN_SECONDS = 60


@shared_task(name="sending.job_run", bind=True, acks_late=True, reject_on_worker_lost=True)
def send_job_run(self: Any, job_id: int) -> None:
    """Send job ``job_id``'s emails. In a worker: for RUN_SECONDS, then queue the next run
    (at once, or after a retry delay); in the calling process (no broker): to the end,
    stopping at the first mail server error."""
    if self.request.is_eager:
        send_job_work(job_id=job_id, stop_on_error=True)
        return
    outcome = send_job_work(job_id=job_id, deadline=time.monotonic() + RUN_SECONDS)
    logger.info(
        "send job %s: %s sent, %s failed%s",
        job_id,
        outcome.sent,
        outcome.failed,
        f", stopped: {outcome.stopped}" if outcome.stopped else "",
    )
    if outcome.again_in is not None:
        send_job_run.apply_async((job_id,), countdown=outcome.again_in)


@shared_task(name="sending.resume")
def send_jobs_resume(every: bool = False) -> None:
    """Queue a run for every job under way whose sender went silent (or every such job)."""
    for job_id in send_jobs_to_resume(every=every):
        send_job_run.delay(job_id)


@shared_task(name="sending.reminders_scheduled")
def reminders_scheduled() -> None:
    """Start the scheduled reminders of every open round that asks for them (hourly)."""
    started = reminder_jobs_schedule()
    if started:
        logger.info("scheduled reminder jobs started: %s", started)


@worker_ready.connect(weak=False)
def _resume_on_start(**_kwargs: Any) -> None:
    """A worker starting (after a crash, say) resumes every job under way: its task may be
    unacknowledged in Redis until the visibility timeout, and a run too many finds nothing
    to send twice."""
    try:
        send_jobs_resume.delay(every=True)
    except Exception:  # the worker still starts; the scheduler resumes jobs later
        logger.exception("could not queue the resumption of send jobs")


@shared_task(name="retention.purge_expired")
def purge_expired() -> dict[str, int | bool]:
    """Run :func:`survey.services.retention.expired_purge`, as ``manage.py purge_expired``
    does; returns its counts (drafts, addresses, entries, rounds, days)."""
    return asdict(expired_purge(by=SCHEDULED_TASK))
