"""Tests of reports.distributions: the raw answers counted at each scale point, per group and
for all, with small groups suppressed, on small hand-built frames (no database)."""

from __future__ import annotations

import pytest

from reports.distributions import item_distributions
from reports.panel import score_items
from tests.reports.frames import ITEMS, make_answers


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
