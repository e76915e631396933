"""Synthetic respondents for benchmarks: N answered questionnaires of a round, inserted fast.

Two ways in, same data: ``method="raw"`` writes the rows with the database's bulk path
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), one transaction per batch;
``method="service"`` goes through :func:`survey.services.responses.responses_create_bulk`
(validated, ``bulk_create``), slower but exercising the product's own write path.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from assessment.models import Item
from survey.models import Function, Level, Response, SurveyRound
from survey.services.responses import responses_create_bulk

SIDES = np.array(["it", "security", "other"])
SIDE_SHARES = [0.45, 0.40, 0.15]
LEVELS = np.array([Level.INDIVIDUAL, Level.MANAGER, Level.EXECUTIVE], dtype=object).astype(str)
LEVEL_SHARES = [0.72, 0.22, 0.06]
FUNCTIONS = np.array([str(value) for value in Function.values])
MISSING_SHARE = 0.03  # Likert statements left unanswered
COMMENT_SHARE = 0.05  # respondents who write one comment
COMMENTS = [
    "Reviews come late in the project.",
    "We agree on goals but not on timing.",
    "Incident roles are clear on paper only.",
    "=Patching windows keep moving.",  # a formula trigger, as real comments have
]
START_DAY = dt.date(2026, 11, 2)
DAYS = 14


@dataclass(frozen=True)
class GenerateResult:
    """What :func:`respondents_generate` wrote and how long it took (seconds)."""

    respondents: int
    answers: int
    seconds: float

    @property
    def respondents_per_second(self) -> float:
        return self.respondents / self.seconds if self.seconds else float("inf")


@dataclass(frozen=True)
class _Batch:
    sides: np.ndarray  # (n,) str
    functions: np.ndarray  # (n,) str
    levels: np.ndarray  # (n,) str
    days: np.ndarray  # (n,) int, days after START_DAY
    values: np.ndarray  # (n, likert items) int, 0 = unanswered
    comment_item: np.ndarray  # (n,) int index into the text items, -1 = no comment
    comment_text: np.ndarray  # (n,) int index into COMMENTS


def _batch(
    rng: np.random.Generator,
    n: int,
    dimensions: np.ndarray,
    reverse: np.ndarray,
    n_text: int,
    points: int,
) -> _Batch:
    """Random profiles and answers on a ``points``-point scale: each side leans its own way
    on each dimension, so the dashboard shows real gaps; answers are correlated within a
    respondent."""
    sides = rng.choice(len(SIDES), size=n, p=SIDE_SHARES)
    n_dimensions = int(dimensions.max()) + 1
    # Side x dimension mean (as a share of the scale), the same for every batch and seed.
    lean = np.random.default_rng(7).uniform(0.35, 0.8, size=(len(SIDES), n_dimensions))
    person = rng.normal(0, 0.15, size=(n, 1))
    mean = 1 + (points - 1) * (lean[sides][:, dimensions] + person)
    noise = rng.normal(0, 0.2 * (points - 1), size=mean.shape)
    raw = np.clip(np.rint(mean + noise), 1, points).astype("int64")
    values = np.where(reverse, points + 1 - raw, raw)
    values[rng.random(values.shape) < MISSING_SHARE] = 0
    writes = rng.random(n) < COMMENT_SHARE
    return _Batch(
        sides=SIDES[sides],
        functions=FUNCTIONS[rng.integers(0, len(FUNCTIONS), size=n)],
        levels=LEVELS[rng.choice(len(LEVELS), size=n, p=LEVEL_SHARES)],
        days=rng.integers(0, DAYS, size=n),
        values=values,
        comment_item=np.where(writes, rng.integers(0, max(n_text, 1), size=n), -1)
        if n_text
        else np.full(n, -1),
        comment_text=rng.integers(0, len(COMMENTS), size=n),
    )


def _batches(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def respondents_generate(
    *,
    round: SurveyRound,
    n: int,
    seed: int = 0,
    batch_size: int = 10_000,
    method: str = "raw",
) -> GenerateResult:
    """Insert ``n`` synthetic submitted responses (with their answers) into ``round``.

    Sides 45 % IT, 40 % Security, 15 % other; every Likert item answered 1..k except ~3 %
    left blank; ~5 % of respondents leave one comment. Deterministic for a given ``seed``.
    One transaction per batch of ``batch_size`` respondents. Returns the counts and the
    seconds spent. Raises ValueError for an unknown ``method`` (``raw`` | ``service``).
    """
    if method not in {"raw", "service"}:
        raise ValueError(f"Unknown method {method!r}: use raw or service.")
    items = list(
        Item.objects.filter(dimension__instrument_id=round.instrument_id)
        .order_by("dimension__order", "dimension_id", "order", "pk")
        .values_list("pk", "code", "kind", "reverse_scored", "dimension_id")
    )
    likert = [row for row in items if row[2] == Item.Kind.LIKERT]
    text = [row for row in items if row[2] == Item.Kind.TEXT]  # the outcome is not answered here
    dimension_index = {d: i for i, d in enumerate(dict.fromkeys(row[4] for row in likert))}
    dimensions = np.array([dimension_index[row[4]] for row in likert])
    reverse = np.array([bool(row[3]) for row in likert])
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    answers = 0
    for size in _batches(n, batch_size):
        batch = _batch(rng, size, dimensions, reverse, len(text), round.instrument.scale_points)
        if method == "service":
            answers += _write_service(round, batch, likert, text)
        elif connection.vendor == "postgresql":
            answers += _write_postgres(round, batch, likert, text)
        else:
            answers += _write_executemany(round, batch, likert, text)
    return GenerateResult(respondents=n, answers=answers, seconds=time.perf_counter() - started)


def _answer_rows(
    batch: _Batch, ids: np.ndarray, likert: list[tuple], text: list[tuple]
) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """Likert answers as an (m, 3) int array (response_id, item_id, value); comments as
    (response_id, item_id, text) tuples."""
    item_ids = np.array([row[0] for row in likert], dtype="int64")
    answered = batch.values > 0
    rows, columns = np.nonzero(answered)
    table = np.column_stack([ids[rows], item_ids[columns], batch.values[rows, columns]])
    comments = [
        (int(ids[i]), text[int(batch.comment_item[i])][0], COMMENTS[int(batch.comment_text[i])])
        for i in np.flatnonzero(batch.comment_item >= 0)
    ]
    return table, comments


def _likert_json(batch: _Batch) -> list[str]:
    """Each respondent's ``Response.likert_answers`` as survey.services.responses.responses_write
    stores it: the JSON list of the Likert values in instrument order, null when blank."""
    return [json.dumps([value or None for value in values]) for values in batch.values.tolist()]


def _dates(batch: _Batch) -> list[str]:
    return [(START_DAY + dt.timedelta(days=int(d))).isoformat() for d in batch.days]


def _write_executemany(round: SurveyRound, batch: _Batch, likert: list, text: list) -> int:
    """SQLite (and any DB-API backend): explicit ids, then executemany, one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The transaction holds SQLite's write lock (IMMEDIATE), so max(id) stays ours.
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB: index pages stay cached
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM survey_response")
        first = cursor.fetchone()[0] + 1
        ids = np.arange(first, first + len(batch.sides), dtype="int64")
        cursor.executemany(
            "INSERT INTO survey_response (id, round_id, side, function, level, submitted_on,"
            " source, import_batch_id, attributes, likert_answers) VALUES (%s, %s, %s, %s, %s,"
            " %s, %s, NULL, '{}', %s)",
            [
                (int(i), round.pk, side, function, level, day, Response.Source.COLLECTED.value, js)
                for i, side, function, level, day, js in _response_rows(batch, ids)
            ],
        )
        table, comments = _answer_rows(batch, ids, likert, text)
        cursor.executemany(
            "INSERT INTO survey_answer (response_id, item_id, value, text) VALUES (%s, %s, %s, '')",
            table.tolist(),
        )
        cursor.executemany(
            "INSERT INTO survey_answer (response_id, item_id, value, text)"
            " VALUES (%s, %s, NULL, %s)",
            comments,
        )
    return len(table) + len(comments)


def _response_rows(batch: _Batch, ids: np.ndarray) -> Iterator[tuple]:
    """(id, side, function, level, submitted_on, likert_answers JSON) of each response of
    ``batch``: what both databases' inserts write."""
    return zip(
        ids,
        batch.sides,
        batch.functions,
        batch.levels,
        _dates(batch),
        _likert_json(batch),
        strict=True,
    )


def _copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _write_postgres(round: SurveyRound, batch: _Batch, likert: list, text: list) -> int:
    """PostgreSQL: ids from the sequence, then COPY (text format), one transaction."""
    n = len(batch.sides)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('survey_response', 'id'))"
            " FROM generate_series(1, %s)",
            [n],
        )
        ids = np.array([row[0] for row in cursor.fetchall()], dtype="int64")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        source = Response.Source.COLLECTED.value
        lines = "".join(
            f"{i}\t{round.pk}\t{side}\t{function}\t{level}\t{day}\t{source}\t\\N\t{{}}"
            f"\t{_copy_text(js)}\n"
            for i, side, function, level, day, js in _response_rows(batch, ids)
        )
        with raw.copy(
            "COPY survey_response (id, round_id, side, function, level, submitted_on, source,"
            " import_batch_id, attributes, likert_answers) FROM STDIN"
        ) as copy:
            copy.write(lines)
        table, comments = _answer_rows(batch, ids, likert, text)
        # The fourth column (text) is empty for a Likert answer.
        likert_lines = "".join(map("{}\t{}\t{}\t\n".format, *table.T.tolist()))
        with raw.copy("COPY survey_answer (response_id, item_id, value, text) FROM STDIN") as copy:
            copy.write(likert_lines)
            copy.write(
                "".join(f"{r}\t{item}\t\\N\t{_copy_text(body)}\n" for r, item, body in comments)
            )
    return len(table) + len(comments)


def _write_service(round: SurveyRound, batch: _Batch, likert: list, text: list) -> int:
    """Through the product's service: dicts in, validated, bulk_create, one transaction."""
    codes = [row[1] for row in likert]
    text_codes = [row[1] for row in text]
    responses = []
    answers = 0
    for i in range(len(batch.sides)):
        given = {code: int(v) for code, v in zip(codes, batch.values[i], strict=True) if v}
        if batch.comment_item[i] >= 0:
            given[text_codes[int(batch.comment_item[i])]] = COMMENTS[int(batch.comment_text[i])]
        answers += len(given)
        responses.append(
            {
                "side": str(batch.sides[i]),
                "function": str(batch.functions[i]),
                "level": str(batch.levels[i]),
                "answers": given,
            }
        )
    responses_create_bulk(round=round, responses=responses, submitted_on=START_DAY)
    return answers
