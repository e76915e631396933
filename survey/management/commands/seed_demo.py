"""Create the demo: two rounds of synthetic respondents (survey/services/demo.py), the previous
one closed and the current one open, and print an invitation link to answer it yourself."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment.models import Instrument
from survey.models import SurveyRound
from survey.services.demo import (
    DEMO_PREVIOUS_SLUG,
    DEMO_SLUG,
    demo_delete,
    demo_seed,
    demo_seeded,
)
from survey.services.invitations import invitation_url, invitations_issue


class Command(BaseCommand):
    help = (
        "Create the two demo rounds, about 560 synthetic responses (safe to run twice; "
        "--reset replaces them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instrument", default="it-security-collaboration")
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"Delete the rounds {DEMO_PREVIOUS_SLUG!r} and {DEMO_SLUG!r} first.",
        )

    def handle(self, *args, **options):
        instrument = (
            Instrument.objects.filter(slug=options["instrument"]).order_by("-loaded_at").first()
        )
        if instrument is None:
            raise CommandError(
                f"Instrument {options['instrument']!r} is not loaded: run load_instrument first."
            )
        if options["reset"]:
            self.stdout.write(f"Deleted {demo_delete()} demo rounds.")
        seeded = demo_seeded()
        if seeded is None:
            self.stdout.write(
                f"The rounds {DEMO_PREVIOUS_SLUG!r} and {DEMO_SLUG!r} are not the current "
                "demo (an older demo?): not seeded. `manage.py seed_demo --reset` replaces them."
            )
        elif seeded:
            self.stdout.write("The demo rounds already have responses; not seeded again.")
        else:
            created = demo_seed(instrument=instrument, now=timezone.now())
            for slug, count in created.items():
                self.stdout.write(f"Demo round {slug!r}: {count} synthetic responses created.")
        current = SurveyRound.objects.filter(slug=DEMO_SLUG).first()
        if current is not None:
            token = invitations_issue(round=current, count=1)[0]
            self.stdout.write(f"Answer the demo survey yourself: {invitation_url(token=token)}")
