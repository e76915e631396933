"""Pure analysis of a round: group summaries, item distributions, comparisons of two groups
with their tests and statuses, mirror pairs, and the whole-round analysis. No Django.

Frames follow :mod:`reports.panel` (*answers*, *items*, *scored items*); every number comes
from the scoring panel built once per round (:class:`reports.panel.Panel`), the statistics
from :mod:`reports.statistics`, and what may be shown, and how, from
:mod:`reports.disclosure`: counts and means are published perturbed by the cell-key
method (``protection``), and a group that is not shown (fewer than ``min_group_size`` (k)
respondents, or a published count below k) carries no numbers, its ``n`` <NA> too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assessment.scoring import likert_items
from reports.disclosure import check_k, published_counts
from reports.distributions import distributions_frame
from reports.panel import Panel, check_attribute, group_labels, label_codes, score_items
from reports.statistics import (
    bh_qvalues,
    effect_label,
    mann_whitney,
    smallest_p_value,
    welch_interval,
)
from reports.vocabulary import (
    AGREEMENT_COLUMNS,
    ALL_GROUP,
    DEFAULT_COMPARISON,
    DIMENSION_GAP_COLUMNS,
    EXACT,
    GAP_CI_LEVEL,
    ITEM_GAP_COLUMNS,
    MIRROR_COLUMNS,
    SIDE_GROUPS,
    STATUS_ALIGNED,
    STATUS_BREAKDOWN,
    STATUS_DIVIDED,
    STATUS_FLAGGED,
    STATUS_SUPPRESSED,
    STATUS_TOO_FEW,
    STATUS_WATCH,
    SUMMARY_COLUMNS,
    Comparison,
    Protection,
    Thresholds,
)


def _summary(
    panel: Panel, attribute: str, min_group_size: int, groups: Sequence[str] | None
) -> pd.DataFrame:
    """The frame of :func:`group_summary` from a panel."""
    groups_of = panel.groups(attribute)
    scored = ~np.isnan(panel.dimension_scores).all(axis=1)
    labels = [*group_labels(groups_of, scored, groups), ALL_GROUP]
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
    frame["suppressed"] = ~np.stack([s.shown(min_group_size) for s in per_group], axis=1).ravel()
    notes = np.stack([s.alpha_note for s in per_group], axis=1).ravel() if dimensions else []
    frame["alpha_note"] = pd.Series(notes, index=frame.index, dtype=object)
    frame.loc[frame["suppressed"], "alpha_note"] = None
    split = (
        np.stack([s.polarised for s in per_group], axis=1).ravel()
        if dimensions
        else np.array([], dtype=bool)
    )
    frame["polarised"] = pd.array(split, dtype="boolean").copy()
    frame.loc[frame["suppressed"], "polarised"] = pd.NA
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
    protection: Protection = EXACT,
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
    :func:`ad_index`), ``alpha`` (float64: :func:`reports.statistics.reliability`; NaN
    where ``alpha_note``, object, says why: ``too_few_items``, ``too_few_respondents`` or
    ``items_disagree``; None where alpha is given) and ``suppressed`` (bool: not
    :func:`reports.disclosure.cell_shown`; then n is <NA>, every number NaN, the note None
    and ``polarised`` <NA>). Favourability, rwg(j), AD, alpha
    and ``polarised`` use only the respondents who have the dimension's score. ``n``,
    ``score_mean`` and ``favourable_pct`` are as published under ``protection``
    (:mod:`reports.disclosure`; exact by default). Raises ValueError when
    min_group_size < 1, when ``attribute`` is not a respondent column of ``scored_items``, or when
    ``respondent_scores`` names a respondent that ``scored_items`` lacks.
    """
    check_k(min_group_size)
    check_attribute(scored_items, attribute)
    panel = Panel(scored_items, items, points, respondent_scores, protection)
    return _summary(panel, attribute, min_group_size, groups)


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


def _status(frame: pd.DataFrame, thresholds: Thresholds, tests: int) -> pd.Series:
    """The status of each row (see compare_groups); ``tests``: the size of the BH family."""
    significant = frame["q_value"] < thresholds.q_value
    large = frame["gap"].abs() >= thresholds.gap_points
    strong = frame["rank_biserial"].abs() >= thresholds.effect_size
    divided = (frame["rwg_j_a"] < thresholds.agreement) | (frame["rwg_j_b"] < thresholds.agreement)
    # Even a complete separation of the groups, alone among the family's tests, would not
    # clear the q threshold: BH gives the smallest p-value a q of at least m · p.
    unreachable = (
        tests
        * smallest_p_value(
            frame["n_a"].astype("float64").to_numpy(), frame["n_b"].astype("float64").to_numpy()
        )
        >= thresholds.q_value
    )
    reaches_large = (frame["gap_ci_low"] <= -thresholds.gap_points) | (
        frame["gap_ci_high"] >= thresholds.gap_points
    )
    status = np.select(
        [
            frame["suppressed"],
            significant & large & strong,
            significant & (large | strong),
            divided.fillna(False),
            ~significant & (unreachable | reaches_large.fillna(True)),
        ],
        [STATUS_SUPPRESSED, STATUS_BREAKDOWN, STATUS_WATCH, STATUS_DIVIDED, STATUS_TOO_FEW],
        default=STATUS_ALIGNED,
    )
    return pd.Series(status, index=frame.index, dtype="object")


def alignment_index(dimension_gaps: pd.DataFrame) -> float | None:
    """Overall alignment, 0–100: the share (in %) of the shown dimensions whose status is
    not a difference (neither breakdown nor watch: :data:`STATUS_FLAGGED`).

    ``dimension_gaps`` is the ``dimensions`` frame of :func:`compare_groups`. Since a status
    needs significance, the index is about 100 at every group size when the groups do not
    differ (it no longer rises with size as 100 − mean |gap| did), and 4 breakdowns of 7
    dimensions read 43, never good news. A dimension "too few to tell" has no reading and
    is left out (otherwise two groups of five, where every dimension is too few to tell,
    would read a perfect 100). None when no shown dimension has a reading.
    """
    shown = dimension_gaps.loc[~dimension_gaps["suppressed"], "status"]
    read = shown.loc[shown != STATUS_TOO_FEW]
    if read.empty:
        return None
    return float(100.0 * (~read.isin(STATUS_FLAGGED)).mean())


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
    protection: Protection = EXACT,
) -> GroupComparison:
    """Compare group A with group B on every dimension and every Likert item.

    Inputs as for :func:`group_summary`; ``comparison.attribute`` is any respondent-level
    column of ``scored_items`` (:func:`respondent_columns`).

    ``dimensions``: one row per dimension in instrument order, columns
    ``DIMENSION_GAP_COLUMNS``: the two groups' ``n`` (Int64), ``score`` (0–100 points),
    ``favourable_pct`` (%), ``rwg_j``, ``alpha`` with ``alpha_note`` (as in
    :func:`group_summary`), ``polarised`` (boolean) (suffixed ``_a``/``_b``); ``gap`` =
    score_a − score_b in points with ``gap_ci_low`` and ``gap_ci_high``, its 95 % Welch
    interval (:func:`reports.statistics.welch_interval`) computed from the published gap,
    SDs and counts; the two-sided Mann–Whitney test of the
    respondents' dimension scores (``u_a``, ``p_value``), ``rank_biserial`` (−1..1,
    positive when A tends higher) and its ``effect_label``; ``q_value`` (Benjamini–Hochberg
    over every dimension AND item test of this comparison); ``status``; ``suppressed_a``,
    ``suppressed_b``, ``suppressed`` (either side); ``rank`` (Int64, 1 = largest |gap|) and
    ``worst``.

    ``items``: one row per Likert item in instrument order, columns ``ITEM_GAP_COLUMNS``:
    n, mean item score rescaled to 0–100 (after reverse coding) per group, gap, test, effect
    and q-value as above.

    Status, the first that holds: *suppressed* when either group is not shown; *breakdown*
    when q < ``q_value``, |gap| ≥ ``gap_points`` and |r| ≥ ``effect_size``; *watch* when
    q < ``q_value`` and one of the other two holds (significance is always needed); *divided*
    when either group's rwg(j) < ``agreement``; *too_few* ("too few to tell") when q is not
    below ``q_value`` and either the sizes cannot give a q below it (m · 2 / C(n_a + n_b,
    n_a) ≥ ``q_value``, m the number of tests of the comparison) or the gap's interval
    reaches ±``gap_points``; else *aligned*. A group not
    :func:`reports.disclosure.cell_shown` shows no number at all
    (n included). Counts, scores and favourable shares are as published under
    ``protection`` (the gap is the difference of the published scores); the tests use the
    true answers. Raises ValueError when
    min_group_size < 1 or when ``comparison.attribute`` is not a respondent column of
    ``scored_items``.
    """
    check_k(min_group_size)
    check_attribute(scored_items, comparison.attribute)
    panel = Panel(scored_items, items, points, respondent_scores, protection)
    return _compare(panel, comparison, min_group_size, thresholds or Thresholds())


def _compare(
    panel: Panel, comparison: Comparison, min_group_size: int, thresholds: Thresholds
) -> GroupComparison:
    """The :class:`GroupComparison` of :func:`compare_groups` from a panel."""
    points, dimensions, codes = panel.points, panel.dimensions, panel.item_codes
    membership = label_codes(
        panel.groups(comparison.attribute), [comparison.group_a, comparison.group_b]
    )
    table = pd.DataFrame(index=pd.Index(dimensions, dtype="str"))
    item_table = pd.DataFrame(index=pd.Index(codes, dtype="str"))
    for suffix, values in (("_a", comparison.group_a), ("_b", comparison.group_b)):
        numbers = panel.stats(comparison.attribute, values)
        table[f"n{suffix}"] = numbers.n.astype("int64")
        table[f"score{suffix}"] = numbers.score_mean
        table[f"favourable_pct{suffix}"] = numbers.favourable_pct
        table[f"rwg_j{suffix}"] = numbers.rwg_j
        table[f"alpha{suffix}"] = numbers.alpha
        table[f"alpha_note{suffix}"] = pd.Series(numbers.alpha_note, table.index, dtype=object)
        table[f"polarised{suffix}"] = numbers.polarised
        table[f"sd{suffix}"] = numbers.score_sd
        table[f"suppressed{suffix}"] = ~numbers.shown(min_group_size)
        item_table[f"n{suffix}"] = numbers.item_n.astype("int64")
        item_table[f"score{suffix}"] = (numbers.item_mean - 1) / (points - 1) * 100
        item_table[f"sd{suffix}"] = numbers.item_sd
        item_table[f"suppressed{suffix}"] = ~numbers.item_shown(min_group_size)
    in_a, in_b = membership == 0, membership == 1
    test_columns = ["u_a", "p_value", "rank_biserial"]
    table[test_columns] = _tests(panel.dimension_scores[in_a], panel.dimension_scores[in_b])
    item_table[test_columns] = _tests(panel.item_scores[in_a], panel.item_scores[in_b])

    for frame in (table, item_table):
        frame["suppressed"] = frame["suppressed_a"] | frame["suppressed_b"]
        frame["gap"] = (frame["score_a"] - frame["score_b"]).mask(frame["suppressed"])
        n_a, n_b = frame["n_a"].to_numpy("float64"), frame["n_b"].to_numpy("float64")
        # The published means carry the disclosure's noise too: a sum moved uniformly by up
        # to B points gives each mean a variance of (B/n)²/3, which the interval adds.
        bound = panel.protection.sum_bound
        with np.errstate(divide="ignore", invalid="ignore"):
            noise_a, noise_b = (bound / n_a) ** 2 / 3, (bound / n_b) ** 2 / 3
        low, high = welch_interval(
            frame["gap"].to_numpy("float64"),
            frame.pop("sd_a").to_numpy("float64"),
            frame.pop("sd_b").to_numpy("float64"),
            n_a,
            n_b,
            GAP_CI_LEVEL,
            noise_a=noise_a,
            noise_b=noise_b,
        )
        frame["gap_ci_low"], frame["gap_ci_high"] = low, high
        for column in [*test_columns, "gap_ci_low", "gap_ci_high"]:
            frame[column] = frame[column].astype("float64").mask(frame["suppressed"])
    p_values = [*table["p_value"], *item_table["p_value"]]
    q = bh_qvalues(p_values)
    table["q_value"] = q[: len(table)]
    item_table["q_value"] = q[len(table) :]

    _mask_side(table, "_a", ["score", "favourable_pct", "rwg_j", "alpha"])
    _mask_side(table, "_b", ["score", "favourable_pct", "rwg_j", "alpha"])
    for suffix in ("_a", "_b"):
        table.loc[table[f"suppressed{suffix}"].to_numpy(), f"alpha_note{suffix}"] = None
    _mask_side(item_table, "_a", ["score"])
    _mask_side(item_table, "_b", ["score"])

    for suffix in ("_a", "_b"):
        split = pd.array(table[f"polarised{suffix}"].to_numpy(bool), dtype="boolean")
        table[f"polarised{suffix}"] = split
        table.loc[table[f"suppressed{suffix}"].to_numpy(), f"polarised{suffix}"] = pd.NA

    dimension_frame = table
    tests = int(np.count_nonzero(~np.isnan(np.asarray(p_values, dtype="float64"))))
    dimension_frame["status"] = _status(dimension_frame, thresholds, tests)
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
    :func:`reports.distributions.item_distributions` of the comparison's two groups (a
    suppressed group's rows suppressed); ``mirror_pairs``: :func:`mirror_pairs`.
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
    protection: Protection = EXACT,
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
    column of ``answers``. ``protection``: how counts and means are published
    (:mod:`reports.disclosure`; exact by default).
    """
    check_k(min_group_size)
    check_attribute(answers, comparison.attribute)
    thresholds = thresholds or Thresholds()
    attribute = comparison.attribute
    if groups is None and attribute == "side":
        groups = SIDE_GROUPS
    likert = likert_items(items).reset_index(drop=True)
    scored = score_items(answers, likert, points)
    panel = Panel(scored, likert, points, protection=protection)
    summary = _summary(panel, attribute, min_group_size, groups)
    compared = _compare(panel, comparison, min_group_size, thresholds)
    membership = label_codes(panel.groups(attribute), [comparison.group_a, comparison.group_b])
    distributions = distributions_frame(
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
        respondents=int(published_counts(len(panel.response_ids), panel.weights.sum(), protection)),
    )
