"""Reads for the reports that survey.selectors does not cover: comments and the rows of the
responses export, each one query returning plain frames or tuples (no identifiers leave)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd
from django.db.models import Count

from assessment.models import Item
from survey.models import Answer, Response, SurveyRound

# Responses whose answers are fetched per query by responses_answers_iter.
ANSWER_CHUNK = 2_000


def dimension_comments_frame(*, round: SurveyRound, dimension_code: str) -> pd.DataFrame:
    """Comments written on the text items of one dimension of ``round``.

    Columns: ``response_id`` (int: only to count distinct respondents; never shown),
    ``item_code`` (str), ``text`` (str, non-blank). No profile column. One query.
    """
    rows = (
        Answer.objects.filter(
            response__round_id=round.pk,
            item__dimension__code=dimension_code,
            item__dimension__instrument_id=round.instrument_id,
        )
        .exclude(item__kind=Item.Kind.LIKERT)
        .exclude(text="")
        .order_by()
        .values_list("response_id", "item__code", "text")
    )
    return pd.DataFrame(list(rows), columns=["response_id", "item_code", "text"])


def responses_profiles_frame(*, round: SurveyRound) -> pd.DataFrame:
    """One row per submitted response of ``round``: its profile and day.

    Columns: ``response_id`` (int, for fetching the answers only), ``side``, ``function``,
    ``level`` (str, "" = not given), ``submitted_on`` (date). Unordered. One query.
    """
    rows = (
        Response.objects.filter(round_id=round.pk)
        .order_by()
        .values_list("pk", "side", "function", "level", "submitted_on")
    )
    return pd.DataFrame(
        list(rows), columns=["response_id", "side", "function", "level", "submitted_on"]
    )


def responses_answers_iter(
    *, response_ids: Sequence[int], item_codes: Sequence[str]
) -> Iterator[dict[str, int | str]]:
    """Yield each response's answers ({item_code: Likert int or comment text}), in the order
    of ``response_ids``; only the items in ``item_codes``; blank answers left out.

    One query per ANSWER_CHUNK responses, so memory stays bounded on a large round.
    """
    wanted = set(item_codes)
    for start in range(0, len(response_ids), ANSWER_CHUNK):
        chunk = list(response_ids[start : start + ANSWER_CHUNK])
        answers: dict[int, dict[str, int | str]] = {pk: {} for pk in chunk}
        rows = (
            Answer.objects.filter(response_id__in=chunk, item__code__in=wanted)
            .order_by()
            .values_list("response_id", "item__code", "value", "text")
        )
        for response_id, code, value, text in rows:
            if value is not None:
                answers[response_id][code] = int(value)
            elif text:
                answers[response_id][code] = text
        for pk in chunk:
            yield answers[pk]


def round_side_counts(*, rounds: Sequence[SurveyRound]) -> dict[int, dict[str, int]]:
    """Submitted responses per round and side: ``{round_id: {side: count}}`` (sides with no
    response are absent). One query for all ``rounds``."""
    rows = (
        Response.objects.filter(round_id__in=[r.pk for r in rounds])
        .order_by()
        .values("round_id", "side")
        .annotate(n=Count("pk"))
        .values_list("round_id", "side", "n")
    )
    counts: dict[int, dict[str, int]] = {}
    for round_id, side, n in rows:
        counts.setdefault(round_id, {})[side] = n
    return counts
