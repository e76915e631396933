"""Tests of reports.analysis on small hand-built frames (no database)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import hadamard

from reports.analysis import (
    alignment_index,
    compare_groups,
    group_summary,
    mirror_pairs,
    round_analysis,
)
from reports.panel import item_distributions, respondent_scores, score_items
from reports.statistics import (
    ad_index,
    bh_qvalues,
    cronbach_alpha,
    effect_label,
    mann_whitney,
    rwg_j,
)
from reports.vocabulary import Comparison, Thresholds


def make_items(points_items: dict[str, list[tuple[str, bool]]]) -> pd.DataFrame:
    rows = []
    for dimension, codes in points_items.items():
        for code, reverse in codes:
            rows.append(
                (code, dimension, f"Dimension {dimension}", f"Text {code}", "likert", reverse)
            )
        rows.append((f"{dimension}_c", dimension, f"Dimension {dimension}", "Any?", "text", False))
    return pd.DataFrame(
        rows,
        columns=[
            "item_code",
            "dimension_code",
            "dimension_name",
            "item_text",
            "kind",
            "reverse_scored",
        ],
    )


ITEMS = make_items({"a": [("a1", False), ("a2", True)], "b": [("b1", False), ("b2", False)]})


def make_answers(rows: list[tuple[int, str, dict[str, int]]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (rid, side, "infrastructure", "individual", code, value)
            for rid, side, values in rows
            for code, value in values.items()
        ],
        columns=["response_id", "side", "function", "level", "item_code", "value"],
    )


def summarise(answers, items=ITEMS, points=5, k=3, groups=("it", "security")):
    scored = score_items(answers, items, points)
    scores = respondent_scores(answers, items, points)
    return group_summary(scored, scores, items, points, "side", k, groups)


def row(summary, dimension, group):
    return summary.set_index(["dimension_code", "group"]).loc[(dimension, group)]


def test_respondent_scores_reverse_code_and_rescale_to_0_100():
    answers = make_answers([(1, "it", {"a1": 5, "a2": 1, "b1": 3, "b2": 2})])
    scores = respondent_scores(answers, ITEMS, 5).set_index("dimension_code")
    assert list(scores.columns) == ["response_id", "side", "function", "level", "score"]
    assert scores.loc["a", "score"] == 100.0  # 5 and reversed 1 -> 5
    assert scores.loc["b", "score"] == pytest.approx(37.5)  # mean 2.5 -> 37.5
    assert scores.loc["a", "side"] == "it"


def test_respondent_scores_leave_out_a_dimension_with_too_few_answers():
    items = make_items({"a": [("a1", False), ("a2", False), ("a3", False)]})
    answers = make_answers([(1, "it", {"a1": 5}), (2, "it", {"a1": 5, "a2": 3})])
    scores = respondent_scores(answers, items, 5)
    assert list(scores["response_id"]) == [2]


def test_group_summary_gives_known_mean_sd_and_favourability():
    answers = make_answers(
        [
            (1, "it", {"a1": 5, "a2": 1, "b1": 1, "b2": 1}),  # a: 100, b: 0
            (2, "it", {"a1": 3, "a2": 3, "b1": 5, "b2": 5}),  # a: 50, b: 100
            (3, "it", {"a1": 4, "a2": 2, "b1": 3, "b2": 3}),  # a: 75, b: 50
        ]
    )
    summary = summarise(answers)
    a = row(summary, "a", "it")
    assert a["n"] == 3
    assert a["score_mean"] == pytest.approx(75.0)
    assert a["score_sd"] == pytest.approx(25.0)  # sample SD of 100, 50, 75
    # item scores a: 5, 5, 3, 3, 4, 4 -> top two points (4, 5): 4 of 6
    assert a["favourable_pct"] == pytest.approx(400 / 6)
    assert not a["suppressed"]
    assert list(summary.columns) == [
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


def test_favourability_counts_reverse_scored_disagreement_as_favourable():
    answers = make_answers([(i, "it", {"a1": 1, "a2": 1}) for i in range(1, 4)])
    a = row(summarise(answers), "a", "it")
    assert a["favourable_pct"] == pytest.approx(50.0)  # a2 = 1 reversed to 5


def test_group_summary_suppresses_below_k_and_reports_exactly_k():
    answers = make_answers(
        [(i, "it", {"a1": 4, "a2": 2}) for i in range(1, 4)]
        + [(i, "security", {"a1": 2, "a2": 4}) for i in range(4, 6)]
    )
    summary = summarise(answers, k=3)
    it, security = row(summary, "a", "it"), row(summary, "a", "security")
    assert not it["suppressed"]
    assert it["n"] == 3
    assert security["suppressed"]
    assert pd.isna(security["n"])
    assert all(pd.isna(security[c]) for c in ("score_mean", "score_sd", "favourable_pct"))


def test_group_summary_has_an_all_row_and_empty_groups():
    answers = make_answers([(i, "it", {"a1": 4, "a2": 2}) for i in range(1, 4)])
    summary = summarise(answers, groups=("it", "security", "other"))
    assert list(summary.loc[summary["dimension_code"] == "a", "group"]) == [
        "it",
        "security",
        "other",
        "all",
    ]
    assert row(summary, "a", "all")["n"] == 3
    assert row(summary, "a", "other")["suppressed"]
    assert row(summary, "b", "all")["suppressed"]  # nobody answered b


def test_all_row_is_hidden_when_subtraction_would_reveal_a_small_group():
    answers = make_answers(
        [(i, "it", {"a1": 4, "a2": 2}) for i in range(1, 4)]
        + [(i, "security", {"a1": 2, "a2": 4}) for i in range(4, 7)]
        + [(7, "other", {"a1": 1, "a2": 5})]
    )
    summary = summarise(answers, k=3, groups=("it", "security", "other"))
    assert not row(summary, "a", "it")["suppressed"]
    assert row(summary, "a", "other")["suppressed"]
    everyone = row(summary, "a", "all")
    assert everyone["suppressed"]
    assert pd.isna(everyone["n"])
    assert pd.isna(everyone["score_mean"])


def test_all_row_is_shown_when_the_hidden_groups_together_reach_k():
    answers = make_answers(
        [(i, "it", {"a1": 4, "a2": 2}) for i in range(1, 4)]
        + [(i, "security", {"a1": 2, "a2": 4}) for i in (4, 5)]
        + [(6, "other", {"a1": 1, "a2": 5})]
    )
    summary = summarise(answers, k=3, groups=("it", "security", "other"))
    assert row(summary, "a", "security")["suppressed"]
    assert row(summary, "a", "other")["suppressed"]
    assert row(summary, "a", "all")["n"] == 6


def test_item_distribution_of_all_is_hidden_when_subtraction_would_reveal():
    answers = make_answers(
        [(i, "it", {"a1": 4}) for i in range(1, 4)] + [(4, "security", {"a1": 1})]
    )
    scored = score_items(answers, ITEMS, 5)
    dist = item_distributions(scored, ITEMS, 5, min_group_size=3, groups=("it", "security"))
    everyone = dist.loc[(dist["item_code"] == "a1") & (dist["group"] == "all")]
    assert everyone["suppressed"].all()
    assert everyone["count"].isna().all()


def test_group_summary_groups_by_any_attribute_and_scale():
    answers = make_answers([(i, "it", {"a1": 7, "a2": 1}) for i in range(1, 4)])
    answers["level"] = "manager"
    scored = score_items(answers, ITEMS, 7)
    scores = respondent_scores(answers, ITEMS, 7)
    summary = group_summary(scored, scores, ITEMS, 7, attribute="level", min_group_size=3)
    manager = row(summary, "a", "manager")
    assert manager["attribute"] == "level"
    assert manager["score_mean"] == 100.0
    assert manager["favourable_pct"] == 100.0


def test_group_summary_rejects_k_below_one():
    answers = make_answers([(1, "it", {"a1": 4})])
    with pytest.raises(ValueError, match="min_group_size"):
        summarise(answers, k=0)


def compare(answers, items=ITEMS, points=5, k=3, **kwargs):
    scored = score_items(answers, items, points)
    scores = respondent_scores(answers, items, points)
    return compare_groups(scored, scores, items, points, min_group_size=k, **kwargs)


def test_gaps_are_it_minus_security_and_rank_the_worst_first():
    answers = make_answers(
        [(i, "it", {"a1": 5, "a2": 1, "b1": 3, "b2": 3}) for i in range(1, 4)]
        + [(i, "security", {"a1": 4, "a2": 2, "b1": 5, "b2": 5}) for i in range(4, 7)]
    )
    gaps = compare(answers).dimensions.set_index("dimension_code")
    assert list(gaps.index) == ["a", "b"]  # instrument order
    assert gaps.loc["b", "gap"] == pytest.approx(50.0 - 100.0)
    assert gaps.loc["a", "gap"] == pytest.approx(100.0 - 75.0)
    assert gaps.loc["b", "worst"]
    assert not gaps.loc["a", "worst"]
    assert list(gaps["rank"]) == [2, 1]
    assert gaps.loc["b", "n_a"] == 3
    assert gaps.loc["b", "n_b"] == 3
    assert gaps.loc["b", "favourable_pct_a"] == 0.0
    assert gaps.loc["b", "favourable_pct_b"] == 100.0
    assert gaps.loc["a", "group_a"] == "it"
    assert gaps.loc["a", "group_b"] == "security"


def test_gaps_leave_a_suppressed_dimension_without_numbers():
    answers = make_answers(
        [(i, "it", {"a1": 5, "a2": 1, "b1": 3, "b2": 3}) for i in range(1, 4)]
        + [(i, "security", {"a1": 4, "a2": 2}) for i in range(4, 7)]
        + [(7, "security", {"b1": 1, "b2": 1})]
    )
    gaps = compare(answers).dimensions.set_index("dimension_code")
    b = gaps.loc["b"]
    assert b["suppressed"]
    assert b["suppressed_b"]
    assert not b["suppressed_a"]
    assert b["status"] == "suppressed"
    for column in ("gap", "score_b", "p_value", "q_value", "rank_biserial", "rwg_j_b"):
        assert pd.isna(b[column]), column
    assert pd.isna(b["n_b"])
    assert pd.isna(b["rank"])
    assert b["effect_label"] == ""
    assert gaps.loc["a", "worst"]


def test_item_distributions_include_unchosen_points_in_scale_order():
    answers = make_answers([(i, "it", {"a1": 2, "a2": 5}) for i in range(1, 4)])
    scored = score_items(answers, ITEMS, 5)
    dist = item_distributions(scored, ITEMS, 5, min_group_size=3, groups=("it",))
    a1 = dist.loc[(dist["item_code"] == "a1") & (dist["group"] == "it")]
    assert list(a1["point"]) == [1, 2, 3, 4, 5]
    assert list(a1["count"]) == [0, 3, 0, 0, 0]
    assert list(a1["pct"]) == [0.0, 100.0, 0.0, 0.0, 0.0]
    # raw values: a2 is reverse-scored but counted as asked
    a2 = dist.loc[(dist["item_code"] == "a2") & (dist["group"] == "it")]
    assert list(a2["count"]) == [0, 0, 0, 0, 3]
    assert list(dist["item_code"].drop_duplicates()) == ["a1", "a2", "b1", "b2"]


@pytest.mark.parametrize("points", [4, 7])
def test_item_distributions_follow_the_instrument_scale(points):
    answers = make_answers([(i, "it", {"a1": points}) for i in range(1, 4)])
    scored = score_items(answers, ITEMS, points)
    dist = item_distributions(scored, ITEMS, points, min_group_size=3, groups=("it",))
    a1 = dist.loc[(dist["item_code"] == "a1") & (dist["group"] == "all")]
    assert list(a1["point"]) == list(range(1, points + 1))
    assert list(a1["count"]) == [0] * (points - 1) + [3]


def test_item_distributions_suppress_items_answered_by_fewer_than_k():
    answers = make_answers(
        [(i, "it", {"a1": 2}) for i in range(1, 3)]
        + [(i, "security", {"a1": 2}) for i in (3, 4, 5)]
    )
    scored = score_items(answers, ITEMS, 5)
    dist = item_distributions(scored, ITEMS, 5, min_group_size=3, groups=("it", "security"))
    it = dist.loc[(dist["item_code"] == "a1") & (dist["group"] == "it")]
    security = dist.loc[(dist["item_code"] == "a1") & (dist["group"] == "security")]
    assert it["suppressed"].all()
    assert it["count"].isna().all()
    assert it["n"].isna().all()
    assert not security["suppressed"].any()
    assert list(security["n"]) == [3] * 5


def test_round_analysis_of_no_answers_is_empty_and_suppressed():
    answers = make_answers([])
    result = round_analysis(answers, ITEMS, 5, 3)
    assert result.is_empty
    assert result.summary["suppressed"].all()
    assert result.gaps["gap"].isna().all()
    assert result.distributions["suppressed"].all()


def test_out_of_scale_value_is_an_error():
    answers = make_answers([(1, "it", {"a1": 6})])
    with pytest.raises(ValueError, match=r"1\.\.5"):
        respondent_scores(answers, ITEMS, 5)


# --- Statistics checked against published and hand-computed values -----------------------


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


def test_group_summary_reports_agreement_and_reliability():
    answers = make_answers(
        [(i, "it", {"a1": 4, "a2": 2, "b1": 1 + i, "b2": i}) for i in range(1, 4)]
        + [(i, "security", {"a1": v, "a2": 6 - v}) for i, v in ((4, 1), (5, 3), (6, 5))]
    )
    summary = summarise(answers)
    it_a, security_a, it_b = row(summary, "a", "it"), row(summary, "a", "security"), None
    assert it_a["rwg_j"] == 1.0  # everyone answered alike
    assert it_a["ad"] == 0.0
    assert math.isnan(it_a["alpha"])  # no variance to split
    # Security, dimension a: item scores (a2 reversed) 1 3 5 on both items; s² = 4 > 2
    assert security_a["rwg_j"] == 0.0
    assert security_a["ad"] == pytest.approx(4 / 3)
    assert security_a["alpha"] == pytest.approx(1.0)  # the two items move together
    it_b = row(summary, "b", "it")
    assert it_b["alpha"] == pytest.approx(1.0)  # b1 = b2 + 1 for everyone
    everyone = row(summary, "a", "all")
    expected = rwg_j(np.array([[4, 4]] * 3 + [[1, 1], [3, 3], [5, 5]]), 5)
    assert everyone["rwg_j"] == pytest.approx(expected)


def test_group_summary_hides_agreement_of_a_small_group():
    answers = make_answers(
        [(i, "it", {"a1": 4, "a2": 2}) for i in range(1, 4)]
        + [(i, "security", {"a1": 2, "a2": 4}) for i in (4, 5)]
    )
    security = row(summarise(answers), "a", "security")
    assert security["suppressed"]
    assert all(pd.isna(security[c]) for c in ("rwg_j", "ad", "alpha"))


# --- Comparisons, statuses and the alignment index ----------------------------------------

ITEMS_MIRRORED = make_items(
    {"a": [("a1", False), ("a2", True)], "b": [("b1", False), ("b2", False)]}
).assign(mirror_of=lambda f: f["item_code"].map({"b1": "b2", "b2": "b1"}))


def spread(start: int, side: str, values: list[int], **extra) -> list:
    """One respondent per value, answering every item of dimensions a and b with it."""
    return [
        (start + i, side, {"a1": v, "a2": 6 - v, "b1": v, "b2": v, **extra})
        for i, v in enumerate(values)
    ]


def test_a_large_significant_medium_gap_is_a_breakdown():
    answers = make_answers(spread(1, "it", [4, 5] * 10) + spread(100, "security", [1, 2] * 10))
    result = compare(answers)
    a = result.dimensions.set_index("dimension_code").loc["a"]
    assert a["gap"] == pytest.approx(87.5 - 12.5)
    assert a["rank_biserial"] == pytest.approx(1.0)
    assert a["effect_label"] == "large"
    assert a["q_value"] < 0.05
    assert a["status"] == "breakdown"


def test_q_values_adjust_over_every_dimension_and_item_test():
    answers = make_answers(
        spread(1, "it", [3, 4, 5, 4, 3, 5]) + spread(100, "security", [2, 3, 4, 2, 3, 1])
    )
    result = compare(answers)
    p = [*result.dimensions["p_value"], *result.items["p_value"]]
    assert len(p) == 2 + 4
    expected = bh_qvalues(p)
    assert list(result.dimensions["q_value"]) == pytest.approx(list(expected[:2]))
    assert list(result.items["q_value"]) == pytest.approx(list(expected[2:]))
    a1 = result.items.set_index("item_code").loc["a1"]
    direct = mann_whitney([3, 4, 5, 4, 3, 5], [2, 3, 4, 2, 3, 1])
    assert a1["p_value"] == pytest.approx(direct.p_value)
    assert a1["rank_biserial"] == pytest.approx(direct.rank_biserial)
    assert a1["score_a"] == pytest.approx((4 - 1) / 4 * 100)  # mean item score 4
    assert a1["gap"] == pytest.approx((4 - 2.5) / 4 * 100)


def test_status_is_watch_when_one_criterion_falls_short():
    # a large gap and a large effect, but three respondents a side cannot reach q < 0.05
    answers = make_answers(spread(1, "it", [4, 5, 5]) + spread(10, "security", [1, 2, 2]))
    a = compare(answers).dimensions.set_index("dimension_code").loc["a"]
    assert abs(a["gap"]) >= 10
    assert abs(a["rank_biserial"]) >= 0.3
    assert a["q_value"] >= 0.05
    assert a["status"] == "watch"


def test_status_is_divided_when_a_side_disagrees_within_itself():
    answers = make_answers(spread(1, "it", [1, 5] * 5) + spread(100, "security", [1, 5] * 5))
    a = compare(answers).dimensions.set_index("dimension_code").loc["a"]
    assert a["gap"] == pytest.approx(0.0)
    assert a["rwg_j_a"] < 0.5
    assert a["status"] == "divided"


def test_status_is_aligned_when_both_sides_agree_alike():
    answers = make_answers(spread(1, "it", [4, 4, 5]) + spread(10, "security", [4, 4, 5]))
    dimensions = compare(answers).dimensions
    assert set(dimensions["status"]) == {"aligned"}
    assert alignment_index(dimensions) == pytest.approx(100.0)


def test_thresholds_change_the_status():
    answers = make_answers(spread(1, "it", [4, 5] * 10) + spread(100, "security", [1, 2] * 10))
    strict = Thresholds(gap_points=80.0)
    a = compare(answers, thresholds=strict).dimensions.set_index("dimension_code").loc["a"]
    assert a["status"] == "watch"  # 75 points is no longer "large"


def test_a_comparison_with_a_small_group_shows_no_number_of_it():
    answers = make_answers(spread(1, "it", [4, 5, 4, 5]) + spread(10, "security", [1, 2]))
    result = compare(answers)  # k = 3: Security's 2 respondents are too few
    for frame in (result.dimensions, result.items):
        assert frame["suppressed"].all()
        assert frame["suppressed_b"].all()
        assert frame["n_b"].isna().all()
        for column in ("score_b", "gap", "p_value", "q_value", "rank_biserial"):
            assert frame[column].isna().all(), column
        assert frame["n_a"].notna().all()  # IT has 4: its own numbers stay
    assert set(result.dimensions["status"]) == {"suppressed"}
    assert result.dimensions["rwg_j_b"].isna().all()
    assert result.alignment_index is None


def test_a_pooled_group_is_hidden_when_one_of_its_values_is_small():
    rows = spread(1, "it", [4, 5, 4]) + spread(10, "it", [4, 5, 4]) + spread(20, "it", [1, 2])
    answers = make_answers(rows)
    answers["level"] = answers["response_id"].map(
        lambda rid: "individual" if rid < 10 else "manager" if rid < 20 else "executive"
    )
    leaders = Comparison("level", ("executive", "manager"), ("individual",))
    result = compare(answers, comparison=leaders)  # executives: 2 < k = 3
    assert result.dimensions["suppressed_a"].all()
    assert result.dimensions["n_a"].isna().all()
    assert result.items["suppressed_a"].all()
    managers = Comparison("level", ("manager",), ("individual",))
    shown = compare(answers, comparison=managers).dimensions
    assert not shown["suppressed"].any()
    assert list(shown["group_a"]) == ["manager", "manager"]


def test_leaders_versus_staff_pools_executives_and_managers():
    rows = spread(1, "it", [5, 5, 4]) + spread(10, "it", [5, 4, 4]) + spread(20, "it", [1, 2, 2])
    answers = make_answers(rows)
    answers["level"] = answers["response_id"].map(
        lambda rid: "individual" if rid >= 20 else "manager" if rid >= 10 else "executive"
    )
    leaders = Comparison("level", ("executive", "manager"), ("individual",))
    a = compare(answers, comparison=leaders).dimensions.set_index("dimension_code").loc["a"]
    assert a["group_a"] == "executive+manager"
    assert a["n_a"] == 6
    assert a["n_b"] == 3
    assert a["rank_biserial"] == pytest.approx(1.0)


def test_comparison_groups_must_differ():
    with pytest.raises(ValueError, match="share"):
        Comparison("side", ("it",), ("it", "security"))
    with pytest.raises(ValueError, match="at least one"):
        Comparison("side", (), ("it",))


def test_alignment_index_is_100_minus_the_mean_absolute_gap():
    frame = pd.DataFrame({"gap": [10.0, -30.0, np.nan], "suppressed": [False, False, True]})
    assert alignment_index(frame) == pytest.approx(80.0)
    assert alignment_index(frame.assign(gap=[150.0, -150.0, np.nan])) == 0.0
    assert alignment_index(frame.assign(suppressed=True)) is None


def test_mirror_pairs_put_both_perspectives_side_by_side():
    answers = make_answers(
        [(i, "it", {"b1": 5, "b2": 2}) for i in range(1, 4)]
        + [(i, "security", {"b1": 2, "b2": 5}) for i in range(4, 7)]
    )
    result = compare(answers, items=ITEMS_MIRRORED)
    pairs = mirror_pairs(result.items, ITEMS_MIRRORED)
    assert list(pairs["pair"]) == [1, 1]  # one pair, listed once, two rows
    assert list(pairs["item_code"]) == ["b1", "b2"]
    assert list(pairs["mirror_of"]) == ["b2", "b1"]
    assert list(pairs["score_a"]) == [100.0, 25.0]
    assert list(pairs["score_b"]) == [25.0, 100.0]
    assert list(pairs["gap"]) == [75.0, -75.0]


def test_reverse_scoring_never_changes_the_data_and_analysis_is_repeatable():
    answers = make_answers(spread(1, "it", [4, 5, 4]) + spread(10, "security", [1, 2, 2]))
    before = answers.copy()
    first = round_analysis(answers, ITEMS_MIRRORED, 5, 3)
    second = round_analysis(answers, ITEMS_MIRRORED, 5, 3)
    pd.testing.assert_frame_equal(answers, before)
    for name in ("summary", "gaps", "item_gaps", "distributions", "mirror_pairs"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    assert first.alignment_index == second.alignment_index


def test_round_analysis_distributions_cover_the_two_compared_groups_only():
    answers = make_answers(
        spread(1, "it", [4, 5, 4]) + spread(10, "security", [1, 2, 2]) + spread(20, "other", [3])
    )
    result = round_analysis(answers, ITEMS, 5, 3)
    assert set(result.distributions["group"]) == {"it", "security"}
    a1 = result.distributions.query("item_code == 'a1' and group == 'security'")
    assert list(a1["count"]) == [1, 2, 0, 0, 0]
