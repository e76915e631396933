"""Tests of assessment.scoring: reverse coding, 0–100 rescale, the half-answered rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assessment.scoring import dimension_scores, item_scores, rescale_0_100, reverse_code


def items_frame(rows: list[tuple[str, str, bool]], *, kind: list[str] | None = None):
    frame = pd.DataFrame(rows, columns=["item_code", "dimension_code", "reverse_scored"])
    if kind is not None:
        frame["kind"] = kind
    return frame


def answers_frame(rows: list[tuple[int, str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["response_id", "item_code", "value"])


# Dimension a has four Likert items (a4 reversed); dimension b has two (b2 reversed).
ITEMS = items_frame(
    [
        ("a1", "a", False),
        ("a2", "a", False),
        ("a3", "a", False),
        ("a4", "a", True),
        ("b1", "b", False),
        ("b2", "b", True),
    ]
)


@pytest.mark.parametrize(
    ("points", "value", "expected"),
    [(5, 1, 5), (5, 2, 4), (5, 3, 3), (5, 5, 1), (7, 1, 7), (7, 4, 4), (7, 6, 2), (7, 7, 1)],
)
def test_reverse_code_maps_each_point_to_its_mirror(points, value, expected):
    assert reverse_code(value, points) == expected


def test_reverse_code_works_on_a_series():
    result = reverse_code(pd.Series([1, 2, 3, 4, 5]), 5)
    assert result.tolist() == [5, 4, 3, 2, 1]


def test_reverse_code_rejects_a_scale_of_one_point():
    with pytest.raises(ValueError, match="at least 2 points"):
        reverse_code(1, 1)


@pytest.mark.parametrize(
    ("points", "mean", "expected"),
    [
        (5, 1, 0.0),
        (5, 5, 100.0),
        (5, 3, 50.0),
        (5, 4, 75.0),
        (7, 1, 0.0),
        (7, 7, 100.0),
        (7, 4, 50.0),
        (4, 2.5, 50.0),
    ],
)
def test_rescale_maps_endpoints_and_midpoint_to_0_50_100(points, mean, expected):
    assert rescale_0_100(mean, points) == pytest.approx(expected)


def test_item_scores_reverse_codes_only_reverse_scored_items():
    answers = answers_frame([(1, "a1", 2), (1, "a4", 2), (1, "b2", 5)])

    scored = item_scores(answers, ITEMS, 5).set_index("item_code")

    assert scored.loc["a1", "score"] == 2
    assert scored.loc["a4", "score"] == 4
    assert scored.loc["b2", "score"] == 1
    assert scored["value"].tolist() == [2, 2, 5]
    assert scored.loc["a4", "dimension_code"] == "a"


def test_item_scores_reverse_codes_on_a_7_point_scale():
    answers = answers_frame([(1, "a4", 1), (1, "a4", 7), (2, "a4", 3)])

    scored = item_scores(answers, ITEMS, 7)

    assert scored["score"].tolist() == [7, 1, 5]


def test_item_scores_keeps_extra_columns():
    answers = answers_frame([(1, "a1", 4)]).assign(side="it")

    scored = item_scores(answers, ITEMS, 5)

    assert scored.loc[0, "side"] == "it"


@pytest.mark.parametrize("value", [0, 6, -1, 2.5])
def test_item_scores_rejects_a_value_outside_the_scale(value):
    answers = answers_frame([(1, "a1", 3), (1, "a2", value)])

    with pytest.raises(ValueError, match=r"'a2'.*1\.\.5"):
        item_scores(answers, ITEMS, 5)


def test_item_scores_accepts_7_on_a_7_point_scale_but_not_on_5():
    answers = answers_frame([(1, "a1", 7)])

    assert item_scores(answers, ITEMS, 7)["score"].tolist() == [7]
    with pytest.raises(ValueError, match=r"1\.\.5"):
        item_scores(answers, ITEMS, 5)


def test_item_scores_ignores_comments_unknown_items_and_missing_values():
    items = items_frame([("a1", "a", False), ("a_comment", "a", False)], kind=["likert", "text"])
    answers = answers_frame(
        [(1, "a1", 4), (1, "a_comment", "7"), (1, "zz9", 99), (2, "a1", None), (3, "a1", "n/a")]
    )

    scored = item_scores(answers, items, 5)

    assert scored[["response_id", "item_code", "score"]].values.tolist() == [[1, "a1", 4]]


def test_item_scores_accepts_nullable_integer_values():
    answers = answers_frame([(1, "a1", 4), (1, "a4", None)]).astype({"value": "Int64"})

    scored = item_scores(answers, ITEMS, 5)

    assert scored["score"].tolist() == [4]


def test_dimension_score_is_the_rescaled_mean_of_item_scores():
    # a: 5, 4, 3 and a4=1 reversed to 5 -> mean 4.25 -> 81.25; b: 3 and b2=2 reversed to 4.
    answers = answers_frame(
        [(1, "a1", 5), (1, "a2", 4), (1, "a3", 3), (1, "a4", 1), (1, "b1", 3), (1, "b2", 2)]
    )

    scores = dimension_scores(item_scores(answers, ITEMS, 5), ITEMS, 5)

    assert list(scores.columns) == ["a", "b"]
    assert scores.index.name == "response_id"
    assert scores.loc[1, "a"] == pytest.approx(81.25)
    assert scores.loc[1, "b"] == pytest.approx(62.5)


def test_dimension_scores_reach_0_and_100_at_the_ends_of_the_scale():
    answers = answers_frame([(1, "b1", 1), (1, "b2", 5), (2, "b1", 7), (2, "b2", 1)])

    scores = dimension_scores(item_scores(answers, ITEMS, 7), ITEMS, 7)

    # 1 and 5 reversed on 7 points (3): mean 2 -> (2 - 1) / 6 * 100.
    assert scores.loc[1, "b"] == pytest.approx(100 / 6)
    assert scores.loc[2, "b"] == pytest.approx(100.0)


def test_dimension_with_fewer_than_half_its_items_answered_is_missing():
    answers = answers_frame([(1, "a1", 5), (1, "b1", 4)])

    scores = dimension_scores(item_scores(answers, ITEMS, 5), ITEMS, 5)

    assert math.isnan(scores.loc[1, "a"])  # 1 of 4 answered
    assert scores.loc[1, "b"] == pytest.approx(75.0)  # 1 of 2 answered: exactly half


def test_dimension_with_exactly_half_its_items_answered_is_reported():
    answers = answers_frame([(1, "a1", 5), (1, "a4", 5)])

    scores = dimension_scores(item_scores(answers, ITEMS, 5), ITEMS, 5)

    assert scores.loc[1, "a"] == pytest.approx(50.0)  # 5 and reversed 1 -> mean 3
    assert math.isnan(scores.loc[1, "b"])  # nothing answered in b


def test_comment_items_do_not_count_toward_the_half_answered_rule():
    items = items_frame(
        [("a1", "a", False), ("a2", "a", False), ("a_comment", "a", False)],
        kind=["likert", "likert", "text"],
    )
    answers = answers_frame([(1, "a1", 4)])

    scores = dimension_scores(item_scores(answers, items, 5), items, 5)

    assert scores.loc[1, "a"] == pytest.approx(75.0)  # 1 of 2 Likert items: half


def test_dimension_scores_have_one_row_per_respondent():
    answers = answers_frame([(7, "a1", 1), (7, "a2", 1), (9, "b1", 5), (9, "b2", 1)])

    scores = dimension_scores(item_scores(answers, ITEMS, 5), ITEMS, 5)

    assert sorted(scores.index) == [7, 9]
    assert scores.loc[7, "a"] == pytest.approx(0.0)
    assert scores.loc[9, "b"] == pytest.approx(100.0)
    assert np.isnan(scores.loc[7, "b"])
    assert np.isnan(scores.loc[9, "a"])


def test_empty_answers_give_an_empty_frame_with_every_dimension():
    answers = answers_frame([])

    scored = item_scores(answers, ITEMS, 5)
    scores = dimension_scores(scored, ITEMS, 5)

    assert scored.empty
    assert scores.empty
    assert list(scores.columns) == ["a", "b"]
    assert scores.index.name == "response_id"
