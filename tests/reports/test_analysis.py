"""Tests of reports.analysis (group summaries, comparisons, statuses, mirror pairs, the round's
analysis) on small hand-built frames (no database)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from reports.analysis import (
    alignment_index,
    compare_groups,
    group_summary,
    mirror_pairs,
    round_analysis,
)
from reports.panel import respondent_scores, score_items
from reports.statistics import bh_qvalues, cronbach_alpha, mann_whitney, rwg_j
from reports.vocabulary import Comparison, Thresholds
from tests.reports.frames import ITEMS, make_answers, make_items


def summarise(answers, items=ITEMS, points=5, k=3, groups=("it", "security")):
    scored = score_items(answers, items, points)
    scores = respondent_scores(answers, items, points)
    return group_summary(scored, scores, items, points, "side", k, groups)


def row(summary, dimension, group):
    return summary.set_index(["dimension_code", "group"]).loc[(dimension, group)]


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
        "alpha_note",
        "polarised",
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


@pytest.mark.parametrize("security", [3, 2], ids=["one-small-group", "two-small-groups"])
def test_all_row_is_shown_and_counts_the_small_groups(security):
    """ "all" is everyone, however few the hidden groups hold: published counts make "all"
    minus the shown groups an interval (tests/reports/test_differencing.py)."""
    answers = make_answers(
        [(i, "it", {"a1": 4, "a2": 2}) for i in range(1, 4)]
        + [(i, "security", {"a1": 2, "a2": 4}) for i in range(4, 4 + security)]
        + [(10, "other", {"a1": 1, "a2": 5})]
    )
    summary = summarise(answers, k=3, groups=("it", "security", "other"))
    assert not row(summary, "a", "it")["suppressed"]
    assert row(summary, "a", "security")["suppressed"] == (security < 3)
    other = row(summary, "a", "other")
    assert other["suppressed"]
    assert pd.isna(other["n"])
    assert pd.isna(other["score_mean"])
    everyone = row(summary, "a", "all")
    assert not everyone["suppressed"]
    assert everyone["n"] == 4 + security
    # IT 75 (3), Security 25 (each), Other 0 (1).
    assert everyone["score_mean"] == pytest.approx((3 * 75 + security * 25) / (4 + security))


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


def test_round_analysis_of_no_answers_is_empty_and_suppressed():
    answers = make_answers([])
    result = round_analysis(answers, ITEMS, 5, 3)
    assert result.is_empty
    assert result.summary["suppressed"].all()
    assert result.gaps["gap"].isna().all()
    assert result.distributions["suppressed"].all()


# --- Agreement and reliability by group ---------------------------------------------------


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
    assert it_a["alpha_note"] == "items_disagree"  # the same words as a negative alpha
    # Security, dimension a: item scores (a2 reversed) 1 3 5 on both items; s² = 4 > 2
    assert security_a["rwg_j"] == 0.0
    assert security_a["ad"] == pytest.approx(4 / 3)
    assert security_a["alpha"] == pytest.approx(1.0)  # the two items move together
    assert security_a["alpha_note"] is None
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


def test_a_negative_alpha_is_left_out_with_its_reason_and_a_small_groups_is_hidden():
    """Issue 18: a dimension's alpha of −7.1 here (−8.1 on the demo) was shown bare. Item
    scores of a that run against each other (a2 reverse-scored: 5 5 4 4 3 against 1..5)
    give no alpha and say why; the small Security group says nothing, as its figures."""
    answers = make_answers(
        [
            (i, "it", {"a1": i, "a2": raw})
            for i, raw in zip(range(1, 6), [1, 1, 2, 2, 3], strict=True)
        ]
        + [(i, "security", {"a1": 1, "a2": 5}) for i in (6, 7)]
    )
    items = np.array([[i, 6 - raw] for i, raw in zip(range(1, 6), [1, 1, 2, 2, 3], strict=True)])
    assert cronbach_alpha(items) == pytest.approx(2 * (1 - 3.2 / 0.7))  # −7.14

    summary = summarise(answers)
    it, security = row(summary, "a", "it"), row(summary, "a", "security")
    assert math.isnan(it["alpha"])
    assert it["alpha_note"] == "items_disagree"
    assert security["suppressed"]
    assert security["alpha_note"] is None

    scored = score_items(answers, ITEMS, 5)
    scores = respondent_scores(answers, ITEMS, 5)
    gaps = compare_groups(scored, scores, ITEMS, 5, min_group_size=3).dimensions
    a = gaps.set_index("dimension_code").loc["a"]
    assert (a["alpha_note_a"], a["alpha_note_b"]) == ("items_disagree", None)
    assert math.isnan(a["alpha_a"])


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


def test_status_is_too_few_to_tell_when_the_groups_cannot_reach_significance():
    # a large gap and a large effect, but three respondents a side cannot reach q < 0.05:
    # the smallest exact p is 2 / C(6, 3) = 0.1, so no guess is offered
    answers = make_answers(spread(1, "it", [4, 5, 5]) + spread(10, "security", [1, 2, 2]))
    a = compare(answers).dimensions.set_index("dimension_code").loc["a"]
    assert abs(a["gap"]) >= 10
    assert abs(a["rank_biserial"]) >= 0.3
    assert a["q_value"] >= 0.05
    assert a["status"] == "too_few"


def test_status_is_too_few_to_tell_when_the_interval_reaches_a_large_gap():
    # 12 a side could reach significance, but this gap's interval still reaches 10 points
    answers = make_answers(
        spread(1, "it", [3, 4, 5, 2, 4, 3] * 2) + spread(100, "security", [3, 4, 4, 2, 3, 3] * 2)
    )
    a = compare(answers).dimensions.set_index("dimension_code").loc["a"]
    assert a["q_value"] >= 0.05
    assert a["gap_ci_high"] >= 10
    assert a["status"] == "too_few"


def test_watch_needs_significance_as_well_as_a_large_gap_or_effect():
    # significant and a large effect, but the gap is below the 80 points asked for
    answers = make_answers(spread(1, "it", [4, 5] * 10) + spread(100, "security", [1, 2] * 10))
    a = compare(answers, thresholds=Thresholds(gap_points=80.0)).dimensions.iloc[0]
    assert a["q_value"] < 0.05
    assert a["status"] == "watch"
    # the same gap and effect, not significant under a strict q threshold: no watch
    strict = Thresholds(gap_points=80.0, q_value=1e-12)
    a = compare(answers, thresholds=strict).dimensions.iloc[0]
    assert a["status"] != "watch"


def test_status_is_divided_when_a_side_disagrees_within_itself():
    answers = make_answers(spread(1, "it", [1, 5] * 5) + spread(100, "security", [1, 5] * 5))
    a = compare(answers).dimensions.set_index("dimension_code").loc["a"]
    assert a["gap"] == pytest.approx(0.0)
    assert a["rwg_j_a"] < 0.5
    assert a["status"] == "divided"


def test_status_is_aligned_when_both_sides_agree_alike():
    answers = make_answers(
        spread(1, "it", [4, 4, 5] * 10) + spread(100, "security", [4, 4, 5] * 10)
    )
    dimensions = compare(answers).dimensions
    assert set(dimensions["status"]) == {"aligned"}
    # the interval rules out a 10-point gap either way
    assert (dimensions["gap_ci_low"] > -10).all()
    assert (dimensions["gap_ci_high"] < 10).all()
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


def test_a_pooled_group_is_shown_whole_when_one_of_its_values_is_small():
    rows = spread(1, "it", [4, 5, 4]) + spread(10, "it", [4, 5, 4]) + spread(20, "it", [1, 2])
    answers = make_answers(rows)
    answers["level"] = answers["response_id"].map(
        lambda rid: "individual" if rid < 10 else "manager" if rid < 20 else "executive"
    )
    leaders = Comparison("level", ("executive", "manager"), ("individual",))
    result = compare(answers, comparison=leaders)  # executives: 2 < k = 3, in a pool of 5
    assert not result.dimensions["suppressed_a"].any()
    assert list(result.dimensions["n_a"]) == [5, 5]
    assert list(result.dimensions["group_a"]) == ["executive+manager"] * 2
    assert not result.items["suppressed_a"].any()
    # The pool's mean counts the executives: a (scored as asked, a2 = 6 − v reversed) is
    # 100·(v − 1)/4 per respondent: (75 + 100 + 75 + 0 + 25) / 5.
    a = result.dimensions.set_index("dimension_code").loc["a"]
    assert a["score_a"] == pytest.approx(55.0)
    executives = Comparison("level", ("executive",), ("individual",))
    alone = compare(answers, comparison=executives)
    assert alone.dimensions["suppressed_a"].all()
    assert alone.dimensions["n_a"].isna().all()


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


def test_alignment_index_is_the_share_of_shown_dimensions_not_flagged():
    frame = pd.DataFrame(
        {
            "status": ["breakdown", "watch", "too_few", "aligned", "divided", "suppressed"],
            "suppressed": [False, False, False, False, False, True],
        }
    )
    assert alignment_index(frame) == pytest.approx(50.0)  # 2 of the 4 shown with a reading
    four_of_seven = pd.DataFrame(
        {"status": ["breakdown"] * 4 + ["aligned"] * 3, "suppressed": [False] * 7}
    )
    assert alignment_index(four_of_seven) == pytest.approx(300 / 7)  # 43: not good news
    assert alignment_index(frame.assign(suppressed=True)) is None
    # Too few to tell everywhere is no reading at all, not a perfect score.
    assert alignment_index(frame.assign(status="too_few")) is None


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


def test_it_split_half_and_half_between_2_and_4_reads_polarised_though_rwg_says_aligned():
    # the example of issue 14: every statement of a dimension answered 2 by half of IT and 4
    # by the other half; Security agrees moderately
    it = [(i, "it", {"b1": 2 if i % 2 else 4, "b2": 2 if i % 2 else 4}) for i in range(1, 21)]
    security = [(i, "security", {"b1": 4, "b2": 3 + i % 2}) for i in range(21, 41)]
    answers = make_answers(it + security)
    summary = summarise(answers, k=5)
    assert row(summary, "b", "it")["rwg_j"] > 0.5  # rwg(j) reads it as agreement
    assert bool(row(summary, "b", "it")["polarised"])
    assert not bool(row(summary, "b", "security")["polarised"])
    b = compare(answers, k=5).dimensions.set_index("dimension_code").loc["b"]
    assert bool(b["polarised_a"])
    assert not bool(b["polarised_b"])


def test_polarised_is_missing_for_a_suppressed_group():
    answers = make_answers(
        [(i, "it", {"b1": 2 if i % 2 else 4, "b2": 2}) for i in range(1, 7)]
        + [(i, "security", {"b1": 4, "b2": 4}) for i in range(7, 9)]
    )
    summary = summarise(answers, k=3)
    assert row(summary, "b", "security")["polarised"] is pd.NA


def test_a_dimensions_figures_leave_out_respondents_without_its_score():
    # one statement of four is below half: respondents 4 and 5 have no score on d, so they
    # must not move its favourability, agreement or reliability either (issue 14)
    items = make_items({"d": [("d1", False), ("d2", False), ("d3", False), ("d4", False)]})
    full = [
        (1, "it", {"d1": 5, "d2": 4, "d3": 5, "d4": 4}),
        (2, "it", {"d1": 4, "d2": 4, "d3": 3, "d4": 4}),
        (3, "it", {"d1": 2, "d2": 3, "d3": 2, "d4": 3}),
    ]
    partial = [(4, "it", {"d1": 1}), (5, "it", {"d2": 1})]  # one of four: no score
    with_partial = summarise(make_answers(full + partial), items=items, groups=("it",))
    only_full = summarise(make_answers(full), items=items, groups=("it",))
    for column in ("n", "score_mean", "favourable_pct", "rwg_j", "ad", "alpha"):
        assert row(with_partial, "d", "it")[column] == pytest.approx(
            row(only_full, "d", "it")[column]
        ), column
    # the partial answers still count where statements are reported one by one
    scored = score_items(make_answers(full + partial), items, 5)
    scores = respondent_scores(make_answers(full + partial), items, 5)
    statements = compare_groups(
        scored,
        scores,
        items,
        5,
        comparison=Comparison("side", ("it",), ("security",)),
        min_group_size=1,
    ).items
    assert statements.set_index("item_code").loc["d1", "n_a"] == 4
