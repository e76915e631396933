"""CSV exports of a round, pure: row generators, safe cell encoding and the CSV encoders.

:func:`reports.downloads.round_export` feeds these with the round's results and streams the
bytes; the download view and the ``export_csv`` command both use it, so they produce the
same bytes. Files are UTF-8 with a byte-order mark by default (so spreadsheet programs
detect the encoding; ``bom=False`` for plain UTF-8), written by the ``csv`` module with CRLF
line ends. Every cell, headers included, goes through :func:`safe_cell` (formula
injection; the rule lives in :mod:`common.csv_cells`); in responses.csv, whose cells past
the profile are all Likert integers, only the profile texts do.

The responses export is the only one with rows per respondent; it is anonymised as
``docs/methodology.md`` ("Exports") describes: no comments, no identifier, profiles and
attributes generalised until each combination is shared by at least k rows
(:func:`reports.disclosure.profiles_generalise`), months not days. No Django.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

# The cell rule and the row encoder live in common.csv_cells (the audit trail's CSV uses them
# too); re-exported here for the round exports' callers.
from common.csv_cells import BOM, FORMULA_TRIGGERS, csv_bytes, safe_cell  # noqa: F401
from reports.disclosure import profiles_generalise
from reports.vocabulary import DIMENSION_GAP_COLUMNS
from reports.vocabulary import SUMMARY_COLUMNS as ANALYSIS_SUMMARY_COLUMNS

KINDS = ("responses", "summary", "gaps", "dont_know", "perceptions", "mirror_pairs")
# responses.csv: these columns, with one per profile attribute (sorted by name) before the
# month, then one per Likert item in instrument order.
RESPONSE_PROFILE_COLUMNS = ["row", "side", "function", "level", "submitted_month"]
# summary.csv: the columns of reports.analysis.group_summary; a suppressed row has blanks.
SUMMARY_COLUMNS = [column for column in ANALYSIS_SUMMARY_COLUMNS if column != "suppressed"]
# gaps.csv: these columns of the comparison's dimensions frame
# (reports.vocabulary.DIMENSION_GAP_COLUMNS), in this order, each written by its format and
# blank where the group it belongs to (its suppression flag) is suppressed.
_GAPS_FORMATS: dict[str, tuple[str | None, Callable[[Any], Any]]] = {
    "dimension_code": (None, str),
    "attribute": (None, str),
    "group_a": (None, str),
    "group_b": (None, str),
    "n_a": ("suppressed_a", lambda v: _count(v)),
    "n_b": ("suppressed_b", lambda v: _count(v)),
    "score_a": ("suppressed_a", lambda v: _rounded(v)),
    "score_b": ("suppressed_b", lambda v: _rounded(v)),
    "gap": ("suppressed", lambda v: _rounded(v)),
    "gap_ci_low": ("suppressed", lambda v: _rounded(v, INTERVAL_DECIMALS)),
    "gap_ci_high": ("suppressed", lambda v: _rounded(v, INTERVAL_DECIMALS)),
    "rank_biserial": ("suppressed", lambda v: _rounded(v, EFFECT_DECIMALS)),
    "p_value": ("suppressed", lambda v: _significant(v)),
    "q_value": ("suppressed", lambda v: _significant(v)),
    "status": (None, str),
}
GAPS_COLUMNS = list(_GAPS_FORMATS)
if not set(GAPS_COLUMNS) <= set(DIMENSION_GAP_COLUMNS):  # pragma: no cover - caught at import
    raise ImportError("gaps.csv names a column the comparison's frame does not have.")
SUMMARY_DECIMALS = 2
INTERVAL_DECIMALS = 1  # a gap's 95 % interval, in points: no finer than its uncertainty
ROWS_PER_CHUNK = 2_000  # responses.csv rows encoded and yielded at a time
STATISTIC_DECIMALS = 3  # rwg(j), AD, alpha (perturbed rounds publish them to 1 decimal)
# The exact tests are published no finer than a reader needs: a rank-biserial r to more
# decimals, or a p-value to more digits, would let a reader solve for the groups' true sizes
# (r × n_a × n_b is a whole number), which the perturbed counts exist to hide.
EFFECT_DECIMALS = 2  # rank-biserial r, as on the pages
P_VALUE_DIGITS = 3  # significant digits of p- and q-values


def responses_header(item_codes: Sequence[str], attribute_names: Sequence[str] = ()) -> list[str]:
    """The header of responses.csv: ``row, side, function, level``, the attribute names
    given, ``submitted_month``, then the item codes given, in that order."""
    *profile, month = RESPONSE_PROFILE_COLUMNS
    return [*profile, *attribute_names, month, *item_codes]


def month_of(day: dt.date | None) -> str:
    """``YYYY-MM`` of a date ("" for None): exported submission days are kept to the month."""
    return "" if day is None else f"{day.year:04d}-{day.month:02d}"


def responses_published(
    profiles: pd.DataFrame,
    min_group_size: int,
    attribute_names: Sequence[str] = (),
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """The profiles of responses.csv: generalised, filtered and in export order. Pure.

    ``profiles``: the profiles of :func:`survey.selectors.responses_table` (``side``,
    ``function``, ``level``, ``submitted_on`` as a date, and the columns
    ``attribute_names``). Days become ``YYYY-MM`` months; then
    :func:`reports.disclosure.profiles_generalise` with k = ``min_group_size`` blanks the
    attributes first (in the order given), then the month, level, function and side, so
    each published (attributes, month, side, function, level) is shared by at least k rows;
    rows that cannot be are left out. Rows are sorted by the published side, function,
    level, attributes and month, in random order within them (``rng``, default unseeded),
    so neither the row number nor the order says when someone answered or what was blanked.
    Returns columns ``side, function, level``, the attributes, ``submitted_on`` (str month
    or "") and ``position`` (int: the row's position in ``profiles``); RangeIndex. Raises
    ValueError when k < 1.
    """
    attribute_names = list(attribute_names)
    months = [month_of(day) for day in profiles["submitted_on"]]
    quasi = [*attribute_names, "submitted_on", "level", "function", "side"]
    published = profiles_generalise(
        profiles[[*attribute_names, "side", "function", "level"]].assign(submitted_on=months),
        min_group_size,
        order=quasi,
    )
    rng = rng or np.random.default_rng()
    order = ["side", "function", "level", *attribute_names, "submitted_on"]
    return (
        published.assign(
            position=profiles.index.get_indexer(published.index),
            _shuffle=rng.permutation(len(published)),
        )
        .sort_values([*order, "_shuffle"])
        .loc[:, [*order, "position"]]
        .reset_index(drop=True)
    )


def responses_row_chunks(
    profiles: pd.DataFrame,
    likert: np.ndarray,
    *,
    item_codes: Sequence[str],
    attribute_names: Sequence[str],
    min_group_size: int,
    rng: np.random.Generator | None = None,
    dont_know_label: str = "",
) -> Iterator[list[list[Any]]]:
    """responses.csv as lists of rows, every text cell already safe.

    ``profiles`` and ``likert`` as :func:`survey.selectors.responses_table` returns them for
    ``item_codes``; ``attribute_names``: the profile attribute columns of ``profiles``, in
    order. The first list holds the header (:func:`responses_header`); then lists of up to
    ROWS_PER_CHUNK rows, one
    per published response (:func:`responses_published`): ``row`` (1, 2, ... — a row
    number, deliberately not a stable respondent identifier), the published profile,
    attributes and month, then the raw Likert value (int 1..k, as asked, not reverse-coded)
    of each of ``item_codes``, None when not answered, ``dont_know_label`` for "don't know"
    (code 255 in ``likert``; the import reads the label back). No comment is ever exported.
    """
    yield [[safe_cell(cell) for cell in responses_header(item_codes, attribute_names)]]
    if profiles.empty:
        return
    published = responses_published(profiles, min_group_size, attribute_names, rng)
    # Profile cells are a handful of distinct texts: make each safe once, not once a row.
    text_columns = ["side", "function", "level", *attribute_names, "submitted_on"]
    safe = [
        published[name].map({text: safe_cell(text) for text in published[name].unique()}).tolist()
        for name in text_columns
    ]
    positions = published["position"].to_numpy()
    # Likert codes (0 = not answered, 255 = don't know) to cells: None (written blank), the
    # int itself, or the instrument's don't-know label.
    cells = np.array([None, *range(1, 255), safe_cell(dont_know_label) or None], dtype=object)
    for start in range(0, len(published), ROWS_PER_CHUNK):
        stop = min(start + ROWS_PER_CHUNK, len(published))
        profile_cells = zip(
            range(start + 1, stop + 1), *(column[start:stop] for column in safe), strict=True
        )
        values = cells[likert[positions[start:stop]]].tolist()
        yield [[*profile, *answers] for profile, answers in zip(profile_cells, values, strict=True)]


def csv_chunks(chunks: Iterable[list[Sequence[Any]]], *, bom: bool = True) -> Iterator[bytes]:
    """Encode lists of rows whose cells are already safe (:func:`safe_cell`) as CSV, like
    :func:`csv_bytes`: the BOM first (unless ``bom`` is False), then one UTF-8 chunk per
    list of rows, written by ``csv.writer.writerows`` (None is written blank)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        yield BOM
    for rows in chunks:
        writer.writerows(rows)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _rounded(value: Any, decimals: int = SUMMARY_DECIMALS) -> float | None:
    return None if _missing(value) else round(float(value), decimals)


def _significant(value: Any) -> float | None:
    """A p- or q-value to P_VALUE_DIGITS significant digits (tiny ones stay non-zero)."""
    return None if _missing(value) else float(f"{float(value):.{P_VALUE_DIGITS}g}")


def _flag(value: Any) -> str | None:
    """A boolean as ``true``/``false`` (blank when missing)."""
    return None if _missing(value) else ("true" if bool(value) else "false")


def _count(value: Any) -> int | None:
    return None if _missing(value) else int(value)


DISCLOSURE_COLUMN = "disclosure"  # the last column: how the figures are protected


def summary_rows(summary: pd.DataFrame, disclosure: str = "") -> Iterator[list[Any]]:
    """Rows of summary.csv: a header, then one row per dimension and group.

    Columns: ``dimension_code, attribute, group, n, score_mean, score_sd, favourable_pct,
    rwg_j, ad, alpha, alpha_note, polarised`` (scores in 0–100 points and favourability in
    %, rounded to 2 decimals; rwg(j) 0..1, AD in Likert points and Cronbach's alpha of the
    group's own answers, to 3 decimals; ``alpha`` is blank where ``alpha_note`` says why
    (``too_few_items``, ``too_few_respondents``, ``items_disagree``:
    :func:`reports.statistics.reliability`), the note blank where alpha is given;
    ``polarised`` ``true``/``false``,
    :func:`reports.statistics.polarised`; group ``all`` is the whole round). ``summary``
    is :func:`reports.analysis.group_summary`. A
    suppressed row (fewer than k respondents) keeps its dimension, attribute and group but
    leaves ``n`` and every number blank: never the real n, since a small n is itself
    revealing. ``disclosure``: the sentence saying how the figures are protected
    (:func:`reports.disclosure.protection_sentence`), written in a last column of that name
    on every row when given.
    """
    note = [disclosure] if disclosure else []
    yield [*SUMMARY_COLUMNS, *([DISCLOSURE_COLUMN] if disclosure else [])]
    blanks = [None] * (len(SUMMARY_COLUMNS) - 3)
    for row in summary.itertuples(index=False):
        if row.suppressed:
            yield [row.dimension_code, row.attribute, row.group, *blanks, *note]
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
            row.alpha_note,
            _flag(row.polarised),
            *note,
        ]


def gaps_rows(gaps: pd.DataFrame, disclosure: str = "") -> Iterator[list[Any]]:
    """Rows of gaps.csv: a header, then one row per dimension (instrument order).

    Columns ``GAPS_COLUMNS``: the comparison (``attribute``, ``group_a``, ``group_b``; a
    pooled group's values joined by "+"), each group's ``n`` and ``score`` (0–100 points),
    ``gap`` (A − B, points; 2 decimals), ``gap_ci_low`` and ``gap_ci_high`` (its 95 % Welch
    interval, points; 1 decimal), ``rank_biserial`` (2 decimals), ``p_value`` and
    ``q_value`` (two-sided Mann–Whitney; Benjamini–Hochberg over the report's dimension and
    item tests; 3 significant digits) and ``status``. ``gaps`` is the ``dimensions`` frame
    of :func:`reports.analysis.compare_groups`, whose suppressed cells are already missing:
    they are written blank (status ``suppressed``). ``disclosure``: as for
    :func:`summary_rows`.
    """
    note = [disclosure] if disclosure else []
    yield [*GAPS_COLUMNS, *([DISCLOSURE_COLUMN] if disclosure else [])]
    formats = [_GAPS_FORMATS[column] for column in GAPS_COLUMNS]
    for row in gaps.to_dict(orient="records"):
        yield [
            *(
                None if hidden and row[hidden] else write(row[column])
                for column, (hidden, write) in zip(GAPS_COLUMNS, formats, strict=True)
            ),
            *note,
        ]


# Instrument v2's files: one column order each, shared by the download and the command.
DONT_KNOW_COLUMNS = [
    "item_code",
    "dimension_code",
    "attribute",
    "group",
    "n",
    "dont_know_n",
    "dont_know_pct",
]
PERCEPTIONS_COLUMNS = [
    "item_code",
    "side",
    "own_score",
    "predicted_other_score",
    "other_actual_score",
    "misperception",
    "n_side",
    "n_other",
]
MIRROR_PAIRS_COLUMNS = [
    "pair",
    "item_about_it",
    "item_about_security",
    "it_rates_it",
    "it_rates_security",
    "security_rates_it",
    "security_rates_security",
    "pattern",
]


def _header(columns: list[str], disclosure: str) -> list[str]:
    return [*columns, *([DISCLOSURE_COLUMN] if disclosure else [])]


def dont_know_rows(shares: pd.DataFrame, disclosure: str = "") -> Iterator[list[Any]]:
    """Rows of dont_know.csv: a header, then one row per statement (Likert and outcome, in
    instrument order) and compared group: ``n`` (published answers to the statement, "don't
    know" included), ``dont_know_n`` (published) and ``dont_know_pct`` (% of the answers,
    2 decimals), blank where the group is not shown. ``shares``:
    :func:`reports.perceptions.dont_know_shares`. ``disclosure``: as for
    :func:`summary_rows`."""
    note = [disclosure] if disclosure else []
    yield _header(DONT_KNOW_COLUMNS, disclosure)
    for row in shares.to_dict(orient="records"):
        yield [
            row["item_code"],
            row["dimension_code"],
            row["attribute"],
            row["group"],
            _count(row["n"]),
            _count(row["dont_know_n"]),
            _rounded(row["dont_know_pct"]),
            *note,
        ]


def perceptions_rows(perceptions: pd.DataFrame, disclosure: str = "") -> Iterator[list[Any]]:
    """Rows of perceptions.csv: a header, then one row per meta-perception statement and
    side (``it``, ``security``): the side's own score, its guess of the other side's score,
    the other side's actual score (0–100 points) and ``misperception`` = guess − actual
    (points), 2 decimals; ``n_side`` (the side's guesses) and ``n_other`` (the other side's
    answers), published. Blank where a group is not shown. ``perceptions``:
    :func:`reports.perceptions.meta_perceptions` (its statement rows; the dimension means
    are on the page). ``disclosure``: as for :func:`summary_rows`."""
    note = [disclosure] if disclosure else []
    yield _header(PERCEPTIONS_COLUMNS, disclosure)
    statements = perceptions.loc[perceptions["level"] == "item"]
    for row in statements.to_dict(orient="records"):
        yield [
            row["item_code"],
            row["side"],
            *(
                _rounded(row[column])
                for column in (
                    "own_score",
                    "predicted_other_score",
                    "other_actual_score",
                    "misperception",
                )
            ),
            _count(row["n_side"]),
            _count(row["n_other"]),
            *note,
        ]


def mirror_pairs_rows(patterns: pd.DataFrame, disclosure: str = "") -> Iterator[list[Any]]:
    """Rows of mirror_pairs.csv: a header, then one row per mirror pair: its statements
    about IT and about Security, each side's rating (0–100 points, 2 decimals) of IT and of
    Security, and the ``pattern`` (``blame``, ``credit``, ``agreement``, ``mixed`` or
    ``suppressed``; :func:`reports.perceptions.mirror_pattern`). ``patterns``:
    :func:`reports.perceptions.mirror_patterns`. ``disclosure``: as for
    :func:`summary_rows`."""
    note = [disclosure] if disclosure else []
    yield _header(MIRROR_PAIRS_COLUMNS, disclosure)
    for row in patterns.to_dict(orient="records"):
        yield [
            int(row["pair"]),
            row["item_about_it"],
            row["item_about_security"],
            *(_rounded(row[column]) for column in MIRROR_PAIRS_COLUMNS[3:7]),
            row["pattern"],
            *note,
        ]
