"""`manage.py load_instrument [PATH]`: validate an instrument file and load it, idempotently."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.models import Item
from assessment.services import (
    DEFAULT_INSTRUMENT_PATH,
    V1_INSTRUMENT_PATH,
    InstrumentError,
    instrument_load,
)


class Command(BaseCommand):
    help = (
        "Validate an instrument YAML file and load it into the database. Loading the same "
        "file twice changes nothing; a version that already has answers cannot be changed, "
        "except for its translations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=None,
            help=(
                f"Instrument file to load (default: {DEFAULT_INSTRUMENT_PATH.name}, the newest "
                f"version; version 1 is {V1_INSTRUMENT_PATH.name})."
            ),
        )

    def handle(self, *args: Any, path: str | None = None, **options: Any) -> None:
        try:
            result = instrument_load(path=path)
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        instrument = result.instrument
        name = f"instrument {instrument.slug} version {instrument.version}"
        if result.created:
            dimensions = instrument.dimensions.count()
            items = Item.objects.filter(dimension__instrument=instrument).count()
            self.stdout.write(
                self.style.SUCCESS(f"Created {name}: {dimensions} dimensions, {items} items.")
            )
        elif result.translations_only:
            languages = ", ".join(sorted(instrument.translations)) or "none"
            self.stdout.write(
                self.style.SUCCESS(f"Updated the translations of {name} ({languages}).")
            )
        elif result.changed:
            self.stdout.write(self.style.SUCCESS(f"Updated {name} in place (no answers yet)."))
        else:
            self.stdout.write(f"Unchanged: {name} is already loaded.")
