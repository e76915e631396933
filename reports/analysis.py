"""Pure analysis of a round: respondent scores, group summaries, gaps, item distributions.

No Django here: every function takes and returns pandas frames with the columns documented
below, so views, charts, exports and commands share one set of numbers.

Input frames (as returned by ``survey.selectors``):

* *answers*: one row per Likert answer: ``response_id`` (int), profile columns (``side``,
  ``function``, ``level``: str or categorical), ``item_code`` (str), ``value`` (int, raw
  Likert points 1..k).
* *items*: one row per item in instrument order: ``item_code``, ``dimension_code``,
  ``dimension_name``, ``item_text``, ``kind`` (``likert`` | ``text``), ``reverse_scored``.
  Text items are ignored here.
* *scored items*: the output of :func:`score_items` (answers plus ``dimension_code`` and
  ``score``, the item score in Likert points after reverse coding).

The anonymity rule (*suppressed*): a cell computed from fewer than ``min_group_size`` (k)
respondents carries no numbers; its ``n`` is <NA> too, since a small n is itself revealing.
The "all" group is suppressed as well when subtracting the shown groups from it would
isolate fewer than k respondents (complementary suppression).
The scale is always ``points`` (k points, 4..7) from the instrument, never a fixed five.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assessment.scoring import dimension_scores, item_scores, likert_items

ALL_GROUP = "all"
PROFILE_COLUMNS = ("side", "function", "level")
SIDE_GROUPS = ("it", "security", "other")
__all__ = [
    "ALL_GROUP",
    "RoundAnalysis",
    "dimension_names",
    "dimension_order",
    "group_summary",
    "item_distributions",
    "likert_items",
    "respondent_scores",
    "round_analysis",
    "score_items",
    "side_gaps",
]
SUMMARY_COLUMNS = [
    "dimension_code",
    "attribute",
    "group",
    "n",
    "score_mean",
    "score_sd",
    "favourable_pct",
    "suppressed",
]
DISTRIBUTION_COLUMNS = [
    "item_code",
    "dimension_code",
    "attribute",
    "group",
    "point",
    "count",
    "pct",
    "n",
    "suppressed",
]


def dimension_order(items: pd.DataFrame) -> list[str]:
    """Dimension codes of the Likert items, in instrument order."""
    return list(dict.fromkeys(likert_items(items)["dimension_code"]))


def dimension_names(items: pd.DataFrame) -> dict[str, str]:
    """Map dimension code -> name (``dimension_name``, else the code), in instrument order."""
    frame = likert_items(items)
    names = frame["dimension_name"] if "dimension_name" in frame else frame["dimension_code"]
    return dict(zip(frame["dimension_code"], names, strict=True))


def score_items(answers: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Reverse-code the Likert answers: :func:`assessment.scoring.item_scores` on Likert items.

    Returns the answers columns plus ``dimension_code`` (str) and ``score`` (int64, Likert
    points after reverse coding ``k + 1 − v``); ``value`` stays the raw answer. Raises
    ValueError when a value lies outside 1..points.
    """
    return item_scores(answers, likert_items(items), points)


def _profile(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per response_id with whichever profile columns the frame has."""
    columns = ["response_id", *[c for c in PROFILE_COLUMNS if c in frame.columns]]
    return frame[columns].drop_duplicates("response_id")


def _scores_from_scored(scored: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    likert = likert_items(items)
    wide = dimension_scores(scored, likert, points)
    long = (
        wide.reset_index()
        .melt(id_vars="response_id", var_name="dimension_code", value_name="score")
        .dropna(subset=["score"])
    )
    long["dimension_code"] = long["dimension_code"].astype(str)
    long["score"] = long["score"].astype("float64")
    frame = long.merge(_profile(scored), on="response_id", how="left", validate="many_to_one")
    order = {code: position for position, code in enumerate(dimension_order(likert))}
    frame = frame.assign(_order=frame["dimension_code"].map(order))
    frame = frame.sort_values(["_order", "response_id"], kind="stable").drop(columns="_order")
    columns = [c for c in ["response_id", *PROFILE_COLUMNS] if c in frame.columns]
    return frame[[*columns, "dimension_code", "score"]].reset_index(drop=True)


def respondent_scores(answers: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Score every respondent on every dimension, 0–100 (long format).

    Returns one row per respondent and dimension that has a score, in instrument order:
    ``response_id`` (int), the profile columns present in ``answers`` (``side``,
    ``function``, ``level``), ``dimension_code`` (str) and ``score`` (float64, 0–100 points:
    ``(mean item score − 1) / (k − 1) × 100``). A dimension with fewer than half its Likert
    items answered has no row (the missing-data rule of
    :func:`assessment.scoring.dimension_scores`). Raises ValueError on an out-of-scale value.
    """
    return _scores_from_scored(score_items(answers, items, points), items, points)


def _suppress_all_by_difference(frame: pd.DataFrame, key: str, min_group_size: int) -> pd.Series:
    """Complementary suppression of the "all" rows (returns the new ``suppressed`` column).

    "all" minus the groups that are shown leaves the respondents of the suppressed groups
    (and of any group not listed). When that residue has 1..k−1 respondents, showing "all"
    would let a reader work out their n and mean by subtraction, so "all" is suppressed too.
    ``frame`` has ``key``, ``group``, ``n`` (int, before masking) and ``suppressed``; it may
    repeat a (key, group) cell on several rows (one per scale point).
    """
    is_all = frame["group"] == ALL_GROUP
    cells = frame.loc[~is_all & ~frame["suppressed"]].drop_duplicates([key, "group"])
    shown = cells.groupby(key)["n"].sum()
    residue = frame["n"] - frame[key].map(shown).fillna(0)
    hidden_by_difference = is_all & (residue > 0) & (residue < min_group_size)
    return frame["suppressed"] | hidden_by_difference


def _check_k(min_group_size: int) -> None:
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size}.")


def _group_labels(frame: pd.DataFrame, attribute: str, groups: Sequence[str] | None) -> list[str]:
    if groups is not None:
        return [str(g) for g in groups]
    column = frame[attribute]
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna().astype(str))
        return [str(c) for c in column.cat.categories if str(c) in present]
    return sorted({str(v) for v in column.dropna()})


def _keyed(frame: pd.DataFrame, attribute: str) -> pd.Series:
    """The grouping attribute as a categorical of str (fast to group; missing stays missing).

    Group with ``observed=True`` so that categories nobody belongs to add no rows.
    """
    column = frame[attribute]
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype("category")
    return column.cat.rename_categories([str(c) for c in column.cat.categories])


def group_summary(
    scored_items: pd.DataFrame,
    respondent_scores: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    attribute: str = "side",
    min_group_size: int = 5,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Summarise each dimension per group of ``attribute`` and for everyone (group "all").

    ``respondent_scores`` is the output of :func:`respondent_scores`; ``scored_items`` of
    :func:`score_items`; both must carry the ``attribute`` column. ``groups`` fixes the groups
    reported and their order (default: the groups present); a group nobody belongs to is
    reported with n = 0, suppressed.

    Returns one row per dimension (instrument order) and group (``groups`` then "all"):
    ``dimension_code`` (str), ``attribute`` (str), ``group`` (str), ``n`` (Int64: respondents
    with a dimension score), ``score_mean`` and ``score_sd`` (float64, 0–100 points; SD with
    ddof=1), ``favourable_pct`` (float64, % of the group's item answers whose item score,
    after reverse coding, is in the top two scale points k−1 and k) and ``suppressed``
    (bool: n < min_group_size; then n is <NA> and every number NaN). The "all" row is also
    suppressed when subtracting the shown groups from it would isolate 1..k−1 respondents
    (complementary suppression). Raises ValueError when min_group_size < 1.
    """
    _check_k(min_group_size)
    dimensions = dimension_order(items)
    labels = [*_group_labels(respondent_scores, attribute, groups), ALL_GROUP]
    scores = respondent_scores.assign(_group=_keyed(respondent_scores, attribute))
    scored = scored_items.assign(
        _group=_keyed(scored_items, attribute),
        _favourable=(scored_items["score"] >= points - 1).astype("float64") * 100,
    )
    stats = ["n", "score_mean", "score_sd"]

    def per_group(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        grouped = frame.groupby(by, observed=True, dropna=True)["score"]
        return grouped.agg(n="count", score_mean="mean", score_sd="std")

    by_group = per_group(scores, ["dimension_code", "_group"])
    overall = per_group(scores.assign(_group=ALL_GROUP), ["dimension_code", "_group"])
    fav = scored.groupby(["dimension_code", "_group"], observed=True)["_favourable"].mean()
    fav_all = scored.assign(_group=ALL_GROUP).groupby(["dimension_code", "_group"])["_favourable"]
    index = pd.MultiIndex.from_product([dimensions, labels], names=["dimension_code", "group"])
    table = pd.concat([by_group, overall]).reindex(columns=stats)
    table = table[~table.index.duplicated(keep="last")].reindex(index)
    favourable = pd.concat([fav, fav_all.mean()])
    favourable = favourable[~favourable.index.duplicated(keep="last")]
    table["favourable_pct"] = favourable.reindex(index).to_numpy()
    table["n"] = table["n"].fillna(0).astype("int64")
    table["suppressed"] = table["n"] < min_group_size
    frame = table.reset_index()
    frame["suppressed"] = _suppress_all_by_difference(frame, "dimension_code", min_group_size)
    frame["attribute"] = attribute
    frame["n"] = frame["n"].astype("Int64").mask(frame["suppressed"])
    numbers = ["score_mean", "score_sd", "favourable_pct"]
    frame[numbers] = frame[numbers].astype("float64").mask(frame["suppressed"])
    frame["dimension_code"] = frame["dimension_code"].astype(str)
    frame["group"] = frame["group"].astype(str)
    return frame[SUMMARY_COLUMNS]


def side_gaps(
    summary: pd.DataFrame, first: str = "it", second: str = "security", attribute: str = "side"
) -> pd.DataFrame:
    """Compare two groups of a :func:`group_summary` frame, dimension by dimension.

    Returns one row per dimension with the columns ``dimension_code``, ``{first}_score``,
    ``{second}_score`` (0–100 points), ``gap`` (``first − second`` in points: with the
    defaults IT − Security, positive when IT sees the dimension more favourably),
    ``{first}_favourable_pct``, ``{second}_favourable_pct`` (%), ``{first}_n``,
    ``{second}_n`` (Int64, <NA> when suppressed), ``suppressed`` (bool: either side
    suppressed or absent; then ``gap`` is NaN), ``rank`` (Int64, 1 = largest absolute gap,
    <NA> when suppressed) and ``worst`` (bool, True on the single rank-1 row).

    Rows are sorted by absolute gap, largest first, suppressed dimensions last (then in
    instrument order).
    """
    frame = summary.loc[summary["attribute"] == attribute]
    dimensions = list(dict.fromkeys(summary["dimension_code"]))

    def side(group: str) -> pd.DataFrame:
        rows = frame.loc[frame["group"] == group].set_index("dimension_code").reindex(dimensions)
        rows["suppressed"] = rows["suppressed"].fillna(True).astype(bool)
        return rows

    a, b = side(first), side(second)
    out = pd.DataFrame(index=pd.Index(dimensions, name="dimension_code"))
    out[f"{first}_score"] = a["score_mean"].astype("float64")
    out[f"{second}_score"] = b["score_mean"].astype("float64")
    out["suppressed"] = a["suppressed"] | b["suppressed"]
    out["gap"] = (out[f"{first}_score"] - out[f"{second}_score"]).mask(out["suppressed"])
    out[f"{first}_favourable_pct"] = a["favourable_pct"].astype("float64")
    out[f"{second}_favourable_pct"] = b["favourable_pct"].astype("float64")
    out[f"{first}_n"] = a["n"].astype("Int64")
    out[f"{second}_n"] = b["n"].astype("Int64")
    out["_order"] = np.arange(len(out))
    out["_abs"] = out["gap"].abs()
    out = out.sort_values(["_abs", "_order"], ascending=[False, True], na_position="last")
    ranked = out["_abs"].notna()
    out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[ranked, "rank"] = np.arange(1, int(ranked.sum()) + 1)
    out["worst"] = (out["rank"] == 1).fillna(False).astype(bool)
    columns = [
        f"{first}_score",
        f"{second}_score",
        "gap",
        f"{first}_favourable_pct",
        f"{second}_favourable_pct",
        f"{first}_n",
        f"{second}_n",
        "suppressed",
        "rank",
        "worst",
    ]
    return out[columns].reset_index()


def item_distributions(
    scored_items: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    attribute: str = "side",
    min_group_size: int = 5,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count the RAW answers (the item as asked, not reverse-coded) at each scale point.

    Returns one row per Likert item (instrument order), group (``groups`` then "all") and
    scale point 1..points in scale order, including points nobody chose: ``item_code``,
    ``dimension_code``, ``attribute``, ``group`` (str), ``point`` (int64), ``count`` (Int64),
    ``pct`` (float64, % of the group's answers to the item), ``n`` (Int64, respondents who
    answered the item) and ``suppressed`` (bool: n < min_group_size, or the complementary
    suppression of "all" described in :func:`group_summary`; then count, pct and n are
    missing). Raises ValueError when min_group_size < 1.
    """
    _check_k(min_group_size)
    likert = likert_items(items)
    codes = list(likert["item_code"])
    labels = [*_group_labels(scored_items, attribute, groups), ALL_GROUP]
    scale = list(range(1, points + 1))
    answers = scored_items.assign(_group=_keyed(scored_items, attribute))
    answers = answers.assign(item_code=answers["item_code"].astype(str))
    keys = ["item_code", "_group", "value"]
    counts = answers.groupby(keys, observed=True, dropna=True).size()
    counts_all = answers.assign(_group=ALL_GROUP).groupby(keys, observed=True).size()
    counts = pd.concat([counts, counts_all])
    counts = counts[~counts.index.duplicated(keep="last")]
    index = pd.MultiIndex.from_product(
        [codes, labels, scale], names=["item_code", "group", "point"]
    )
    frame = counts.reindex(index, fill_value=0).rename("count").reset_index()
    frame["count"] = frame["count"].astype("int64")
    frame["n"] = frame.groupby(["item_code", "group"], sort=False)["count"].transform("sum")
    frame["pct"] = (frame["count"] / frame["n"].where(frame["n"] > 0) * 100).astype("float64")
    frame["suppressed"] = frame["n"] < min_group_size
    frame["suppressed"] = _suppress_all_by_difference(frame, "item_code", min_group_size)
    frame["count"] = frame["count"].astype("Int64").mask(frame["suppressed"])
    frame["n"] = frame["n"].astype("Int64").mask(frame["suppressed"])
    frame["pct"] = frame["pct"].mask(frame["suppressed"])
    frame["point"] = frame["point"].astype("int64")
    frame["attribute"] = attribute
    frame["dimension_code"] = frame["item_code"].map(
        dict(zip(likert["item_code"], likert["dimension_code"], strict=True))
    )
    frame["group"] = frame["group"].astype(str)
    return frame[DISTRIBUTION_COLUMNS]


@dataclass(frozen=True)
class RoundAnalysis:
    """Every frame the dashboard and the summary export need for one round (see above)."""

    items: pd.DataFrame
    scored_items: pd.DataFrame
    respondent_scores: pd.DataFrame
    summary: pd.DataFrame
    gaps: pd.DataFrame
    distributions: pd.DataFrame
    respondents: int

    @property
    def is_empty(self) -> bool:
        return self.respondents == 0


def round_analysis(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    min_group_size: int,
    groups: Sequence[str] = SIDE_GROUPS,
    attribute: str = "side",
) -> RoundAnalysis:
    """Run the whole analysis of one round once: scores, summary, IT−Security gaps, items."""
    likert = likert_items(items).reset_index(drop=True)
    scored = score_items(answers, likert, points)
    scores = _scores_from_scored(scored, likert, points)
    summary = group_summary(scored, scores, likert, points, attribute, min_group_size, groups)
    return RoundAnalysis(
        items=likert,
        scored_items=scored,
        respondent_scores=scores,
        summary=summary,
        gaps=side_gaps(summary, attribute=attribute),
        distributions=item_distributions(scored, likert, points, attribute, min_group_size, groups),
        respondents=int(answers["response_id"].nunique()) if len(answers) else 0,
    )
