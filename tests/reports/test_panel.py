"""Tests of reports.panel: item and respondent scores (reverse coding, the 0–100 scale) and
the item distributions, on small hand-built frames (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from reports.panel import (
    AD_FLOOR,
    Panel,
    group_stats,
    item_distributions,
    respondent_scores,
    score_items,
)
from reports.vocabulary import Protection
from tests.reports.frames import ITEMS, make_answers, make_items


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


def test_out_of_scale_value_is_an_error():
    answers = make_answers([(1, "it", {"a1": 6})])
    with pytest.raises(ValueError, match=r"1\.\.5"):
        respondent_scores(answers, ITEMS, 5)


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


def test_item_distribution_of_all_is_shown_and_counts_a_small_group():
    answers = make_answers(
        [(i, "it", {"a1": 4}) for i in range(1, 4)] + [(4, "security", {"a1": 1})]
    )
    scored = score_items(answers, ITEMS, 5)
    dist = item_distributions(scored, ITEMS, 5, min_group_size=3, groups=("it", "security"))
    security = dist.loc[(dist["item_code"] == "a1") & (dist["group"] == "security")]
    assert security["suppressed"].all()
    assert security["count"].isna().all()
    # "all" minus IT is the Security respondent with exact figures; as published (each
    # count within 2 of the truth) an interval, so "all" is shown.
    everyone = dist.loc[(dist["item_code"] == "a1") & (dist["group"] == "all")]
    assert not everyone["suppressed"].any()
    assert list(everyone["count"]) == [1, 0, 0, 3, 0]
    assert list(everyone["n"]) == [4] * 5
    assert list(everyone["pct"]) == pytest.approx([25.0, 0.0, 0.0, 75.0, 0.0])


def test_a_group_that_answered_alike_publishes_no_ad_below_the_floor():
    """AD near 0 would say every member answered as the group did (homogeneity)."""
    answers = make_answers([(i, "it", {"a1": 3, "a2": 3, "b1": 4, "b2": 4}) for i in range(1, 13)])
    scored = score_items(answers, ITEMS, 5)
    perturbed = Protection(secret=11, count_bound=10, sum_bound=60.0)
    exact = group_stats(Panel(scored, ITEMS, 5), np.ones(12, dtype=bool))
    stats = group_stats(Panel(scored, ITEMS, 5, protection=perturbed), np.ones(12, dtype=bool))
    assert (exact.ad == 0).all()
    assert (stats.ad == AD_FLOOR).all()
    assert (stats.rwg_j == exact.rwg_j).all()  # 1.0 at one decimal: no finer than that
