"""Tests of reports.trends: shared items across versions, the trend table, the change since
the last round and its tests, on hand-built frames and on two real rounds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reports.trends import (
    CHANGE_COLUMNS,
    TREND_COLUMNS,
    TrendRound,
    gap_change_test,
    round_change,
    shared_items,
    trend_table,
)
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
    assert a["gap_verdict"] == "narrowed"
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


def test_gap_change_test_is_deterministic_and_detects_a_large_change():
    rng = np.random.default_rng(3)
    a_before, b_before = rng.normal(70, 5, 20), rng.normal(40, 5, 20)
    a_after, b_after = rng.normal(70, 5, 20), rng.normal(68, 5, 20)
    p = gap_change_test((a_before, b_before), (a_after, b_after))
    assert p == gap_change_test((a_before, b_before), (a_after, b_after))
    assert p < 0.01
    same = gap_change_test((a_before, b_before), (a_before, b_before))
    assert same > 0.5
    with pytest.raises(ValueError, match="at least two values"):
        gap_change_test(([], b_before), (a_after, b_after))


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
