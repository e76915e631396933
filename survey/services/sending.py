"""Send jobs: who is due an email, starting a job, sending in this process, resuming jobs,
scheduled reminders, progress.

A send job (``SendJob``) is one send of invitations or reminders to a round; its invitees are
``SendItem`` rows. How a job is worked, each invitee claimed before its email goes out, is
in ``survey.services.sending_work``. At most one job is under way per round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from survey.emails import INVITATION, REMINDER
from survey.models import Invitation, SendItem, SendJob, SurveyRound
from survey.services.invitations import MailSendError, SendResult
from survey.services.rounds import RoundNotOpenError
from survey.services.sending_work import (
    OPEN_STATES,
    UNDER_WAY,
    send_job_stop,
    send_job_work,
)
from survey.zones import round_today, round_zone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

State = SendItem.State
# Scheduled reminders go out in these hours of the round's own clock (09:00 to 17:59).
REMINDER_HOURS = range(9, 18)


class SendJobUnderWayError(Exception):
    """A send is under way for the round already: nothing new was started."""

    def __init__(self, job: SendJob) -> None:
        self.job = job
        super().__init__(f"A send of {job.kind}s is under way for this round (job {job.pk}).")


class SendQueueError(Exception):
    """The job could not be handed to the worker queue (Redis unreachable): it was stopped
    and nothing was sent."""


@dataclass(frozen=True)
class SendJobStart:
    """What :func:`send_job_create` did: the ``job`` (None when nobody was due), whether it
    ``joined`` one under way, and for reminders ``mailed_today``: invitees left for another
    day because they were emailed today already."""

    job: SendJob | None
    mailed_today: int = 0
    joined: bool = False


@dataclass(frozen=True)
class SendProgress:
    """A job's counts, for the round page and its status endpoint: ``pending`` counts those
    waiting, claimed or being sent."""

    job_id: int
    kind: str
    status: str
    total: int
    sent: int
    failed: int
    pending: int
    unknown: int
    skipped: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def under_way(self) -> bool:
        return self.status in UNDER_WAY


# --- who is due ---------------------------------------------------------------------------


def invitees_to_invite(*, round: SurveyRound) -> QuerySet[Invitation]:
    """Invitations of ``round`` with an address, not used, never emailed."""
    return Invitation.objects.filter(round=round, used=False, last_sent_on__isnull=True).exclude(
        email=""
    )


def invitees_to_remind(*, round: SurveyRound) -> QuerySet[Invitation]:
    """Invitations of ``round`` with an address, emailed, not used, reminded fewer than
    ``round.max_reminders`` times (whatever the day they were last emailed)."""
    return Invitation.objects.filter(
        round=round,
        used=False,
        last_sent_on__isnull=False,
        reminders_sent__lt=round.max_reminders,
    ).exclude(email="")


# --- starting a job -----------------------------------------------------------------------


def _stale(job: SendJob, now: dt.datetime) -> bool:
    return job.active_at < now - dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)


def send_job_create(
    *,
    round: SurveyRound,
    kind: str,
    by: AbstractBaseUser | None = None,
    join: bool = False,
    after_days: int = 1,
) -> SendJobStart:
    """Create a send job of ``kind`` (``invitation`` | ``reminder``) for every invitee of
    ``round`` due one now, in one transaction (the round's row locked, so two clicks queue).
    Reminders go to those last emailed ``after_days`` days ago or more (1: not today).

    A job under way for the round is joined (returned, ``joined``) when ``join`` and of the
    same kind, or when its sender has been silent for EMAIL_CLAIM_TIMEOUT (it died);
    otherwise SendJobUnderWayError is raised. Nobody due: no job (``job`` is None).

    Raises RoundNotOpenError for invitations to a closed round or reminders to a round that
    is not open; SendJobUnderWayError as above.
    """
    if kind not in (INVITATION, REMINDER):
        raise ValueError(f"Unknown email kind {kind!r}.")
    now = timezone.now()
    with transaction.atomic():
        locked = SurveyRound.objects.select_for_update().filter(pk=round.pk).first()
        if locked is None:
            raise RoundNotOpenError(round.slug)
        if kind == INVITATION and locked.closes_at is not None and locked.closes_at <= now:
            raise RoundNotOpenError(round.slug)
        if kind == REMINDER and not locked.is_open(now):
            raise RoundNotOpenError(round.slug)
        under_way = SendJob.objects.filter(round=round, status__in=UNDER_WAY).first()
        if under_way is not None:
            if (join and under_way.kind == kind) or _stale(under_way, now):
                return SendJobStart(job=under_way, joined=True)
            raise SendJobUnderWayError(under_way)
        mailed_today = 0
        if kind == INVITATION:
            due = invitees_to_invite(round=locked)
        else:
            today = round_today(locked)
            candidates = invitees_to_remind(round=locked)
            due = candidates.filter(last_sent_on__lte=today - dt.timedelta(days=after_days))
            mailed_today = candidates.filter(last_sent_on__gte=today).count()
        if not due.exists():
            return SendJobStart(job=None, mailed_today=mailed_today)
        try:
            with transaction.atomic():
                job = SendJob.objects.create(
                    round=locked, kind=kind, created_by=by, created_at=now, active_at=now
                )
        except IntegrityError:  # another database client started one meanwhile
            raise SendJobUnderWayError(
                SendJob.objects.get(round=round, status__in=UNDER_WAY)
            ) from None
        _items_insert(job=job, invitations=due)
    return SendJobStart(job=job, mailed_today=mailed_today)


def _items_insert(*, job: SendJob, invitations: QuerySet[Invitation]) -> int:
    """One pending row per invitation of the queryset, in one INSERT ... SELECT: the Send
    request stays short whatever the number of invitees (bulk_create of 20,000 rows took
    seconds). Returns the number of rows."""
    select, params = invitations.order_by().values_list("id", flat=True).query.sql_with_params()
    table = SendItem._meta.db_table
    columns = "job_id, invitation_id, state, lease, attempts, error, previous_token_hash"
    with connection.cursor() as cursor:
        cursor.execute(
            # Table and column names are our own; every value is a parameter.
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            f"SELECT %s, due.id, %s, '', 0, '', '' FROM ({select}) due",
            [job.pk, State.PENDING, *params],
        )
        return cursor.rowcount


def send_job_start(
    *, round: SurveyRound, kind: str, by: AbstractBaseUser | None = None, after_days: int = 1
) -> SendJobStart:
    """Create a job (:func:`send_job_create`, never joining one of a live sender) and hand it
    to the worker queue; without REDIS_URL the task runs here, before this returns.

    Raises what send_job_create raises, and SendQueueError when the queue cannot be reached
    (the job is then stopped, nothing sent).
    """
    # survey.tasks imports this module: the task is looked up when a job is started.
    from survey.tasks import send_job_run

    start = send_job_create(round=round, kind=kind, by=by, after_days=after_days)
    if start.job is None:
        return start
    try:
        send_job_run.delay(start.job.pk)
    except Exception as exc:  # kombu's OperationalError and socket errors: Redis is down
        reason = f"the worker queue cannot be reached ({exc or type(exc).__name__})"
        send_job_stop(start.job.pk, reason=reason)
        raise SendQueueError(reason) from exc
    start.job.refresh_from_db()
    return start


def send_in_process(*, round: SurveyRound, kind: str) -> SendResult:
    """Send ``kind`` to every invitee of ``round`` due one, in this process (joining a job
    of the same kind under way); see invitations_send and reminders_send, which call this.

    Raises RoundNotOpenError, SendJobUnderWayError, MailSendError (the mail server failed:
    the job stopped, the unsent are unchanged).
    """
    start = send_job_create(round=round, kind=kind, join=True)
    if start.job is None:
        return SendResult(sent=0, mailed_today=start.mailed_today)
    outcome = send_job_work(job_id=start.job.pk, stop_on_error=True)
    if outcome.stopped:
        unsent = SendItem.objects.filter(
            job_id=start.job.pk, state__in=[*OPEN_STATES, State.FAILED]
        ).count()
        raise MailSendError(sent=outcome.sent, unsent=unsent, reason=outcome.stopped)
    return SendResult(sent=outcome.sent, mailed_today=start.mailed_today, failed=outcome.failed)


# --- resuming, scheduling, progress -------------------------------------------------------


def send_jobs_to_resume(*, every: bool = False) -> list[int]:
    """Jobs under way whose sender has been silent for EMAIL_CLAIM_TIMEOUT (its worker
    died), or ``every`` job under way (a worker starting: the queue may have lost them)."""
    jobs = SendJob.objects.filter(status__in=UNDER_WAY)
    if not every:
        cutoff = timezone.now() - dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)
        jobs = jobs.filter(active_at__lt=cutoff)
    return list(jobs.order_by("pk").values_list("pk", flat=True))


def reminder_jobs_schedule(*, now: dt.datetime | None = None) -> list[int]:
    """Start a reminder job, for the scheduler, in every open round whose
    ``reminder_after_days`` is set and whose own clock reads 09:00 to 17:59: to those who
    have not completed, were reminded fewer than ``max_reminders`` times and were last
    emailed that many days ago or more. A round with a send under way waits for the next
    run. Returns the ids of the jobs started (handed to the queue)."""
    now = now or timezone.now()
    rounds = SurveyRound.objects.filter(reminder_after_days__gt=0, opens_at__lte=now).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )
    started = []
    for survey_round in rounds:
        if now.astimezone(round_zone(survey_round)).hour not in REMINDER_HOURS:
            continue
        try:
            start = send_job_start(
                round=survey_round, kind=REMINDER, after_days=survey_round.reminder_after_days
            )
        except (SendJobUnderWayError, RoundNotOpenError, SendQueueError):
            continue
        if start.job is not None:
            started.append(start.job.pk)
    return started


def send_job_latest(*, round: SurveyRound) -> SendJob | None:
    """The round's most recent send job, or None."""
    return SendJob.objects.filter(round=round).order_by("-created_at", "-pk").first()


def send_job_progress(*, job: SendJob) -> SendProgress:
    """The job's counts by state (one query) with its status and last error."""
    counts = dict(
        SendItem.objects.filter(job=job)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    job.refresh_from_db(fields=["status", "error", "finished_at"])
    return SendProgress(
        job_id=job.pk,
        kind=job.kind,
        status=job.status,
        total=sum(counts.values()),
        sent=counts.get(State.SENT, 0),
        failed=counts.get(State.FAILED, 0),
        pending=sum(counts.get(state, 0) for state in OPEN_STATES),
        unknown=counts.get(State.UNKNOWN, 0),
        skipped=counts.get(State.SKIPPED, 0),
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )
