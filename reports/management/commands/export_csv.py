"""`export_csv ROUND --kind responses|summary|gaps|dont_know|perceptions|mirror_pairs
--output FILE`: the download's bytes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import command_line_actor, export_downloaded
from reports.choices import round_choices
from reports.downloads import round_export
from reports.exports import KINDS
from reports.forms import ComparisonForm
from reports.vocabulary import DEFAULT_COMPARISON
from survey.management.rounds import round_for_command


class Command(BaseCommand):
    help = (
        "Write a round's responses.csv, summary.csv, gaps.csv, dont_know.csv, perceptions.csv "
        "or mirror_pairs.csv, byte for byte as the dashboard serves it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="The round's slug.")
        parser.add_argument("--kind", choices=KINDS, required=True)
        parser.add_argument("--output", required=True, help="File to write, or - for stdout.")
        parser.add_argument(
            "--attribute",
            default=DEFAULT_COMPARISON.attribute,
            help=(
                "gaps only: the profile attribute to compare by: side, level, function or one "
                "of the round's own attributes (e.g. region)."
            ),
        )
        parser.add_argument(
            "--group-a",
            default=DEFAULT_COMPARISON.label_a,
            help='gaps only: group A, a value or values joined by "+" (e.g. executive+manager).',
        )
        parser.add_argument(
            "--group-b", default=DEFAULT_COMPARISON.label_b, help="gaps only: group B."
        )
        parser.add_argument(
            "--no-bom",
            action="store_true",
            help="Plain UTF-8, without the byte-order mark spreadsheet programs need.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        survey_round = round_for_command(options["round"])
        chosen = {
            name: options[key]
            for name, key, default in (
                ("--attribute", "attribute", DEFAULT_COMPARISON.attribute),
                ("--group-a", "group_a", DEFAULT_COMPARISON.label_a),
                ("--group-b", "group_b", DEFAULT_COMPARISON.label_b),
            )
            if options[key] != default
        }
        if chosen and options["kind"] not in ("gaps", "dont_know"):
            raise CommandError(
                f"{', '.join(chosen)}: a comparison applies to --kind gaps and dont_know only; "
                f"{options['kind']}.csv covers the whole round."
            )
        form = ComparisonForm(
            {"attribute": options["attribute"], "a": options["group_a"], "b": options["group_b"]},
            attributes=round_choices(round=survey_round).attributes,
        )
        comparison, problems = form.comparison()
        if problems:
            raise CommandError(" ".join(problems))
        compared = (
            {"comparison": comparison.described} if options["kind"] in ("gaps", "dont_know") else {}
        )
        export_downloaded(
            by=command_line_actor(), round=survey_round, kind=options["kind"], detail=compared
        )
        chunks = round_export(
            round=survey_round,
            kind=options["kind"],
            comparison=comparison,
            bom=not options["no_bom"],
        )
        if options["output"] == "-":
            # Bytes straight to the binary stream when there is one, so nothing is re-encoded.
            binary = getattr(self.stdout, "buffer", None)
            try:
                for chunk in chunks:
                    if binary is not None:
                        binary.write(chunk)
                    else:
                        self.stdout.write(chunk.decode("utf-8"), ending="")
                self.stdout.flush()
            except BrokenPipeError:
                # The reader stopped early (`| head`): not an error of ours. Point the process's
                # stdout at /dev/null so the interpreter's last flush prints no traceback.
                if getattr(self.stdout, "_out", None) is sys.stdout:
                    _stdout_to_devnull()
            return
        path = Path(options["output"])
        try:
            with path.open("wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
        self.stderr.write(f"Wrote {path}.")


def _stdout_to_devnull() -> None:
    """After a broken pipe, send what is left of stdout to /dev/null (the recipe of the
    Python documentation, "Note on SIGPIPE"); a stream without a file descriptor (a test's
    StringIO) is left as it is."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
