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

Statistics (formulas and sources on the methodology page, ``docs/methodology.md``):
within-group agreement rwg(j) (James, Demaree & Wolf 1984) and the average deviation index
AD (Burke, Finkelstein & Dusig 1999); Cronbach's alpha from pairwise covariances (Cronbach
1951); the two-sided Mann–Whitney U test (SciPy) with the rank-biserial correlation as
effect size (Kerby 2014); Benjamini–Hochberg q-values (1995) over every test of a report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from assessment.scoring import dimension_scores, item_scores, likert_items

ALL_GROUP = "all"
PROFILE_COLUMNS = ("side", "function", "level")
SIDE_GROUPS = ("it", "security", "other")
__all__ = [
    "ALL_GROUP",
    "DEFAULT_COMPARISON",
    "LEADERS_VS_STAFF",
    "Comparison",
    "RoundAnalysis",
    "Thresholds",
    "ad_index",
    "alignment_index",
    "bh_qvalues",
    "compare_groups",
    "count_suppression",
    "cronbach_alpha",
    "dimension_comments",
    "dimension_names",
    "dimension_order",
    "effect_label",
    "group_summary",
    "item_distributions",
    "likert_items",
    "mann_whitney",
    "mirror_pairs",
    "profiles_generalise",
    "respondent_scores",
    "round_analysis",
    "rwg_j",
    "score_items",
]
SUMMARY_COLUMNS = [
    "dimension_code",
    "attribute",
    "group",
    "n",
    "score_mean",
    "score_sd",
    "favourable_pct",
    "rwg_j",
    "ad",
    "alpha",
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


# --- Statistics on small arrays and frames -------------------------------------------------

AGREEMENT_COLUMNS = ["rwg_j", "ad", "alpha"]
# |r| below each bound gets its label; at or above the last one, "large". Cohen's (1988)
# conventions for a correlation (0.1 small, 0.3 medium, 0.5 large), applied to the
# rank-biserial r as Kerby (2014) suggests.
EFFECT_SIZE_BOUNDS = ((0.1, "negligible"), (0.3, "small"), (0.5, "medium"))
EFFECT_LARGE = "large"


def _wide(item_scores: pd.DataFrame | np.ndarray) -> np.ndarray:
    """A respondents × items float array (NaN = not answered)."""
    return np.asarray(item_scores, dtype="float64").reshape(len(item_scores), -1)


def rwg_j(item_scores: pd.DataFrame | np.ndarray, points: int) -> float:
    """Within-group agreement rwg(j) of a group on a multi-item scale (0..1).

    ``item_scores``: respondents × items (rows × columns), Likert points, NaN where an item
    was not answered. James, Demaree & Wolf (1984):
    ``rwg(j) = J(1 − s̄²/var_E) / (J(1 − s̄²/var_E) + s̄²/var_E)`` with J the number of items,
    s̄² the mean of the items' observed variances (ddof=1, each over the respondents who
    answered it) and var_E = (A² − 1)/12 the variance of the uniform ("no agreement") null
    on A = ``points`` scale points. s̄² is truncated at var_E, so 0 ≤ rwg(j) ≤ 1: 1 when
    everyone gives the same answer, 0 when answers spread as widely as random ones.
    Items answered by fewer than two respondents are left out; NaN when none remains.
    Raises ValueError if ``points`` < 2.
    """
    if points < 2:
        raise ValueError(f"A Likert scale needs at least 2 points, got {points}.")
    values = _wide(item_scores)
    answered = (~np.isnan(values)).sum(axis=0)
    usable = values[:, answered >= 2]
    if usable.shape[1] == 0:
        return math.nan
    variances = np.nanvar(usable, axis=0, ddof=1)
    null_variance = (points**2 - 1) / 12
    ratio = min(float(np.mean(variances)) / null_variance, 1.0)
    j = usable.shape[1]
    agreement = j * (1 - ratio)
    return float(agreement / (agreement + ratio))


def ad_index(item_scores: pd.DataFrame | np.ndarray) -> float:
    """Average deviation index AD_M(j) of a group, in Likert points (0 = full agreement).

    Burke, Finkelstein & Dusig (1999): for each item, the mean absolute deviation of the
    answers from that item's mean; then the mean over items. ``item_scores`` as in
    :func:`rwg_j`. Items answered by fewer than two respondents are left out; NaN when none
    remains. Burke & Dunlap (2002) read AD ≤ A/6 (0.83 on a 5-point scale) as agreement.
    """
    values = _wide(item_scores)
    answered = (~np.isnan(values)).sum(axis=0)
    usable = values[:, answered >= 2]
    if usable.shape[1] == 0:
        return math.nan
    deviations = np.abs(usable - np.nanmean(usable, axis=0))
    return float(np.mean(np.nanmean(deviations, axis=0)))


def cronbach_alpha(item_scores: pd.DataFrame | np.ndarray) -> float:
    """Cronbach's alpha (1951) from pairwise covariances.

    ``item_scores`` as in :func:`rwg_j` (reverse-coded item scores, so every item points
    the same way). ``alpha = J/(J − 1) · (1 − Σ var_i / Σᵢⱼ Cᵢⱼ)`` where C is the J × J
    covariance matrix, each entry over the respondents who answered both items (pairwise
    deletion, ddof=1), var_i its diagonal. NaN when J < 2, when some pair of items has fewer
    than two respondents in common, or when the total variance is not positive.
    Can be negative (items that do not hang together).
    """
    values = _wide(item_scores)
    if values.shape[1] < 2:
        return math.nan
    covariance = pd.DataFrame(values).cov(min_periods=2).to_numpy()
    total = covariance.sum()
    if np.isnan(covariance).any() or total <= 0:
        return math.nan
    j = values.shape[1]
    return float(j / (j - 1) * (1 - np.trace(covariance) / total))


@dataclass(frozen=True)
class MannWhitney:
    """A two-sided Mann–Whitney U test of group A against group B."""

    u_a: float  # U of group A: pairs where A is higher, ties counted half
    p_value: float
    rank_biserial: float  # 2·U_A/(n_A·n_B) − 1, in −1..1, positive when A tends higher


def mann_whitney(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> MannWhitney:
    """Two-sided Mann–Whitney U test (SciPy's ``mannwhitneyu``, ``method="auto"``: exact
    for small samples without ties, else the normal approximation with tie correction).

    Effect size: the rank-biserial correlation r = 2·U_A/(n_A·n_B) − 1 (Kerby 2014, the
    "simple difference formula": share of pairs where A is higher minus share where B is
    higher). Raises ValueError when either sample is empty.
    """
    a_values = np.asarray(a, dtype="float64")
    b_values = np.asarray(b, dtype="float64")
    if len(a_values) == 0 or len(b_values) == 0:
        raise ValueError("Both samples need at least one value.")
    result = stats.mannwhitneyu(a_values, b_values, alternative="two-sided")
    u_a = float(result.statistic)
    return MannWhitney(
        u_a=u_a,
        p_value=float(result.pvalue),
        rank_biserial=2 * u_a / (len(a_values) * len(b_values)) - 1,
    )


def effect_label(r: float | None) -> str:
    """Magnitude label of a correlation-type effect size: negligible, small, medium, large.

    |r| < 0.1 negligible, < 0.3 small, < 0.5 medium, else large (Cohen 1988). Empty
    string for a missing r.
    """
    if r is None or r is pd.NA or math.isnan(float(r)):
        return ""
    size = abs(float(r))
    for bound, label in EFFECT_SIZE_BOUNDS:
        if size < bound:
            return label
    return EFFECT_LARGE


def bh_qvalues(p_values: Iterable[float]) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values), NaN kept in place.

    For the m non-missing p-values sorted ascending, ``q₍ᵢ₎ = min over j ≥ i of
    min(1, m·p₍ⱼ₎/j)``; computed by SciPy's ``false_discovery_control(method="bh")``.
    Returns a float64 array in the input order.
    """
    values = np.asarray(list(p_values), dtype="float64")
    q = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        q[present] = stats.false_discovery_control(values[present], method="bh")
    return q


def _agreement_table(
    scored: pd.DataFrame, dimensions: Sequence[str], labels: Sequence[str], points: int
) -> pd.DataFrame:
    """rwg(j), AD and alpha per (dimension_code, group); ``scored`` carries ``_group``."""
    records = []
    if scored.empty:
        return pd.DataFrame(
            columns=AGREEMENT_COLUMNS,
            index=pd.MultiIndex.from_tuples([], names=["dimension_code", "group"]),
        )
    group_of = scored.drop_duplicates("response_id").set_index("response_id")["_group"]
    frame = scored.assign(item_code=scored["item_code"].astype(str))
    for code, part in frame.groupby("dimension_code", sort=False, observed=True):
        if code not in dimensions:
            continue
        wide = part.pivot(index="response_id", columns="item_code", values="score")
        groups = group_of.reindex(wide.index).astype(object)
        for label in labels:
            members = wide if label == ALL_GROUP else wide.loc[(groups == label).to_numpy()]
            if members.empty:
                continue
            records.append(
                (
                    str(code),
                    label,
                    rwg_j(members, points),
                    ad_index(members),
                    cronbach_alpha(members),
                )
            )
    return pd.DataFrame(records, columns=["dimension_code", "group", *AGREEMENT_COLUMNS]).set_index(
        ["dimension_code", "group"]
    )


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
    after reverse coding, is in the top two scale points k−1 and k), ``rwg_j`` (float64,
    0..1: :func:`rwg_j` of the group's item scores), ``ad`` (float64, Likert points:
    :func:`ad_index`), ``alpha`` (float64: :func:`cronbach_alpha`; NaN when it cannot be
    computed) and ``suppressed``
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
    agreement = _agreement_table(scored, dimensions, labels, points)
    table[AGREEMENT_COLUMNS] = agreement.reindex(index)[AGREEMENT_COLUMNS].to_numpy()
    table["n"] = table["n"].fillna(0).astype("int64")
    table["suppressed"] = table["n"] < min_group_size
    frame = table.reset_index()
    frame["suppressed"] = _suppress_all_by_difference(frame, "dimension_code", min_group_size)
    frame["attribute"] = attribute
    frame["n"] = frame["n"].astype("Int64").mask(frame["suppressed"])
    numbers = ["score_mean", "score_sd", "favourable_pct", *AGREEMENT_COLUMNS]
    frame[numbers] = frame[numbers].astype("float64").mask(frame["suppressed"])
    frame["dimension_code"] = frame["dimension_code"].astype(str)
    frame["group"] = frame["group"].astype(str)
    return frame[SUMMARY_COLUMNS]


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


# --- Comparing two groups ------------------------------------------------------------------

STATUS_BREAKDOWN = "breakdown"
STATUS_WATCH = "watch"
STATUS_DIVIDED = "divided"
STATUS_ALIGNED = "aligned"
STATUS_SUPPRESSED = "suppressed"
GROUP_JOINER = "+"
DIMENSION_GAP_COLUMNS = [
    "dimension_code",
    "attribute",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "favourable_pct_a",
    "favourable_pct_b",
    "rwg_j_a",
    "rwg_j_b",
    "alpha_a",
    "alpha_b",
    "u_a",
    "p_value",
    "rank_biserial",
    "effect_label",
    "q_value",
    "status",
    "suppressed_a",
    "suppressed_b",
    "suppressed",
    "rank",
    "worst",
]
ITEM_GAP_COLUMNS = [
    "item_code",
    "dimension_code",
    "attribute",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "u_a",
    "p_value",
    "rank_biserial",
    "effect_label",
    "q_value",
    "suppressed_a",
    "suppressed_b",
    "suppressed",
]
MIRROR_COLUMNS = [
    "pair",
    "dimension_code",
    "item_code",
    "mirror_of",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "suppressed_a",
    "suppressed_b",
]


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs of the dimension status (defaults: the FRICTION_* settings' defaults).

    ``gap_points``: |gap| in points (0–100 scale) that counts as large; ``q_value``: a
    q-value below it is significant; ``effect_size``: |rank-biserial r| at or above it is
    at least medium (Cohen 1988: 0.3); ``agreement``: a side whose rwg(j) is below it
    disagrees within itself (LeBreton & Senter 2008: below 0.5 is at most weak agreement).
    """

    gap_points: float = 10.0
    q_value: float = 0.05
    effect_size: float = 0.3
    agreement: float = 0.5


@dataclass(frozen=True)
class Comparison:
    """Two groups of one profile attribute: A against B (gap = A − B).

    Each group is one or more values of ``attribute`` (several values are pooled, e.g.
    leaders = executive + manager). The groups must not share a value.
    """

    attribute: str = "side"
    group_a: tuple[str, ...] = ("it",)
    group_b: tuple[str, ...] = ("security",)

    def __post_init__(self) -> None:
        if not self.group_a or not self.group_b:
            raise ValueError("Both groups of a comparison need at least one value.")
        if set(self.group_a) & set(self.group_b):
            raise ValueError("The two groups of a comparison must not share a value.")

    @property
    def label_a(self) -> str:
        """Group A as written in exports: its values joined by "+"."""
        return GROUP_JOINER.join(self.group_a)

    @property
    def label_b(self) -> str:
        """Group B as written in exports: its values joined by "+"."""
        return GROUP_JOINER.join(self.group_b)


DEFAULT_COMPARISON = Comparison()
LEADERS_VS_STAFF = Comparison("level", ("executive", "manager"), ("individual",))


def _relabel(frame: pd.DataFrame, comparison: Comparison) -> pd.DataFrame:
    """``frame`` with its ``attribute`` column replaced by label_a / label_b / <NA>."""
    values = frame[comparison.attribute].astype(object)
    labels = pd.Series(pd.NA, index=frame.index, dtype="object")
    labels[values.isin(comparison.group_a).to_numpy()] = comparison.label_a
    labels[values.isin(comparison.group_b).to_numpy()] = comparison.label_b
    return frame.assign(**{comparison.attribute: labels})


def _pooled_hidden(
    frame: pd.DataFrame, key: str, comparison: Comparison, min_group_size: int
) -> dict[str, set[str]]:
    """Keys where a pooled group must be hidden, per group label.

    A pooled group (several values) is hidden when one of its values has 1..k−1
    respondents: otherwise that value's numbers could be recovered by subtracting a
    comparison of the other values from it.
    """
    hidden: dict[str, set[str]] = {comparison.label_a: set(), comparison.label_b: set()}
    counts = (
        frame.assign(_value=frame[comparison.attribute].astype(object))
        .groupby([key, "_value"], observed=True)["response_id"]
        .nunique()
    )
    small = counts[(counts > 0) & (counts < min_group_size)]
    for label, values in (
        (comparison.label_a, comparison.group_a),
        (comparison.label_b, comparison.group_b),
    ):
        if len(values) < 2:
            continue
        for code, value in small.index:
            if value in values:
                hidden[label].add(str(code))
    return hidden


def _tests(
    frame: pd.DataFrame, key: str, value: str, comparison: Comparison, keys: Sequence[str]
) -> pd.DataFrame:
    """u_a, p_value, rank_biserial per key, from the relabelled long ``frame``."""
    rows = []
    by_key = {str(code): part for code, part in frame.groupby(key, sort=False, observed=True)}
    for code in keys:
        part = by_key.get(code)
        result = None
        if part is not None:
            a = part.loc[part[comparison.attribute] == comparison.label_a, value]
            b = part.loc[part[comparison.attribute] == comparison.label_b, value]
            if len(a) and len(b):
                result = mann_whitney(a.to_numpy(), b.to_numpy())
        rows.append(
            (code, math.nan, math.nan, math.nan)
            if result is None
            else (code, result.u_a, result.p_value, result.rank_biserial)
        )
    return pd.DataFrame(rows, columns=[key, "u_a", "p_value", "rank_biserial"]).set_index(key)


def _side_table(
    scored: pd.DataFrame,
    scores: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    comparison: Comparison,
    min_group_size: int,
) -> pd.DataFrame:
    """Per dimension: group_summary of A and B side by side (columns suffixed _a, _b)."""
    summary = group_summary(
        scored,
        scores,
        items,
        points,
        comparison.attribute,
        min_group_size,
        [comparison.label_a, comparison.label_b],
    ).set_index("dimension_code")
    sides = []
    for label, suffix in ((comparison.label_a, "_a"), (comparison.label_b, "_b")):
        side = summary.loc[summary["group"] == label].drop(columns=["attribute", "group"])
        side = side.rename(columns={"score_mean": "score"})
        sides.append(side.add_suffix(suffix))
    return pd.concat(sides, axis=1)


def _item_sides(
    scored: pd.DataFrame, items: pd.DataFrame, points: int, comparison: Comparison
) -> pd.DataFrame:
    """Per item and group label: n (respondents) and mean item score rescaled to 0–100."""
    codes = list(likert_items(items)["item_code"])
    frame = scored.assign(item_code=scored["item_code"].astype(str))
    grouped = frame.groupby(["item_code", comparison.attribute], observed=True)["score"]
    table = grouped.agg(n="count", mean="mean")
    out = pd.DataFrame(index=pd.Index(codes, name="item_code"))
    for label, suffix in ((comparison.label_a, "_a"), (comparison.label_b, "_b")):
        side = table.xs(label, level=1) if label in table.index.get_level_values(1) else None
        n = side["n"] if side is not None else pd.Series(dtype="int64")
        mean = side["mean"] if side is not None else pd.Series(dtype="float64")
        out[f"n{suffix}"] = n.reindex(out.index).fillna(0).astype("int64")
        out[f"score{suffix}"] = ((mean.reindex(out.index) - 1) / (points - 1) * 100).astype(
            "float64"
        )
    return out


def _mask_side(frame: pd.DataFrame, suffix: str, columns: Sequence[str]) -> None:
    """Blank a suppressed side's numbers in place (its n too: a small n is revealing)."""
    hidden = frame[f"suppressed{suffix}"]
    frame[f"n{suffix}"] = frame[f"n{suffix}"].astype("Int64").mask(hidden)
    for column in columns:
        frame[f"{column}{suffix}"] = frame[f"{column}{suffix}"].astype("float64").mask(hidden)


def _status(frame: pd.DataFrame, thresholds: Thresholds) -> pd.Series:
    """breakdown / watch / divided / aligned / suppressed per row (see compare_groups)."""
    large = frame["gap"].abs() >= thresholds.gap_points
    significant = frame["q_value"] < thresholds.q_value
    strong = frame["rank_biserial"].abs() >= thresholds.effect_size
    met = large.astype(int) + significant.astype(int) + strong.astype(int)
    divided = (frame["rwg_j_a"] < thresholds.agreement) | (frame["rwg_j_b"] < thresholds.agreement)
    status = np.select(
        [frame["suppressed"], met == 3, met == 2, divided.fillna(False)],
        [STATUS_SUPPRESSED, STATUS_BREAKDOWN, STATUS_WATCH, STATUS_DIVIDED],
        default=STATUS_ALIGNED,
    )
    return pd.Series(status, index=frame.index, dtype="object")


def alignment_index(dimension_gaps: pd.DataFrame) -> float | None:
    """Overall alignment, 0–100: ``100 − mean |gap|`` over the non-suppressed dimensions.

    ``dimension_gaps`` is the ``dimensions`` frame of :func:`compare_groups`. 100 means
    the two groups score every dimension alike; each point of average gap costs a point.
    None when every dimension is suppressed.
    """
    gaps = dimension_gaps.loc[~dimension_gaps["suppressed"], "gap"].dropna()
    if gaps.empty:
        return None
    return float(min(max(100 - gaps.abs().mean(), 0.0), 100.0))


@dataclass(frozen=True)
class GroupComparison:
    """The result of :func:`compare_groups`."""

    comparison: Comparison
    dimensions: pd.DataFrame
    items: pd.DataFrame
    alignment_index: float | None
    thresholds: Thresholds = field(default_factory=Thresholds)


def compare_groups(
    scored_items: pd.DataFrame,
    respondent_scores: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    *,
    comparison: Comparison = DEFAULT_COMPARISON,
    min_group_size: int = 5,
    thresholds: Thresholds | None = None,
) -> GroupComparison:
    """Compare group A with group B on every dimension and every Likert item.

    Inputs as for :func:`group_summary` (both frames carry ``comparison.attribute``).

    ``dimensions``: one row per dimension in instrument order, columns
    ``DIMENSION_GAP_COLUMNS``: the two groups' ``n`` (Int64), ``score`` (0–100 points),
    ``favourable_pct`` (%), ``rwg_j``, ``alpha`` (suffixed ``_a``/``_b``); ``gap`` =
    score_a − score_b in points; the two-sided Mann–Whitney test of the respondents'
    dimension scores (``u_a``, ``p_value``), ``rank_biserial`` (−1..1, positive when A
    tends higher) and its ``effect_label``; ``q_value`` (Benjamini–Hochberg over every
    dimension AND item test of this comparison); ``status``; ``suppressed_a``,
    ``suppressed_b``, ``suppressed`` (either side); ``rank`` (Int64, 1 = largest |gap|) and
    ``worst``.

    ``items``: one row per Likert item in instrument order, columns ``ITEM_GAP_COLUMNS``:
    n, mean item score rescaled to 0–100 (after reverse coding) per group, gap, test, effect
    and q-value as above.

    Status: *suppressed* when either group has fewer than k respondents; *breakdown* when
    |gap| ≥ ``gap_points``, q < ``q_value`` and |r| ≥ ``effect_size``; *watch* when exactly
    two of these three hold; else *divided* when either group's rwg(j) < ``agreement``;
    else *aligned*. A group below k shows no number at all (n included), and a pooled group
    is also hidden when one of its values has 1..k−1 respondents. Raises ValueError when
    min_group_size < 1.
    """
    _check_k(min_group_size)
    thresholds = thresholds or Thresholds()
    likert = likert_items(items)
    dimensions = dimension_order(likert)
    codes = [str(code) for code in likert["item_code"]]
    scored = _relabel(scored_items, comparison)
    scores = _relabel(respondent_scores, comparison)

    table = _side_table(scored, scores, likert, points, comparison, min_group_size)
    dim_hidden = _pooled_hidden(respondent_scores, "dimension_code", comparison, min_group_size)
    table["suppressed_a"] = table["suppressed_a"] | table.index.isin(dim_hidden[comparison.label_a])
    table["suppressed_b"] = table["suppressed_b"] | table.index.isin(dim_hidden[comparison.label_b])
    table = table.join(_tests(scores, "dimension_code", "score", comparison, dimensions))

    item_table = _item_sides(scored, likert, points, comparison)
    item_hidden = _pooled_hidden(scored_items, "item_code", comparison, min_group_size)
    for label, suffix in ((comparison.label_a, "_a"), (comparison.label_b, "_b")):
        item_table[f"suppressed{suffix}"] = (
            item_table[f"n{suffix}"] < min_group_size
        ) | item_table.index.isin(item_hidden[label])
    item_table = item_table.join(
        _tests(
            scored.assign(item_code=scored["item_code"].astype(str)),
            "item_code",
            "score",
            comparison,
            codes,
        )
    )

    for frame in (table, item_table):
        frame["suppressed"] = frame["suppressed_a"] | frame["suppressed_b"]
        frame["gap"] = (frame["score_a"] - frame["score_b"]).mask(frame["suppressed"])
        for column in ("u_a", "p_value", "rank_biserial"):
            frame[column] = frame[column].astype("float64").mask(frame["suppressed"])
    q = bh_qvalues([*table["p_value"], *item_table["p_value"]])
    table["q_value"] = q[: len(table)]
    item_table["q_value"] = q[len(table) :]

    _mask_side(table, "_a", ["score", "favourable_pct", "rwg_j", "alpha"])
    _mask_side(table, "_b", ["score", "favourable_pct", "rwg_j", "alpha"])
    _mask_side(item_table, "_a", ["score"])
    _mask_side(item_table, "_b", ["score"])

    dimension_frame = table.reindex(dimensions)
    dimension_frame["status"] = _status(dimension_frame, thresholds)
    absolute = dimension_frame["gap"].abs()
    order = absolute.rank(method="first", ascending=False)
    dimension_frame["rank"] = order.astype("Int64")
    dimension_frame["worst"] = (dimension_frame["rank"] == 1).fillna(False).astype(bool)

    item_codes = dict(zip(likert["item_code"].astype(str), likert["dimension_code"], strict=True))
    item_frame = item_table.reindex(codes)
    item_frame["dimension_code"] = [str(item_codes[code]) for code in codes]
    for frame in (dimension_frame, item_frame):
        frame["attribute"] = comparison.attribute
        frame["group_a"] = comparison.label_a
        frame["group_b"] = comparison.label_b
        frame["effect_label"] = [effect_label(r) for r in frame["rank_biserial"]]
    dimension_frame = dimension_frame.rename_axis("dimension_code").reset_index()
    item_frame = item_frame.rename_axis("item_code").reset_index()
    dimension_frame = dimension_frame[DIMENSION_GAP_COLUMNS]
    return GroupComparison(
        comparison=comparison,
        dimensions=dimension_frame,
        items=item_frame[ITEM_GAP_COLUMNS],
        alignment_index=alignment_index(dimension_frame),
        thresholds=thresholds,
    )


def mirror_pairs(item_gaps: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Mirror pairs side by side: both groups' answers to both perspectives of a concern.

    ``item_gaps`` is :attr:`GroupComparison.items`; ``items`` has ``item_code`` and
    ``mirror_of`` (an item code or None). Each pair (two items that name each other, or
    one naming the other) appears once, numbered 1, 2, ... in instrument order, as two rows
    (its items in instrument order) with the columns ``MIRROR_COLUMNS``: ``n``, ``score``
    (0–100 points) per group, ``gap`` (points, A − B) and the suppression flags.
    """
    if "mirror_of" not in items.columns:
        return pd.DataFrame(columns=MIRROR_COLUMNS)
    likert = likert_items(items)
    position = {str(code): i for i, code in enumerate(likert["item_code"])}
    pairs: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    for code, mirror in zip(likert["item_code"], likert["mirror_of"], strict=True):
        if mirror is None or (isinstance(mirror, float) and math.isnan(mirror)):
            continue
        code, mirror = str(code), str(mirror)
        key = frozenset((code, mirror))
        if mirror not in position or key in seen or code == mirror:
            continue
        seen.add(key)
        pairs.append(tuple(sorted((code, mirror), key=position.__getitem__)))
    by_code = item_gaps.set_index("item_code")
    rows = []
    for number, pair in enumerate(pairs, start=1):
        for code, other in (pair, pair[::-1]):
            row = by_code.loc[code]
            rows.append(
                {
                    "pair": number,
                    "dimension_code": row["dimension_code"],
                    "item_code": code,
                    "mirror_of": other,
                    **{column: row[column] for column in MIRROR_COLUMNS[4:]},
                }
            )
    return pd.DataFrame(rows, columns=MIRROR_COLUMNS)


@dataclass(frozen=True)
class RoundAnalysis:
    """Every frame the dashboard, the item views and the exports need for one round.

    ``summary``: :func:`group_summary` over the groups of ``comparison.attribute``;
    ``gaps`` and ``item_gaps``: :func:`compare_groups`; ``distributions``:
    :func:`item_distributions` of the comparison's two groups (a suppressed group's rows
    suppressed); ``mirror_pairs``: :func:`mirror_pairs`.
    """

    items: pd.DataFrame
    scored_items: pd.DataFrame
    respondent_scores: pd.DataFrame
    summary: pd.DataFrame
    comparison: Comparison
    thresholds: Thresholds
    gaps: pd.DataFrame
    item_gaps: pd.DataFrame
    distributions: pd.DataFrame
    mirror_pairs: pd.DataFrame
    alignment_index: float | None
    respondents: int

    @property
    def is_empty(self) -> bool:
        return self.respondents == 0


def round_analysis(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    min_group_size: int,
    groups: Sequence[str] | None = None,
    *,
    comparison: Comparison = DEFAULT_COMPARISON,
    thresholds: Thresholds | None = None,
) -> RoundAnalysis:
    """Run the whole analysis of one round once (reverse coding never touches ``answers``).

    ``groups`` fixes the summary's groups of ``comparison.attribute`` (default: the side
    groups for ``side``, else the groups present). Raises ValueError on an out-of-scale
    value or min_group_size < 1.
    """
    thresholds = thresholds or Thresholds()
    attribute = comparison.attribute
    if groups is None and attribute == "side":
        groups = SIDE_GROUPS
    likert = likert_items(items).reset_index(drop=True)
    scored = score_items(answers, likert, points)
    scores = _scores_from_scored(scored, likert, points)
    summary = group_summary(scored, scores, likert, points, attribute, min_group_size, groups)
    compared = compare_groups(
        scored,
        scores,
        likert,
        points,
        comparison=comparison,
        min_group_size=min_group_size,
        thresholds=thresholds,
    )
    distributions = item_distributions(
        _relabel(scored, comparison),
        likert,
        points,
        attribute,
        min_group_size,
        [comparison.label_a, comparison.label_b],
    )
    distributions = distributions.loc[distributions["group"] != ALL_GROUP].reset_index(drop=True)
    hidden = compared.items.set_index("item_code")[["suppressed_a", "suppressed_b"]]
    for label, column in (
        (comparison.label_a, "suppressed_a"),
        (comparison.label_b, "suppressed_b"),
    ):
        rows = (distributions["group"] == label) & distributions["item_code"].map(
            hidden[column]
        ).fillna(True).astype(bool)
        distributions.loc[rows, "suppressed"] = True
    for column in ("count", "n"):
        distributions[column] = distributions[column].mask(distributions["suppressed"])
    distributions["pct"] = distributions["pct"].mask(distributions["suppressed"])
    return RoundAnalysis(
        items=likert,
        scored_items=scored,
        respondent_scores=scores,
        summary=summary,
        comparison=comparison,
        thresholds=thresholds,
        gaps=compared.dimensions,
        item_gaps=compared.items,
        distributions=distributions,
        mirror_pairs=mirror_pairs(compared.items, likert),
        alignment_index=compared.alignment_index,
        respondents=int(answers["response_id"].nunique()) if len(answers) else 0,
    )


# --- Disclosure control beyond the scores: counts, comments, exported profiles --------------

PARTICIPATION_COLUMNS = ["group", "count", "suppressed"]
COMMENT_COLUMNS = ["item_code", "text"]
PROFILE_GENERALISATION = ("level", "function", "side")  # blanked in this order


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
    _check_k(min_group_size)
    hidden = counts.astype("int64") < min_group_size
    residue = int(total) - int(counts[~hidden].sum())
    total_hidden = 0 < int(total) < min_group_size or 0 < residue < min_group_size
    if int(total) < min_group_size:
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
    _check_k(min_group_size)
    columns = list(order)
    out = profiles.copy()
    out[columns] = out[columns].fillna("").astype(str)
    for step in range(len(columns)):
        if out.empty:
            break
        sizes = out.groupby(columns, sort=False)[columns[0]].transform("size")
        small = sizes < min_group_size
        if not small.any():
            break
        for blanked in columns[: step + 1]:
            out.loc[small, blanked] = ""
    if not out.empty:
        sizes = out.groupby(columns, sort=False)[columns[0]].transform("size")
        out = out.loc[sizes >= min_group_size]
    return out
