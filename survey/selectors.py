"""Reads that feed analysis and exports: one query each, returned as tidy pandas frames."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import get_language

from assessment.languages import translated
from assessment.models import Item
from survey.frames import items_frame
from survey.models import Answer, Invitation, Response, Side, SurveyRound

# Rows fetched from the database cursor per chunk; bounds the Python objects alive at once.
CHUNK_SIZE = 20_000

ANSWER_COLUMNS = ["response_id", "side", "function", "level", "item_code", "value"]
# Columns after ``value`` in the answers frame of one round (instrument v2; also for v1).
ANSWER_EXTRA_COLUMNS = ["dont_know", "predicted_other"]
# The items whose answers are on the scale: scored statements and the outcome statement.
SCALE_KINDS = (Item.Kind.LIKERT, Item.Kind.OUTCOME)


def _item_rows(instrument_ids: Sequence[int]) -> list[tuple]:
    """``(instrument_id, *the row survey.frames.items_frame takes)`` for every item of the
    instruments, instrument by instrument, each in instrument order; dimension names and item
    texts in the active language (English where the instrument has no translation). One
    query."""
    language = get_language()
    rows = (
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
            "about",
            "meta_perception",
            "dimension__translations",
            "translations",
        )
    )
    return [
        (
            instrument_id,
            code,
            dimension_code,
            translated(dimension_texts, language, "name", dimension_name),
            translated(item_texts, language, "text", text),
            *rest,
        )
        for (
            instrument_id,
            code,
            dimension_code,
            dimension_name,
            text,
            *rest,
            dimension_texts,
            item_texts,
        ) in rows
    ]


def round_items_frame(*, round: SurveyRound) -> pd.DataFrame:
    """Every item of the round's instrument, Likert, outcome and text, in instrument order.

    Columns: ``item_code`` (str), ``dimension_code`` (str), ``dimension_name`` (str),
    ``item_text`` (str), ``kind`` (str: ``likert`` | ``outcome`` | ``text``),
    ``reverse_scored`` (bool), ``mirror_of`` (str item code, or None), ``about`` (str:
    ``it`` | ``security`` | ""), ``meta_perception`` (bool), ``order`` (int: 0-based
    position in the instrument), as :func:`survey.frames.items_frame` shapes them. Default
    RangeIndex. One query.
    """
    return items_frame(row[1:] for row in _item_rows([round.instrument_id]))


def _likert_answers(**rounds: Any) -> QuerySet[Answer]:
    """The Likert answers with a value of the responses matching ``rounds`` (a lookup on
    ``response__round_id``), unordered: the rows of the answers frames."""
    return Answer.objects.filter(
        **rounds, item__kind=Item.Kind.LIKERT, value__isnull=False
    ).order_by()


def _profile_codes(values: Sequence[str], *, first: Sequence[str] = ()) -> pd.Categorical:
    """``values`` (one per response) as a categorical of str: ``first`` categories in their
    order, then the others sorted."""
    present = sorted(set(values).difference(first))
    return pd.Categorical(values, categories=pd.Index([*first, *present], dtype="str"))


def round_answers_sql(*, round: SurveyRound, item_ids: Sequence[int]) -> tuple[str, tuple]:
    """The SQL and parameters of the answer rows :func:`round_answers_frame` reads: one row
    per answer with a value or "don't know" to an item of ``item_ids``: ``(response_id,
    item_id, value, dont_know, predicted_other)``, five integers (value and predicted_other
    0 where blank, dont_know 0 or 1), unordered. The benchmark's floor runs the same
    statement."""
    return (
        Answer.objects.filter(response__round_id=round.pk, item_id__in=item_ids)
        .filter(Q(value__isnull=False) | Q(dont_know=True))
        .order_by()
        .values_list(
            "response_id",
            "item_id",
            Coalesce("value", Value(0)),
            Cast("dont_know", IntegerField()),
            Coalesce("predicted_other", Value(0)),
        )
        .query.sql_with_params()
    )


def round_answers_frame(*, round: SurveyRound, attributes: Sequence[str] = ()) -> pd.DataFrame:
    """Every answer on the scale (Likert and outcome statements) of the round's submitted
    responses, one row per answer with a value or "don't know".

    Columns: ``response_id`` (int64), ``side``, ``function``, ``level``, then one column per
    name in ``attributes`` (profile attributes of ``Response.attributes``, imported or
    declared by the round; "" where a respondent has none), ``item_code`` (categoricals of
    str, categories sorted; ``side`` has the categories of :class:`survey.models.Side` first,
    in their order), ``value`` (float64, raw Likert points 1..k as asked, not
    reverse-coded; NaN for "don't know"), ``dont_know`` (bool) and ``predicted_other``
    (float64: the respondent's guess of the other side's answer to a meta-perception
    statement, 1..k; NaN when none). Comments and blank answers are left out; rows are
    unordered. Scoring keeps kind ``likert`` only and drops "don't know"
    (:func:`reports.panel.score_items`).

    Three queries: the items on the scale, the profiles (one row per response) and the answers as
    five integers each, read with a plain cursor in chunks into a NumPy array, so the
    millions of answer rows of a large round never become Python objects one by one; the
    profile and the item code of each answer are joined in NumPy (codes, not strings).
    Raises ValueError when an attribute name is one of the frame's own columns.
    """
    clashes = set(attributes) & {*ANSWER_COLUMNS, *ANSWER_EXTRA_COLUMNS}
    if clashes:
        raise ValueError(f"Attribute names clash with answer columns: {sorted(clashes)}.")
    attributes = list(dict.fromkeys(attributes))
    items = dict(
        Item.objects.filter(dimension__instrument_id=round.instrument_id, kind__in=SCALE_KINDS)
        .order_by("pk")
        .values_list("pk", "code")
    )
    profiles = list(
        Response.objects.filter(round_id=round.pk)
        .order_by("pk")
        .values_list(
            "pk",
            "side",
            "function",
            "level",
            *[KT(f"attributes__{name}") for name in attributes],
        )
    )
    sql, params = round_answers_sql(round=round, item_ids=list(items))
    response_ids = np.fromiter((row[0] for row in profiles), dtype="int64", count=len(profiles))
    item_ids = np.fromiter(items, dtype="int64", count=len(items))
    # Each chunk is reduced at once to positions among the profiles and items (both sorted
    # by pk) and the value: 8 bytes an answer instead of 24, so no large array is doubled.
    at_parts, item_parts, value_parts, know_parts, guess_parts = [], [], [], [], []
    # A server-side cursor where the database has one (PostgreSQL), so the driver never
    # holds the whole result: rows arrive CHUNK_SIZE at a time (unless the settings turn
    # server-side cursors off, as behind a transaction-pooling PgBouncer).
    plain = connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.cursor() if plain else connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            chunk = np.array(rows, dtype="int64")
            at = np.searchsorted(response_ids, chunk[:, 0])
            # A response submitted between the two reads has answers but no profile here:
            # leave it out (the next read counts it, under the next results version).
            known = at < len(response_ids)
            known[known] = response_ids[at[known]] == chunk[known, 0]
            at_parts.append(at[known].astype("int32"))
            item_parts.append(np.searchsorted(item_ids, chunk[known, 1]).astype("int16"))
            value_parts.append(chunk[known, 2].astype("int16"))
            know_parts.append(chunk[known, 3].astype(bool))
            guess_parts.append(chunk[known, 4].astype("int16"))
    at = np.concatenate(at_parts) if at_parts else np.empty(0, dtype="int32")
    data: dict[str, object] = {"response_id": response_ids[at]}
    columns = ["side", "function", "level", *attributes]
    for position, name in enumerate(columns, start=1):
        values = ["" if row[position] is None else str(row[position]) for row in profiles]
        profile = _profile_codes(values, first=Side.values if name == "side" else ())
        data[name] = pd.Categorical.from_codes(profile.codes[at], dtype=profile.dtype)
    del at
    codes = pd.Categorical(list(items.values()), categories=sorted(items.values()))
    item_at = np.concatenate(item_parts) if item_parts else np.empty(0, dtype="int16")
    data["item_code"] = pd.Categorical.from_codes(codes.codes[item_at], dtype=codes.dtype)

    def joined(parts: list[np.ndarray], dtype: str) -> np.ndarray:
        return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

    dont_know = joined(know_parts, "bool")
    value = joined(value_parts, "int16").astype("float64")
    value[dont_know | (value == 0)] = np.nan
    data["value"] = value
    data["dont_know"] = dont_know
    guess = joined(guess_parts, "int16").astype("float64")
    guess[guess == 0] = np.nan
    data["predicted_other"] = guess
    return pd.DataFrame(
        data,
        columns=[*ANSWER_COLUMNS[:4], *attributes, "item_code", "value", *ANSWER_EXTRA_COLUMNS],
    )


@dataclass(frozen=True)
class ParticipationRecords:
    """Every invitation and every response of a round, one row each, for counts that are
    published record by record (:mod:`reports.disclosure`): ``invitations`` (``invitation_id``
    int64, ``side`` and ``level`` str, "" = not given, ``used`` bool) and ``responses``
    (``response_id`` int64, ``side`` str). Nothing links the two."""

    invitations: pd.DataFrame
    responses: pd.DataFrame


def round_participation_records(
    *, round: SurveyRound, responses: bool = True
) -> ParticipationRecords:
    """The :class:`ParticipationRecords` of ``round`` (``responses`` False: the invitations
    only, the responses frame empty). Two queries, or one."""
    invitations = pd.DataFrame(
        list(
            Invitation.objects.filter(round_id=round.pk)
            .order_by()
            .values_list("pk", "side", "level", "used")
        ),
        columns=["invitation_id", "side", "level", "used"],
    )
    rows = (
        Response.objects.filter(round_id=round.pk).order_by().values_list("pk", "side")
        if responses
        else []
    )
    answered = pd.DataFrame(list(rows), columns=["response_id", "side"])
    invitations = invitations.astype({"invitation_id": "int64", "used": bool})
    for column in ("side", "level"):
        invitations[column] = invitations[column].fillna("").astype(str)
    answered = answered.astype({"response_id": "int64"})
    answered["side"] = answered["side"].fillna("").astype(str)
    return ParticipationRecords(invitations=invitations, responses=answered)


@dataclass(frozen=True)
class ResponseRecord:
    """One submitted response: its profile, its answers by item code and its profile
    attributes beyond side, function and level ({name: value}, e.g. {"region": "EMEA"})."""

    side: str
    function: str
    level: str
    submitted_on: dt.date
    answers: dict[str, int | str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)


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
    rows = _item_rows(sorted({r.instrument_id for r in rounds}))
    frame = items_frame(row[1:] for row in rows).drop(columns="order")
    frame.insert(0, "instrument_id", np.array([row[0] for row in rows], dtype="int64"))
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
        # Most responses carry none: leave them in the database, not decoded one by one.
        .exclude(attributes={})
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
    ``side`` (str: the writer's side, only to decide which lists may be shown),
    ``item_code`` (str), ``text`` (str). No other profile column, unordered. One query.
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
        .values_list("response_id", "response__side", "item__code", "text")
    )
    columns = ["response_id", "side", "item_code", "text"]
    return pd.DataFrame(list(rows), columns=columns).astype({"response_id": "int64"})


# --- Reads of the responses export and the round list ------------------------------------


PROFILE_FRAME_COLUMNS = ["side", "function", "level", "submitted_on"]
# Responses read per chunk of the export's streamed query.
EXPORT_CHUNK = 5_000


def round_attribute_names(*, round: SurveyRound, present: Iterable[str] = ()) -> list[str]:
    """The profile attribute names of ``round``, sorted: those it declares in
    ``profile_attributes`` and those in ``present`` (names its responses carry). No query."""
    declared = [
        entry["name"]
        for entry in round.profile_attributes or ()
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    ]
    return sorted({*declared, *present})


DONT_KNOW_CODE = 255  # responses_table's code of a "don't know" answer (never a scale point)


def responses_table(
    *, round: SurveyRound, item_codes: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Every submitted response of ``round``: its profile and its Likert answers, row for
    row, with no identifier. For the responses export.

    Returns ``(profiles, likert)``. ``profiles``: columns ``side``, ``function``, ``level``
    (str, "" = not given), ``submitted_on`` (date), then one column per profile attribute
    name of the round, sorted by name (:func:`round_attribute_names`: declared by the round
    or carried non-blank by any response in ``Response.attributes``; str, "" = not given);
    RangeIndex, rows unordered. ``likert``: uint8 array of shape (responses, items), row i
    belonging to profiles row i: the raw value (1..k) of each of ``item_codes`` (the
    round's Likert items in instrument order, as :func:`round_items_frame` gives them),
    0 = not answered, ``DONT_KNOW_CODE`` (255) = "don't know". Comments are never read.

    One query, streamed (a server-side cursor on PostgreSQL) EXPORT_CHUNK rows at a time,
    reading ``Response.likert_answers`` (the copy of the Likert answers written with them):
    no answer row is read and no Python object per answer is kept, so memory is about
    ``items + 100`` bytes per response. Raises ValueError for a stored answer list that
    does not match ``item_codes``.
    """
    width = len(item_codes)
    blank = [None] * width
    decode = json.JSONDecoder().decode
    rows = (
        Response.objects.filter(round_id=round.pk)
        .order_by()
        # As text, decoded here: the JSON field's own converter costs twice as much, and
        # most responses carry no attribute ("{}").
        .values_list(
            "side",
            "function",
            "level",
            "submitted_on",
            Cast("attributes", TextField()),
            Cast("likert_answers", TextField()),
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    profile_columns: list[list[Any]] = [[] for _ in PROFILE_FRAME_COLUMNS]
    likert_chunks: list[np.ndarray] = []
    # The same few texts and days come back on every row: keep one object of each.
    seen: dict[Any, Any] = {}
    carried: list[tuple[int, dict[str, str]]] = []
    position = 0
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        values = []
        for *profile, attributes, stored in chunk:
            for column, value in zip(profile_columns, profile, strict=True):
                column.append(seen.setdefault(value, value))
            if attributes and attributes != "{}":
                decoded = json.loads(attributes)
                kept = {
                    str(name): seen.setdefault(text, text)
                    for name, value in (decoded.items() if isinstance(decoded, dict) else ())
                    if value is not None and (text := str(value).strip())
                }
                if kept:
                    carried.append((position, kept))
            answers = decode(stored) if stored else []
            if len(answers) != width:
                if answers:
                    raise ValueError(
                        f"A response of round {round.slug} holds {len(answers)} Likert "
                        f"answers; its instrument has {width} Likert items."
                    )
                answers = blank  # written outside survey.services.responses: nothing stored
            values.append(answers)
            position += 1
        # Stored 0 is "don't know" (DONT_KNOW_CODE here); None becomes NaN, then 0: "not
        # answered".
        raw = np.array(values, dtype="float32").reshape(len(chunk), width)
        raw[raw == 0] = DONT_KNOW_CODE
        likert_chunks.append(np.nan_to_num(raw).astype("uint8"))
    profiles = pd.DataFrame(
        dict(zip(PROFILE_FRAME_COLUMNS, profile_columns, strict=True)),
        columns=PROFILE_FRAME_COLUMNS,
    )
    names = round_attribute_names(round=round, present={n for _, kept in carried for n in kept})
    for name in names:
        column = [""] * len(profiles)
        for at, kept in carried:
            column[at] = kept.get(name, "")
        profiles[name] = column
    likert = np.concatenate(likert_chunks) if likert_chunks else np.zeros((0, width), dtype="uint8")
    return profiles, likert


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
