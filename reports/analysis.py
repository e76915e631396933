"""Pure analysis of a round: respondent scores, group summaries, gaps, item distributions.

No Django here: every function takes and returns pandas frames with the columns documented
below, so views, charts, exports and commands share one set of numbers.

Input frames (as returned by ``survey.selectors``):

* *answers*: one row per Likert answer: ``response_id`` (int), respondent columns
  (``side``, ``function``, ``level`` and one per imported profile attribute, e.g.
  ``region``: str or categorical, "" = not given; see :func:`respondent_columns`),
  ``item_code`` (str or categorical), ``value`` (int, raw Likert points 1..k). Categorical
  columns (as the selector gives them) are mapped through their categories, never row by
  row.
* *items*: one row per item in instrument order: ``item_code``, ``dimension_code``,
  ``dimension_name``, ``item_text``, ``kind`` (``likert`` | ``text``), ``reverse_scored``.
  Text items are ignored here.
* *scored items*: the output of :func:`score_items` (answers plus ``dimension_code`` and
  ``score``, the item score in Likert points after reverse coding).

Inside, a scored frame becomes one dense respondents × items array of item scores (and
respondents × dimensions of dimension scores), built once; every group's numbers come from
row masks of it, so no string column of the millions of answer rows is grouped or pivoted.

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

import functools
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from assessment.scoring import MIN_SHARE_ANSWERED, item_scores, likert_items, rescale_0_100

ALL_GROUP = "all"
# Columns of an answers frame that are not about the respondent (see respondent_columns).
ANSWER_LEVEL_COLUMNS = ("response_id", "item_code", "value", "dimension_code", "score")
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
    "respondent_columns",
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


def respondent_columns(frame: pd.DataFrame) -> list[str]:
    """The respondent-level columns of an answers (or scored, or scores) frame, in its order.

    Every column but ``response_id``, ``item_code``, ``value`` and the columns scoring adds
    (``dimension_code``, ``score``): ``side``, ``function``, ``level`` and one column per
    imported profile attribute (e.g. ``region``). Each carries one value per respondent.
    """
    return [column for column in frame.columns if column not in ANSWER_LEVEL_COLUMNS]


def _check_attribute(frame: pd.DataFrame, attribute: str) -> None:
    if attribute not in respondent_columns(frame):
        known = ", ".join(map(str, respondent_columns(frame))) or "none"
        raise ValueError(
            f"Cannot group by {attribute!r}: it is not a respondent column of the answers "
            f"(the columns there are: {known})."
        )


def _as_categorical(values: pd.Series | np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """``values`` as a categorical with exactly ``categories`` (str; anything else missing)."""
    return pd.Categorical(values, categories=pd.Index(list(categories), dtype="str"))


def score_items(answers: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Reverse-code the Likert answers: :func:`assessment.scoring.item_scores` on Likert items.

    Returns the answers columns plus ``dimension_code`` (categorical of str, categories in
    instrument order) and ``score`` (int64, Likert points after reverse coding
    ``k + 1 − v``); ``value`` stays the raw answer (int64); default RangeIndex. Answers to
    other items and missing values are dropped. Raises ValueError when a value lies outside
    1..points.

    When ``item_code`` is categorical and ``value`` integer and in 1..points (as
    ``survey.selectors.round_answers_frame`` gives them), ``item_scores`` runs on one row per
    (item category, scale point) and the rows take their dimension and score from that
    table by category code, so no string of the millions of rows is looked at.
    """
    likert = likert_items(items)
    dimensions = [str(code) for code in dimension_order(likert)]
    column = answers["item_code"] if "item_code" in answers.columns else None
    values = answers["value"] if "value" in answers.columns else None
    fast = (
        column is not None
        and values is not None
        and len(answers) > 0
        and isinstance(column.dtype, pd.CategoricalDtype)
        and pd.api.types.is_integer_dtype(values.dtype)
        and likert["item_code"].is_unique
        and values.min() >= 1
        and values.max() <= points
    )
    if not fast:
        scored = item_scores(answers, likert, points)
        return scored.assign(
            dimension_code=_as_categorical(scored["dimension_code"].astype(object), dimensions)
        )
    categories = column.cat.categories
    scale = np.arange(1, points + 1, dtype="int64")
    table = item_scores(
        pd.DataFrame(
            {
                "item_code": np.repeat(np.asarray(categories, dtype=object), points),
                "value": np.tile(scale, len(categories)),
            }
        ),
        likert,
        points,
    )
    position = {code: i for i, code in enumerate(categories)}
    category = table["item_code"].map(position).to_numpy("int64")
    dimension_of = {code: i for i, code in enumerate(dimensions)}
    # One slot more than there are categories: code -1 (a missing item code) lands there.
    kept = np.zeros(len(categories) + 1, dtype=bool)
    kept[category] = True
    dimension = np.full(len(categories) + 1, -1, dtype="int64")
    dimension[category] = table["dimension_code"].astype(str).map(dimension_of).to_numpy()
    score = np.zeros((len(categories) + 1, points), dtype="int64")
    score[category, table["value"].to_numpy("int64") - 1] = table["score"].to_numpy("int64")

    frame = answers.drop(columns=["dimension_code", "reverse_scored"], errors="ignore")
    codes = column.cat.codes.to_numpy()
    rows = kept[codes]
    if not rows.all():
        frame, codes = frame.loc[rows], codes[rows]
    frame = frame.reset_index(drop=True)
    if frame["value"].dtype != "int64":
        frame = frame.assign(value=frame["value"].astype("int64"))
    raw = frame["value"].to_numpy()
    # Series made without a copy: assigning a bare array would copy its 3.7M rows again.
    return frame.assign(
        dimension_code=pd.Categorical.from_codes(
            dimension.astype(np.min_scalar_type(-len(dimensions) - 1))[codes],
            categories=pd.Index(dimensions, dtype="str"),
        ),
        score=pd.Series(score[codes, raw - 1], index=frame.index, copy=False),
    )


class _Panel:
    """One scored frame as dense arrays: respondents × Likert items, built once.

    ``response_ids`` (n, ascending); ``profile``: the respondent-level columns, one row per
    respondent in that order; ``item_codes`` (J, instrument order) with ``item_dimension``
    (J, index into ``dimensions``); ``item_scores`` (n × J float64, reverse-coded Likert
    points, NaN = not answered); ``dimension_scores`` (n × D float64, 0–100 points, NaN = no
    score); ``answer_respondent`` and ``answer_item``: each scored row's respondent and item
    position (−1 for an item that is not among the Likert items), as the smallest signed
    integers that hold them (cast to int64 before multiplying).
    """

    def __init__(
        self,
        scored: pd.DataFrame,
        items: pd.DataFrame,
        points: int,
        scores: pd.DataFrame | None = None,
    ) -> None:
        likert = likert_items(items)
        self.points = points
        self._groups: dict[str, pd.Categorical] = {}
        self._stats: dict[tuple[str, frozenset[str]] | None, _GroupStats] = {}
        self.item_codes = [str(code) for code in likert["item_code"]]
        self.dimensions = [str(code) for code in dimension_order(likert)]
        position = {code: i for i, code in enumerate(self.dimensions)}
        self.item_dimension = np.array(
            [position[str(code)] for code in likert["dimension_code"]], dtype="int64"
        )
        ids = scored["response_id"].to_numpy("int64")
        first_seen, uniques = pd.factorize(ids)
        order = np.argsort(uniques, kind="stable")
        rank = np.empty(len(order), dtype=np.min_scalar_type(-len(order) - 1))
        rank[order] = np.arange(len(order))
        self.response_ids = uniques[order]
        self.answer_respondent = rank[first_seen]
        del first_seen
        first_rows = np.flatnonzero(~pd.Series(ids).duplicated().to_numpy())[order]
        columns = respondent_columns(scored)
        self.profile = scored[columns].take(first_rows).reset_index(drop=True)
        self.answer_item = _positions(scored["item_code"], self.item_codes)

        n, j = len(self.response_ids), len(self.item_codes)
        known = self.answer_item >= 0
        cells = self.answer_respondent.astype("int64")
        cells *= j
        cells += self.answer_item
        values = scored["score"].to_numpy()
        if not known.all():
            cells, values = cells[known], values[known]
        self.item_scores = np.full((n, j), np.nan)
        self.item_scores.flat[cells] = values
        if np.count_nonzero(~np.isnan(self.item_scores)) != len(cells):
            raise ValueError("The answers hold more than one answer of a respondent to an item.")
        self.dimension_scores = (
            self._dimension_scores() if scores is None else self._scatter_scores(scores)
        )

    def dimension_items(self, dimension: int) -> np.ndarray:
        return np.flatnonzero(self.item_dimension == dimension)

    def _dimension_scores(self) -> np.ndarray:
        """The rule of :func:`assessment.scoring.dimension_scores`: the mean item score
        rescaled to 0–100, when at least half the dimension's Likert items are answered."""
        out = np.full((len(self.response_ids), len(self.dimensions)), np.nan)
        for dimension in range(len(self.dimensions)):
            block = self.item_scores[:, self.dimension_items(dimension)]
            answered = (~np.isnan(block)).sum(axis=1)
            enough = (answered > 0) & (answered >= MIN_SHARE_ANSWERED * block.shape[1])
            means = np.nansum(block[enough], axis=1) / answered[enough]
            out[enough, dimension] = rescale_0_100(means, self.points)
        return out

    def _scatter_scores(self, scores: pd.DataFrame) -> np.ndarray:
        out = np.full((len(self.response_ids), len(self.dimensions)), np.nan)
        ids = scores["response_id"].to_numpy("int64")
        at = np.searchsorted(self.response_ids, ids).clip(max=max(len(self.response_ids) - 1, 0))
        if len(ids) and (not len(self.response_ids) or (self.response_ids[at] != ids).any()):
            raise ValueError("respondent_scores has respondents that scored_items lacks.")
        dimension = _positions(scores["dimension_code"], self.dimensions)
        rows = dimension >= 0
        out[at[rows], dimension[rows]] = scores["score"].to_numpy("float64")[rows]
        return out

    @functools.cached_property
    def agreement_items(self) -> list[np.ndarray]:
        """Per dimension: its items anybody answered, ordered by item code (as a pivot of the
        answers would have them)."""
        answered = ~np.isnan(self.item_scores).all(axis=0)
        out = []
        for dimension in range(len(self.dimensions)):
            columns = [c for c in self.dimension_items(dimension) if answered[c]]
            out.append(np.array(sorted(columns, key=self.item_codes.__getitem__), dtype="int64"))
        return out

    @functools.cached_property
    def answered_dimension(self) -> np.ndarray:
        """n × D bool: the respondent answered at least one item of the dimension."""
        answered = ~np.isnan(self.item_scores)
        out = np.zeros((len(self.response_ids), len(self.dimensions)), dtype=bool)
        for dimension in range(len(self.dimensions)):
            out[:, dimension] = answered[:, self.dimension_items(dimension)].any(axis=1)
        return out

    def groups(self, attribute: str) -> pd.Categorical:
        """Each respondent's value of ``attribute`` (categorical of str, missing stays)."""
        if attribute not in self._groups:
            self._groups[attribute] = _keyed(self.profile[attribute])
        return self._groups[attribute]

    def stats(self, attribute: str, values: Iterable[str] | None) -> _GroupStats:
        """The numbers of the respondents whose ``attribute`` is one of ``values`` (None:
        everyone), computed once per panel: a summary group and a compared group made of
        the same values share them."""
        key = None if values is None else (attribute, frozenset(values))
        if key not in self._stats:
            if values is None:
                members = np.ones(len(self.response_ids), dtype=bool)
            else:
                members = _label_codes(self.groups(attribute), [list(values)]) == 0
            self._stats[key] = _group_stats(self, members)
        return self._stats[key]

    def scores_frame(self) -> pd.DataFrame:
        """The long frame of :func:`respondent_scores`."""
        dimension, respondent = np.nonzero(~np.isnan(self.dimension_scores.T))
        data: dict[str, object] = {"response_id": self.response_ids[respondent]}
        for column in self.profile.columns:
            data[column] = self.profile[column].take(respondent).reset_index(drop=True)
        data["dimension_code"] = pd.Categorical.from_codes(
            dimension, categories=pd.Index(self.dimensions, dtype="str")
        )
        data["score"] = self.dimension_scores[respondent, dimension]
        return pd.DataFrame(data, copy=False)


def _positions(column: pd.Series, codes: Sequence[str]) -> np.ndarray:
    """Position of each value of ``column`` in ``codes`` (compared as str); −1 elsewhere.

    A categorical column is mapped through its categories, so its rows are never compared.
    """
    lookup = {code: i for i, code in enumerate(codes)}
    if isinstance(column.dtype, pd.CategoricalDtype):
        row_codes, values = column.cat.codes.to_numpy(), column.cat.categories
    else:
        row_codes, values = pd.factorize(column)
    # One slot more: code −1 (missing) lands on it.
    per_value = np.array([*(lookup.get(str(v), -1) for v in values), -1])
    return per_value.astype(np.min_scalar_type(-len(codes) - 1))[row_codes]


def respondent_scores(answers: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Score every respondent on every dimension, 0–100 (long format).

    Returns one row per respondent and dimension that has a score, in instrument order then
    by ``response_id``: ``response_id`` (int64), the respondent-level columns of ``answers``
    (:func:`respondent_columns`: ``side``, ``function``, ``level`` and any imported
    attribute, dtypes kept), ``dimension_code`` (categorical of str, instrument order) and
    ``score`` (float64, 0–100 points: ``(mean item score − 1) / (k − 1) × 100``). A
    dimension with fewer than half its Likert items answered has no row (the missing-data
    rule of :func:`assessment.scoring.dimension_scores`). Raises ValueError on an
    out-of-scale value, or when a respondent answered an item twice.
    """
    return _Panel(score_items(answers, items, points), items, points).scores_frame()


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


def _group_labels(
    groups_of: pd.Categorical, present: np.ndarray, groups: Sequence[str] | None
) -> list[str]:
    """``groups`` as str, or the groups of the ``present`` respondents in category order."""
    if groups is not None:
        return [str(g) for g in groups]
    codes = np.unique(groups_of.codes[present])
    return [str(groups_of.categories[c]) for c in codes if c >= 0]


def _keyed(column: pd.Series) -> pd.Categorical:
    """A grouping column as a categorical of str (missing stays missing).

    A categorical keeps its category order (renamed to str); any other column gets its
    distinct values as str, sorted.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        categorical = column.array
        return categorical.rename_categories([str(c) for c in categorical.categories])
    values = column.astype(object)
    missing = values.isna().to_numpy()
    text = np.array([str(v) for v in values], dtype=object)
    text[missing] = None
    return pd.Categorical(text, categories=sorted(set(text[~missing])))


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


@dataclass(frozen=True)
class _GroupStats:
    """One group's numbers: per dimension (arrays of D) and per Likert item (arrays of J)."""

    n: np.ndarray  # respondents with a dimension score
    score_mean: np.ndarray  # 0–100 points
    score_sd: np.ndarray  # 0–100 points, ddof=1
    favourable_pct: np.ndarray  # % of the group's item answers in the top two points
    rwg_j: np.ndarray
    ad: np.ndarray
    alpha: np.ndarray
    item_n: np.ndarray  # answers per item
    item_mean: np.ndarray  # mean item score, Likert points


def _group_stats(panel: _Panel, members: np.ndarray) -> _GroupStats:
    """The :class:`_GroupStats` of the respondents where ``members`` (bool, n) is True."""
    points, dimensions = panel.points, len(panel.dimensions)
    scores = panel.dimension_scores[members]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty groups: NaN is the answer
        score_mean = np.nanmean(scores, axis=0)
        score_sd = np.nanstd(scores, axis=0, ddof=1)
    item_scores = panel.item_scores[members]
    answered = ~np.isnan(item_scores)
    item_n = answered.sum(axis=0)
    item_mean = np.full(len(item_n), np.nan)
    item_mean[item_n > 0] = np.nansum(item_scores, axis=0)[item_n > 0] / item_n[item_n > 0]
    favourable = (item_scores >= points - 1).sum(axis=0)
    answers = np.bincount(panel.item_dimension, weights=item_n, minlength=dimensions)
    top_two = np.bincount(panel.item_dimension, weights=favourable, minlength=dimensions)
    favourable_pct = np.full(dimensions, np.nan)
    favourable_pct[answers > 0] = top_two[answers > 0] * 100.0 / answers[answers > 0]
    agreement = np.full((dimensions, 3), np.nan)
    for dimension in range(dimensions):
        rows = np.flatnonzero(members & panel.answered_dimension[:, dimension])
        if len(rows):
            values = panel.item_scores[np.ix_(rows, panel.agreement_items[dimension])]
            agreement[dimension] = (
                rwg_j(values, points),
                ad_index(values),
                cronbach_alpha(values),
            )
    return _GroupStats(
        n=(~np.isnan(scores)).sum(axis=0),
        score_mean=score_mean,
        score_sd=score_sd,
        favourable_pct=favourable_pct,
        rwg_j=agreement[:, 0],
        ad=agreement[:, 1],
        alpha=agreement[:, 2],
        item_n=item_n,
        item_mean=item_mean,
    )


def _summary(
    panel: _Panel, attribute: str, min_group_size: int, groups: Sequence[str] | None
) -> pd.DataFrame:
    """The frame of :func:`group_summary` from a panel."""
    groups_of = panel.groups(attribute)
    scored = ~np.isnan(panel.dimension_scores).all(axis=1)
    labels = [*_group_labels(groups_of, scored, groups), ALL_GROUP]
    per_group = [
        panel.stats(attribute, None if label == ALL_GROUP else (label,)) for label in labels
    ]
    dimensions = len(panel.dimensions)
    frame = pd.DataFrame(
        {
            "dimension_code": np.repeat(np.asarray(panel.dimensions, dtype=object), len(labels)),
            "group": np.tile(np.asarray(labels, dtype=object), dimensions),
            **{
                name: np.stack([getattr(s, name) for s in per_group], axis=1).ravel()
                if dimensions
                else np.array([], dtype="float64")
                for name in ["n", "score_mean", "score_sd", "favourable_pct", *AGREEMENT_COLUMNS]
            },
        }
    )
    frame["n"] = frame["n"].astype("int64")
    frame["suppressed"] = frame["n"] < min_group_size
    frame["suppressed"] = _suppress_all_by_difference(frame, "dimension_code", min_group_size)
    frame["attribute"] = attribute
    frame["n"] = frame["n"].astype("Int64").mask(frame["suppressed"])
    numbers = ["score_mean", "score_sd", "favourable_pct", *AGREEMENT_COLUMNS]
    frame[numbers] = frame[numbers].astype("float64").mask(frame["suppressed"])
    frame["dimension_code"] = frame["dimension_code"].astype(str)
    frame["group"] = frame["group"].astype(str)
    return frame[SUMMARY_COLUMNS]


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
    :func:`score_items`, of the same answers; ``attribute`` is any respondent-level column of
    ``scored_items`` (:func:`respondent_columns`: ``side``, ``function``, ``level`` or an
    imported attribute such as ``region``; values compared as str). ``groups`` fixes the
    groups reported and their order (default: the groups present, in category order for a
    categorical, else sorted); a group nobody belongs to is reported with n = 0, suppressed.

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
    (complementary suppression). Raises ValueError when min_group_size < 1, when
    ``attribute`` is not a respondent column of ``scored_items``, or when
    ``respondent_scores`` names a respondent that ``scored_items`` lacks.
    """
    _check_k(min_group_size)
    _check_attribute(scored_items, attribute)
    panel = _Panel(scored_items, items, points, respondent_scores)
    return _summary(panel, attribute, min_group_size, groups)


def _distributions(
    panel: _Panel,
    values: np.ndarray,
    label_of_answer: np.ndarray,
    labels: Sequence[str],
    items: pd.DataFrame,
    attribute: str,
    min_group_size: int,
) -> pd.DataFrame:
    """The frame of :func:`item_distributions`: ``values`` are the raw answers of the
    panel's scored rows, ``label_of_answer`` each row's index in ``labels`` (−1 for none);
    the last label is "all"."""
    likert = likert_items(items)
    codes = list(likert["item_code"])
    points, n_items, n_labels = panel.points, len(codes), len(labels)
    item = panel.answer_item.astype("int64")  # small ints: products must not overflow
    valid = (item >= 0) & (values >= 1) & (values <= points)
    counts = np.zeros((n_items, n_labels, points), dtype="int64")
    everyone = np.bincount(
        item[valid] * points + values[valid] - 1, minlength=n_items * points
    ).reshape(n_items, points)
    grouped = valid & (label_of_answer >= 0)
    counts += np.bincount(
        (item[grouped] * n_labels + label_of_answer[grouped]) * points + values[grouped] - 1,
        minlength=n_items * n_labels * points,
    ).reshape(n_items, n_labels, points)
    for position, label in enumerate(labels):
        if label == ALL_GROUP:
            counts[:, position] = everyone
    frame = pd.DataFrame(
        {
            "item_code": np.repeat(np.asarray(codes, dtype=object), n_labels * points),
            "group": np.tile(np.repeat(np.asarray(labels, dtype=object), points), n_items),
            "point": np.tile(np.arange(1, points + 1, dtype="int64"), n_items * n_labels),
            "count": counts.ravel(),
            "n": np.repeat(counts.sum(axis=2).ravel(), points),
        }
    )
    frame["pct"] = (frame["count"] / frame["n"].where(frame["n"] > 0) * 100).astype("float64")
    frame["suppressed"] = frame["n"] < min_group_size
    frame["suppressed"] = _suppress_all_by_difference(frame, "item_code", min_group_size)
    frame["count"] = frame["count"].astype("Int64").mask(frame["suppressed"])
    frame["n"] = frame["n"].astype("Int64").mask(frame["suppressed"])
    frame["pct"] = frame["pct"].mask(frame["suppressed"])
    frame["attribute"] = attribute
    frame["dimension_code"] = frame["item_code"].map(
        dict(zip(likert["item_code"], likert["dimension_code"], strict=True))
    )
    frame["group"] = frame["group"].astype(str)
    return frame[DISTRIBUTION_COLUMNS]


def item_distributions(
    scored_items: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    attribute: str = "side",
    min_group_size: int = 5,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count the RAW answers (the item as asked, not reverse-coded) at each scale point.

    ``scored_items`` is the output of :func:`score_items`; ``attribute`` any of its
    respondent-level columns (:func:`respondent_columns`). Returns one row per Likert item
    (instrument order), group (``groups`` then "all") and scale point 1..points in scale
    order, including points nobody chose: ``item_code``, ``dimension_code``, ``attribute``,
    ``group`` (str), ``point`` (int64), ``count`` (Int64), ``pct`` (float64, % of the
    group's answers to the item), ``n`` (Int64, respondents who answered the item) and
    ``suppressed`` (bool: n < min_group_size, or the complementary suppression of "all"
    described in :func:`group_summary`; then count, pct and n are missing). Raises
    ValueError when min_group_size < 1 or ``attribute`` is not a respondent column.
    """
    _check_k(min_group_size)
    _check_attribute(scored_items, attribute)
    panel = _Panel(scored_items, items, points)
    groups_of = panel.groups(attribute)
    labels = [*_group_labels(groups_of, np.ones(len(groups_of), dtype=bool), groups), ALL_GROUP]
    label_of_respondent = _label_codes(groups_of, [[label] for label in labels[:-1]])
    return _distributions(
        panel,
        scored_items["value"].to_numpy("int64"),
        label_of_respondent[panel.answer_respondent],
        labels,
        items,
        attribute,
        min_group_size,
    )


def _label_codes(groups_of: pd.Categorical, groups: Sequence[Sequence[str]]) -> np.ndarray:
    """Each respondent's index in ``groups`` (lists of values of the attribute), or −1.

    Mapped through the categories, so the rows are never compared one by one."""
    per_category = np.full(len(groups_of.categories) + 1, -1, dtype="int64")
    for position, values in enumerate(groups):
        for value in values:
            if value in groups_of.categories:
                per_category[groups_of.categories.get_loc(value)] = position
    return per_category[groups_of.codes]


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

    @property
    def pools(self) -> tuple[tuple[str, ...], ...]:
        """The groups of several values (e.g. executives + managers), shown as one."""
        return tuple(group for group in (self.group_a, self.group_b) if len(group) > 1)


DEFAULT_COMPARISON = Comparison()
LEADERS_VS_STAFF = Comparison("level", ("executive", "manager"), ("individual",))


def _pooled_hidden(
    panel: _Panel, comparison: Comparison, min_group_size: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Where a pooled group must be hidden: per suffix ("_a", "_b"), bool arrays over the
    dimensions (D) and over the items (J).

    A pooled group (several values) is hidden when one of its values has 1..k−1
    respondents (with a dimension score, or who answered the item): otherwise that value's
    numbers could be recovered by subtracting a comparison of the other values from it.
    """
    groups_of = panel.groups(comparison.attribute)
    scored = ~np.isnan(panel.dimension_scores)
    answered = ~np.isnan(panel.item_scores)
    out = {}
    for suffix, values in (("_a", comparison.group_a), ("_b", comparison.group_b)):
        dimensions = np.zeros(len(panel.dimensions), dtype=bool)
        items = np.zeros(len(panel.item_codes), dtype=bool)
        if len(values) >= 2:
            for value in values:
                members = _label_codes(groups_of, [[value]]) == 0
                for counts, hidden in (
                    (scored[members].sum(axis=0), dimensions),
                    (answered[members].sum(axis=0), items),
                ):
                    hidden |= (counts > 0) & (counts < min_group_size)
        out[suffix] = (dimensions, items)
    return out


def _tests(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """u_a, p_value, rank_biserial per column of the respondents × keys arrays ``a`` and
    ``b`` (NaN = no value); NaN where either group has no value."""
    out = np.full((a.shape[1], 3), np.nan)
    for column in range(a.shape[1]):
        a_values = a[:, column][~np.isnan(a[:, column])]
        b_values = b[:, column][~np.isnan(b[:, column])]
        if len(a_values) and len(b_values):
            result = mann_whitney(a_values, b_values)
            out[column] = (result.u_a, result.p_value, result.rank_biserial)
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

    Inputs as for :func:`group_summary`; ``comparison.attribute`` is any respondent-level
    column of ``scored_items`` (:func:`respondent_columns`).

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
    min_group_size < 1 or when ``comparison.attribute`` is not a respondent column of
    ``scored_items``.
    """
    _check_k(min_group_size)
    _check_attribute(scored_items, comparison.attribute)
    panel = _Panel(scored_items, items, points, respondent_scores)
    return _compare(panel, comparison, min_group_size, thresholds or Thresholds())


def _compare(
    panel: _Panel, comparison: Comparison, min_group_size: int, thresholds: Thresholds
) -> GroupComparison:
    """The :class:`GroupComparison` of :func:`compare_groups` from a panel."""
    points, dimensions, codes = panel.points, panel.dimensions, panel.item_codes
    membership = _label_codes(
        panel.groups(comparison.attribute), [comparison.group_a, comparison.group_b]
    )
    hidden = _pooled_hidden(panel, comparison, min_group_size)
    table = pd.DataFrame(index=pd.Index(dimensions, dtype="str"))
    item_table = pd.DataFrame(index=pd.Index(codes, dtype="str"))
    for suffix, values in (("_a", comparison.group_a), ("_b", comparison.group_b)):
        numbers = panel.stats(comparison.attribute, values)
        table[f"n{suffix}"] = numbers.n.astype("int64")
        table[f"score{suffix}"] = numbers.score_mean
        table[f"favourable_pct{suffix}"] = numbers.favourable_pct
        table[f"rwg_j{suffix}"] = numbers.rwg_j
        table[f"alpha{suffix}"] = numbers.alpha
        table[f"suppressed{suffix}"] = (numbers.n < min_group_size) | hidden[suffix][0]
        item_table[f"n{suffix}"] = numbers.item_n.astype("int64")
        item_table[f"score{suffix}"] = (numbers.item_mean - 1) / (points - 1) * 100
        item_table[f"suppressed{suffix}"] = (numbers.item_n < min_group_size) | hidden[suffix][1]
    in_a, in_b = membership == 0, membership == 1
    test_columns = ["u_a", "p_value", "rank_biserial"]
    table[test_columns] = _tests(panel.dimension_scores[in_a], panel.dimension_scores[in_b])
    item_table[test_columns] = _tests(panel.item_scores[in_a], panel.item_scores[in_b])

    for frame in (table, item_table):
        frame["suppressed"] = frame["suppressed_a"] | frame["suppressed_b"]
        frame["gap"] = (frame["score_a"] - frame["score_b"]).mask(frame["suppressed"])
        for column in test_columns:
            frame[column] = frame[column].astype("float64").mask(frame["suppressed"])
    q = bh_qvalues([*table["p_value"], *item_table["p_value"]])
    table["q_value"] = q[: len(table)]
    item_table["q_value"] = q[len(table) :]

    _mask_side(table, "_a", ["score", "favourable_pct", "rwg_j", "alpha"])
    _mask_side(table, "_b", ["score", "favourable_pct", "rwg_j", "alpha"])
    _mask_side(item_table, "_a", ["score"])
    _mask_side(item_table, "_b", ["score"])

    dimension_frame = table
    dimension_frame["status"] = _status(dimension_frame, thresholds)
    absolute = dimension_frame["gap"].abs()
    order = absolute.rank(method="first", ascending=False)
    dimension_frame["rank"] = order.astype("Int64")
    dimension_frame["worst"] = (dimension_frame["rank"] == 1).fillna(False).astype(bool)

    item_frame = item_table
    item_frame["dimension_code"] = [dimensions[d] for d in panel.item_dimension]
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

    ``answers`` as returned by ``survey.selectors.round_answers_frame`` (categorical
    ``item_code`` and profile columns are the fast path; str columns work too);
    ``comparison.attribute`` may be any respondent-level column of it
    (:func:`respondent_columns`: ``side``, ``function``, ``level`` or an imported attribute).
    The answers are scored once into a respondents × items array from which every group's
    numbers are taken. ``groups`` fixes the summary's groups of ``comparison.attribute``
    (default: the side groups for ``side``, else the groups present). Raises ValueError on
    an out-of-scale value, min_group_size < 1, or an attribute that is not a respondent
    column of ``answers``.
    """
    _check_k(min_group_size)
    _check_attribute(answers, comparison.attribute)
    thresholds = thresholds or Thresholds()
    attribute = comparison.attribute
    if groups is None and attribute == "side":
        groups = SIDE_GROUPS
    likert = likert_items(items).reset_index(drop=True)
    scored = score_items(answers, likert, points)
    panel = _Panel(scored, likert, points)
    summary = _summary(panel, attribute, min_group_size, groups)
    compared = _compare(panel, comparison, min_group_size, thresholds)
    membership = _label_codes(panel.groups(attribute), [comparison.group_a, comparison.group_b])
    distributions = _distributions(
        panel,
        scored["value"].to_numpy("int64"),
        membership[panel.answer_respondent],
        [comparison.label_a, comparison.label_b, ALL_GROUP],
        likert,
        attribute,
        min_group_size,
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
        respondent_scores=panel.scores_frame(),
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
