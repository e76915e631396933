"""Disclosure: every rule that decides whether a figure of a round may be published. Pure.

One small-count rule underlies them all (:func:`is_small`): a group of 1..k−1 respondents
(k = the round's ``min_group_size``) may be neither shown nor worked out. A count is shown
only when it is at least k (:func:`count_shown`: an empty group looks like a small one).
On top of it: complementary suppression of a partition whose total is published
(:func:`partition_hidden`, :func:`count_suppression`, :func:`all_row_suppressed`), global
recoding of two-way tables (:func:`table_hidden`), sides left out of every figure
(:func:`small_sides_removed`), the groups of a view (:func:`partition_protected`), one filter
at a time (:func:`filtered_answers`), the values a filter may offer
(:func:`attribute_options`), pooled groups (:func:`pool_hidden`), k-anonymised export
profiles (:func:`profiles_generalise`), comments (:func:`dimension_comments`) and the staff
round page's participation (:func:`participation_cells`). Nothing else in the code decides
what is shown. ``docs/methodology.md`` ("Anonymity") states the rules for readers.

Frames: *answers* (``response_id``, ``side``, ``function``, ``level``, attribute columns,
``item_code``, ``value``) and *attributes* (long: ``response_id``, ``name``, ``value``; the
``Response.attributes`` of the round).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

# The merged, never-shown row or column of a recoded two-way table (see table_hidden).
BUCKET = "\x00hidden"
# Profile fields a view can be filtered by; profile attributes come on top.
PROFILE_FILTERS = ("level", "function")
BLANK = ""
PARTICIPATION_COLUMNS = ["group", "count", "suppressed"]
COMMENT_COLUMNS = ["item_code", "text"]
PROFILE_GENERALISATION = ("level", "function", "side")  # blanked in this order


def check_k(min_group_size: int) -> None:
    """Raise ValueError unless ``min_group_size`` (k) is at least 1."""
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size}.")


def is_small(n: int | np.ndarray, min_group_size: int) -> bool | np.ndarray:
    """The small-count rule: 1..k−1 respondents, a group that may be neither shown nor worked
    out (0 identifies nobody). Works on ints and on integer arrays (elementwise)."""
    return (n > 0) & (n < min_group_size)


def count_shown(n: int | np.ndarray | pd.Series, min_group_size: int) -> bool | np.ndarray:
    """A count (or a cell's figures) may be shown only when it is at least k: below k, zero
    included, it reads "fewer than k", so an empty group looks exactly like a small one.
    Works on ints and elementwise on arrays and Series."""
    return n >= min_group_size


def pool_hidden(value_counts: Iterable[int | np.ndarray], min_group_size: int) -> bool | np.ndarray:
    """A pooled group (several values shown as one, e.g. executives + managers) is hidden
    when one of its values holds 1..k−1 respondents: otherwise that value's numbers could be
    recovered by subtracting a comparison of the other values from the pool.

    ``value_counts``: the respondents of each value of the pool, ints or arrays of equal
    shape (e.g. per dimension); returns a bool, or a bool array of that shape."""
    hidden: bool | np.ndarray = False
    for n in value_counts:
        hidden = hidden | is_small(n, min_group_size)
    return hidden


def all_row_suppressed(
    frame: pd.DataFrame, key: str, min_group_size: int, all_group: str = "all"
) -> pd.Series:
    """Complementary suppression of the "all" rows (returns the new ``suppressed`` column).

    "all" minus the groups that are shown leaves the respondents of the suppressed groups
    (and of any group not listed). When that residue has 1..k−1 respondents, showing "all"
    would let a reader work out their n and mean by subtraction, so "all" is suppressed too.
    ``frame`` has ``key``, ``group``, ``n`` (int, before masking) and ``suppressed``; it may
    repeat a (key, group) cell on several rows (one per scale point).
    """
    is_all = frame["group"] == all_group
    cells = frame.loc[~is_all & ~frame["suppressed"]].drop_duplicates([key, "group"])
    shown = cells.groupby(key)["n"].sum()
    residue = frame["n"] - frame[key].map(shown).fillna(0)
    hidden_by_difference = is_all & is_small(residue, min_group_size)
    return frame["suppressed"] | hidden_by_difference


def count_suppression(counts: pd.Series, total: int, min_group_size: int) -> tuple[pd.Series, bool]:
    """Which counts of a breakdown (e.g. completed responses per side) may be shown.

    ``counts``: respondents per group (index = group, int); ``total``: respondents of the
    whole breakdown (may exceed the sum when some have no group). Returns ``(hidden,
    total_hidden)``: ``hidden`` (bool Series, same index) is True for every count below k,
    zero included, so an empty group looks exactly like a small one; ``total_hidden`` is
    True when the total is 1..k−1, or when the total minus the shown counts leaves 1..k−1
    respondents (the hidden groups could be worked out by subtraction — the complementary
    suppression of :func:`group_summary`'s "all" row). A residue of zero identifies nobody
    and is allowed. Raises ValueError when min_group_size < 1.
    """
    check_k(min_group_size)
    hidden = ~counts.astype("int64").map(lambda n: count_shown(n, min_group_size)).astype(bool)
    residue = int(total) - int(counts[~hidden].sum())
    total_hidden = bool(is_small(int(total), min_group_size) or is_small(residue, min_group_size))
    if not count_shown(total, min_group_size):
        hidden[:] = True
    return hidden, total_hidden


def dimension_comments(
    comments: pd.DataFrame, min_respondents: int, rng: np.random.Generator | None = None
) -> pd.DataFrame:
    """The comments of one dimension as shown to leaders: no profile, random order.

    ``comments``: one row per comment, columns ``response_id`` and ``item_code`` and
    ``text`` (str; any other column is dropped). When fewer than ``min_respondents``
    distinct respondents wrote one, nothing is shown (an empty frame). Otherwise the rows
    come back shuffled by ``rng`` (default: a fresh unseeded generator, so every request
    shows another order and the order says nothing about who wrote what), columns
    ``COMMENT_COLUMNS`` only; blank texts are left out and the others stripped.
    """
    stripped = comments["text"].astype(str).str.strip()
    texts = comments.assign(text=stripped).loc[stripped != ""]
    if texts["response_id"].nunique() < min_respondents:
        return pd.DataFrame(columns=COMMENT_COLUMNS)
    rng = rng or np.random.default_rng()
    order = rng.permutation(len(texts))
    return texts.iloc[order][COMMENT_COLUMNS].reset_index(drop=True)


def profiles_generalise(
    profiles: pd.DataFrame,
    min_group_size: int,
    order: Sequence[str] = PROFILE_GENERALISATION,
) -> pd.DataFrame:
    """k-anonymise the quasi-identifiers of exported responses (default ``side, function,
    level``), blanking the finest first.

    ``profiles``: one row per response with the columns named in ``order`` (str, "" = not
    given; others are kept as they are). With the default order: a row whose combination is
    shared by fewer than k rows gets ``level`` blanked; then, counted again, a row whose
    (side, function, "") class is still below k gets ``function`` blanked too; then a row
    whose (side, "", "") class is below k gets ``side`` blanked. Rows left in a class of
    fewer than k even then (only the all-blank class can be) are dropped: a handful of
    blank rows beside well-filled ones would otherwise mark out the small group they came
    from. Every published combination is thus shared by at least k rows. Returns a copy
    with the same columns and the kept rows' index. Raises ValueError when
    min_group_size < 1.
    """
    check_k(min_group_size)
    columns = list(order)
    out = profiles.copy()
    out[columns] = out[columns].fillna("").astype(str)
    for step in range(len(columns)):
        if out.empty:
            break
        sizes = out.groupby(columns, sort=False)[columns[0]].transform("size")
        small = ~count_shown(sizes, min_group_size)
        if not small.any():
            break
        for blanked in columns[: step + 1]:
            out.loc[small, blanked] = ""
    if not out.empty:
        sizes = out.groupby(columns, sort=False)[columns[0]].transform("size")
        out = out.loc[count_shown(sizes, min_group_size)]
    return out


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
    hidden = {
        str(value) for value, n in counts.items() if not count_shown(n, min_group_size)
    } | forced
    total_hidden = int(sum(n for value, n in counts.items() if str(value) in hidden))
    for value, n in counts.items():
        if not is_small(total_hidden, min_group_size):
            break
        if str(value) in hidden:
            continue
        hidden.add(str(value))
        total_hidden += int(n)
    for pool in pools:
        if hidden & {str(value) for value in pool}:
            hidden |= {str(value) for value in pool}
    return hidden


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
        small = np.argwhere(is_small(counts, min_group_size))
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
    hidden |= {g for g in groups if not count_shown(sizes.get(g, 0), min_group_size)}
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
    small = {str(side) for side, n in counts.items() if is_small(n, min_group_size)}
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


def attribute_options(
    attributes: pd.DataFrame, response_ids: pd.Series, min_group_size: int
) -> dict[str, list[str]]:
    """{attribute name: values a filter may offer} among the respondents ``response_ids``:
    the values not hidden in the attribute's own unfiltered view (:func:`partition_hidden`
    over its values and "not given"), so the list itself names no small group and no value
    whose total would reveal one. Values sorted.

    ``attributes``: long frame (``response_id``, ``name``, ``value``) as
    ``survey.selectors.rounds_attributes_frame``.
    """
    respondents = int(pd.Series(response_ids).nunique())
    own = attributes.loc[attributes["response_id"].isin(response_ids)]
    options: dict[str, list[str]] = {}
    for name, part in own.groupby("name"):
        counts = part["value"].astype(str).value_counts()
        counts[BLANK] = respondents - int(counts.sum())
        hidden = partition_hidden(counts, min_group_size)
        shown = [str(value) for value in counts.index if value and str(value) not in hidden]
        if shown:
            options[str(name)] = sorted(shown)
    return options


def values_offered(attributes: pd.DataFrame, min_group_size: int) -> dict[str, list[str]]:
    """{attribute name: values that may be offered as a group to compare}: the values held by
    at least k respondents (a comparison of a smaller one would show nothing, and offering
    it would name it). ``attributes`` as in :func:`attribute_options`; names without such a
    value are left out; values sorted."""
    counts = attributes.groupby(["name", "value"], sort=True).size()
    offered: dict[str, list[str]] = {}
    for (name, value), n in counts.items():
        if count_shown(int(n), min_group_size):
            offered.setdefault(str(name), []).append(str(value))
    return offered


def participation_cells(
    values: Sequence[int], min_group_size: int, *, total_shown: bool = True
) -> list[int | None]:
    """One column of a participation breakdown (the staff round page), as it may be shown:
    None where a count is hidden.

    A count below k, zero included, is hidden (:func:`count_shown`); the other cells are
    hidden as :func:`partition_hidden` decides, so the hidden cells together hold 0 or at
    least k respondents and the total minus the shown cells names no small group (with sides
    of 10, 1 and 1 and k = 5, every cell is hidden, not just the two small ones). When the
    total itself may not be shown (``total_shown`` False) and the hidden cells hold fewer
    than k, every cell is hidden: the shown cells would add up to that total.
    """
    counts = pd.Series(list(values), index=[str(i) for i in range(len(values))], dtype="int64")
    hidden = partition_hidden(counts, min_group_size)
    shown = [
        int(n) if count_shown(int(n), min_group_size) and str(i) not in hidden else None
        for i, n in enumerate(values)
    ]
    hidden_total = sum(int(n) for n, cell in zip(values, shown, strict=True) if cell is None)
    if not total_shown and not count_shown(hidden_total, min_group_size):
        return [None] * len(shown)
    return shown
