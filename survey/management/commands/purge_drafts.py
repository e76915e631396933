"""`purge_drafts`: empty the unsubmitted drafts of every round that has closed (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from survey.services.rounds import drafts_purge


class Command(BaseCommand):
    help = (
        "Empty what respondents had typed but not submitted in every round whose closing time "
        "has passed. Closing a round from its page does this at once; run this daily (cron) "
        "for rounds that close on their own. Running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = drafts_purge()
        noun = "draft" if purged == 1 else "drafts"
        self.stdout.write(f"Emptied {purged} unsubmitted {noun} of closed rounds.")
