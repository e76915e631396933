"""`send_reminders`: remind a round's invitees who have not completed (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.management.rounds import round_for_command
from survey.services.invitations import MailSendError, reminders_send
from survey.services.rounds import RoundNotOpenError
from survey.services.sending import SendJobUnderWayError


class Command(BaseCommand):
    help = (
        "Email a reminder with a fresh link to each invitee of the open ROUND who has not "
        "completed, was reminded fewer than the round's maximum and was not emailed today. "
        "Running it more than once a day sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="Round slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        survey_round = round_for_command(options["round"])
        try:
            result = reminders_send(round=survey_round)
        except RoundNotOpenError as exc:
            raise CommandError(
                f"Round {survey_round.slug!r} is not open: reminders go out only while it is."
            ) from exc
        except SendJobUnderWayError as exc:
            raise CommandError(
                f"A send of {exc.job.kind}s is under way for round {survey_round.slug!r}: "
                "nothing was sent; run this again once it has finished."
            ) from exc
        except MailSendError as exc:
            raise CommandError(str(exc)) from exc
        noun = "invitee" if result.sent == 1 else "invitees"
        line = f"Reminded {result.sent} {noun} for round {survey_round.slug}."
        if result.mailed_today:
            line += f" {result.mailed_today} emailed today already: from tomorrow."
        self.stdout.write(line)
