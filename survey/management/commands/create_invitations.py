"""`create_invitations`: issue single-use invitation links for a round, one per line."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from survey.management.rounds import round_for_command
from survey.models import Side
from survey.services.invitations import MAX_INVITATIONS_PER_BATCH, invitation_url, invitations_issue


class Command(BaseCommand):
    help = (
        "Issue invitations to a round and print one absolute link per line (the base URL is "
        "the SURVEY_BASE_URL setting). Links cannot be shown again: keep the output safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="Round slug.")
        parser.add_argument(
            "--count",
            type=int,
            required=True,
            help=f"How many links (1..{MAX_INVITATIONS_PER_BATCH}).",
        )
        parser.add_argument(
            "--side",
            default="",
            help="Prefill the respondent's side: " + " | ".join(Side.values) + ".",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        survey_round = round_for_command(options["round"])
        count = options["count"]
        if not 1 <= count <= MAX_INVITATIONS_PER_BATCH:
            raise CommandError(
                f"--count must be a whole number from 1 to {MAX_INVITATIONS_PER_BATCH}, "
                f"got {count}."
            )
        side = (options["side"] or "").strip().lower()
        if side and side not in Side.values:
            raise CommandError(
                f"Unknown --side {options['side']!r}: expected one of {', '.join(Side.values)}."
            )
        if survey_round.closes_at is not None and survey_round.closes_at <= timezone.now():
            self.stderr.write(
                f"Warning: round {survey_round.slug!r} closed on "
                f"{survey_round.closes_at:%Y-%m-%d %H:%M} UTC; these links will say so."
            )
        try:
            tokens = invitations_issue(round=survey_round, count=count, side=side)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write("\n".join(invitation_url(token=token) for token in tokens))
        # On stderr, so that `> links.txt` still holds only the links.
        noun = "link" if len(tokens) == 1 else "links"
        self.stderr.write(
            f"{len(tokens)} {noun} on {settings.SURVEY_BASE_URL} (the SURVEY_BASE_URL "
            "setting): if respondents reach the server at another address, e.g. after "
            "`PORT=8080 make run`, issue them again with SURVEY_BASE_URL=http://127.0.0.1:8080."
        )
