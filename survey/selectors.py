"""Reads that feed analysis and exports: one query each, returned as tidy pandas frames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import CharField, Count, QuerySet, Value

from assessment.models import Item
from survey.models import Answer, Invitation, Response, Side, SurveyRound

# Rows fetched from the database cursor per chunk; bounds the Python objects alive at once.
CHUNK_SIZE = 20_000
# Responses whose answers are fetched per query by responses_answers_iter.
ANSWER_CHUNK = 2_000

ITEM_COLUMNS = [
    "item_code",
    "dimension_code",
    "dimension_name",
    "item_text",
    "kind",
    "reverse_scored",
    "mirror_of",
    "order",
]
ANSWER_COLUMNS = ["response_id", "side", "function", "level", "item_code", "value"]
PARTICIPATION_SIDES = [*Side.values, "unassigned"]


def round_items_frame(*, round: SurveyRound) -> pd.DataFrame:
    """Every item of the round's instrument, Likert and text, in instrument order.

    Columns: ``item_code`` (str), ``dimension_code`` (str), ``dimension_name`` (str),
    ``item_text`` (str), ``kind`` (str: ``likert`` | ``text``), ``reverse_scored`` (bool),
    ``mirror_of`` (str item code, or None), ``order`` (int: 0-based position in the
    instrument). Default RangeIndex. One query.
    """
    rows = list(
        Item.objects.filter(dimension__instrument_id=round.instrument_id)
        .order_by("dimension__order", "dimension_id", "order", "pk")
        .values_list(
            "code",
            "dimension__code",
            "dimension__name",
            "text",
            "kind",
            "reverse_scored",
            "mirror_of__code",
        )
    )
    frame = pd.DataFrame(rows, columns=ITEM_COLUMNS[:-1])
    frame["reverse_scored"] = frame["reverse_scored"].astype(bool)
    frame["mirror_of"] = frame["mirror_of"].astype(object).where(frame["mirror_of"].notna(), None)
    frame["order"] = np.arange(len(frame), dtype="int64")
    return frame


def _likert_answers(**rounds: Any) -> QuerySet[Answer]:
    """The Likert answers with a value of the responses matching ``rounds`` (a lookup on
    ``response__round_id``), unordered: the rows of the answers frames."""
    return Answer.objects.filter(
        **rounds, item__kind=Item.Kind.LIKERT, value__isnull=False
    ).order_by()


def round_answers_frame(*, round: SurveyRound) -> pd.DataFrame:
    """Every Likert answer of the round's submitted responses, one row per answer.

    Columns: ``response_id`` (int64), ``side``, ``function``, ``level``, ``item_code``
    (categoricals of str, categories sorted; ``side`` has the categories of
    :class:`survey.models.Side` first, in their order) and ``value`` (int64, raw Likert
    points 1..k as asked, not reverse-coded).
    Comments and blank answers are left out. One query, streamed with ``.iterator()`` and
    assembled column by column in chunks, so millions of answers stay cheap in memory.
    """
    rows = (
        _likert_answers(response__round_id=round.pk)
        .values_list(
            "response_id",
            "response__side",
            "response__function",
            "response__level",
            "item__code",
            "value",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    text_columns = ("side", "function", "level", "item_code")
    ints: dict[str, list[np.ndarray]] = {"response_id": [], "value": []}
    # Strings become category codes chunk by chunk, so no column of str objects piles up.
    categories: dict[str, dict[str, int]] = {name: {} for name in text_columns}
    codes: dict[str, list[np.ndarray]] = {name: [] for name in text_columns}
    while chunk := list(islice(rows, CHUNK_SIZE)):
        response_ids, *texts, values = zip(*chunk, strict=True)
        ints["response_id"].append(np.asarray(response_ids, dtype="int64"))
        ints["value"].append(np.asarray(values, dtype="int64"))
        for name, column in zip(text_columns, texts, strict=True):
            lookup = categories[name]
            for text in set(column).difference(lookup):
                lookup[text] = len(lookup)
            codes[name].append(
                np.fromiter(map(lookup.__getitem__, column), dtype="int32", count=len(column))
            )
    data: dict[str, object] = {
        name: np.concatenate(parts) if parts else np.array([], dtype="int64")
        for name, parts in ints.items()
    }
    for name in text_columns:
        data[name] = pd.Categorical.from_codes(
            np.concatenate(codes[name]) if codes[name] else np.array([], dtype="int32"),
            categories=pd.Index(list(categories[name]), dtype="str"),
        ).reorder_categories(sorted(categories[name]))
    frame = pd.DataFrame(data, columns=ANSWER_COLUMNS)
    frame["side"] = frame["side"].cat.set_categories(
        list(dict.fromkeys([*Side.values, *frame["side"].cat.categories]))
    )
    return frame


def round_participation(*, round: SurveyRound) -> pd.DataFrame:
    """Invitations issued and responses submitted, per side.

    Columns: ``side`` (str: ``it``, ``security``, ``other``, then ``unassigned`` for
    invitations issued without a side), ``invited`` (int64, from ``Invitation.side``),
    ``completed`` (int64, from ``Response.side``; always 0 for ``unassigned``, since a
    respondent picks a side). Always these four rows, in this order. One query (a UNION ALL
    of two grouped counts).
    """
    invited = (
        Invitation.objects.filter(round_id=round.pk)
        .order_by()
        .values("side")
        .annotate(kind=Value("invited", output_field=CharField()), n=Count("pk"))
        .values_list("side", "kind", "n")
    )
    completed = (
        Response.objects.filter(round_id=round.pk)
        .order_by()
        .values("side")
        .annotate(kind=Value("completed", output_field=CharField()), n=Count("pk"))
        .values_list("side", "kind", "n")
    )
    counts = {
        (side or "unassigned", kind): n for side, kind, n in invited.union(completed, all=True)
    }
    return pd.DataFrame(
        {
            "side": PARTICIPATION_SIDES,
            "invited": [counts.get((side, "invited"), 0) for side in PARTICIPATION_SIDES],
            "completed": [counts.get((side, "completed"), 0) for side in PARTICIPATION_SIDES],
        }
    ).astype({"invited": "int64", "completed": "int64"})


@dataclass(frozen=True)
class ResponseRecord:
    """One submitted response as exported: its profile and its answers by item code."""

    side: str
    function: str
    level: str
    submitted_on: dt.date
    answers: dict[str, int | str] = field(default_factory=dict)


def round_responses_iter(*, round: SurveyRound) -> Iterator[ResponseRecord]:
    """Yield every submitted response of the round with all its answers, Likert and text.

    Likert answers map to their raw int value, comments to their text; blank answers are
    left out. Responses come in (submitted_on, side, function, level) order, not submission
    order, and carry no identifier. One query (responses LEFT JOIN answers), streamed.
    """
    rows = (
        Response.objects.filter(round_id=round.pk)
        .order_by("submitted_on", "side", "function", "level", "pk")
        .values_list(
            "pk",
            "side",
            "function",
            "level",
            "submitted_on",
            "answers__item__code",
            "answers__value",
            "answers__text",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for _pk, group in groupby(rows, key=lambda row: row[0]):
        rows_of_response = list(group)
        answers: dict[str, int | str] = {}
        for _, _, _, _, _, code, value, text in rows_of_response:
            if code is None:
                continue
            if value is not None:
                answers[code] = int(value)
            elif text:
                answers[code] = text
        first = rows_of_response[0]
        yield ResponseRecord(
            side=first[1], function=first[2], level=first[3], submitted_on=first[4], answers=answers
        )


# --- Reads across rounds (trends, executive summary, comment pages; issue 8) ---------------

# A trend reads at most this many rounds (the latest ones), so its queries and work stay bounded.
TREND_MAX_ROUNDS = 8
ROUNDS_ANSWER_COLUMNS = ["round_id", *ANSWER_COLUMNS]
ROUNDS_ITEM_COLUMNS = ["instrument_id", *ITEM_COLUMNS[:-1]]


def instrument_rounds(*, round: SurveyRound, limit: int = TREND_MAX_ROUNDS) -> list[SurveyRound]:
    """The rounds comparable with ``round``: every round of an instrument with the same slug
    (any version) that opened no later than ``round``, oldest first, at most ``limit`` (the
    latest ones, ``round`` always included). Instruments come with them. One query.
    """
    rounds = list(
        SurveyRound.objects.select_related("instrument")
        .filter(instrument__slug=round.instrument.slug, opens_at__lte=round.opens_at)
        .exclude(pk=round.pk)
        .order_by("-opens_at", "-pk")[: max(limit - 1, 0)]
    )
    return [*reversed(rounds), round]


def rounds_items_frame(*, rounds: list[SurveyRound]) -> pd.DataFrame:
    """Every item of the instruments of ``rounds`` (each instrument once), instrument order.

    Columns: ``instrument_id`` (int) then the columns of :func:`round_items_frame` except
    ``order``. One query.
    """
    instrument_ids = sorted({r.instrument_id for r in rounds})
    rows = list(
        Item.objects.filter(dimension__instrument_id__in=instrument_ids)
        .order_by("dimension__instrument_id", "dimension__order", "dimension_id", "order", "pk")
        .values_list(
            "dimension__instrument_id",
            "code",
            "dimension__code",
            "dimension__name",
            "text",
            "kind",
            "reverse_scored",
            "mirror_of__code",
        )
    )
    frame = pd.DataFrame(rows, columns=ROUNDS_ITEM_COLUMNS)
    frame["reverse_scored"] = frame["reverse_scored"].astype(bool)
    frame["mirror_of"] = frame["mirror_of"].astype(object).where(frame["mirror_of"].notna(), None)
    return frame


def rounds_answers_frame(*, rounds: list[SurveyRound]) -> pd.DataFrame:
    """Every Likert answer of the submitted responses of ``rounds``, one row per answer.

    Columns: ``round_id`` (int64) then those of :func:`round_answers_frame` (``response_id``
    int64; ``side``, ``function``, ``level``, ``item_code`` str; ``value`` int64 raw Likert
    points). Comments and blank answers are left out. One query, streamed.
    """
    rows = (
        _likert_answers(response__round_id__in=[r.pk for r in rounds])
        .values_list(
            "response__round_id",
            "response_id",
            "response__side",
            "response__function",
            "response__level",
            "item__code",
            "value",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    frame = pd.DataFrame.from_records(rows, columns=ROUNDS_ANSWER_COLUMNS)
    return frame.astype({"round_id": "int64", "response_id": "int64", "value": "int64"})


def rounds_attributes_frame(*, rounds: list[SurveyRound]) -> pd.DataFrame:
    """The imported profile attributes (``Response.attributes``) of the responses of
    ``rounds``, long format: ``response_id`` (int64), ``name`` (str), ``value`` (str, non-blank).

    Responses without attributes have no row. One query.
    """
    rows = (
        Response.objects.filter(round_id__in=[r.pk for r in rounds])
        .order_by()
        .values_list("pk", "attributes")
    )
    records = [
        (pk, str(name), str(value))
        for pk, attributes in rows
        if isinstance(attributes, dict)
        for name, value in attributes.items()
        if value is not None and str(value).strip()
    ]
    frame = pd.DataFrame(records, columns=["response_id", "name", "value"])
    return frame.astype({"response_id": "int64"})


def round_comments_frame(*, round: SurveyRound, dimension_code: str) -> pd.DataFrame:
    """The non-blank comments on the text items of one dimension of ``round``.

    Columns: ``response_id`` (int64: only to count distinct writers, never shown),
    ``item_code`` (str), ``text`` (str). No profile column, unordered. One query.
    """
    rows = (
        Answer.objects.filter(
            response__round_id=round.pk,
            item__dimension__instrument_id=round.instrument_id,
            item__dimension__code=dimension_code,
            item__kind=Item.Kind.TEXT,
        )
        .exclude(text="")
        .order_by()
        .values_list("response_id", "item__code", "text")
    )
    return pd.DataFrame(list(rows), columns=["response_id", "item_code", "text"]).astype(
        {"response_id": "int64"}
    )


# --- Reads of the responses export and the round list ------------------------------------


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


def rounds_side_counts(*, rounds: Sequence[SurveyRound]) -> dict[int, dict[str, int]]:
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
