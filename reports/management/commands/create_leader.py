"""`create_leader`: make sure the `leader` account exists, is in Leaders, and can log in."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.accounts import LeaderAccount, leader_ensure
from reports.permissions import LEADERS_GROUP


class Command(BaseCommand):
    help = (
        "Create or update the user 'leader' in the Leaders group. The password comes from "
        "LEADER_PASSWORD; without it an existing password is kept, and a new account gets "
        "a random password, printed once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            account = leader_ensure(password=os.environ.get("LEADER_PASSWORD", ""))
        except ValidationError as exc:
            raise CommandError("LEADER_PASSWORD is too weak: " + " ".join(exc.messages)) from exc
        verb = "Created" if account.created else "Updated"
        self.stdout.write(f"{verb} user '{account.username}' in the {LEADERS_GROUP} group.")
        first, *more = password_lines(account)
        self.stdout.write(f"Password: {first}")
        for line in more:
            self.stdout.write(f"          {line}")
        self.stdout.write(f"Log in at {settings.SURVEY_BASE_URL}/accounts/login/")


def password_lines(account: LeaderAccount) -> list[str]:
    """Where the leader's password came from, in short lines (the new password itself,
    alone on the first line, when one was generated)."""
    if account.source == "generated":
        return [account.password, "(new: kept for the next start; note it now)"]
    if account.source == "given":
        return ["from LEADER_PASSWORD"]
    return [
        "unchanged since it was printed the first time;",
        "LEADER_PASSWORD=... make run sets a new one",
    ]
