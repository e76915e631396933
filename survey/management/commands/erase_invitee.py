"""`erase_invitee EMAIL [--round SLUG]`: erase one person's address on their request."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import command_line_actor
from survey.management.rounds import round_for_command
from survey.services.retention import invitee_erase


class Command(BaseCommand):
    help = (
        "Erase an invitee's e-mail address from the invitations of one round (--round) or of "
        "every round, on their request: the invitations and every count stay, no further "
        "email reaches them, and the audit trail records how many addresses went (never "
        "which). See docs/security.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The address to erase (any case).")
        parser.add_argument("--round", help="Only this round (its slug); default: every round.")

    def handle(self, *args: Any, **options: Any) -> None:
        survey_round = round_for_command(options["round"]) if options["round"] else None
        try:
            erased = invitee_erase(
                email=options["email"], round=survey_round, by=command_line_actor()
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        where = f"round {survey_round.slug}" if survey_round else "any round"
        if not erased:
            self.stdout.write(f"No invitation of {where} holds that address: nothing changed.")
            return
        noun = "invitation" if erased == 1 else "invitations"
        self.stdout.write(
            f"Erased the address from {erased} {noun} of {where}; the invitations and their "
            "counts are kept, and the audit trail records the erasure without the address."
        )
