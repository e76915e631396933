"""Writing the audit trail: one function records an entry; helpers name the actor.

Callers pass what was done and by whom; nothing here reads a request, a path or a form,
so a token in a URL or an answer cannot reach the trail by accident. Call these inside the
transaction of the write they record, so the two stand or fall together.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from audit.models import Entry

COMMAND_LINE = "command line"
SCHEDULED_TASK = "scheduled task"
NAME_LENGTH = Entry._meta.get_field("actor_name").max_length

# Who did it: an account, a name for what has none (the command line, a scheduled task),
# or None for the system.
Actor = AbstractBaseUser | AnonymousUser | str | None


def command_line_actor() -> str:
    """The actor of a management command: "command line (<OS user>)", or "command line"
    when the operating system does not say who runs it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no login name, no passwd entry (containers)
        return COMMAND_LINE
    return f"{COMMAND_LINE} ({user})"[:NAME_LENGTH]


def _actor(by: Actor) -> tuple[AbstractBaseUser | None, str]:
    """(account or None, name shown) for ``by``: an anonymous user is nobody."""
    if by is None or isinstance(by, AnonymousUser):
        return None, ""
    if isinstance(by, str):
        return None, by[:NAME_LENGTH]
    if not by.is_authenticated:
        return None, ""
    return by, by.get_username()[:NAME_LENGTH]


def entry_new(
    *,
    action: str,
    by: Actor,
    round: models.Model | None = None,
    subject: str = "",
    detail: dict[str, Any] | None = None,
    round_name: str = "",
) -> Entry:
    """An unsaved entry (for :func:`entries_record`); arguments as :func:`entry_record`."""
    user, name = _actor(by)
    if round is not None:
        round_name = str(getattr(round, "name", "") or "")
    return Entry(
        action=action,
        actor=user,
        actor_name=name,
        round=round,
        round_name=round_name[:200],
        subject=str(subject)[:255],
        detail=detail or {},
    )


def entry_record(
    *,
    action: str,
    by: Actor,
    round: models.Model | None = None,
    subject: str = "",
    detail: dict[str, Any] | None = None,
    round_name: str = "",
) -> Entry:
    """Record that ``by`` did ``action`` (an :class:`audit.models.Entry.Action`) now.

    ``round``: the survey round acted on, if any (its name is kept beside it; give
    ``round_name`` alone for a round that is gone); ``subject``:
    what was acted on, cut to 255 characters (a page, a file name, a field); ``detail``:
    JSON-ready numbers and settings. Never pass an answer, a comment, a token, a URL or an
    invitee's address. One INSERT; returns the entry.
    """
    entry = entry_new(
        action=action,
        by=by,
        round=round,
        subject=subject,
        detail=detail,
        round_name=round_name,
    )
    entry.save()
    return entry


def entries_record(entries: Iterable[Entry]) -> list[Entry]:
    """Save entries made by :func:`entry_new` in one INSERT."""
    return Entry.objects.bulk_create(list(entries))


def report_viewed(*, by: Actor, round: models.Model, page: str) -> Entry:
    """Record that ``by`` opened the report ``page`` of ``round`` (e.g. "dashboard",
    "dimension a")."""
    return entry_record(action=Entry.Action.REPORT_VIEWED, by=by, round=round, subject=page)


def export_downloaded(
    *, by: Actor, round: models.Model, kind: str, detail: dict[str, Any] | None = None
) -> Entry:
    """Record that ``by`` downloaded ``<kind>.csv`` of ``round`` (the page's link or the
    ``export_csv`` command); ``detail`` e.g. the comparison of gaps.csv."""
    return entry_record(
        action=Entry.Action.EXPORT_DOWNLOADED,
        by=by,
        round=round,
        subject=f"{kind}.csv",
        detail=detail,
    )
