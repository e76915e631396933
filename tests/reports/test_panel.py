"""Tests of reports.panel: item and respondent scores (reverse coding, the 0–100 scale) and
a group's published agreement, on small hand-built frames (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from reports.panel import (
    AD_FLOOR,
    Panel,
    group_stats,
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
