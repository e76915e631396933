"""`import_responses ROUND FILE`: import responses from another survey tool's CSV or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import command_line_actor
from survey.import_mapping import mapping_load
from survey.import_messages import import_column_lines, import_summary_lines
from survey.management.rounds import round_for_command
from survey.services.imports import responses_import
from survey.tables import MAX_HEADER_ROWS, ImportFileError


class Command(BaseCommand):
    help = (
        "Import responses into a round from a CSV (comma, semicolon or tab) or .xlsx file, one "
        "row per respondent; all or nothing. See docs/import-format.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="The round's slug.")
        parser.add_argument("file", help="The CSV or .xlsx file.")
        parser.add_argument(
            "--mapping", help="YAML file mapping column names and values to items and fields."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would be imported; write nothing.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace an earlier import of the same file (same content or same file name).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Refuse the file when a column maps to nothing (instead of ignoring it).",
        )
        parser.add_argument(
            "--header-rows",
            type=int,
            default=1,
            help="Header rows at the top (default 1; SurveyMonkey writes 2, Qualtrics 3).",
        )
        parser.add_argument(
            "--encoding",
            help=(
                "Text encoding of a CSV file: utf-8, cp1252, utf-16, shift_jis, gb18030, cp1251 "
                "or any other Python reads (default: detected; see docs/import-format.md)."
            ),
        )
        parser.add_argument(
            "--attribute",
            action="append",
            default=[],
            dest="attributes",
            metavar="NAME",
            help="A column to keep as an extra profile attribute (repeatable), e.g. region.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        survey_round = round_for_command(options["round"])
        if not 1 <= options["header_rows"] <= MAX_HEADER_ROWS:
            raise CommandError(f"--header-rows must be from 1 to {MAX_HEADER_ROWS}.")
        path = Path(options["file"])
        content = self._read(path, "file")
        mapping = None
        try:
            if options["mapping"]:
                mapping_path = Path(options["mapping"])
                mapping = mapping_load(
                    content=self._read(mapping_path, "mapping file"),
                    source=f"mapping file {mapping_path.name}",
                )
            report = responses_import(
                round=survey_round,
                file=content,
                filename=path.name,
                mapping=mapping,
                dry_run=options["dry_run"],
                replace=options["replace"],
                strict=options["strict"],
                header_rows=options["header_rows"],
                encoding=options["encoding"],
                attributes=options["attributes"],
                by=command_line_actor(),
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        summary = import_summary_lines(report)
        for line in summary:
            self.stdout.write(line)
        if options["dry_run"] or options["verbosity"] >= 2:
            self.stdout.write("Columns:")
            # The summary's warnings may already name the ignored columns: once is enough.
            for line in import_column_lines(report, said=summary):
                self.stdout.write(f"  {line}")

    @staticmethod
    def _read(path: Path, what: str) -> bytes:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"The {what} {path} does not exist.") from None
        except IsADirectoryError:
            raise CommandError(f"The {what} {path} is a directory.") from None
        except OSError as exc:
            raise CommandError(f"Cannot read the {what} {path}: {exc.strerror}.") from None
