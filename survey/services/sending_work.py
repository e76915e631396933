"""Working a send job: claiming each invitee, sending, retrying, giving back dead claims.

A send job (``SendJob``) is one send of invitations or reminders to a round; each invitee
it emails is a ``SendItem`` row moved through these states, each step one short transaction:

    pending -> claimed -> sending -> sent
                       \\-> skipped (completed meanwhile)
    sending -> failed (refused: the invitation is put back as it was) | pending (retry later)
    claimed, a dead sender's -> pending again (nothing had changed: safe to send)
    sending, a dead sender's -> unknown (it may have gone out: never sent again automatically)

1. *claim*: a batch of pending rows is locked with ``select_for_update(skip_locked=True)``
   (PostgreSQL; SQLite's immediate transactions serialise instead) and marked with the
   sender's lease, so two senders never take the same invitee;
2. *sending*: for one invitee, a fresh token's hash replaces the invitation's (the email
   holds the only copy of the link) and its flags are set, the old values kept on the row;
3. the email is handed to the mail server; once accepted, the row is marked *sent* in the
   transaction of the next invitee's step 2 (one commit per email).

Every change is conditional on the sender's lease, so a sender whose claim was taken back
changes nothing. This is at most once: a sender that dies between steps 2 and 3 leaves one
row per sender "unknown" after EMAIL_CLAIM_TIMEOUT, reported on the round page and not
resent automatically (the next reminder reaches that invitee with a fresh link). The one
gap SMTP itself leaves: a connection lost while the server acknowledges a message reads as
not sent, and that invitee is tried again.

Mail server errors: a 5xx for one address fails that invitee (put back as it was) and the
send goes on; a 4xx for one address is tried again later (EMAIL_RETRY_DELAY, doubling) up to
MAX_ATTEMPTS times; a lost connection or a 4xx for the whole server makes the worker wait
and resume (EMAIL_MAX_RETRIES times in a row), while a send in this process stops at once
and says how many went out (the rest are unchanged). EMAIL_RATE_PER_MINUTE throttles all
senders together (through the cache, shared when REDIS_URL is set).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import secrets
import smtplib
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone, translation

from survey.emails import REMINDER, email_render, email_subject_render, round_email_templates
from survey.models import Invitation, SendItem, SendJob
from survey.services.invitations import invitation_url
from survey.tokens import token_create, token_hash
from survey.zones import local_time_text, round_today, round_zone

State = SendItem.State
Status = SendJob.Status
UNDER_WAY = (Status.QUEUED, Status.RUNNING)
OPEN_STATES = (State.PENDING, State.CLAIMED, State.SENDING)
# A 4xx for one address is tried this many times in all before the invitee is failed.
MAX_ATTEMPTS = 3
# The longest wait between two tries, in seconds: well under the broker's visibility timeout
# (an hour), after which Redis would deliver a task waiting for its countdown a second time.
MAX_RETRY_DELAY = 900
ERROR_LENGTH = SendJob._meta.get_field("error").max_length


@dataclass(frozen=True)
class SendOutcome:
    """What one call of :func:`send_job_work` did: emails ``sent`` and ``failed`` by it;
    ``again_in``: seconds after which the job needs another call (None: nothing left for
    this caller); ``stopped``: the mail server's error when the job stopped."""

    sent: int = 0
    failed: int = 0
    again_in: float | None = None
    stopped: str = ""


def _claims_expire(job_id: int, now: dt.datetime) -> None:
    """Give back the claims of dead senders: claimed rows to pending; rows that were being
    sent to unknown (one transaction)."""
    cutoff = now - dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)
    with transaction.atomic():
        SendItem.objects.filter(job_id=job_id, state=State.CLAIMED, claimed_at__lt=cutoff).update(
            state=State.PENDING, lease="", claimed_at=None
        )
        SendItem.objects.filter(job_id=job_id, state=State.SENDING, claimed_at__lt=cutoff).update(
            state=State.UNKNOWN,
            error="Its sender stopped while handing it to the mail server: it may have gone out.",
        )


def _claim(job_id: int, lease: str, size: int) -> list[tuple[int, int]]:
    """Claim up to ``size`` pending rows of the job for ``lease``; returns (item, invitation)
    primary keys. Nothing when the job is no longer under way."""
    now = timezone.now()
    with transaction.atomic():
        touched = SendJob.objects.filter(pk=job_id, status__in=UNDER_WAY).update(
            status=Status.RUNNING, active_at=now
        )
        if not touched:
            return []
        rows = list(
            SendItem.objects.select_for_update(skip_locked=True)
            .filter(job_id=job_id, state=State.PENDING)
            .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            .order_by("pk")
            .values_list("pk", "invitation_id")[:size]
        )
        if rows:
            SendItem.objects.filter(pk__in=[pk for pk, _i in rows]).update(
                state=State.CLAIMED, lease=lease, claimed_at=now
            )
    return rows


def _release(item_ids: list[int], lease: str) -> None:
    """Give claimed rows back (nothing had changed for them)."""
    if item_ids:
        SendItem.objects.filter(pk__in=item_ids, lease=lease, state=State.CLAIMED).update(
            state=State.PENDING, lease="", claimed_at=None
        )


def send_job_stop(job_id: int, *, reason: str) -> None:
    """Stop a job: its rows not yet handed to the server fail (their invitees unchanged)."""
    with transaction.atomic():
        SendJob.objects.filter(pk=job_id, status__in=UNDER_WAY).update(
            status=Status.STOPPED, error=reason[:ERROR_LENGTH], finished_at=timezone.now()
        )
        SendItem.objects.filter(job_id=job_id, state__in=[State.PENDING, State.CLAIMED]).update(
            state=State.FAILED, lease="", error=f"Not sent: {reason}"[:ERROR_LENGTH]
        )


def _job_settle(job_id: int) -> float | None:
    """Mark the job done when no row is open; else seconds until a row may be worked again
    (a retry falls due, or another sender's claim would expire). None when done."""
    now = timezone.now()
    with transaction.atomic():
        open_rows = SendItem.objects.filter(job_id=job_id, state__in=OPEN_STATES)
        times = open_rows.aggregate(
            retry=Min("retry_at", filter=Q(state=State.PENDING)),
            claim=Min("claimed_at", filter=~Q(state=State.PENDING)),
            open=Count("pk"),
        )
        if not times["open"]:
            SendJob.objects.filter(pk=job_id, status__in=UNDER_WAY).update(
                status=Status.DONE, finished_at=now
            )
            return None
    waits = [1.0]
    if times["retry"] is not None:
        waits.append((times["retry"] - now).total_seconds())
    if times["claim"] is not None:
        expiry = times["claim"] + dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)
        waits.append((expiry - now).total_seconds() + 1)
    return max(1.0, min(waits[1:] or waits))


def _rate_wait(before_long_wait: Any) -> None:
    """Wait for this email's turn under EMAIL_RATE_PER_MINUTE: one email per 60/rate seconds
    over every sender sharing the cache (each slot is taken with an atomic cache add).
    ``before_long_wait()`` is called before a wait of half a second or more."""
    rate = settings.EMAIL_RATE_PER_MINUTE
    if rate <= 0:
        return
    interval = 60.0 / rate
    while True:
        now = time.time()
        slot = int(now / interval)
        if cache.add(f"email-rate:{rate}:{slot}", 1, timeout=max(2, math.ceil(interval * 2))):
            return
        wait = max(0.001, (slot + 1) * interval - now)
        if wait >= 0.5:
            before_long_wait()
        time.sleep(wait)


class _Error:
    """How a mail server error is handled: RECIPIENT (fails this invitee, 5xx), RETRY_ONE
    (this invitee later, 4xx), SERVER (wait and resume the whole job), FATAL (stop)."""

    RECIPIENT, RETRY_ONE, SERVER, FATAL = "recipient", "retry_one", "server", "fatal"


def _error_kind(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return _Error.RECIPIENT if codes and min(codes) >= 500 else _Error.RETRY_ONE
    if isinstance(
        exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError | smtplib.SMTPHeloError
    ):
        return _Error.FATAL if exc.smtp_code >= 500 else _Error.SERVER
    if isinstance(exc, smtplib.SMTPConnectError):
        return _Error.SERVER
    if isinstance(exc, smtplib.SMTPResponseException):  # SMTPDataError: this message
        return _Error.RECIPIENT if exc.smtp_code >= 500 else _Error.RETRY_ONE
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _Error.FATAL
    return _Error.SERVER  # connection lost or refused, timeouts, anything unexpected


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__


class _Sender:
    """One caller working one job: its lease, its SMTP connection, the round's templates."""

    def __init__(self, job: SendJob) -> None:
        self.job = job
        self.lease = secrets.token_hex(16)
        self.reminder = job.kind == REMINDER
        self.zone = round_zone(job.round)
        # (subject, body, closing time) by language: each invitee's, else the round's.
        self.texts: dict[str, tuple[str, str, str]] = {}
        self.connection: Any = None
        # Rows handed to the server and accepted, marked sent with the next row's step 2 (one
        # commit per email; a crash in between leaves them "sending", later "unknown").
        self.accepted: list[int] = []

    def _confirm(self) -> None:
        """Mark the accepted rows sent (inside the caller's transaction)."""
        if not self.accepted:
            return
        SendItem.objects.filter(
            pk__in=self.accepted, lease=self.lease, state__in=[State.SENDING, State.UNKNOWN]
        ).update(state=State.SENT, error="", previous_token_hash="", retry_at=None)
        self.accepted = []
        if self.job.retries:
            SendJob.objects.filter(pk=self.job.pk).update(retries=0, error="")
            self.job.retries = 0

    def flush(self) -> None:
        """Mark the accepted rows sent now (one transaction)."""
        if self.accepted:
            with transaction.atomic():
                self._confirm()

    def close(self) -> None:
        if self.connection is not None:
            # Closing a broken connection may fail too: nothing more to do with it.
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None

    def texts_in(self, language: str) -> tuple[str, str, str]:
        """The round's subject and body templates and its closing time in ``language``."""
        if language not in self.texts:
            subject, body = round_email_templates(self.job.round, self.job.kind, language)
            with translation.override(language):
                closes = local_time_text(self.job.round.closes_at, self.zone)
            self.texts[language] = (subject, body, closes)
        return self.texts[language]

    def _take(self, item_id: int, invitation_id: int) -> tuple[str, str, str] | None:
        """Claimed -> sending: a fresh token replaces the link (one transaction). Returns
        (address, token, language of the invitee's emails or ""), or None when the row is no
        longer ours or the invitee completed."""
        now = timezone.now()
        with transaction.atomic():
            self._confirm()
            invitation = (
                Invitation.objects.select_for_update()
                .filter(pk=invitation_id)
                .values("email", "used", "token_hash", "last_sent_on", "language")
                .first()
            )
            mine = SendItem.objects.filter(pk=item_id, lease=self.lease, state=State.CLAIMED)
            if invitation is None or invitation["used"] or not invitation["email"]:
                mine.update(state=State.SKIPPED, error="Completed before the email went out.")
                return None
            token = token_create()
            taken = mine.update(
                state=State.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
                previous_token_hash=invitation["token_hash"],
                previous_last_sent_on=invitation["last_sent_on"],
            )
            if not taken:
                return None
            Invitation.objects.filter(pk=invitation_id).update(
                token_hash=token_hash(token),
                last_sent_on=round_today(self.job.round),
                reminders_sent=F("reminders_sent") + (1 if self.reminder else 0),
            )
        return invitation["email"], token, invitation["language"]

    def put_back(self, item_id: int, invitation_id: int, *, state: str, error: str) -> None:
        """The email did not go out: the invitation gets its link and flags back; the row
        goes to ``state`` (failed, or pending to be tried again after a delay)."""
        with transaction.atomic():
            row = (
                SendItem.objects.select_for_update()
                .filter(pk=item_id, lease=self.lease, state__in=[State.SENDING, State.UNKNOWN])
                .values("previous_token_hash", "previous_last_sent_on", "attempts")
                .first()
            )
            if row is None:
                return
            retry_at = None
            if state == State.PENDING:
                delay = settings.EMAIL_RETRY_DELAY * 2 ** max(0, row["attempts"] - 1)
                retry_at = timezone.now() + dt.timedelta(seconds=min(delay, MAX_RETRY_DELAY))
            SendItem.objects.filter(pk=item_id).update(
                state=state,
                lease="",
                error=error[:ERROR_LENGTH],
                retry_at=retry_at,
                previous_token_hash="",
            )
            Invitation.objects.filter(pk=invitation_id).update(
                token_hash=row["previous_token_hash"],
                last_sent_on=row["previous_last_sent_on"],
                reminders_sent=F("reminders_sent") - (1 if self.reminder else 0),
            )

    def send(self, item_id: int, invitation_id: int) -> tuple[str, BaseException | None]:
        """Send one claimed row. Returns ("sent" | "skipped" | "failed" | "retry" | error
        kind SERVER/FATAL, the exception)."""
        _rate_wait(before_long_wait=self.flush)
        taken = self._take(item_id, invitation_id)
        if taken is None:
            return "skipped", None
        email, token, language = taken
        try:
            subject, body, closes = self.texts_in(language or self.job.round.language or "en")
            context = {
                "round_name": self.job.round.name,
                "closes": closes,
                "link": invitation_url(token=token),
            }
            message = EmailMessage(
                subject=email_subject_render(subject, context),
                body=email_render(body, context),
                to=[email],
            )
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            self.connection.send_messages([message])
        except Exception as exc:  # the mail server's answer decides (see _error_kind)
            kind = _error_kind(exc)
            if kind in (_Error.SERVER, _Error.FATAL):
                self.close()
            return kind, exc
        self.accepted.append(item_id)
        return "sent", None


def send_job_work(
    *, job_id: int, deadline: float | None = None, stop_on_error: bool = False
) -> SendOutcome:
    """Send the job's pending emails in batches of EMAIL_BATCH_SIZE until none is left or
    ``deadline`` (a ``time.monotonic()`` value) passes. Several callers may work one job at
    once: each claims its own rows. Claims of dead senders are given back first.

    ``stop_on_error`` (a send in this process): a server error stops the job at once, and a
    4xx for one address fails that invitee. Otherwise (a worker) the job waits and resumes:
    ``again_in`` says when to call again. Never raises for mail server errors.
    """
    job = SendJob.objects.select_related("round").filter(pk=job_id).first()
    if job is None or not job.under_way:
        return SendOutcome()
    _claims_expire(job_id, timezone.now())
    sender = _Sender(job)
    sent = failed = 0
    try:
        while True:
            batch = _claim(job_id, sender.lease, settings.EMAIL_BATCH_SIZE)
            if not batch:
                break
            for index, (item_id, invitation_id) in enumerate(batch):
                if deadline is not None and time.monotonic() >= deadline:
                    _release([pk for pk, _i in batch[index:]], sender.lease)
                    return SendOutcome(sent=sent, failed=failed, again_in=0)
                result, exc = sender.send(item_id, invitation_id)
                if result == "sent":
                    sent += 1
                    continue
                if result == "skipped":
                    continue
                reason = _reason(exc)
                if result == _Error.RECIPIENT or (result == _Error.RETRY_ONE and stop_on_error):
                    sender.put_back(item_id, invitation_id, state=State.FAILED, error=reason)
                    failed += 1
                    continue
                if result == _Error.RETRY_ONE:
                    attempts = SendItem.objects.filter(pk=item_id).values_list(
                        "attempts", flat=True
                    )
                    last = (attempts.first() or 0) >= MAX_ATTEMPTS
                    sender.put_back(
                        item_id,
                        invitation_id,
                        state=State.FAILED if last else State.PENDING,
                        error=reason,
                    )
                    failed += 1 if last else 0
                    continue
                # The server or the connection failed: this row waits, the others go back.
                sender.put_back(item_id, invitation_id, state=State.PENDING, error=reason)
                SendItem.objects.filter(pk=item_id).update(retry_at=None)
                _release([pk for pk, _i in batch[index + 1 :]], sender.lease)
                return _server_failed(job, reason, sent, failed, stop_on_error, result)
    finally:
        sender.flush()
        sender.close()
    again_in = _job_settle(job_id)
    if again_in:
        SendJob.objects.filter(pk=job_id, status__in=UNDER_WAY).update(
            active_at=_next_run(again_in)
        )
    return SendOutcome(sent=sent, failed=failed, again_in=again_in)


def _server_failed(
    job: SendJob, reason: str, sent: int, failed: int, stop_on_error: bool, kind: str
) -> SendOutcome:
    """Stop the job, or count the failure and say when to try again (doubling delays)."""
    retries = job.retries + 1
    if stop_on_error or kind == _Error.FATAL or retries > settings.EMAIL_MAX_RETRIES:
        send_job_stop(job.pk, reason=reason)
        return SendOutcome(sent=sent, failed=failed, stopped=reason)
    delay = min(settings.EMAIL_RETRY_DELAY * 2 ** (retries - 1), MAX_RETRY_DELAY)
    SendJob.objects.filter(pk=job.pk).update(
        retries=retries, error=reason[:ERROR_LENGTH], active_at=_next_run(delay)
    )
    return SendOutcome(sent=sent, failed=failed, again_in=delay)


def _next_run(again_in: float) -> dt.datetime:
    """When the job's next run is due: until then (and EMAIL_CLAIM_TIMEOUT more) a job
    waiting for a retry is not taken for one whose worker died (sending.resume)."""
    return timezone.now() + dt.timedelta(seconds=again_in)
