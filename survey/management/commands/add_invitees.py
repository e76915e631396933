"""`add_invitees`: add a round's invitees from a CSV file, with the round page's rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.invitees import InviteeListError, invitees_read_csv
from survey.management.rounds import round_for_command
from survey.services.invitations import invitees_add


class Command(BaseCommand):
    help = (
        "Add invitees to ROUND from FILE.csv: a header row naming the columns (email required; "
        "side, function, level optional), then one invitee per line. All or nothing: a bad "
        "line is named and nothing is added. Addresses already in the round are skipped. "
        "Then send with the round page's Send button or `send_invitations ROUND`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="Round slug.")
        parser.add_argument(
            "file",
            type=Path,
            help="CSV file (UTF-8, UTF-16/32 with a byte-order mark, or Windows-1252).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # No size cap: the command is how lists too large for the page's upload
        # (FRICTION_INVITEE_MAX_BYTES) are added.
        survey_round = round_for_command(options["round"])
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        try:
            result = invitees_add(round=survey_round, rows=invitees_read_csv(content))
        except InviteeListError as exc:
            raise CommandError("\n".join(["Nothing was added.", *exc.problems])) from exc
        noun = "invitee" if result.added == 1 else "invitees"
        line = f"Added {result.added} {noun} to round {survey_round.slug}."
        if result.duplicates:
            line += f" Skipped {result.duplicates} duplicate address(es)."
        self.stdout.write(line)
