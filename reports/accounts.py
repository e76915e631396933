"""The demo's reader account, ``leader``: created once, in the Leaders group, with a password
that survives restarts unless one is given."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from reports.permissions import LEADERS_GROUP

LEADER_USERNAME = "leader"


@dataclass(frozen=True)
class LeaderAccount:
    """What :func:`leader_ensure` did.

    ``created``: the account is new. ``password``: the new password to print once, or None
    when the password was given (``source == "given"``) or kept (``source == "kept"``);
    ``source == "generated"`` when a random one was set.
    """

    username: str
    created: bool
    password: str | None
    source: str


def leader_ensure(*, password: str = "") -> LeaderAccount:
    """Make sure the ``leader`` account exists, is active and is in the Leaders group.

    ``password``: set it when given (validated by the project's password validators); else
    keep the account's password if it has a usable one, so a restart logs nobody out; else
    set a random one (16 URL-safe characters) and return it. One transaction.

    Raises ``django.core.exceptions.ValidationError`` when the given password is refused.
    """
    user_model = get_user_model()
    if password:
        validate_password(password, user_model(username=LEADER_USERNAME))
    with transaction.atomic():
        user, created = user_model.objects.get_or_create(username=LEADER_USERNAME)
        user.is_active = True
        generated = None
        if password:
            user.set_password(password)
            source = "given"
        elif not created and user.password and user.has_usable_password():
            source = "kept"
        else:
            generated = secrets.token_urlsafe(12)
            user.set_password(generated)
            source = "generated"
        user.save()
        group, _ = Group.objects.get_or_create(name=LEADERS_GROUP)
        user.groups.add(group)
    return LeaderAccount(
        username=LEADER_USERNAME, created=created, password=generated, source=source
    )
