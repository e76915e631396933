"""Tests of reports.statistics against published and hand-computed values: Mann–Whitney U and
the rank-biserial r, Benjamini–Hochberg q-values, rwg(j), the AD index, Cronbach's alpha,
the effect-size labels and the Welch–Satterthwaite test of a contrast of means."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.linalg import hadamard

from reports.statistics import (
    ad_index,
    bh_qvalues,
    cronbach_alpha,
    effect_label,
    mann_whitney,
    reliability,
    rwg_j,
    welch_contrast,
)
from reports.vocabulary import (
    ALPHA_ITEMS_DISAGREE,
    ALPHA_NOTES,
    ALPHA_TOO_FEW_ITEMS,
    ALPHA_TOO_FEW_RESPONDENTS,
)


def test_mann_whitney_matches_scipys_documented_example():
    # SciPy's mannwhitneyu docs: males [19, 22, 16, 29, 24] vs females [20, 11, 17, 12]
    result = mann_whitney([19, 22, 16, 29, 24], [20, 11, 17, 12])
    assert result.u_a == 17
    assert result.p_value == pytest.approx(0.1111, abs=1e-4)  # exact: no ties, n < 8
    assert result.rank_biserial == pytest.approx(2 * 17 / (5 * 4) - 1)  # 0.7


@pytest.mark.parametrize(
    ("a", "b", "u_a", "r"),
    [
        ([1, 2], [3, 4], 0, -1.0),  # B higher in every pair
        ([3, 4], [1, 2], 4, 1.0),  # A higher in every pair
        # pairs A > B: (3, 2) = 1; ties (2, 2), (3, 3) count half: U = 2 of 9 pairs
        ([1, 2, 3], [2, 3, 4], 2, 2 * 2 / 9 - 1),
        ([5, 5, 5], [5, 5, 5], 4.5, 0.0),  # all tied
    ],
)
def test_rank_biserial_matches_hand_counted_pairs(a, b, u_a, r):
    result = mann_whitney(a, b)
    assert result.u_a == u_a
    assert result.rank_biserial == pytest.approx(r)


def test_mann_whitney_of_identical_groups_is_not_significant():
    assert mann_whitney([5, 5, 5], [5, 5, 5]).p_value == pytest.approx(1.0)


def test_mann_whitney_rejects_an_empty_group():
    with pytest.raises(ValueError, match="at least one"):
        mann_whitney([], [1, 2])


@pytest.mark.parametrize(
    ("p", "q"),
    [
        ([0.50, 0.003, 0.32, 0.054, 0.0003], [0.5, 0.0075, 0.4, 0.09, 0.0015]),
        ([0.01, 0.04, 0.03, 0.005], [0.02, 0.04, 0.04, 0.02]),
        ([0.2], [0.2]),
    ],
)
def test_benjamini_hochberg_matches_worked_examples(p, q):
    assert bh_qvalues(p) == pytest.approx(q)


def test_benjamini_hochberg_skips_missing_p_values():
    q = bh_qvalues([0.01, math.nan, 0.04, 0.03, 0.005])
    assert math.isnan(q[1])
    assert list(np.delete(q, 1)) == pytest.approx([0.02, 0.04, 0.04, 0.02])  # m = 4, not 5
    assert bh_qvalues([]).size == 0


def test_rwg_and_ad_of_five_raters_match_the_textbook_example():
    # 4, 4, 5, 5, 4 on a 5-point scale: s² = 0.3, null variance (25 − 1)/12 = 2
    answers = np.array([[4], [4], [5], [5], [4]])
    assert rwg_j(answers, 5) == pytest.approx(0.85)
    assert ad_index(answers) == pytest.approx(0.48)


def test_rwg_j_follows_the_multi_item_formula():
    # item 1: 4 4 5 5 4 (s² 0.3); item 2: 3 4 3 4 3 (s² 0.3); mean s² / null 2 = 0.15, J = 2
    answers = np.array([[4, 3], [4, 4], [5, 3], [5, 4], [4, 3]])
    expected = 2 * (1 - 0.15) / (2 * (1 - 0.15) + 0.15)
    assert rwg_j(answers, 5) == pytest.approx(expected)  # 0.9189
    # the 7-point null variance is (49 − 1)/12 = 4
    assert rwg_j(answers, 7) == pytest.approx(2 * (1 - 0.075) / (2 * (1 - 0.075) + 0.075))


def test_rwg_is_one_when_everyone_agrees_and_zero_for_uniform_answers():
    assert rwg_j(np.full((6, 3), 4), 5) == 1.0
    uniform = np.tile(np.arange(1, 6), 20).reshape(-1, 1)  # every point equally often
    assert rwg_j(uniform, 5) == 0.0  # s² slightly above the null 2: truncated at the null
    assert rwg_j(np.array([[1], [5], [1], [5]]), 5) == 0.0  # more spread than random
    assert 0.0 <= rwg_j(np.array([[1, 2], [3, 3], [5, 4]]), 5) <= 1.0


def test_rwg_and_ad_skip_unanswered_items_and_need_two_answers():
    answers = np.array([[4, np.nan], [4, 2], [5, np.nan], [5, np.nan], [4, np.nan]])
    assert rwg_j(answers, 5) == pytest.approx(0.85)  # item 2 has one answer: left out
    assert ad_index(answers) == pytest.approx(0.48)
    assert math.isnan(rwg_j(np.array([[3.0]]), 5))
    assert math.isnan(ad_index(np.array([[3.0]])))


def test_ad_index_averages_items():
    answers = np.array([[4, 1], [4, 3], [5, 5], [5, 3], [4, 3]])
    # item 2: mean 3, deviations 2 0 2 0 0 -> 0.8
    assert ad_index(answers) == pytest.approx((0.48 + 0.8) / 2)


def test_cronbach_alpha_of_a_hand_computed_matrix():
    # var 1 and 1/3, covariance 0.5: alpha = 2 (1 − (4/3) / (7/3)) = 6/7
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3]])) == pytest.approx(6 / 7)


def test_cronbach_alpha_equals_spearman_brown_for_equal_covariances():
    # Orthogonal Hadamard columns: item j = common + unique_j gives every item variance
    # 2v and every covariance v, so the inter-item correlation is 0.5.
    columns = hadamard(8)[:, 1:].astype(float)
    common, unique = columns[:, 0], columns[:, 1:4]
    items = common[:, None] + unique
    rho, j = 0.5, 3
    assert cronbach_alpha(items) == pytest.approx(j * rho / (1 + (j - 1) * rho))


def test_cronbach_alpha_uses_pairwise_covariances_with_missing_answers():
    data = pd.DataFrame(
        {"a": [1, 2, 3, 4, np.nan, 2], "b": [2, 2, 4, 4, 5, 3], "c": [1, 3, 3, np.nan, 5, 2]}
    )
    # Each variance and covariance from the respondents who answered both items
    # (pairwise deletion, as R's psych::alpha does with missing data).
    cov = data.cov()
    j = 3
    expected = j / (j - 1) * (1 - np.trace(cov.to_numpy()) / cov.to_numpy().sum())
    assert cronbach_alpha(data) == pytest.approx(expected)
    assert 0 < expected < 1


def test_cronbach_alpha_is_missing_when_it_cannot_be_computed():
    assert math.isnan(cronbach_alpha(np.array([[1], [2], [3]])))  # one item
    assert math.isnan(cronbach_alpha(np.full((4, 3), 3)))  # no variance
    assert math.isnan(cronbach_alpha(np.array([[1, np.nan], [np.nan, 2], [3, np.nan]])))


# Issue 18: five respondents' item scores on a dimension of three statements whose alpha is
# −8.1, once shown bare on the pages and in summary.csv.
NEGATIVE_ALPHA_SCORES = np.array([[1, 3, 5], [5, 5, 1], [5, 2, 1], [4, 1, 3], [3, 1, 5]])


def test_reliability_leaves_out_a_negative_alpha_and_says_the_items_disagree():
    assert cronbach_alpha(NEGATIVE_ALPHA_SCORES) == pytest.approx(-8.1)

    reported = reliability(NEGATIVE_ALPHA_SCORES)

    assert math.isnan(reported.alpha)
    assert reported.note == ALPHA_ITEMS_DISAGREE


def test_reliability_reports_a_positive_alpha_without_a_note():
    reported = reliability(np.array([[1, 2], [2, 3], [3, 3]]))
    assert reported.alpha == pytest.approx(6 / 7)  # as cronbach_alpha's hand computation
    assert reported.note is None


@pytest.mark.parametrize(
    ("scores", "note"),
    [
        (np.array([[1], [2], [3]]), ALPHA_TOO_FEW_ITEMS),  # one statement
        (np.empty((0, 1)), ALPHA_TOO_FEW_ITEMS),  # nobody, and one statement
        (np.array([[1, 4, 2]]), ALPHA_TOO_FEW_RESPONDENTS),  # one respondent
        (np.empty((0, 3)), ALPHA_TOO_FEW_RESPONDENTS),  # nobody
        # Three respondents, but no two answered the same pair of statements.
        (np.array([[1, np.nan], [np.nan, 2], [3, np.nan]]), ALPHA_TOO_FEW_RESPONDENTS),
        (np.array([[1, 1], [1, 2], [2, 1], [2, 2]]), ALPHA_ITEMS_DISAGREE),  # alpha 0
        (np.array([[1, 5], [3, 3], [5, 1]]), ALPHA_ITEMS_DISAGREE),  # exact opposites
    ],
)
def test_reliability_says_why_alpha_is_not_reported(scores, note):
    reported = reliability(scores)
    assert math.isnan(reported.alpha)
    assert reported.note == note
    assert note in ALPHA_NOTES


def test_identical_answers_read_as_items_that_do_not_vary_together():
    """A group that answered every statement alike has no alpha; its reason must be one
    that other groups share, or the note would say that every member answered the same."""
    assert reliability(np.full((6, 3), 4)).note == reliability(NEGATIVE_ALPHA_SCORES).note


@pytest.mark.parametrize(
    ("r", "label"),
    [
        (0.0, "negligible"),
        (0.099, "negligible"),
        (0.1, "small"),
        (-0.29, "small"),
        (0.3, "medium"),
        (-0.49, "medium"),
        (0.5, "large"),
        (-1.0, "large"),
        (math.nan, ""),
        (None, ""),
    ],
)
def test_effect_labels_follow_cohens_thresholds_for_r(r, label):
    assert effect_label(r) == label


def test_welch_contrast_of_two_groups_is_scipys_welch_t_test():
    a, b = [1, 2, 3, 4, 9], [2, 2, 5, 7, 8, 10, 12]
    result = welch_contrast([a, b], (1, -1))
    scipy = stats.ttest_ind(a, b, equal_var=False)
    assert result.estimate == pytest.approx(np.mean(a) - np.mean(b))
    assert result.estimate / result.standard_error == pytest.approx(scipy.statistic)
    assert result.df == pytest.approx(scipy.df)
    assert result.p_value == pytest.approx(scipy.pvalue)


def test_welch_contrast_of_four_groups_matches_a_hand_computation():
    # Means 3, 5, 2, 6; variances (ddof=1) 2.5, 4, 1, 9; all weights ±1, so c² = 1.
    groups = [[1, 2, 3, 4, 5], [3, 5, 7], [1, 2, 3], [3, 6, 9]]
    c = (1, -1, -1, 1)
    means = [3.0, 5.0, 2.0, 6.0]
    variances = [2.5, 4.0, 1.0, 9.0]
    sizes = [5, 3, 3, 3]
    terms = [v / n for v, n in zip(variances, sizes, strict=True)]
    estimate = 3 - 5 - 2 + 6
    se = math.sqrt(sum(terms))
    df = sum(terms) ** 2 / sum(t**2 / (n - 1) for t, n in zip(terms, sizes, strict=True))
    result = welch_contrast(groups, c)
    assert [float(np.mean(g)) for g in groups] == means
    assert result.estimate == pytest.approx(estimate)
    assert result.standard_error == pytest.approx(se)
    assert result.df == pytest.approx(df)
    assert result.p_value == pytest.approx(2 * stats.t.sf(estimate / se, df))


def test_welch_contrast_works_on_replicates_along_leading_axes():
    rng = np.random.default_rng(5)
    a, b = rng.normal(0, 1, (4, 6)), rng.normal(0, 3, (4, 9))
    together = welch_contrast([a, b], (1, -1)).p_value
    one_by_one = [welch_contrast([a[i], b[i]], (1, -1)).p_value for i in range(4)]
    assert together == pytest.approx(one_by_one)


def test_welch_contrast_without_spread_is_known_exactly():
    assert welch_contrast([[3, 3], [3, 3]], (1, -1)).p_value == 1.0
    constant = welch_contrast([[4, 4, 4], [2, 2]], (1, -1))
    assert constant.p_value == 0.0
    assert math.isnan(constant.df)


def test_welch_contrast_rejects_a_group_of_one_and_mismatched_weights():
    with pytest.raises(ValueError, match="at least two values"):
        welch_contrast([[1.0], [1.0, 2.0]], (1, -1))
    with pytest.raises(ValueError, match="one weight per group"):
        welch_contrast([[1.0, 2.0], [1.0, 2.0]], (1,))
