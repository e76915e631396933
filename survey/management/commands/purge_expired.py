"""`purge_expired [--dry-run]`: remove what has outlived its round (run daily; the task
``retention.purge_expired`` does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.services import command_line_actor
from survey.services.retention import PurgeReport, expired_purge


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def purge_lines(report: PurgeReport) -> list[str]:
    """What the purge did (or would do, in a dry run), one sentence per kind."""
    empty, remove, delete = (
        ("Would empty", "Would remove", "Would delete")
        if report.dry_run
        else ("Emptied", "Removed", "Deleted")
    )
    days = report.days
    lines = ["Dry run: nothing was changed."] if report.dry_run else []
    return [
        *lines,
        f"{empty} {_plural(report.drafts, 'unsubmitted draft', 'unsubmitted drafts')} of "
        "closed rounds.",
        f"{remove} {_plural(report.addresses, 'invitee address', 'invitee addresses')} of "
        f"rounds closed more than {days} days ago (the invitations and their counts stay).",
        f"{delete} {_plural(report.entries, 'audit entry', 'audit entries')} older than "
        f"{days} days (of rounds closed more than {days} days ago, or of no round).",
    ]


class Command(BaseCommand):
    help = (
        "Remove what is kept only for a while: unsubmitted drafts of closed rounds, and "
        "RETENTION_DAYS after a round closed its invitee addresses (the invitations and every "
        "count stay) and audit entries; audit entries of no round (sign-ins) RETENTION_DAYS "
        "after they were written. Run it daily. Running it again removes nothing more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = expired_purge(dry_run=options["dry_run"], by=command_line_actor())
        for line in purge_lines(report):
            self.stdout.write(line)
