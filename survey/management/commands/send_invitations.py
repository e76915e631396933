"""`send_invitations`: email their links to a round's invitees not emailed yet (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.management.rounds import round_for_command
from survey.services.invitations import MailSendError, invitations_send
from survey.services.rounds import RoundNotOpenError
from survey.services.sending import SendJobUnderWayError


class Command(BaseCommand):
    help = (
        "Email each invitee of ROUND who has an address and has not been emailed yet their own "
        "link, through EMAIL_BACKEND. Safe to run again: only the not yet emailed are sent to."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="Round slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        survey_round = round_for_command(options["round"])
        try:
            result = invitations_send(round=survey_round)
        except RoundNotOpenError as exc:
            raise CommandError(
                f"Round {survey_round.slug!r} is closed: no invitation was sent."
            ) from exc
        except SendJobUnderWayError as exc:
            raise CommandError(
                f"A send of {exc.job.kind}s is under way for round {survey_round.slug!r}: "
                "nothing was sent; run this again once it has finished."
            ) from exc
        except MailSendError as exc:
            raise CommandError(str(exc)) from exc
        noun = "invitation" if result.sent == 1 else "invitations"
        self.stdout.write(f"Sent {result.sent} {noun} for round {survey_round.slug}.")
