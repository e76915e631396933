"""CSV exports of a round: row generators, safe cell encoding and the streaming response.

One function, :func:`export_chunks`, yields the bytes of an export; the download view and
the ``export_csv`` command both use it, so they produce the same bytes. Files are UTF-8 with
a byte-order mark by default (so spreadsheet programs detect the encoding; ``bom=False``
for plain UTF-8), written by the ``csv`` module with CRLF line ends. Every cell, headers
included, goes through :func:`safe_cell` (formula injection).

The responses export is the only one with rows per respondent; it is anonymised as
``docs/methodology.md`` ("Exports") describes: no comments, no identifier, profiles
generalised until each combination is shared by at least k rows, months not days.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.http import StreamingHttpResponse

from reports.analysis import (
    DEFAULT_COMPARISON,
    SIDE_GROUPS,
    Comparison,
    Thresholds,
    profiles_generalise,
    round_analysis,
)
from reports.analysis import SUMMARY_COLUMNS as ANALYSIS_SUMMARY_COLUMNS
from survey.models import SurveyRound
from survey.selectors import (
    ResponseRecord,
    responses_answers_iter,
    responses_profiles_frame,
    round_answers_frame,
    round_items_frame,
)

KINDS = ("responses", "summary", "gaps")
BOM = "\ufeff".encode()
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
RESPONSE_PROFILE_COLUMNS = ["row", "side", "function", "level", "submitted_month"]
# summary.csv: the columns of reports.analysis.group_summary; a suppressed row has blanks.
SUMMARY_COLUMNS = [column for column in ANALYSIS_SUMMARY_COLUMNS if column != "suppressed"]
GAPS_COLUMNS = [
    "dimension_code",
    "attribute",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "rank_biserial",
    "p_value",
    "q_value",
    "status",
]
SUMMARY_DECIMALS = 2
STATISTIC_DECIMALS = 3  # rwg(j), AD, alpha, rank-biserial r
P_VALUE_DIGITS = 6  # significant digits of p- and q-values


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: Any) -> Any:
    """Make one cell safe to open in a spreadsheet.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe so
    it is shown, not evaluated. Real numbers (int, float, numpy numbers; not bool) pass
    unchanged, so
    ``-3.5`` stays a number, while the *text* "-3.5" is quoted. None and NaN become blank;
    dates are written in ISO format.
    """
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        number = value.item() if hasattr(value, "item") else value  # numpy -> Python
        return "" if isinstance(number, float) and math.isnan(number) else number
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[bytes]:
    """Encode rows as CSV: the BOM first (unless ``bom`` is False), then one UTF-8 chunk
    per row, every cell (the header's too) made safe by :func:`safe_cell`."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row]).encode("utf-8")


def responses_rows(
    records: Iterable[ResponseRecord], item_codes: Sequence[str]
) -> Iterator[list[Any]]:
    """Rows of responses.csv: a header, then one row per response.

    Columns: ``row`` (1, 2, ... — a row number, deliberately not a stable respondent
    identifier), ``side``, ``function``, ``level``, ``submitted_month`` (the record's
    ``submitted_on`` as given: the ``YYYY-MM`` month of :func:`responses_export_records`,
    or an ISO date), then one column per item code given, in that order: the raw Likert
    value (int, as asked, not reverse-coded) or the comment text; blank when not answered.
    """
    yield [*RESPONSE_PROFILE_COLUMNS, *item_codes]
    for number, record in enumerate(records, start=1):
        yield [
            number,
            record.side,
            record.function,
            record.level,
            record.submitted_on,
            *(record.answers.get(code) for code in item_codes),
        ]


def month_of(day: dt.date | None) -> str:
    """``YYYY-MM`` of a date ("" for None): exported submission days are kept to the month."""
    return "" if day is None else f"{day.year:04d}-{day.month:02d}"


def responses_export_records(
    *, round: SurveyRound, item_codes: Sequence[str], rng: np.random.Generator | None = None
) -> Iterator[ResponseRecord]:
    """The responses of ``round`` as exported: anonymised, in an order that reveals nothing.

    Profiles and months are generalised by :func:`reports.analysis.profiles_generalise`
    with k = the round's min_group_size (month first, then level, function, side), so each
    published (side, function, level, month) is shared by at least k rows.
    ``submitted_on`` of each record is that ``YYYY-MM`` month (or ""). Rows are sorted by
    the published values, in random order within them (``rng``, default unseeded), so
    neither the row number nor the order says when someone answered or what was blanked.
    Only ``item_codes`` are fetched. Queries: one for the profiles, one per
    ``survey.selectors.ANSWER_CHUNK`` responses.
    """
    profiles = responses_profiles_frame(round=round)
    if profiles.empty:
        return
    profiles["submitted_on"] = [month_of(day) for day in profiles["submitted_on"]]
    quasi = ["submitted_on", "side", "function", "level"]
    published = profiles_generalise(
        profiles[quasi],
        round.min_group_size,
        order=("submitted_on", "level", "function", "side"),
    )
    rng = rng or np.random.default_rng()
    published = published.assign(
        response_id=profiles["response_id"], _shuffle=rng.permutation(len(published))
    ).sort_values(["side", "function", "level", "submitted_on", "_shuffle"])
    answers = responses_answers_iter(
        response_ids=[int(pk) for pk in published["response_id"]], item_codes=item_codes
    )
    for row, answered in zip(published.itertuples(index=False), answers, strict=True):
        yield ResponseRecord(
            side=row.side,
            function=row.function,
            level=row.level,
            submitted_on=row.submitted_on,
            answers=answered,
        )


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _rounded(value: Any, decimals: int = SUMMARY_DECIMALS) -> float | None:
    return None if _missing(value) else round(float(value), decimals)


def _significant(value: Any) -> float | None:
    """A p- or q-value to P_VALUE_DIGITS significant digits (tiny ones stay non-zero)."""
    return None if _missing(value) else float(f"{float(value):.{P_VALUE_DIGITS}g}")


def _count(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def report_thresholds() -> Thresholds:
    """The status thresholds from the FRICTION_* settings (see docs/methodology.md)."""
    return Thresholds(
        gap_points=settings.FRICTION_BREAKDOWN_GAP_POINTS,
        q_value=settings.FRICTION_BREAKDOWN_Q_VALUE,
        effect_size=settings.FRICTION_BREAKDOWN_EFFECT_SIZE,
        agreement=settings.FRICTION_DIVIDED_RWG,
    )


def summary_rows(summary: pd.DataFrame) -> Iterator[list[Any]]:
    """Rows of summary.csv: a header, then one row per dimension and group.

    Columns: ``dimension_code, attribute, group, n, score_mean, score_sd, favourable_pct,
    rwg_j, ad, alpha`` (scores in 0–100 points and favourability in %, rounded to 2
    decimals; rwg(j) 0..1, AD in Likert points and Cronbach's alpha, to 3 decimals; group
    ``all`` is the whole round). ``summary`` is :func:`reports.analysis.group_summary`. A
    suppressed row (fewer than k respondents) keeps its dimension, attribute and group but
    leaves ``n`` and every number blank: never the real n, since a small n is itself
    revealing.
    """
    yield SUMMARY_COLUMNS
    blanks = [None] * (len(SUMMARY_COLUMNS) - 3)
    for row in summary.itertuples(index=False):
        if row.suppressed:
            yield [row.dimension_code, row.attribute, row.group, *blanks]
            continue
        yield [
            row.dimension_code,
            row.attribute,
            row.group,
            int(row.n),
            _rounded(row.score_mean),
            _rounded(row.score_sd),
            _rounded(row.favourable_pct),
            _rounded(row.rwg_j, STATISTIC_DECIMALS),
            _rounded(row.ad, STATISTIC_DECIMALS),
            _rounded(row.alpha, STATISTIC_DECIMALS),
        ]


def gaps_rows(gaps: pd.DataFrame) -> Iterator[list[Any]]:
    """Rows of gaps.csv: a header, then one row per dimension (instrument order).

    Columns ``GAPS_COLUMNS``: the comparison (``attribute``, ``group_a``, ``group_b``; a
    pooled group's values joined by "+"), each group's ``n`` and ``score`` (0–100 points),
    ``gap`` (A − B, points; 2 decimals), ``rank_biserial`` (3 decimals), ``p_value`` and
    ``q_value`` (two-sided Mann–Whitney; Benjamini–Hochberg over the report's dimension and
    item tests; 6 significant digits) and ``status``. ``gaps`` is the ``dimensions`` frame
    of :func:`reports.analysis.compare_groups`, whose suppressed cells are already missing:
    they are written blank (status ``suppressed``).
    """
    yield GAPS_COLUMNS
    for row in gaps.itertuples(index=False):
        yield [
            row.dimension_code,
            row.attribute,
            row.group_a,
            row.group_b,
            None if row.suppressed_a else _count(row.n_a),
            None if row.suppressed_b else _count(row.n_b),
            None if row.suppressed_a else _rounded(row.score_a),
            None if row.suppressed_b else _rounded(row.score_b),
            None if row.suppressed else _rounded(row.gap),
            None if row.suppressed else _rounded(row.rank_biserial, STATISTIC_DECIMALS),
            None if row.suppressed else _significant(row.p_value),
            None if row.suppressed else _significant(row.q_value),
            row.status,
        ]


def export_chunks(
    *,
    round: SurveyRound,
    kind: str,
    comparison: Comparison = DEFAULT_COMPARISON,
    bom: bool = True,
) -> Iterator[bytes]:
    """Yield the bytes of export ``kind`` (``responses`` | ``summary`` | ``gaps``) for ``round``.

    ``comparison`` chooses the two groups of gaps.csv (default IT versus Security); the
    other kinds ignore it. ``bom``: start with a UTF-8 byte-order mark (default). The
    responses export has the Likert items only: every round is anonymous, and a comment
    can name its writer, so comments are read on the dimension pages, never exported.
    Raises ValueError for an unknown kind. Reads through ``survey.selectors``.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown export {kind!r}; choose one of {', '.join(KINDS)}.")
    items = round_items_frame(round=round)
    if kind == "responses":
        codes = [str(code) for code in items.loc[items["kind"] == "likert", "item_code"]]
        rows = responses_rows(responses_export_records(round=round, item_codes=codes), codes)
    elif kind == "summary":
        analysis = round_analysis(
            round_answers_frame(round=round),
            items,
            round.instrument.scale_points,
            round.min_group_size,
            groups=SIDE_GROUPS,
            thresholds=report_thresholds(),
        )
        rows = summary_rows(analysis.summary)
    else:
        analysis = round_analysis(
            round_answers_frame(round=round),
            items,
            round.instrument.scale_points,
            round.min_group_size,
            comparison=comparison,
            thresholds=report_thresholds(),
        )
        rows = gaps_rows(analysis.gaps)
    return csv_bytes(rows, bom=bom)


def export_filename(*, round: SurveyRound, kind: str) -> str:
    """The download's file name, e.g. ``2026-spring-summary.csv``."""
    return f"{round.slug}-{kind}.csv"


def export_response(
    *,
    round: SurveyRound,
    kind: str,
    comparison: Comparison = DEFAULT_COMPARISON,
    bom: bool = True,
) -> StreamingHttpResponse:
    """Stream export ``kind`` of ``round`` as a CSV attachment (``bom`` as in export_chunks)."""
    response = StreamingHttpResponse(
        export_chunks(round=round, kind=kind, comparison=comparison, bom=bom),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(round=round, kind=kind)}"'
    )
    response["Cache-Control"] = "no-store"
    return response
