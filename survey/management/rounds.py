"""The round a management command names by slug, or a CommandError saying it is unknown."""

from __future__ import annotations

from django.core.management.base import CommandError

from survey.models import SurveyRound


def round_for_command(slug: str) -> SurveyRound:
    """The round with ``slug`` (its instrument fetched with it).

    Raises CommandError("Unknown round 'slug'.") when there is none.
    """
    survey_round = SurveyRound.objects.select_related("instrument").filter(slug=slug).first()
    if survey_round is None:
        raise CommandError(f"Unknown round {slug!r}.")
    return survey_round
