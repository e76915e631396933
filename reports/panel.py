"""The scoring panel: a round's answers scored once into respondents × items and respondents ×
dimensions arrays, from which every group's numbers are taken. Pure (no Django).

Input frames (as returned by ``survey.selectors``):

* *answers*: one row per Likert answer: ``response_id`` (int), respondent columns
  (``side``, ``function``, ``level`` and one per profile attribute, e.g. ``region``: str or
  categorical, "" = not given; see :func:`respondent_columns`), ``item_code`` (str or
  categorical), ``value`` (int, raw Likert points 1..k). Categorical columns (as the
  selector gives them) are mapped through their categories, never row by row.
* *items*: one row per item in instrument order: ``item_code``, ``dimension_code``,
  ``dimension_name``, ``item_text``, ``kind`` (``likert`` | ``text``), ``reverse_scored``.
  Text items are ignored here.
* *scored items*: the output of :func:`score_items` (answers plus ``dimension_code`` and
  ``score``, the item score in Likert points after reverse coding).

The scale is always ``points`` (k points, 4..7) from the instrument, never a fixed five.
The raw answers per scale point (item distributions) are counted in
:mod:`reports.distributions`, from this panel.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assessment.scoring import MIN_SHARE_ANSWERED, item_scores, likert_items, rescale_0_100
from reports.disclosure import (
    cell_shown,
    measure_weights,
    published_counts,
    published_means,
    published_sds,
    record_keys,
    weights,
)
from reports.statistics import ad_index, polarised, reliability, rwg_j
from reports.vocabulary import EXACT, Protection

AGREEMENT_DECIMALS = 1  # rwg(j), AD and alpha as published when figures are perturbed
AD_FLOOR = 0.3  # scale points: the least AD published when figures are perturbed
ANSWER_LEVEL_COLUMNS = (
    "response_id",
    "item_code",
    "value",
    "dont_know",
    "predicted_other",
    "dimension_code",
    "score",
)


def dimension_order(items: pd.DataFrame) -> list[str]:
    """Dimension codes of the Likert items, in instrument order."""
    return list(dict.fromkeys(likert_items(items)["dimension_code"]))


def respondent_columns(frame: pd.DataFrame) -> list[str]:
    """The respondent-level columns of an answers (or scored, or scores) frame, in its order.

    Every column but ``response_id``, ``item_code``, ``value``, ``dont_know``,
    ``predicted_other`` and the columns scoring adds (``dimension_code``, ``score``):
    ``side``, ``function``, ``level`` and one column per
    imported profile attribute (e.g. ``region``). Each carries one value per respondent.
    """
    return [column for column in frame.columns if column not in ANSWER_LEVEL_COLUMNS]


def check_attribute(frame: pd.DataFrame, attribute: str) -> None:
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

    "Don't know" answers (``value`` NaN, as instrument v2's answers frame has them) are
    missing, never scored; ``dont_know`` and ``predicted_other`` are dropped, and a float
    ``value`` of whole numbers is read as int64.
    """
    likert = likert_items(items)
    answers = answers.drop(columns=["dont_know", "predicted_other"], errors="ignore")
    if "value" in answers.columns and pd.api.types.is_float_dtype(answers["value"].dtype):
        present = answers["value"].notna()
        if not present.all():
            answers = answers.loc[present.to_numpy()]
        whole = answers["value"].to_numpy()
        if len(whole) == 0 or bool(np.all(whole == np.floor(whole))):
            answers = answers.assign(value=answers["value"].astype("int64"))
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


class Panel:
    """One scored frame as dense arrays: respondents × Likert items, built once.

    ``response_ids`` (n, ascending); ``profile``: the respondent-level columns, one row per
    respondent in that order; ``item_codes`` (J, instrument order) with ``item_dimension``
    (J, index into ``dimensions``); ``item_scores`` (n × J float64, reverse-coded Likert
    points, NaN = not answered); ``dimension_scores`` (n × D float64, 0–100 points, NaN = no
    score); ``answer_respondent`` and ``answer_item``: each scored row's respondent and item
    position (−1 for an item that is not among the Likert items), as the smallest signed
    integers that hold them (cast to int64 before multiplying). ``protection``: how group
    figures are published (:mod:`reports.disclosure`); ``keys`` (n, uint64) the respondents'
    record keys under it.
    """

    def __init__(
        self,
        scored: pd.DataFrame,
        items: pd.DataFrame,
        points: int,
        scores: pd.DataFrame | None = None,
        protection: Protection = EXACT,
    ) -> None:
        likert = likert_items(items)
        self.points = points
        self.protection = protection
        self._groups: dict[str, pd.Categorical] = {}
        self._stats: dict[tuple[str, frozenset[str]] | None, GroupStats] = {}
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
        self.keys = record_keys(self.response_ids, protection.secret)
        self.weights = weights(self.keys)

    @functools.cached_property
    def measures(self) -> tuple[list[str], list[str], list[str]]:
        """The names that key each measure's noise (:func:`reports.disclosure.measure_weights`):
        per dimension its score and its favourable share, per item its score. A dimension is
        named with its items, so a score computed on fewer items (the trend's shared ones) is
        another measure with noise of its own."""
        dimensions = []
        for position, code in enumerate(self.dimensions):
            codes = sorted(self.item_codes[j] for j in self.dimension_items(position))
            dimensions.append(f"{code}:{','.join(codes)}")
        return (
            [f"dimension|{name}" for name in dimensions],
            [f"favourable|{name}" for name in dimensions],
            [f"item|{code}" for code in self.item_codes],
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

    def stats(self, attribute: str, values: Iterable[str] | None) -> GroupStats:
        """The numbers of the respondents whose ``attribute`` is one of ``values`` (None:
        everyone), computed once per panel: a summary group and a compared group made of
        the same values share them."""
        key = None if values is None else (attribute, frozenset(values))
        if key not in self._stats:
            if values is None:
                members = np.ones(len(self.response_ids), dtype=bool)
            else:
                members = label_codes(self.groups(attribute), [list(values)]) == 0
            self._stats[key] = group_stats(self, members)
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
    return Panel(score_items(answers, items, points), items, points).scores_frame()


def group_labels(
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


@dataclass(frozen=True)
class GroupStats:
    """One group's numbers: per dimension (arrays of D) and per Likert item (arrays of J).

    ``n``, ``score_mean``, ``score_sd``, ``favourable_pct``, ``item_n`` and ``item_mean`` are
    as published (perturbed by the panel's protection); ``n_true`` and ``item_n_true`` are
    the true counts that decide, with the published ones, whether a cell is shown
    (:func:`reports.disclosure.cell_shown`). Favourability, rwg(j), AD, alpha and
    ``polarised`` of a dimension use only the members who have its score (the missing-data
    rule); rwg(j), AD and alpha are computed on the true answers and, when figures are
    perturbed, rounded to one decimal. ``alpha`` is NaN where ``alpha_note`` says why
    (:func:`reports.statistics.reliability`).
    """

    n: np.ndarray  # respondents with a dimension score, published
    n_true: np.ndarray
    score_mean: np.ndarray  # 0–100 points, published
    score_sd: np.ndarray  # 0–100 points, ddof=1
    favourable_pct: np.ndarray  # % of the group's item answers in the top two points
    rwg_j: np.ndarray
    ad: np.ndarray
    alpha: np.ndarray
    alpha_note: np.ndarray  # object per dimension: why alpha is NaN, or None
    item_n: np.ndarray  # answers per item, published
    item_n_true: np.ndarray
    item_mean: np.ndarray  # mean item score, Likert points, published
    item_sd: np.ndarray  # SD of the item scores rescaled to 0–100 points, ddof=1, published
    polarised: np.ndarray  # bool per dimension: statistics.polarised of the true scores

    def shown(self, min_group_size: int) -> np.ndarray:
        """Per dimension: may its figures be shown (bool, D)."""
        return cell_shown(self.n_true, self.n, min_group_size)

    def item_shown(self, min_group_size: int) -> np.ndarray:
        """Per item: may its figures be shown (bool, J)."""
        return cell_shown(self.item_n_true, self.item_n, min_group_size)


def _measure_sums(
    panel: Panel, members: np.ndarray, names: list[str], counted: np.ndarray
) -> np.ndarray:
    """Per measure (column of ``counted``, m × len(names) bool over the members): the sum of
    the counted members' weights for that measure's noise."""
    keys = panel.keys[members]
    return np.array(
        [measure_weights(keys, name)[counted[:, i]].sum() for i, name in enumerate(names)]
    )


def group_stats(panel: Panel, members: np.ndarray) -> GroupStats:
    """The :class:`GroupStats` of the respondents where ``members`` (bool, n) is True."""
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # items nobody (or one) answered
        item_sd = np.nanstd(item_scores, axis=0, ddof=1) * 100.0 / (points - 1)
    scored = ~np.isnan(scores)
    # A dimension's favourability, agreement and reliability count only the respondents
    # who have its score (the missing-data rule), as its n, mean and test do.
    in_score = scored[:, panel.item_dimension] & answered
    favourable = ((item_scores >= points - 1) & in_score).sum(axis=0)
    answers = np.bincount(panel.item_dimension, weights=in_score.sum(axis=0), minlength=dimensions)
    top_two = np.bincount(panel.item_dimension, weights=favourable, minlength=dimensions)
    favourable_pct = np.full(dimensions, np.nan)
    favourable_pct[answers > 0] = top_two[answers > 0] * 100.0 / answers[answers > 0]
    agreement = np.full((dimensions, 3), np.nan)
    alpha_note = np.full(dimensions, None, dtype=object)
    split = np.zeros(dimensions, dtype=bool)
    for dimension in range(dimensions):
        rows = np.flatnonzero(members)[scored[:, dimension]]
        values = panel.item_scores[np.ix_(rows, panel.agreement_items[dimension])]
        reliable = reliability(values)
        alpha_note[dimension] = reliable.note
        if len(rows):
            agreement[dimension] = (rwg_j(values, points), ad_index(values), reliable.alpha)
            split[dimension] = polarised(scores[:, dimension])
    n = scored.sum(axis=0)
    published_n, published_item_n = n, item_n
    protection = panel.protection
    if not protection.exact:
        member_weights = panel.weights[members]
        published_n = published_counts(n, member_weights @ scored, protection)
        published_item_n = published_counts(item_n, member_weights @ answered, protection)
        dimension_names, favourable_names, item_names = panel.measures
        score_mean = published_means(
            score_mean, n, _measure_sums(panel, members, dimension_names, scored), protection
        )
        squares_names = [f"squares|{name}" for name in dimension_names]
        score_sd = published_sds(
            score_sd, n, _measure_sums(panel, members, squares_names, scored), protection
        )
        favourable_pct = published_means(
            favourable_pct,
            scored.sum(axis=0),
            _measure_sums(panel, members, favourable_names, scored),
            protection,
        )
        item_sd = published_sds(
            item_sd,
            item_n,
            _measure_sums(panel, members, [f"squares|{name}" for name in item_names], answered),
            protection,
        )
        item_points = (item_mean - 1) / (points - 1) * 100
        item_points = published_means(
            item_points, item_n, _measure_sums(panel, members, item_names, answered), protection
        )
        item_mean = item_points / 100 * (points - 1) + 1
        # Agreement and reliability rest on the groups' item variances, which could be
        # differenced across views as sums of squares can: published to one decimal only,
        # and AD never below AD_FLOOR, since a near-zero AD says that every member answered
        # alike, so that any few of them answered as the group's mean (homogeneity).
        agreement = np.round(agreement, AGREEMENT_DECIMALS)
        agreement[:, 1] = np.where(
            np.isnan(agreement[:, 1]), np.nan, np.maximum(agreement[:, 1], AD_FLOOR)
        )
    return GroupStats(
        n=published_n,
        n_true=n,
        score_mean=score_mean,
        score_sd=score_sd,
        favourable_pct=favourable_pct,
        rwg_j=agreement[:, 0],
        ad=agreement[:, 1],
        alpha=agreement[:, 2],
        alpha_note=alpha_note,
        item_n=published_item_n,
        item_n_true=item_n,
        item_mean=item_mean,
        item_sd=item_sd,
        polarised=split,
    )


def label_codes(groups_of: pd.Categorical, groups: Sequence[Sequence[str]]) -> np.ndarray:
    """Each respondent's index in ``groups`` (lists of values of the attribute), or −1.

    Mapped through the categories, so the rows are never compared one by one."""
    per_category = np.full(len(groups_of.categories) + 1, -1, dtype="int64")
    for position, values in enumerate(groups):
        for value in values:
            if value in groups_of.categories:
                per_category[groups_of.categories.get_loc(value)] = position
    return per_category[groups_of.codes]
