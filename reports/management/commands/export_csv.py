"""`export_csv ROUND --kind responses|summary --output FILE`: the same bytes as the download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.exports import KINDS, export_chunks
from survey.models import SurveyRound


class Command(BaseCommand):
    help = "Write a round's responses.csv or summary.csv, byte for byte as the dashboard serves it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="The round's slug.")
        parser.add_argument("--kind", choices=KINDS, required=True)
        parser.add_argument("--output", required=True, help="File to write, or - for stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            survey_round = SurveyRound.objects.select_related("instrument").get(
                slug=options["round"]
            )
        except SurveyRound.DoesNotExist as error:
            raise CommandError(f"No round with slug {options['round']!r}.") from error
        chunks = export_chunks(round=survey_round, kind=options["kind"])
        if options["output"] == "-":
            # Bytes straight to the binary stream when there is one, so nothing is re-encoded.
            binary = getattr(self.stdout, "buffer", None)
            for chunk in chunks:
                if binary is not None:
                    binary.write(chunk)
                else:
                    self.stdout.write(chunk.decode("utf-8"), ending="")
            self.stdout.flush()
            return
        path = Path(options["output"])
        try:
            with path.open("wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
        self.stderr.write(f"Wrote {path}.")
