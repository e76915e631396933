"""Tests of reports.trends: shared items across versions, the trend table, the change since
the last round and its tests, on hand-built frames and on two real rounds; the tests' error
rates and power by simulation through the real test and verdict functions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reports.trends import (
    CHANGE_COLUMNS,
    TREND_COLUMNS,
    VERDICT_NOISE,
    TrendRound,
    change_verdict,
    gap_change_test,
    round_change,
    score_change_test,
    shared_items,
    trend_table,
)
from reports.vocabulary import Thresholds
from survey.selectors import (
    instrument_rounds,
    rounds_answers_frame,
    rounds_items_frame,
)
from tests.factories import DimensionFactory, InstrumentFactory, ItemFactory, SurveyRoundFactory
from tests.reports.over_time_data import SECURITY_RISE, two_rounds

ROOT = Path(__file__).resolve().parents[2]
ITEMS = pd.DataFrame(
    {
        "item_code": ["a1", "a2", "b1", "b2"],
        "dimension_code": ["a", "a", "b", "b"],
        "dimension_name": ["A", "A", "B", "B"],
        "kind": "likert",
        "reverse_scored": [False, True, False, False],
    }
)


def answers_frame(spec: list[tuple[str, dict[str, int], int]]) -> pd.DataFrame:
    """One respondent per repetition of each (side, answers, count)."""
    rows, respondent = [], 0
    for side, values, count in spec:
        for _ in range(count):
            respondent += 1
            rows.extend(
                (respondent, side, "infrastructure", "individual", code, value)
                for code, value in values.items()
            )
    return pd.DataFrame(
        rows, columns=["response_id", "side", "function", "level", "item_code", "value"]
    )


def trend_round(key: str, spec, *, k: int = 5, items: pd.DataFrame = ITEMS) -> TrendRound:
    return TrendRound(key, key.title(), answers_frame(spec), items, 5, k)


SAME = {"a1": 4, "a2": 2, "b1": 3, "b2": 3}  # a: items 4, 4 -> 75; b: 50
LOW = {"a1": 2, "a2": 4, "b1": 3, "b2": 3}  # a: items 2, 2 -> 25; b: 50
HIGH = {"a1": 5, "a2": 1, "b1": 3, "b2": 3}  # a: items 5, 5 -> 100; b: 50


def test_shared_items_keeps_codes_with_the_same_dimension_and_coding_in_every_version():
    newer = pd.concat(
        [
            ITEMS.assign(reverse_scored=[False, False, False, False]),  # a2 recoded
            pd.DataFrame(
                {
                    "item_code": ["c1", "b_comment"],
                    "dimension_code": ["c", "b"],
                    "dimension_name": ["C", "B"],
                    "kind": ["likert", "text"],
                    "reverse_scored": [False, False],
                }
            ),
        ],
        ignore_index=True,
    )
    shared = shared_items([ITEMS, newer])
    assert list(shared["item_code"]) == ["a1", "b1", "b2"]


def test_trend_table_has_one_row_per_round_and_dimension_with_the_gap():
    first = trend_round("spring", [("it", SAME, 6), ("security", LOW, 6)])
    second = trend_round("autumn", [("it", SAME, 6), ("security", SAME, 6)])
    table = trend_table([first, second])
    assert list(table.columns) == TREND_COLUMNS
    assert list(zip(table["round"], table["dimension_code"], strict=True)) == [
        ("spring", "a"),
        ("spring", "b"),
        ("autumn", "a"),
        ("autumn", "b"),
    ]
    assert table["gap"].tolist() == pytest.approx([50.0, 0.0, 0.0, 0.0])


def test_trend_table_suppresses_a_group_below_each_rounds_own_k():
    first = trend_round("spring", [("it", SAME, 6), ("security", LOW, 4)], k=5)
    second = trend_round("autumn", [("it", SAME, 6), ("security", LOW, 4)], k=3)
    table = trend_table([first, second]).set_index(["round", "dimension_code"])
    spring = table.loc[("spring", "a")]
    assert spring["suppressed_b"]
    assert pd.isna(spring["score_b"])
    assert pd.isna(spring["n_b"])
    assert pd.isna(spring["gap"])
    assert table.loc[("autumn", "a"), "score_b"] == pytest.approx(25.0)


def test_round_change_reports_a_known_rise_as_more_than_noise():
    # Security's dimension a rises from 25 to 100 for 8 respondents; IT stays at 75.
    spring = trend_round("spring", [("it", SAME, 8), ("security", LOW, 8)])
    autumn = trend_round("autumn", [("it", SAME, 8), ("security", HIGH, 8)])
    change = round_change(spring, autumn).set_index("dimension_code")
    assert list(change.reset_index().columns) == CHANGE_COLUMNS
    a = change.loc["a"]
    assert a["change_b"] == pytest.approx(75.0)
    assert a["rank_biserial_b"] == pytest.approx(1.0)
    assert a["q_value_b"] < 0.05
    assert a["verdict_b"] == "rose"
    assert a["change_a"] == pytest.approx(0.0)
    assert a["verdict_a"] == "no clear change"
    assert a["gap_previous"] == pytest.approx(50.0)
    assert a["gap_current"] == pytest.approx(-25.0)
    assert a["gap_change"] == pytest.approx(-75.0)
    # From IT 50 points ahead to Security 25 ahead: the other side now leads.
    assert a["gap_verdict"] == "reversed"
    assert change.loc["b", "verdict_b"] == "no clear change"
    assert change.loc["b", "gap_verdict"] == "no clear change"


def test_round_change_calls_a_small_shift_in_a_small_round_noise():
    mixed_before = [("security", {**LOW, "a1": 3}, 3), ("security", LOW, 3)]
    mixed_after = [("security", {**LOW, "a1": 3}, 4), ("security", LOW, 2)]
    spring = trend_round("spring", [("it", SAME, 6), *mixed_before])
    autumn = trend_round("autumn", [("it", SAME, 6), *mixed_after])
    row = round_change(spring, autumn).set_index("dimension_code").loc["a"]
    assert row["change_b"] > 0
    assert row["q_value_b"] >= 0.05
    assert row["verdict_b"] == "no clear change"


def test_round_change_hides_a_group_suppressed_in_either_round():
    spring = trend_round("spring", [("it", SAME, 6), ("security", LOW, 4)])
    autumn = trend_round("autumn", [("it", SAME, 6), ("security", HIGH, 6)])
    row = round_change(spring, autumn).set_index("dimension_code").loc["a"]
    assert row["suppressed_b"]
    assert row["verdict_b"] == "suppressed"
    assert pd.isna(row["score_current_b"])
    assert pd.isna(row["n_current_b"])
    assert pd.isna(row["p_value_b"])
    assert row["gap_suppressed"]
    assert row["gap_verdict"] == "suppressed"
    assert pd.isna(row["gap_current"])
    assert not row["suppressed_a"]


def test_q_values_are_benjamini_hochberg_over_both_sides_and_every_dimension():
    spring = trend_round("spring", [("it", SAME, 8), ("security", LOW, 8)])
    autumn = trend_round("autumn", [("it", SAME, 8), ("security", HIGH, 8)])
    change = round_change(spring, autumn)
    p = [*change["p_value_a"], *change["p_value_b"]]
    m = len(p)
    smallest = min(p)
    # With one small p-value among m tests, its q is m * p (BH with rank 1).
    assert change["q_value_b"].min() == pytest.approx(min(1.0, m * smallest))


def test_gap_change_test_detects_a_large_change_and_not_an_unchanged_gap():
    rng = np.random.default_rng(3)
    a_before, b_before = rng.normal(70, 5, 20), rng.normal(40, 5, 20)
    a_after, b_after = rng.normal(70, 5, 20), rng.normal(68, 5, 20)
    assert gap_change_test((a_before, b_before), (a_after, b_after)) < 0.01
    assert gap_change_test((a_before, b_before), (a_before, b_before)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least two values"):
        gap_change_test(([50.0], b_before), (a_after, b_after))


def test_gap_change_test_with_a_constant_other_group_is_scipys_welch_test():
    # B answers 50 in both rounds, so the gap changes exactly as A's mean does.
    before, after = [40, 55, 60, 70, 45, 65], [80, 30, 95, 60]
    constant = [50.0, 50.0, 50.0]
    p = gap_change_test((before, constant), (after, constant))
    assert p == pytest.approx(stats.ttest_ind(after, before, equal_var=False).pvalue)


def test_gap_change_test_matches_a_hand_computed_welch_satterthwaite_t():
    a1, b1, a2, b2 = [60, 70, 80], [40, 50], [50, 60, 70, 80], [55, 65, 75]
    # Change (65 - 65) - (70 - 45) = -25; variances 100, 50, 166.67, 100.
    terms = [100 / 3, 50 / 2, (500 / 3) / 4, 100 / 3]
    se = np.sqrt(sum(terms))
    df = sum(terms) ** 2 / (
        terms[0] ** 2 / 2 + terms[1] ** 2 / 1 + terms[2] ** 2 / 3 + terms[3] ** 2 / 2
    )
    expected = 2 * stats.t.sf(25 / se, df)
    assert gap_change_test((a1, b1), (a2, b2)) == pytest.approx(expected)


def test_score_change_test_is_scipys_welch_test_of_current_against_previous():
    before, after = [25, 50, 50, 75, 25], [75, 100, 50, 100, 75, 100, 25]
    expected = stats.ttest_ind(after, before, equal_var=False).pvalue
    assert score_change_test(before, after) == pytest.approx(expected)


def test_change_verdict_needs_both_a_small_q_and_a_change_of_gap_points():
    verdict = change_verdict(
        [12.0, -12.0, 8.0, 12.0, 10.0, 0.0, 15.0],
        [0.01, 0.01, 0.001, 0.2, 0.049, 0.0, np.nan],
        floor=10.0,
        q_threshold=0.05,
        up="rose",
        down="fell",
    )
    noise = VERDICT_NOISE
    assert verdict.tolist() == ["rose", "fell", noise, noise, "rose", noise, noise]


def test_round_change_calls_a_clear_shift_smaller_than_gap_points_no_clear_change():
    # 30 respondents at 75 before; after, 15 at 75 and 15 at 87.5: +6.25 points, p tiny.
    up = {**SAME, "a1": 5}  # a: items 5, 4 -> 87.5
    spring = trend_round("spring", [("it", SAME, 30), ("security", SAME, 30)])
    autumn = trend_round("autumn", [("it", SAME, 15), ("it", up, 15), ("security", SAME, 30)])
    row = round_change(spring, autumn).set_index("dimension_code").loc["a"]
    assert row["change_a"] == pytest.approx(6.25)
    assert row["q_value_a"] < 0.001
    assert row["verdict_a"] == "no clear change"
    assert row["gap_q_value"] < 0.001
    assert row["gap_verdict"] == "no clear change"
    loose = round_change(spring, autumn, thresholds=Thresholds(gap_points=5.0))
    assert loose.set_index("dimension_code").loc["a", "verdict_a"] == "rose"
    assert loose.set_index("dimension_code").loc["a", "gap_verdict"] == "widened"


def test_trends_module_imports_no_django():
    code = (
        "import sys, reports.trends, reports.findings; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- Two real rounds through the selectors -----------------------------------------------


def rounds_from_db(survey_round) -> list[TrendRound]:
    rounds = instrument_rounds(round=survey_round)
    items = rounds_items_frame(rounds=rounds)
    answers = rounds_answers_frame(rounds=rounds)
    return [
        TrendRound(
            r.slug,
            r.name,
            answers.loc[answers["round_id"] == r.pk].drop(columns="round_id"),
            items.loc[items["instrument_id"] == r.instrument_id].drop(columns="instrument_id"),
            r.instrument.scale_points,
            r.min_group_size,
        )
        for r in rounds
    ]


@pytest.mark.django_db
def test_two_rounds_stored_through_the_service_show_the_known_change(small_instrument):
    spring, autumn = two_rounds(small_instrument)
    rounds = rounds_from_db(autumn)
    assert [r.key for r in rounds] == ["spring-2026", "autumn-2026"]
    change = round_change(*rounds).set_index("dimension_code")
    a = change.loc["a"]
    assert a["score_previous_b"] == pytest.approx(29.17, abs=0.01)
    assert a["change_b"] == pytest.approx(SECURITY_RISE)
    assert a["rank_biserial_b"] == pytest.approx(1.0)
    assert a["q_value_b"] < 0.01
    assert a["verdict_b"] == "rose"
    assert a["verdict_a"] == "no clear change"
    assert a["gap_verdict"] == "narrowed"
    assert change.loc["b", "verdict_b"] == "no clear change"
    # The earlier round's trend stops at itself.
    assert [r.slug for r in instrument_rounds(round=spring)] == ["spring-2026"]


@pytest.mark.django_db
def test_rounds_of_another_version_are_compared_on_the_shared_items(small_instrument):
    spring, _autumn = two_rounds(small_instrument)
    newer = InstrumentFactory(slug=small_instrument.slug, version="2")
    dimension = DimensionFactory(instrument=newer, code="a", name="Dimension A", order=0)
    for n in (1, 2):  # a3 is gone in version 2
        ItemFactory(dimension=dimension, code=f"a{n}", order=n)
    other = DimensionFactory(instrument=newer, code="c", name="New", order=1)
    ItemFactory(dimension=other, code="c1", order=1)
    winter = SurveyRoundFactory(instrument=newer, slug="winter", name="Winter")
    rounds = rounds_from_db(winter)
    assert [r.key for r in rounds] == ["spring-2026", "autumn-2026", "winter"]
    shared = shared_items([r.items for r in rounds])
    assert list(shared["item_code"]) == ["a1", "a2"]
    table = trend_table(rounds, shared)
    assert set(table["dimension_code"]) == {"a"}
    spring_a = table.loc[table["round"] == spring.slug].iloc[0]
    # Security's a on a1, a2 only: item means 2 or 2.5 -> 25 or 37.5, mean 31.25 (29.17 with a3).
    assert spring_a["score_b"] == pytest.approx(31.25)
    assert table.loc[table["round"] == "winter", "suppressed"].all()


# --- Error rates and power by simulation -----------------------------------------------
#
# Dimension scores of four 5-point statements lie on a grid of 100/16 = 6.25 points. Scores
# are drawn symmetric about a grid point (a normal truncated at ±2.3 SD, rounded to the
# grid), so their mean is exactly that point whatever the spread: "no change" is true.
# A test at the 5 % level rejects a true null 5 % of the time, so where the gap_points floor
# does not bite (small groups) a measured rate may exceed 5 % by Monte Carlo noise: rates
# are checked against 5 % plus three Monte Carlo standard errors (0.0046 at 20,000 runs).

GRID = 6.25
REPLICATES = 20_000
LIMIT = 0.05
DEFAULTS = Thresholds()


def grid_scores(
    rng: np.random.Generator, mean: float, sd: float, n: int, replicates: int = REPLICATES
) -> np.ndarray:
    """``replicates`` × n dimension scores with mean exactly ``mean`` (a grid point)."""
    t = np.clip(rng.standard_normal((replicates, n)), -2.3, 2.3)
    return mean + np.round(sd * t / GRID) * GRID


def monte_carlo_margin(rate: float = LIMIT) -> float:
    """Three Monte Carlo standard errors of a rate near ``rate`` over REPLICATES runs."""
    return 3 * np.sqrt(rate * (1 - rate) / REPLICATES)


def pooled_gap_rate(previous, current) -> float:
    """Rejection rate at 5 % of a gap-change z that ignores a change of spread: each group's
    two rounds share one (pooled) variance, as shuffling respondents between rounds
    assumes. Only to show that the scenario below is hard."""
    variance = 0.0
    for first, second in zip(previous, current, strict=True):
        n1, n2 = first.shape[-1], second.shape[-1]
        pooled = ((n1 - 1) * first.var(-1, ddof=1) + (n2 - 1) * second.var(-1, ddof=1)) / (
            n1 + n2 - 2
        )
        variance = variance + pooled * (1 / n1 + 1 / n2)
    change = (current[0].mean(-1) - current[1].mean(-1)) - (
        previous[0].mean(-1) - previous[1].mean(-1)
    )
    return float(np.mean(np.abs(change) / np.sqrt(variance) > stats.norm.ppf(0.975)))


@pytest.mark.parametrize(("n_previous", "n_current"), [(10, 10), (30, 10), (60, 20), (100, 100)])
def test_an_unchanged_gap_is_rarely_called_narrowed_or_widened_when_the_spread_doubles(
    n_previous, n_current
):
    # IT 56.25, Security 43.75 in both rounds (gap 12.5); every SD doubles from 9 to 18.
    rng = np.random.default_rng(n_previous * 1000 + n_current)
    previous = (grid_scores(rng, 56.25, 9, n_previous), grid_scores(rng, 43.75, 9, n_previous))
    current = (grid_scores(rng, 56.25, 18, n_current), grid_scores(rng, 43.75, 18, n_current))
    p = gap_change_test(previous, current)
    gap_previous = previous[0].mean(-1) - previous[1].mean(-1)
    gap_current = current[0].mean(-1) - current[1].mean(-1)
    verdict = change_verdict(
        np.abs(gap_previous) - np.abs(gap_current),
        p,  # one dimension: q = p
        floor=DEFAULTS.gap_points,
        q_threshold=DEFAULTS.q_value,
        up="narrowed",
        down="widened",
    )
    test_rate = float(np.mean(p < LIMIT))
    false_rate = float(np.mean(verdict != VERDICT_NOISE))
    pooled_rate = pooled_gap_rate(previous, current)
    print(
        f"gap unchanged, SD doubled, n {n_previous}->{n_current}: test {test_rate:.4f}, "
        f"narrowed/widened {false_rate:.4f}, test ignoring the spread {pooled_rate:.4f}"
    )
    assert false_rate <= LIMIT + monte_carlo_margin()
    assert test_rate <= LIMIT + monte_carlo_margin()
    if n_previous != n_current:  # the hard case: the smaller round has the larger spread
        assert pooled_rate > 0.1


@pytest.mark.parametrize("n", [5, 10, 30, 100])
@pytest.mark.parametrize("sd_current", [15.0, 30.0])
def test_an_unchanged_score_is_rarely_called_rose_or_fell(n, sd_current):
    # Mean 50 in both rounds; SD 15 before, 15 (same distribution) or 30 after.
    rng = np.random.default_rng(n * 100 + int(sd_current))
    previous, current = grid_scores(rng, 50, 15, n), grid_scores(rng, 50, sd_current, n)
    p = score_change_test(previous, current)
    verdict = change_verdict(
        current.mean(-1) - previous.mean(-1),
        p,
        floor=DEFAULTS.gap_points,
        q_threshold=DEFAULTS.q_value,
        up="rose",
        down="fell",
    )
    test_rate = float(np.mean(p < LIMIT))
    false_rate = float(np.mean(verdict != VERDICT_NOISE))
    print(
        f"no change, n {n}, SD 15->{sd_current:g}: test {test_rate:.4f}, rose/fell {false_rate:.4f}"
    )
    assert false_rate <= LIMIT + monte_carlo_margin()
    assert test_rate <= LIMIT + monte_carlo_margin()


def test_a_real_change_of_15_points_at_50_per_group_is_detected_most_of_the_time():
    # SD 18 points (about what four 5-point statements give), 50 respondents per group.
    rng = np.random.default_rng(15)
    n, sd = 50, 18.0
    before, after = grid_scores(rng, 43.75, sd, n), grid_scores(rng, 58.75, sd, n)
    rose = change_verdict(
        after.mean(-1) - before.mean(-1),
        score_change_test(before, after),
        floor=DEFAULTS.gap_points,
        q_threshold=DEFAULTS.q_value,
        up="rose",
        down="fell",
    )
    # The gap: IT stays at 62.5, Security rises 15 points (gap 25 -> 10).
    it_before, it_after = grid_scores(rng, 62.5, sd, n), grid_scores(rng, 62.5, sd, n)
    previous, current = (it_before, before[::-1]), (it_after, after[::-1])
    gap_previous = previous[0].mean(-1) - previous[1].mean(-1)
    gap_current = current[0].mean(-1) - current[1].mean(-1)
    narrowed = change_verdict(
        np.abs(gap_previous) - np.abs(gap_current),
        gap_change_test(previous, current),
        floor=DEFAULTS.gap_points,
        q_threshold=DEFAULTS.q_value,
        up="narrowed",
        down="widened",
    )
    rose_rate = float(np.mean(rose == "rose"))
    narrowed_rate = float(np.mean(narrowed == "narrowed"))
    print(f"power, 15 points at 50 per group: rose {rose_rate:.4f}, narrowed {narrowed_rate:.4f}")
    assert rose_rate >= 0.85
    assert narrowed_rate >= 0.6


def change_round(key: str, scores_by_side: dict[str, np.ndarray]) -> TrendRound:
    """A round of one four-statement dimension "d" whose respondents score ``scores``."""
    items = pd.DataFrame(
        {
            "item_code": ["d1", "d2", "d3", "d4"],
            "dimension_code": "d",
            "dimension_name": "D",
            "kind": "likert",
            "reverse_scored": False,
        }
    )
    rows, respondent = [], 0
    for side, scores in scores_by_side.items():
        for score in scores:
            respondent += 1
            base, extra = divmod(round(score / GRID), 4)  # 16 steps over four statements
            rows.extend(
                (
                    respondent,
                    side,
                    "infrastructure",
                    "individual",
                    f"d{j + 1}",
                    1 + base + (j < extra),
                )
                for j in range(4)
            )
    answers = pd.DataFrame(
        rows, columns=["response_id", "side", "function", "level", "item_code", "value"]
    )
    return TrendRound(key, key, answers, items, 5, 5)


def test_round_change_runs_the_same_tests_end_to_end():
    # 60 replicates of the hard case through round_change: gap unchanged, SD doubled in the
    # smaller current round. Its p-values are those of the test functions on the same scores.
    rng = np.random.default_rng(7)
    false_verdicts = 0
    replicates = 60
    for _ in range(replicates):
        before = {"it": 56.25, "security": 43.75}
        after = {side: grid_scores(rng, mean, 18, 15, 1)[0] for side, mean in before.items()}
        before = {side: grid_scores(rng, mean, 9, 30, 1)[0] for side, mean in before.items()}
        row = round_change(change_round("p", before), change_round("c", after)).iloc[0]
        assert row["gap_p_value"] == pytest.approx(
            gap_change_test((before["it"], before["security"]), (after["it"], after["security"]))
        )
        assert row["p_value_a"] == pytest.approx(score_change_test(before["it"], after["it"]))
        false_verdicts += sum(
            row[column] != VERDICT_NOISE for column in ("verdict_a", "verdict_b", "gap_verdict")
        )
    print(f"end to end: {false_verdicts} false verdicts in {3 * replicates}")
    assert false_verdicts <= LIMIT * 3 * replicates


ALIKE = {"a1": 4, "a2": 2, "b1": 3, "b2": 3}  # a: 75, as SAME
JUST_ABOVE = {"a1": 5, "a2": 2, "b1": 3, "b2": 3}  # a: items 5, 4 -> 87.5


@pytest.mark.parametrize(
    ("security_before", "security_after", "verdict"),
    [
        (LOW, HIGH, "reversed"),  # IT 50 ahead, then Security 25 ahead
        (LOW, JUST_ABOVE, "narrowed"),  # IT 50 ahead, then Security 12.5 ahead: below 15
        (LOW, ALIKE, "narrowed"),  # IT 50 ahead, then level
    ],
)
def test_a_gap_that_changes_sign_by_the_floor_on_both_sides_reads_reversed(
    security_before, security_after, verdict
):
    spring = trend_round("spring", [("it", SAME, 8), ("security", security_before, 8)])
    autumn = trend_round("autumn", [("it", SAME, 8), ("security", security_after, 8)])
    row = (
        round_change(spring, autumn, thresholds=Thresholds(gap_points=15))
        .set_index("dimension_code")
        .loc["a"]
    )
    assert row["gap_q_value"] < 0.05
    # With a floor of 15 points, a gap of −12.5 is not a lead on the other side.
    assert row["gap_verdict"] == verdict
