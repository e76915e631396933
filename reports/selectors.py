"""Reads of the reports app: the only ORM code in ``reports`` (rounds, dimensions, counts and
the results version). The round's answers, items, attributes and comments are read by
``survey.selectors``; these are the reads the leader pages need beyond them."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import get_language

from assessment.languages import translated
from assessment.models import Dimension, Item
from reports.disclosure import settings_protection
from survey.models import Response, SurveyRound


def round_by_slug(*, slug: str) -> SurveyRound | None:
    """The round called ``slug`` with its instrument, or None. One query."""
    return SurveyRound.objects.select_related("instrument").filter(slug=slug).first()


def rounds_with_counts() -> list[SurveyRound]:
    """Every round with its instrument, newest first, each annotated with
    ``response_count`` (submitted responses). One query. (The model's ordering is not
    applied to an aggregating query, so it is given here.)"""
    return list(
        SurveyRound.objects.select_related("instrument")
        .annotate(response_count=Count("responses"))
        .order_by(*SurveyRound._meta.ordering, "pk")
    )


def dimension_by_code(*, round: SurveyRound, code: str) -> Dimension | None:
    """The scored dimension ``code`` of the round's instrument (code, name, description and
    guidance only, in the active language where the instrument translates them: for
    display, never to be saved), or None; a dimension with no Likert statement (v2's
    ``overall``, which holds the outcome statement) has no page. One query."""
    dimension = (
        Dimension.objects.only("code", "name", "description", "guidance", "translations")
        .filter(instrument_id=round.instrument_id, code=code, items__kind=Item.Kind.LIKERT)
        .distinct()
        .first()
    )
    if dimension is not None:
        dimension.name = dimension.name_in()
        dimension.description = dimension.description_in()
        dimension.guidance = dimension.guidance_in()
    return dimension


def dimension_guidance(*, round: SurveyRound) -> dict[str, str]:
    """``{dimension code: guidance text}`` of the round's instrument, in the active language
    where the instrument translates it. One query."""
    language = get_language()
    return {
        code: translated(texts, language, "guidance", guidance)
        for code, guidance, texts in Dimension.objects.filter(
            instrument_id=round.instrument_id
        ).values_list("code", "guidance", "translations")
    }


def round_results_version(*, round: SurveyRound) -> str:
    """The round's results version: what its responses are (``"f<count>-<max id>"``, one
    query; ``"c<counter>"`` from ``round.results_version`` when the model has that counter,
    no query), followed by the settings of the round that change what may be shown or how:
    its threshold k, its instrument, a digest of its profile questions and one of the
    disclosure method's settings (the cell-key secret and bounds).

    Any insert raises the highest id and any delete lowers the count, so the fingerprint
    changes whenever the round's responses do (an edited answer does not change it: the app
    never edits submitted answers); raising k changes it at once, so no figure computed
    under the old k is served again.
    """
    counter = getattr(round, "results_version", None)
    if counter is not None:
        responses = f"c{int(counter)}"
    else:
        stats = Response.objects.filter(round_id=round.pk).aggregate(n=Count("pk"), last=Max("pk"))
        responses = f"f{stats['n']}-{stats['last'] or 0}"
    declared = json.dumps(round.profile_attributes or [], sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(declared.encode("utf-8")).hexdigest()[:12]
    protection = settings_protection(settings, round.min_group_size)
    method = hashlib.sha256(repr(protection).encode()).hexdigest()[:8]
    return f"{responses}-k{round.min_group_size}-i{round.instrument_id}-p{digest}-x{method}"


def round_sides(*, round: SurveyRound) -> pd.DataFrame:
    """Every submitted response of ``round``: ``response_id`` (int64) and ``side`` (str).
    One query."""
    rows = Response.objects.filter(round_id=round.pk).order_by().values_list("pk", "side")
    return pd.DataFrame(list(rows), columns=["response_id", "side"]).astype(
        {"response_id": "int64", "side": str}
    )


def rounds_response_ids(*, rounds: list[SurveyRound]) -> dict[int, list[int]]:
    """The ids of every round's submitted responses: ``{round_id: [response ids]}`` (rounds
    without a response absent). One query for all ``rounds``."""
    rows = (
        Response.objects.filter(round_id__in=[r.pk for r in rounds])
        .order_by()
        .values_list("round_id", "pk")
    )
    out: dict[int, list[int]] = {}
    for round_id, pk in rows:
        out.setdefault(round_id, []).append(pk)
    return out
