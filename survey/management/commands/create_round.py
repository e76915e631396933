"""`create_round`: open a survey round of the latest loaded version of an instrument."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.models import Instrument
from audit.services import command_line_actor
from survey.attributes import attribute_spec_parse, attribute_translations_missing
from survey.models import language_codes
from survey.services.rounds import instrument_newest, round_create
from survey.zones import zone_or_none

# How messages name a field: by the option that sets it.
OPTIONS = {
    "name": "--name",
    "slug": "--slug",
    "opens_at": "--opens",
    "closes_at": "--closes",
    "timezone": "--timezone",
    "min_group_size": "--min-group-size",
    "profile_attributes": "--attribute",
}


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{OPTIONS.get(field, field)}: {' '.join(msgs)}"
            for field, msgs in error.message_dict.items()
        )
    return " ".join(error.messages)


class Command(BaseCommand):
    help = (
        "Create a survey round of the newest version of an instrument and print its slug. "
        "Dates are ISO 8601; without an offset they are read in --timezone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--instrument",
            help="Instrument slug (default: the instrument loaded last); the round uses its "
            "highest loaded version.",
        )
        parser.add_argument("--name", required=True, help="Round name shown to respondents.")
        parser.add_argument("--slug", help="Round slug (default: made from the name).")
        parser.add_argument("--opens", help="Opening date/time, ISO 8601 (default: now).")
        parser.add_argument("--closes", help="Closing date/time, ISO 8601 (default: never).")
        parser.add_argument("--timezone", default="UTC", help="IANA time zone (default UTC).")
        parser.add_argument(
            "--min-group-size",
            type=int,
            default=settings.FRICTION_DEFAULT_MIN_GROUP_SIZE,
            help="Anonymity threshold k (default %(default)s, at least "
            f"{settings.FRICTION_MIN_GROUP_SIZE_FLOOR}).",
        )
        parser.add_argument(
            "--attribute",
            action="append",
            default=[],
            dest="attributes",
            metavar="NAME=CHOICE,CHOICE",
            help="An extra profile question respondents may answer (repeatable), e.g. "
            '"region=EMEA,Americas,APAC"; NAME:LABEL=... sets the question shown, e.g. '
            '"region:Where do you work?=EMEA,Americas". Answers are optional.',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tz_name = options["timezone"]
        if zone_or_none(tz_name) is None:
            raise CommandError(f"Unknown time zone {tz_name!r}: use an IANA name such as UTC.")

        floor = settings.FRICTION_MIN_GROUP_SIZE_FLOOR
        k = options["min_group_size"]
        if k < floor:
            raise CommandError(
                f"--min-group-size must be at least {floor} to keep small groups anonymous "
                f"(got {k})."
            )

        instrument = instrument_newest(slug=options["instrument"])
        if instrument is None and options["instrument"] is None:
            raise CommandError("No instrument is loaded (run load_instrument first).")
        if instrument is None:
            known = ", ".join(sorted(set(Instrument.objects.values_list("slug", flat=True))))
            raise CommandError(
                f"Unknown instrument {options['instrument']!r}. "
                f"Loaded instruments: {known or 'none (run load_instrument first)'}."
            )

        try:
            attributes = [attribute_spec_parse(spec) for spec in options["attributes"]]
        except ValueError as exc:
            raise CommandError(f"--attribute: {exc}") from exc

        # Wall-clock times stay naive: round_create reads them in the round's zone (refusing
        # a time the clocks skip), as every other way of making a round does.
        opens_at = self._parse_datetime(options["opens"], "--opens")
        closes_at = self._parse_datetime(options["closes"], "--closes")
        try:
            survey_round = round_create(
                instrument=instrument,
                name=options["name"],
                slug=options["slug"],
                opens_at=opens_at,
                closes_at=closes_at,
                timezone=tz_name,
                min_group_size=k,
                profile_attributes=attributes,
                by=command_line_actor(),
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        self.stdout.write(survey_round.slug)
        missing = attribute_translations_missing(
            survey_round.profile_attributes,
            languages=language_codes(),
            original=survey_round.language or settings.LANGUAGE_CODE,
        )
        if missing:
            codes = dict.fromkeys(code for codes in missing.values() for code in codes)
            self.stderr.write(
                f"Note: respondents choosing {', '.join(codes)} read the profile questions "
                f"{', '.join(missing)} as typed: add their translations in the admin "
                "(docs/languages.md)."
            )

    @staticmethod
    def _parse_datetime(value: str | None, option: str) -> dt.datetime | None:
        """Parse an ISO 8601 date or datetime: aware with an offset, else a naive wall clock."""
        if value is None:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise CommandError(
                f"{option}: {value!r} is not an ISO 8601 date or date-time "
                "(for example 2026-03-01 or 2026-03-01T09:00)."
            ) from exc
        return parsed
