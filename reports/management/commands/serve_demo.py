"""`serve_demo`: what `make run` does after migrating. Load the default instrument, seed the
demo rounds once, make sure the `leader` account exists, then serve, ending the output with
a framed block that says where to click."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.management.commands.runserver import Command as RunserverCommand
from django.urls import reverse
from django.utils import timezone

from assessment.services import InstrumentError, instrument_load
from reports.accounts import leader_ensure
from reports.management.commands.create_leader import password_lines
from survey.models import SurveyRound
from survey.services.demo import DEMO_SLUG, demo_seed, demo_seeded
from survey.services.invitations import invitation_url, invitations_issue


def framed(lines: list[str]) -> str:
    """``lines`` in an ASCII frame as wide as the longest one (plain ASCII, so every
    terminal and log shows it)."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


class Command(RunserverCommand):
    help = (
        "Load the instrument, seed the demo once, ensure the 'leader' account, and serve "
        "without the reloader; prints where to click. Takes runserver's [addrport]."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.banner = self._prepare()
        options["use_reloader"] = False
        super().handle(*args, **options)

    def _prepare(self) -> str:
        try:
            instrument = instrument_load(path=None).instrument
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        notes = []
        seeded = demo_seeded()
        if seeded is None:
            notes.append("The demo rounds are an older demo: `manage.py seed_demo --reset`")
            notes.append("replaces them with the current one.")
        elif not seeded:
            demo_seed(instrument=instrument, now=timezone.now())
        try:
            account = leader_ensure(password=os.environ.get("LEADER_PASSWORD", ""))
        except ValidationError as exc:
            raise CommandError("LEADER_PASSWORD is too weak: " + " ".join(exc.messages)) from exc
        base = settings.SURVEY_BASE_URL
        lines = ["The demo is ready.", ""]
        current = SurveyRound.objects.filter(slug=DEMO_SLUG).first()
        if current is not None:
            link = invitation_url(token=invitations_issue(round=current, count=1)[0])
            lines += ["Answer the survey:", f"  {link}", ""]
            page = reverse("reports:dashboard", args=[DEMO_SLUG])
        else:
            page = reverse("reports:round_list")
        lines += ["Dashboard (log in with the user name and password below):", f"  {base}{page}"]
        first, *more = password_lines(account)
        lines += ["", f"User name: {account.username}", f"Password:  {first}"]
        lines += [f"           {line}" for line in more]
        return framed([*lines, *(["", *notes] if notes else []), "", "Ctrl+C stops the server."])

    def on_bind(self, server_port: int) -> None:
        self.stdout.write(self.banner)
