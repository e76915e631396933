"""Tests of reports.perceptions and reports.drivers (instrument v2): don't-know shares,
meta-perceptions, blame patterns of mirror pairs and drivers, on small hand-made frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reports.disclosure import settings_protection
from reports.drivers import drivers
from reports.panel import Panel, score_items
from reports.perceptions import (
    PATTERN_AGREEMENT,
    PATTERN_BLAME,
    PATTERN_CREDIT,
    PATTERN_MIXED,
    PATTERN_SUPPRESSED,
    dont_know_shares,
    meta_perceptions,
    mirror_pattern,
    mirror_patterns,
)
from reports.statistics import mean_interval, spearman_interval
from reports.vocabulary import EXACT
from tests.reports.frames import DONT_KNOW, ITEMS, V2_ITEMS, make_answers, make_v2_answers

SIDES = [("it", ["it"]), ("security", ["security"])]


# --- Don't know ---------------------------------------------------------------------------


def test_dont_know_share_per_statement_and_group_by_hand():
    answers = make_v2_answers(
        [
            (1, "it", {"ei1": 4, "b1": 3}),
            (2, "it", {"ei1": DONT_KNOW, "b1": 3}),
            (3, "it", {"ei1": 5, "b1": DONT_KNOW}),
            (4, "it", {"ei1": DONT_KNOW, "b1": 2}),
            (5, "security", {"ei1": 2, "b1": 3}),
            (6, "security", {"ei1": 3, "b1": 4}),
            (7, "security", {"ei1": DONT_KNOW, "b1": 4}),
        ]
    )
    shares = dont_know_shares(answers, V2_ITEMS, SIDES, min_group_size=3).set_index(
        ["item_code", "group"]
    )
    assert shares.loc[("ei1", "it"), "dont_know_pct"] == pytest.approx(50.0)  # 2 of 4
    assert shares.loc[("ei1", "it"), "n"] == 4
    assert shares.loc[("ei1", "it"), "dont_know_n"] == 2
    assert shares.loc[("ei1", "security"), "dont_know_pct"] == pytest.approx(100 / 3)  # 1 of 3
    assert shares.loc[("b1", "it"), "dont_know_pct"] == pytest.approx(25.0)
    assert shares.loc[("b1", "security"), "dont_know_pct"] == pytest.approx(0.0)
    # Nobody answered ei2 at all: too few to show, no figure.
    assert shares.loc[("ei2", "it"), "suppressed"]
    assert pd.isna(shares.loc[("ei2", "it"), "dont_know_pct"])
    # The outcome statement is counted too; comments are not.
    assert "overall" in shares.index.get_level_values("item_code")
    assert "b_c" not in shares.index.get_level_values("item_code")


def test_dont_know_share_of_a_small_group_is_not_shown():
    answers = make_v2_answers([(1, "it", {"ei1": DONT_KNOW}), (2, "it", {"ei1": 4})])
    shares = dont_know_shares(answers, V2_ITEMS, SIDES, min_group_size=3)
    row = shares.loc[(shares["item_code"] == "ei1") & (shares["group"] == "it")].iloc[0]
    assert row["suppressed"]
    assert pd.isna(row["dont_know_n"])
    assert pd.isna(row["n"])


def test_dont_know_is_never_scored_nor_the_midpoint():
    answers = make_v2_answers(
        [(1, "it", {"b1": 5, "b2": DONT_KNOW}), (2, "it", {"b1": DONT_KNOW, "b2": DONT_KNOW})]
    )
    scored = score_items(answers, V2_ITEMS, 5)
    assert list(scored["item_code"]) == ["b1"]  # respondent 2 has no score at all
    panel = Panel(scored, V2_ITEMS, 5)
    # b: one of two items answered, at 5: 100 points (a midpoint would have read 75).
    assert panel.dimension_scores[0, panel.dimensions.index("b")] == pytest.approx(100.0)
    # The outcome statement never enters a dimension.
    assert "outcome" not in panel.dimensions


@pytest.mark.perturbed
def test_dont_know_counts_are_published_through_the_disclosure_layer():
    rows = [(i, "it", {"ei1": DONT_KNOW if i % 3 == 0 else 4}) for i in range(1, 31)]
    answers = make_v2_answers(rows)
    protection = settings_protection(
        type(
            "S",
            (),
            {
                "FRICTION_CELL_KEY_SECRET": "s",
                "FRICTION_COUNT_BOUND": None,
                "FRICTION_SUM_BOUND": None,
            },
        ),
        5,
    )
    first = dont_know_shares(answers, V2_ITEMS, SIDES, min_group_size=5, protection=protection)
    again = dont_know_shares(answers, V2_ITEMS, SIDES, min_group_size=5, protection=protection)
    pd.testing.assert_frame_equal(first, again)  # the same respondents, the same figure
    row = first.loc[(first["item_code"] == "ei1") & (first["group"] == "it")].iloc[0]
    assert abs(int(row["dont_know_n"]) - 10) <= protection.count_bound
    assert abs(int(row["n"]) - 30) <= protection.count_bound
    assert 0 <= row["dont_know_pct"] <= 100
    # Nobody said "don't know" to b1 when asked: the published count need not be an exact 0.
    assert first["dont_know_n"].notna().any()


# --- Meta-perceptions ---------------------------------------------------------------------

META = make_v2_answers(
    [
        (1, "it", {"ei1": (4, 2)}),
        (2, "it", {"ei1": (5, 2)}),
        (3, "it", {"ei1": (5, 3)}),
        (4, "security", {"ei1": (3, 5)}),
        (5, "security", {"ei1": (4, 5)}),
        (6, "security", {"ei1": (4, 4)}),
    ]
)


def test_meta_perception_figures_by_hand():
    """IT answers 4, 5, 5 (75, 100, 100 points) and guesses Security's answer at 2, 2, 3
    (25, 25, 50); Security answers 3, 4, 4 (50, 75, 75) and guesses 5, 5, 4."""
    frame = meta_perceptions(META, V2_ITEMS, 5, min_group_size=3)
    item = frame.loc[frame["level"] == "item"].set_index("side")
    it = item.loc["it"]
    assert it["item_code"] == "ei1"
    assert it["own_score"] == pytest.approx(275 / 3)
    assert it["predicted_other_score"] == pytest.approx(100 / 3)
    assert it["other_actual_score"] == pytest.approx(200 / 3)
    assert it["misperception"] == pytest.approx(-100 / 3)
    assert (it["n_side"], it["n_other"]) == (3, 3)
    expected = stats.ttest_ind([25, 25, 50], [50, 75, 75], equal_var=False).confidence_interval()
    assert it["misperception_ci_low"] == pytest.approx(expected.low)
    assert it["misperception_ci_high"] == pytest.approx(expected.high)
    security = item.loc["security"]
    assert security["own_score"] == pytest.approx(200 / 3)
    assert security["predicted_other_score"] == pytest.approx(275 / 3)
    assert security["other_actual_score"] == pytest.approx(275 / 3)
    assert security["misperception"] == pytest.approx(0.0)
    # The dimension row is the mean over its meta statements: here the one statement.
    dimension = frame.loc[frame["level"] == "dimension"].set_index("side")
    assert dimension.loc["it", "dimension_code"] == "ei"
    assert dimension.loc["it", "misperception"] == pytest.approx(-100 / 3)


def test_meta_perception_of_a_hidden_side_shows_no_misperception():
    frame = meta_perceptions(META, V2_ITEMS, 5, min_group_size=4)
    assert frame["misperception"].isna().all()
    assert frame["n_side"].isna().all()


def test_meta_perceptions_of_a_v1_round_are_empty():
    answers = make_answers([(1, "it", {"a1": 4})])
    assert meta_perceptions(answers, ITEMS, 5).empty


# --- Blame patterns -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("it", "security", "pattern"),
    [
        ((30.0, 12.0, 48.0), (25.0, 5.0, 45.0), PATTERN_BLAME),
        ((-30.0, -48.0, -12.0), (-25.0, -45.0, -5.0), PATTERN_CREDIT),
        ((2.0, -6.0, 9.0), (-1.0, -8.0, 6.0), PATTERN_AGREEMENT),
        ((30.0, 12.0, 48.0), (2.0, -6.0, 9.0), PATTERN_MIXED),  # one side blames
        ((12.0, -3.0, 27.0), (15.0, 2.0, 28.0), PATTERN_MIXED),  # an interval reaches 0
        ((8.0, 1.0, 15.0), (9.0, 2.0, 16.0), PATTERN_MIXED),  # above 0, under the floor
        ((2.0, -6.0, 12.0), (0.0, -5.0, 5.0), PATTERN_MIXED),  # reaches the floor
        ((math.nan,) * 3, (0.0, -5.0, 5.0), PATTERN_SUPPRESSED),
    ],
)
def test_mirror_pattern_rule(it, security, pattern):
    assert mirror_pattern(it, security, 10.0) == pattern


BLAME = make_v2_answers(
    [
        (1, "it", {"ei1": 5, "ei2": 2}),
        (2, "it", {"ei1": 5, "ei2": 1}),
        (3, "it", {"ei1": 4, "ei2": 2}),
        (4, "it", {"ei1": 5, "ei2": 2}),
        (5, "security", {"ei1": 2, "ei2": 5}),
        (6, "security", {"ei1": 2, "ei2": 4}),
        (7, "security", {"ei1": 1, "ei2": 5}),
        (8, "security", {"ei1": 2, "ei2": 5}),
    ]
)


def test_mirror_patterns_figures_by_hand():
    """IT rates itself 100, 100, 75, 100 and Security 25, 0, 25, 25: self minus other 75,
    100, 50, 75 (mean 75); Security mirrors it."""
    frame = mirror_patterns(BLAME, V2_ITEMS, 5, gap_floor=10.0, min_group_size=4)
    row = frame.iloc[0]
    assert (row["pair"], row["item_about_it"], row["item_about_security"]) == (1, "ei1", "ei2")
    assert row["it_rates_it"] == pytest.approx(93.75)
    assert row["it_rates_security"] == pytest.approx(18.75)
    assert row["security_rates_it"] == pytest.approx(18.75)
    assert row["security_rates_security"] == pytest.approx(93.75)
    assert row["it_self_minus_other"] == pytest.approx(75.0)
    expected = stats.ttest_1samp([75, 100, 50, 75], 0).confidence_interval()
    assert row["it_ci_low"] == pytest.approx(expected.low)
    assert row["it_ci_high"] == pytest.approx(expected.high)
    assert row["pattern"] == PATTERN_BLAME


def test_mirror_patterns_credit_and_suppressed():
    swapped = BLAME.assign(
        item_code=BLAME["item_code"].map({"ei1": "ei2", "ei2": "ei1"}).astype(str)
    )
    assert mirror_patterns(swapped, V2_ITEMS, 5, min_group_size=4)["pattern"].item() == (
        PATTERN_CREDIT
    )
    hidden = mirror_patterns(BLAME, V2_ITEMS, 5, min_group_size=5).iloc[0]
    assert hidden["pattern"] == PATTERN_SUPPRESSED
    assert math.isnan(hidden["it_rates_it"])


def test_mirror_patterns_of_a_v1_round_are_empty():
    assert mirror_patterns(make_answers([(1, "it", {"a1": 4})]), ITEMS, 5).empty


def test_mean_interval_matches_scipy():
    values = np.array([3.0, 7.0, 8.0, 12.0, 4.0])
    low, high = mean_interval(values.mean(), values.std(ddof=1), len(values))
    expected = stats.ttest_1samp(values, 0).confidence_interval()
    assert (float(low), float(high)) == pytest.approx((expected.low, expected.high))


# --- Drivers ------------------------------------------------------------------------------


def test_spearman_interval_matches_scipy_and_bonett_wright():
    x = [10, 20, 30, 40, 50, 60, 70, 80]
    y = [1, 3, 2, 4, 5, 4, 5, 5]
    result = spearman_interval(x, y)
    r = stats.spearmanr(x, y).statistic
    assert result.r == pytest.approx(r)
    half = 1.959964 * math.sqrt((1 + r**2 / 2) / (8 - 3))
    assert result.low == pytest.approx(math.tanh(math.atanh(r) - half))
    assert result.high == pytest.approx(math.tanh(math.atanh(r) + half))
    assert spearman_interval([1, 2, 3], [1, 2, 3]).n == 3
    assert math.isnan(spearman_interval([1, 2, 3], [1, 2, 3]).r)  # fewer than four pairs


def _driver_answers() -> pd.DataFrame:
    rows = []
    # IT: b goes with the outcome, ei (the mirror pair) hardly.
    it_b = [1, 2, 2, 3, 4, 4, 5, 5, 5, 3]
    it_ei = [3, 4, 3, 4, 3, 4, 3, 4, 3, 4]
    it_out = [1, 1, 2, 3, 3, 4, 5, 5, 4, 2]
    for i in range(10):
        rows.append(
            (i + 1, "it", {"b1": it_b[i], "b2": 6 - it_b[i], "ei1": it_ei[i], "overall": it_out[i]})
        )
    for i in range(4):  # too few Security respondents for k = 5
        rows.append((100 + i, "security", {"b1": 3, "b2": 3, "ei1": 3, "overall": 3}))
    return make_v2_answers(rows)


def test_drivers_match_scipy_spearman_and_name_the_top_dimension():
    answers = _driver_answers()
    panel = Panel(score_items(answers, V2_ITEMS, 5), V2_ITEMS, 5)
    frame = drivers(panel, answers, V2_ITEMS, min_group_size=5).set_index(
        ["side", "dimension_code"]
    )
    b_scores = [(v - 1) * 25 for v in [1, 2, 2, 3, 4, 4, 5, 5, 5, 3]]
    outcome = [1, 1, 2, 3, 3, 4, 5, 5, 4, 2]
    expected = stats.spearmanr(b_scores, outcome).statistic
    assert frame.loc[("it", "b"), "r"] == round(expected, 2)
    assert frame.loc[("it", "b"), "n"] == 10
    assert frame.loc[("it", "b"), "ci_low"] > 0
    assert frame.loc[("it", "b"), "top"]
    ei = stats.spearmanr([50, 75, 50, 75, 50, 75, 50, 75, 50, 75], outcome).statistic
    assert frame.loc[("it", "ei"), "r"] == round(ei, 2)
    assert not frame.loc[("it", "ei"), "top"]
    assert frame.loc[("security", "b"), "suppressed"]
    assert pd.isna(frame.loc[("security", "b"), "r"])
    assert not frame.loc["security", "top"].any()


def test_drivers_of_a_v1_round_are_empty():
    answers = make_answers([(1, "it", {"a1": 4, "b1": 2})])
    panel = Panel(score_items(answers, ITEMS, 5), ITEMS, 5)
    assert drivers(panel, answers, ITEMS).empty


def test_exact_protection_is_the_default():
    assert meta_perceptions(META, V2_ITEMS, 5, protection=EXACT, min_group_size=3).equals(
        meta_perceptions(META, V2_ITEMS, 5, min_group_size=3)
    )


@pytest.mark.perturbed
def test_the_published_dont_know_share_is_dont_know_n_over_n():
    """Found by a fresh-user trial: the share was of another sum than the n beside it."""
    from reports.disclosure import default_bounds
    from reports.vocabulary import Protection

    rng = np.random.default_rng(3)
    answers = make_v2_answers(
        [
            (i, "it" if i % 2 else "security", {"ei1": DONT_KNOW if rng.random() < 0.2 else 4})
            for i in range(1, 200)
        ]
    )
    shares = dont_know_shares(
        answers, V2_ITEMS, SIDES, protection=Protection(9, *default_bounds(5))
    ).dropna(subset=["n"])
    assert len(shares)
    expected = np.minimum(
        shares["dont_know_n"].astype(float) * 100 / shares["n"].astype(float), 100
    )
    assert np.allclose(shares["dont_know_pct"].astype(float), expected)
