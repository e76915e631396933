"""Invitation writes: issuing links, adding invitees, emailing invitations and reminders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from survey.emails import INVITATION, REMINDER
from survey.invitees import InviteeListError
from survey.models import Function, Invitation, Level, Side, SurveyRound
from survey.services._common import choice_check
from survey.tokens import token_create, token_hash

MAX_INVITATIONS_PER_BATCH = 10_000
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
# Emails go out as send jobs (survey.services.sending): each invitee of a job is claimed in
# the database before its email is handed to the mail server, so nobody gets two emails from
# one send, even when two senders race or a worker dies. invitations_send and reminders_send
# below send a job in the calling process (the commands, the tests, a site without a worker).


@dataclass(frozen=True)
class InviteesAddResult:
    """What :func:`invitees_add` did: invitations ``added``; ``duplicates`` skipped because
    the address was in the round already or earlier in the same list."""

    added: int
    duplicates: int


@dataclass(frozen=True)
class SendResult:
    """What a send did: emails ``sent``; ``failed``: invitees whose address the mail server
    refused (unchanged, tried again by the next send); for reminders, ``mailed_today``:
    invitees left for another day because they were emailed today already."""

    sent: int
    mailed_today: int = 0
    failed: int = 0


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
    """Map a choice's value and its label in every language of ``settings.LANGUAGES``
    (English "Security", French "Sécurité", …), lower-cased, to the value. Values win over
    labels, and an earlier language's label over a later one's that is spelt the same."""
    lookup = {value.lower(): value for value in choices.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                lookup.setdefault(str(label).lower(), value)
    return lookup


def _field_value(row: Any, name: str) -> str:
    value = row.get(name, "") if isinstance(row, dict) else getattr(row, name, "")
    return str(value or "").strip()


def _language_lookup() -> dict[str, str]:
    """Language code by its code, English name or own name, lower-case ("fr", "french",
    "français" -> "fr"), for ``settings.LANGUAGES``."""
    lookup = {}
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        for key in (code, info["name"], info["name_local"]):
            lookup[key.lower()] = code
    return lookup


def invitees_add(*, round: SurveyRound, rows: Iterable[Any]) -> InviteesAddResult:
    """Add invitees to ``round``, all or nothing: one Invitation per new address.

    ``rows`` are :class:`survey.invitees.InviteeRow` (from ``invitees_read_csv`` or
    ``invitees_read_text``) or dicts with ``email`` and optional ``side``, ``function``,
    ``level`` (a choice's value or its label in any language of ``settings.LANGUAGES``, any
    case), ``language`` (a code or name of
    ``settings.LANGUAGES``: the language of the invitee's emails) and ``line``. Addresses are stored
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
        "language": (_language_lookup(), None),
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
                labels = choices.labels if choices else dict(settings.LANGUAGES)
                allowed = ", ".join(str(label) for label in labels)
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


def invitations_send(*, round: SurveyRound) -> SendResult:
    """Email every invitee of ``round`` who has an address and no email yet their own link,
    in this process, through Django's email framework (``EMAIL_BACKEND``), with the round's
    invitation subject and body (:mod:`survey.emails`). Each gets a fresh token at send time;
    only its hash is stored, so the email holds the only copy of the link. Works for a round
    that has not opened yet (the link says when it opens). A send already under way for the
    round is joined: its invitees are shared, none is emailed twice.

    Raises RoundNotOpenError for a closed round (nothing sent), SendJobUnderWayError when
    reminders are being sent, MailSendError when the mail server fails part-way (the unsent
    are unchanged).
    """
    # survey.services.sending builds on this module (links, results), hence the late import.
    from survey.services.sending import send_in_process

    return send_in_process(round=round, kind=INVITATION)


def reminders_send(*, round: SurveyRound) -> SendResult:
    """Email a reminder, in this process, to every invitee of the open ``round`` who was
    invited, has not completed (``used`` is all the round knows, so no answer is linked to
    anyone), was reminded fewer than ``round.max_reminders`` times and was not emailed today
    (in the round's time zone: a second click the same day sends nothing twice).

    A reminder carries a fresh link that replaces the previous one, which stops working; the
    draft is kept (its handle follows the invitation, not the link), so a respondent who
    started resumes where they left off.

    Raises RoundNotOpenError when the round is not open now, SendJobUnderWayError when
    invitations are being sent, MailSendError when the mail server fails part-way (the
    unsent are unchanged).
    """
    from survey.services.sending import send_in_process

    return send_in_process(round=round, kind=REMINDER)
