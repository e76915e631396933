"""Pure helpers of the executive summary, the filtered views and the comment pages: filtering
respondents safely, leaders versus staff within each side, the top findings and recurring
words. No Django. (Comments shown and participation suppression: ``reports.analysis``.)

Frames follow ``reports.analysis``: *answers* (``response_id``, ``side``, ``function``,
``level``, ``item_code``, ``value``) and *attributes* (long: ``response_id``, ``name``,
``value``; the imported ``Response.attributes``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from reports.analysis import (
    LEADERS_VS_STAFF,
    GroupComparison,
    Thresholds,
    compare_groups,
    likert_items,
    respondent_scores,
    score_items,
)

__all__ = [
    "PROFILE_FILTERS",
    "STOP_WORDS",
    "filter_respondents",
    "filtered_answers",
    "leaders_versus_staff",
    "partition_hidden",
    "partition_protected",
    "profiles_frame",
    "recurring_words",
    "small_sides_removed",
    "table_hidden",
    "top_findings",
]

# The merged, never-shown row or column of a recoded two-way table (see table_hidden).
BUCKET = "\x00hidden"
# Profile fields a view can be filtered by; imported attributes come on top.
PROFILE_FILTERS = ("level", "function")
BLANK = ""
WITHIN_SIDES = ("it", "security")


def profiles_frame(answers: pd.DataFrame, attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per respondent: ``response_id``, the profile columns of ``answers`` and one
    str column per imported attribute name ("" = not given).

    ``attributes`` is long (``response_id``, ``name``, ``value``); an attribute named like a
    profile column is ignored (the import refuses such names anyway).
    """
    columns = ["response_id", *[c for c in ("side", "function", "level") if c in answers]]
    frame = answers[columns].drop_duplicates("response_id").reset_index(drop=True)
    for column in columns[1:]:
        frame[column] = frame[column].astype(object).fillna(BLANK).astype(str)
    if attributes is None or attributes.empty:
        return frame
    extra = attributes.loc[~attributes["name"].isin(columns)]
    wide = extra.pivot_table(index="response_id", columns="name", values="value", aggfunc="first")
    frame = frame.merge(wide, left_on="response_id", right_index=True, how="left")
    for name in wide.columns:
        frame[name] = frame[name].fillna(BLANK).astype(str)
    return frame


def filter_respondents(frame: pd.DataFrame, filters: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``frame`` whose columns equal every ``filters`` value (column -> value).

    ``frame`` is any frame with the filtered columns: a :func:`profiles_frame`, or an
    answers frame (several rows per respondent) for profile filters. Values compare as str.
    No filter returns ``frame`` unchanged. Raises KeyError naming a column ``frame`` lacks.
    """
    mask = pd.Series(True, index=frame.index)
    for column, value in filters.items():
        if column not in frame.columns:
            raise KeyError(f"No column {column!r} to filter on.")
        mask &= frame[column].astype(object).fillna(BLANK).astype(str) == str(value)
    return frame.loc[mask.to_numpy()]


def partition_hidden(
    counts: pd.Series,
    min_group_size: int,
    hidden_already: Iterable[str] = (),
    pools: Iterable[Sequence[str]] = (),
) -> set[str]:
    """The cells of a partition that may not be shown alone (k-anonymity by subtraction).

    ``counts``: respondents per cell (index = the cell's value, e.g. each level and "" for
    not given; cells with 0 may be left out). Every cell below k is hidden, and every cell of
    ``hidden_already`` (hidden for another reason); when the hidden cells together hold
    1..k−1 respondents, the smallest shown cells are hidden too until they hold at least k
    (or all are hidden): otherwise the total minus the shown cells would single the small
    ones out. ``pools``: groups shown as one (e.g. executives + managers); when a cell of a
    pool is hidden, the whole pool is, since what is left of it would be shown under the
    pool's name. Returns the hidden cells' values (str).
    """
    counts = counts[counts > 0].sort_values(kind="stable")
    forced = {str(value) for value in hidden_already}
    hidden = {str(value) for value, n in counts.items() if n < min_group_size} | forced
    total_hidden = int(sum(n for value, n in counts.items() if str(value) in hidden))
    for value, n in counts.items():
        if not 0 < total_hidden < min_group_size:
            break
        if str(value) in hidden:
            continue
        hidden.add(str(value))
        total_hidden += int(n)
    for pool in pools:
        if hidden & {str(value) for value in pool}:
            hidden |= {str(value) for value in pool}
    return hidden


def leaders_versus_staff(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    min_group_size: int,
    *,
    sides: Sequence[str] = WITHIN_SIDES,
    thresholds: Thresholds | None = None,
) -> dict[str, GroupComparison]:
    """Leaders (executives and managers) against staff (individual contributors) within
    each side: {side: :func:`reports.analysis.compare_groups` result}.

    ``answers`` as in :func:`reports.analysis.round_analysis`, unfiltered (with a filter
    the table would be three-way). The side × level table is recoded by
    :func:`table_hidden`, consistently with every level view: a hidden level (or a hidden
    side, all its levels) leaves its respondents out, and leaders (executives and managers)
    are hidden whole when either is, so a group that needs them shows "not enough
    responses".
    Gap = leaders − staff, in points.
    """
    likert = likert_items(items).reset_index(drop=True)
    out: dict[str, GroupComparison] = {}
    side_values = answers["side"].astype(object).astype(str)
    level_values = answers["level"].astype(object).fillna(BLANK).astype(str)
    # The side × level table is published row by row here and column by column by the
    # level views: one suppression pattern for the whole table (rows and columns).
    profiles = pd.DataFrame(
        {"response_id": answers["response_id"], "side": side_values, "level": level_values}
    ).drop_duplicates("response_id")
    hidden_sides, hidden_levels = table_hidden(profiles, "side", "level", min_group_size)
    leaders = {str(level) for level in LEADERS_VS_STAFF.group_a}
    for side in sides:
        hidden = set(hidden_levels) if side not in hidden_sides else {*level_values.unique()}
        if hidden & leaders:
            hidden |= leaders  # the pool is shown whole or not at all
        part = answers.loc[((side_values == side) & ~level_values.isin(hidden)).to_numpy()]
        scored = score_items(part, likert, points)
        scores = respondent_scores(part, likert, points)
        out[side] = compare_groups(
            scored,
            scores,
            likert,
            points,
            comparison=LEADERS_VS_STAFF,
            min_group_size=min_group_size,
            thresholds=thresholds,
        )
    return out


def top_findings(gaps: pd.DataFrame, limit: int = 3) -> pd.DataFrame:
    """The dimensions a leader should act on first: up to ``limit`` rows of ``gaps``.

    ``gaps`` is the ``dimensions`` frame of :func:`reports.analysis.compare_groups`.
    Breakdowns come first, largest |gap| first; when there are fewer than ``limit``, the
    largest dimensions on *watch* fill the list. Suppressed, aligned and divided dimensions
    never appear. Same columns as ``gaps``.
    """
    order = gaps.assign(_abs=gaps["gap"].abs())
    picked = [
        order.loc[order["status"] == status].sort_values("_abs", ascending=False, kind="stable")
        for status in ("breakdown", "watch")
    ]
    return pd.concat(picked).head(limit).drop(columns="_abs").reset_index(drop=True)


# Common English function words and survey filler, lower case.
_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing don done down during each else
    even ever every few for from further get gets got had has have having he her here hers him
    his how i if in into is it its itself just let like many may me might more most much must
    my no nor not now of off often on once one only or other our ours out over own per quite
    rather really same shall she should so some such than that the their theirs them then
    there these they this those though through to too under until up upon us very was we were
    what when where whether which while who whom whose why will with within without would yet
    you your yours
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def recurring_words(
    texts: Iterable[str],
    *,
    min_comments: int = 2,
    stop_words: frozenset[str] = STOP_WORDS,
    limit: int = 30,
) -> pd.DataFrame:
    """Words that come back across comments, most frequent first.

    Each text is lower-cased and split into words (runs of letters, with inner apostrophes
    or hyphens); stop-words and one-letter words are dropped. A word counts once per
    comment. Returns at most ``limit`` rows, columns ``word`` (str) and ``comments`` (int:
    how many comments use it), only words in at least ``min_comments`` comments, sorted by
    ``comments`` descending then ``word``.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        words = {
            word.replace("’", "'")
            for word in _WORD.findall(str(text).lower())
            if len(word) > 1 and word.replace("’", "'") not in stop_words
        }
        counts.update(words)
    rows = sorted(
        ((word, n) for word, n in counts.items() if n >= min_comments),
        key=lambda pair: (-pair[1], pair[0]),
    )[:limit]
    return pd.DataFrame(rows, columns=["word", "comments"]).astype({"comments": "int64"})


def table_hidden(
    profiles: pd.DataFrame, rows: str, columns: str, min_group_size: int
) -> tuple[set[str], set[str]]:
    """The values of ``rows`` and of ``columns`` that no view of their two-way table shows.

    ``profiles``: one row per respondent with both columns (str; "" = not given). A view
    filtered to ``rows = r`` comparing the groups of ``columns`` shows row r of this table
    (its "all" is the row minus what is hidden), the view filtered the other way shows a
    column, and unfiltered views show the row and column totals. Hiding single cells is not
    enough: a hidden cell alone in its line is the line's total minus what is shown, and
    then gives away the small cell it was hiding in the crossing line. So values are
    *merged* instead (global recoding): the values hidden in their own unfiltered view
    (:func:`partition_hidden`) start in a hidden bucket of rows and one of columns; then,
    while any cell of the table (the buckets' cells included, each bucket counted as one
    row or column) holds 1..k−1 respondents, the row or column through it with fewer
    respondents joins its bucket (for a cell of a bucket, any row or column of that kind
    may join: the smallest does). In the end every cell anyone can see or work out holds 0
    or at least k respondents, or everything is hidden. Returns (hidden row values, hidden
    column values).
    """
    row_values = profiles[rows].astype(str)
    column_values = profiles[columns].astype(str)
    hidden_rows = partition_hidden(row_values.value_counts(), min_group_size)
    hidden_columns = partition_hidden(column_values.value_counts(), min_group_size)
    table = pd.crosstab(row_values, column_values)
    row_totals = table.sum(axis=1)
    column_totals = table.sum(axis=0)
    while True:
        merged = table.groupby(
            [BUCKET if str(r) in hidden_rows else str(r) for r in table.index]
        ).sum()
        merged = (
            merged.T.groupby(
                [BUCKET if str(c) in hidden_columns else str(c) for c in merged.columns]
            )
            .sum()
            .T
        )
        counts = merged.to_numpy()
        small = np.argwhere((counts > 0) & (counts < min_group_size))
        if not small.size:
            return hidden_rows, hidden_columns
        open_rows = [
            (int(row_totals[r]), 0, str(r)) for r in table.index if str(r) not in hidden_rows
        ]
        open_columns = [
            (int(column_totals[c]), 1, str(c))
            for c in table.columns
            if str(c) not in hidden_columns
        ]
        candidates = []
        for i, j in small:
            row, column = str(merged.index[i]), str(merged.columns[j])
            # A small cell in a bucket is widened by any line of that bucket's kind.
            candidates += (open_rows if row == BUCKET else [(int(row_totals[row]), 0, row)]) + (
                open_columns if column == BUCKET else [(int(column_totals[column]), 1, column)]
            )
        if not candidates:
            return hidden_rows, hidden_columns
        _n, axis, value = min(candidates)
        (hidden_rows if axis == 0 else hidden_columns).add(value)


def filtered_answers(
    answers: pd.DataFrame,
    filters: Mapping[str, str],
    min_group_size: int,
    attributes: pd.DataFrame | None = None,
    attribute: str = "side",
    pools: Iterable[Sequence[str]] = (),
) -> tuple[pd.DataFrame, set[str]]:
    """Apply one profile or attribute filter to a round's answers, with suppression.

    ``answers``: a round's Likert answers; ``filters``: at most one column -> value
    (``level``, ``function`` or an attribute's name; a name no respondent has selects
    nobody); ``attributes``: the round's long attributes frame; ``pools``: groups of
    ``attribute`` shown as one. One filter and one comparison publish one row of a two-way
    table, recoded once for every view of it (:func:`table_hidden`); two filters would
    publish three-way tables, whose cells could be recovered by combining views, hence one
    at a time. A filter value the recoding hides selects nobody. Returns (the answers of the
    respondents selected, minus those of every hidden group of ``attribute``; the groups of
    ``attribute`` not shown: hidden, or with fewer than k in the selection). With no filter,
    ``answers`` comes back unchanged and nothing is hidden. Raises ValueError for more than
    one filter.
    """
    if not filters:
        return answers, set()
    if len(filters) > 1:
        raise ValueError("Apply one filter at a time.")
    ((column, value),) = filters.items()
    profiles = profiles_frame(answers, attributes)
    if column not in profiles.columns:
        profiles[column] = BLANK
    groups = {str(g) for g in profiles[attribute].astype(str).unique()}
    values = profiles[column].astype(str)
    if column == attribute:
        hidden_rows = partition_hidden(values.value_counts(), min_group_size)
        hidden: set[str] = set()
    else:
        hidden_rows, hidden = table_hidden(profiles, column, attribute, min_group_size)
    if str(value) in hidden_rows:
        return answers.iloc[0:0], groups
    selected = filter_respondents(profiles, filters)
    for pool in pools:
        if hidden & {str(v) for v in pool}:
            hidden |= {str(v) for v in pool}
    in_selection = selected[attribute].astype(str)
    sizes = in_selection.value_counts()
    hidden |= {g for g in groups if sizes.get(g, 0) < min_group_size}
    selected = selected.loc[~in_selection.isin(hidden).to_numpy()]
    keep = answers["response_id"].isin(selected["response_id"]).to_numpy()
    return answers.loc[keep], hidden


def small_sides_removed(
    answers: pd.DataFrame, min_group_size: int
) -> tuple[pd.DataFrame, set[str]]:
    """Leave out the respondents of every side held by 1..k−1 of them (e.g. three "Other").

    Such a side can never be shown, and the round's total appears in other views (as the
    "all" row of a level comparison, say), so keeping its respondents in any figure would
    let a reader subtract the shown sides from that total and recover them. Every view of a
    round starts from what this returns. ``answers``: with ``response_id`` and ``side``.
    Returns (the answers of the other respondents, the sides left out).
    """
    first = answers.drop_duplicates("response_id")
    sides = first["side"].astype(object).fillna(BLANK).astype(str)
    counts = sides.value_counts()
    small = {str(side) for side, n in counts.items() if 0 < n < min_group_size}
    if not small:
        return answers, set()
    left_out = first.loc[sides.isin(small).to_numpy(), "response_id"]
    return answers.loc[~answers["response_id"].isin(left_out).to_numpy()], small


def partition_protected(
    answers: pd.DataFrame,
    attribute: str,
    min_group_size: int,
    pools: Iterable[Sequence[str]] = (),
) -> tuple[pd.DataFrame, set[str]]:
    """Complementary suppression of the groups of ``attribute`` within ``answers``.

    The respondents of ``answers`` split into the values of ``attribute`` ("" = not given,
    a cell too); :func:`partition_hidden` names the cells that may not be shown (every cell
    below k, then the smallest others until the hidden ones hold at least k). Their
    respondents are left out, so no figure of the view includes them and the view's total
    differs from the selection's by at least k respondents; ``pools`` as in
    :func:`partition_hidden`. Returns (the answers kept, the hidden values as str).
    """
    first = answers.drop_duplicates("response_id")
    values = first[attribute].astype(object).fillna(BLANK).astype(str)
    hidden = partition_hidden(values.value_counts(), min_group_size, pools=pools)
    if not hidden:
        return answers, set()
    left_out = first.loc[values.isin(hidden).to_numpy(), "response_id"]
    return answers.loc[~answers["response_id"].isin(left_out).to_numpy()], hidden
