"""Invitees and mailboxes for tests: add invitees, read an email's link, a failing server."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from urllib.parse import urlsplit

from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from survey.models import Invitation
from survey.services.invitations import invitees_add

LINK_RE = re.compile(r"https?://\S+/s/([A-Za-z0-9_-]+)/")


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
