"""Invitation writes: issuing links, adding invitees, emailing invitations and reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from survey.emails import (
    INVITATION,
    REMINDER,
    email_render,
    email_subject_render,
    round_email_templates,
)
from survey.invitees import InviteeListError
from survey.models import Function, Invitation, Level, Side, SurveyRound
from survey.services._common import choice_check
from survey.services.rounds import RoundNotOpenError
from survey.tokens import token_create, token_hash
from survey.zones import local_time_text, round_today, round_zone

MAX_INVITATIONS_PER_BATCH = 10_000
SEND_BATCH_SIZE = 100
EMAIL_MAX_LENGTH = Invitation._meta.get_field("email").max_length


def invitations_issue(
    *,
    round: SurveyRound,
    count: int,
    side: str = "",
    function: str = "",
    level: str = "",
) -> list[str]:
    """Create ``count`` (1..10000) single-use invitations to ``round`` and return their plain
    tokens, in one transaction with one bulk insert. Only SHA-256 hashes are stored, so the
    tokens returned here can never be recovered later. ``side``/``function``/``level``, when
    given, prefill the respondent's profile.

    Raises django ``ValidationError`` for a bad count or an unknown side, function or level.
    """
    errors: dict[str, Any] = {}
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 1 <= count <= MAX_INVITATIONS_PER_BATCH
    ):
        errors["count"] = _("The count must be a whole number from 1 to %(max)d.") % {
            "max": MAX_INVITATIONS_PER_BATCH
        }
    for field, value, choices in (
        ("side", side, Side),
        ("function", function, Function),
        ("level", level, Level),
    ):
        try:
            choice_check(value=value, choices=choices, label=field)
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)

    tokens = [token_create() for _n in range(count)]
    invitations = [
        Invitation(
            round=round,
            token_hash=token_hash(token),
            side=side or "",
            function=function or "",
            level=level or "",
        )
        for token in tokens
    ]
    with transaction.atomic():
        Invitation.objects.bulk_create(invitations, batch_size=1000)
    return tokens


def invitation_url(*, token: str) -> str:
    """Return the absolute link for ``token``: ``settings.SURVEY_BASE_URL`` + the welcome path."""
    base = settings.SURVEY_BASE_URL.rstrip("/")
    return f"{base}{reverse('survey:welcome', kwargs={'token': token})}"


# --- invitees and their emails (issue 8) ----------------------------------------------------
#
# Sending mail cannot share a transaction with the database, so each batch of emails runs
# claim -> send -> undo-on-failure:
#   1. claim (one transaction, rows locked): each invitation of the batch gets a fresh token,
#      whose hash replaces the old one, and its flags (last_sent_on, reminders_sent) are set;
#   2. commit, then send the batch's messages one by one over one connection;
#   3. if the mail server fails on a message, that message and the rest of the batch get their
#      old hash and flags back (one transaction) and MailSendError says how many went out.
# So an SMTP failure halfway leaves every unsent invitee exactly as before (a reminder's old
# link still works) and running the command again sends only to them. Concurrent senders
# cannot mail the same invitee twice, because the claim locks and changes the rows first.
# A crash between claim and send (the process dies) leaves those invitees marked as mailed
# with a link nobody has; the next reminder reaches them with a fresh link.


@dataclass(frozen=True)
class InviteesAddResult:
    """What :func:`invitees_add` did: invitations ``added``; ``duplicates`` skipped because
    the address was in the round already or earlier in the same list."""

    added: int
    duplicates: int


@dataclass(frozen=True)
class SendResult:
    """What a send did: emails ``sent``; for reminders, ``mailed_today``: invitees left for
    another day because they were emailed today already."""

    sent: int
    mailed_today: int = 0


class MailSendError(Exception):
    """The mail server failed part-way: ``sent`` emails went out, ``unsent`` invitees are
    unchanged and will be sent to by the next run; ``reason`` is the server's error."""

    def __init__(self, *, sent: int, unsent: int, reason: str) -> None:
        self.sent = sent
        self.unsent = unsent
        self.reason = reason
        super().__init__(
            f"Sending stopped after {sent} email(s): {reason}. {unsent} invitee(s) were not "
            "emailed and are unchanged; send again to reach them."
        )


def _choice_lookup(choices: type) -> dict[str, str]:
    """Map a choice's value and its label, lower-cased, to the value."""
    lookup = {str(label).lower(): value for value, label in choices.choices}
    lookup.update({value.lower(): value for value in choices.values})
    return lookup


def _field_value(row: Any, name: str) -> str:
    value = row.get(name, "") if isinstance(row, dict) else getattr(row, name, "")
    return str(value or "").strip()


def invitees_add(*, round: SurveyRound, rows: Iterable[Any]) -> InviteesAddResult:
    """Add invitees to ``round``, all or nothing: one Invitation per new address.

    ``rows`` are :class:`survey.invitees.InviteeRow` (from ``invitees_read_csv`` or
    ``invitees_read_text``) or dicts with ``email`` and optional ``side``, ``function``,
    ``level`` (a choice's value or label, any case) and ``line``. Addresses are stored
    lower-case; one already in the round, or repeated in the list, is skipped and counted as
    a duplicate. Each invitation gets a placeholder token hash: its link exists only once
    :func:`invitations_send` mails it.

    Raises :class:`survey.invitees.InviteeListError` naming the line of every bad address or
    value (nothing is written), or when the list holds more than MAX_INVITATIONS_PER_BATCH.
    """
    lookups = {
        "side": (_choice_lookup(Side), Side),
        "function": (_choice_lookup(Function), Function),
        "level": (_choice_lookup(Level), Level),
    }
    problems: list[str] = []
    cleaned: dict[str, dict[str, str]] = {}
    duplicates = 0
    count = 0
    for n, row in enumerate(rows, start=1):
        count += 1
        line = getattr(row, "line", None) or (row.get("line") if isinstance(row, dict) else None)
        where = f"Line {line or n}"
        email = _field_value(row, "email").lower()
        if not email:
            problems.append(f"{where}: no email address.")
            continue
        try:
            validate_email(email)
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(f"{where}: {email!r} is not a valid email address.")
            continue
        profile = {}
        for name, (lookup, choices) in lookups.items():
            typed = _field_value(row, name)
            value = lookup.get(typed.lower(), None) if typed else ""
            if value is None:
                allowed = ", ".join(str(label) for label in choices.labels)
                problems.append(f"{where}: unknown {name} {typed!r}; expected one of {allowed}.")
            profile[name] = value or ""
        if email in cleaned:
            duplicates += 1
        else:
            cleaned[email] = profile
    if count > MAX_INVITATIONS_PER_BATCH:
        raise InviteeListError(
            [f"The list has {count} invitees; at most {MAX_INVITATIONS_PER_BATCH} at once."]
        )
    if problems:
        raise InviteeListError(problems)
    with transaction.atomic():
        # One writer per round at a time, so the duplicate check and the insert agree.
        SurveyRound.objects.select_for_update().filter(pk=round.pk).values_list("pk").first()
        existing = set(
            Invitation.objects.filter(round=round)
            .exclude(email="")
            .values_list("email", flat=True)
            .iterator()
        )
        new = [
            Invitation(
                round=round,
                # Nobody holds this token: the link is made when the invitation is mailed.
                token_hash=token_hash(token_create()),
                email=email,
                **profile,
            )
            for email, profile in cleaned.items()
            if email not in existing
        ]
        Invitation.objects.bulk_create(new, batch_size=1000)
    return InviteesAddResult(added=len(new), duplicates=duplicates + len(cleaned) - len(new))


def _round_is_closed(survey_round: SurveyRound) -> bool:
    closes_at = survey_round.closes_at
    return closes_at is not None and closes_at <= dj_timezone.now()


def _email_send_batches(
    *, survey_round: SurveyRound, kind: str, pending: Any, today: dt.date
) -> int:
    """Claim, mail and (on failure) restore ``pending`` invitations in batches; see the
    comment at the top of this section. Returns how many emails were sent."""
    subject_template, body_template = round_email_templates(survey_round, kind)
    base_context = {
        "round_name": survey_round.name,
        "closes": local_time_text(survey_round.closes_at, round_zone(survey_round)),
    }
    reminder = kind == REMINDER
    sent = 0
    last_pk = 0
    if not pending.exists():  # nothing to send: no need for the mail server
        return 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # the mail server cannot be reached: nothing was claimed
        raise MailSendError(
            sent=0, unsent=pending.count(), reason=str(exc) or type(exc).__name__
        ) from exc
    with connection:
        while True:
            with transaction.atomic():
                claimed = list(
                    pending.filter(pk__gt=last_pk)
                    .select_for_update()
                    .order_by("pk")
                    .values_list("pk", "email", "token_hash", "last_sent_on", "reminders_sent")[
                        :SEND_BATCH_SIZE
                    ]
                )
                if not claimed:
                    return sent
                tokens = [token_create() for _row in claimed]
                Invitation.objects.bulk_update(
                    [
                        Invitation(
                            pk=pk,
                            token_hash=token_hash(token),
                            last_sent_on=today,
                            reminders_sent=reminders + (1 if reminder else 0),
                        )
                        for (pk, _email, _hash, _on, reminders), token in zip(
                            claimed, tokens, strict=True
                        )
                    ],
                    ["token_hash", "last_sent_on", "reminders_sent"],
                )
            last_pk = claimed[-1][0]
            for index, ((_pk, email, *_old), token) in enumerate(zip(claimed, tokens, strict=True)):
                context = {**base_context, "link": invitation_url(token=token)}
                message = EmailMessage(
                    subject=email_subject_render(subject_template, context),
                    body=email_render(body_template, context),
                    to=[email],
                )
                try:
                    connection.send_messages([message])
                except Exception as exc:  # SMTP, network, bad header: put the rest back
                    _email_claims_restore(claimed[index:])
                    raise MailSendError(
                        sent=sent, unsent=pending.count(), reason=str(exc) or type(exc).__name__
                    ) from exc
                sent += 1


def _email_claims_restore(rows: list[tuple]) -> None:
    """Give claimed invitations back their old token hash and flags (one transaction)."""
    with transaction.atomic():
        Invitation.objects.bulk_update(
            [
                Invitation(pk=pk, token_hash=old_hash, last_sent_on=on, reminders_sent=reminders)
                for pk, _email, old_hash, on, reminders in rows
            ],
            ["token_hash", "last_sent_on", "reminders_sent"],
        )


def invitations_send(*, round: SurveyRound) -> SendResult:
    """Email every invitee of ``round`` who has an address and no email yet their own link,
    through Django's email framework (``EMAIL_BACKEND``), with the round's invitation
    subject and body (:mod:`survey.emails`). Each gets a fresh token at send time; only its
    hash is stored, so the email holds the only copy of the link. Works for a round that has
    not opened yet (the link says when it opens).

    Raises RoundNotOpenError for a closed round (nothing sent), MailSendError when the mail
    server fails part-way (see the comment above: the unsent are unchanged).
    """
    if _round_is_closed(round):
        raise RoundNotOpenError(round.slug)
    pending = Invitation.objects.filter(round=round, used=False, last_sent_on__isnull=True).exclude(
        email=""
    )
    today = round_today(round)
    return SendResult(
        sent=_email_send_batches(survey_round=round, kind=INVITATION, pending=pending, today=today)
    )


def reminders_send(*, round: SurveyRound) -> SendResult:
    """Email a reminder to every invitee of the open ``round`` who was invited, has not
    completed (``used`` is all the round knows, so no answer is linked to anyone), was
    reminded fewer than ``round.max_reminders`` times and was not emailed today (in the
    round's time zone: a second click the same day sends nothing twice).

    A reminder carries a fresh link that replaces the previous one, which stops working; the
    draft is kept (its handle follows the invitation, not the link), so a respondent who
    started resumes where they left off.

    Raises RoundNotOpenError when the round is not open now, MailSendError when the mail
    server fails part-way (the unsent are unchanged).
    """
    if not round.is_open():
        raise RoundNotOpenError(round.slug)
    today = round_today(round)
    due = Invitation.objects.filter(
        round=round,
        used=False,
        last_sent_on__isnull=False,
        reminders_sent__lt=round.max_reminders,
    ).exclude(email="")
    pending = due.filter(last_sent_on__lt=today)
    mailed_today = due.filter(last_sent_on__gte=today).count()
    sent = _email_send_batches(survey_round=round, kind=REMINDER, pending=pending, today=today)
    return SendResult(sent=sent, mailed_today=mailed_today)
