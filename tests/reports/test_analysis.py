"""Tests of reports.analysis on small hand-built frames (no database)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reports.analysis import (
    group_summary,
    item_distributions,
    respondent_scores,
    round_analysis,
    score_items,
    side_gaps,
)


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


def test_side_gaps_are_it_minus_security_worst_first():
    answers = make_answers(
        [(i, "it", {"a1": 5, "a2": 1, "b1": 3, "b2": 3}) for i in range(1, 4)]
        + [(i, "security", {"a1": 4, "a2": 2, "b1": 5, "b2": 5}) for i in range(4, 7)]
    )
    gaps = side_gaps(summarise(answers))
    assert list(gaps["dimension_code"]) == ["b", "a"]  # |−50| before |+25|
    b, a = gaps.iloc[0], gaps.iloc[1]
    assert b["gap"] == pytest.approx(50.0 - 100.0)
    assert a["gap"] == pytest.approx(100.0 - 75.0)
    assert b["worst"]
    assert not a["worst"]
    assert list(gaps["rank"]) == [1, 2]
    assert b["it_n"] == 3
    assert b["security_n"] == 3
    assert b["it_favourable_pct"] == 0.0
    assert b["security_favourable_pct"] == 100.0


def test_side_gaps_leave_a_suppressed_dimension_without_a_gap_and_last():
    answers = make_answers(
        [(i, "it", {"a1": 5, "a2": 1, "b1": 3, "b2": 3}) for i in range(1, 4)]
        + [(i, "security", {"a1": 4, "a2": 2}) for i in range(4, 7)]
        + [(7, "security", {"b1": 1, "b2": 1})]
    )
    gaps = side_gaps(summarise(answers))
    last = gaps.iloc[-1]
    assert last["dimension_code"] == "b"
    assert last["suppressed"]
    assert math.isnan(last["gap"])
    assert pd.isna(last["rank"])
    assert pd.isna(last["security_n"])
    assert gaps.iloc[0]["worst"]


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
