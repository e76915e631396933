"""Tests of reports.disclosure, every rule deciding what may be shown and how: the cell-key
method (record keys, cell keys, published counts and means, the rule of a shown cell), the
one filter of a view, the values a form may offer, comments and the profiles of the
responses export. Small hand-built frames, no database."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from reports.disclosure import (
    cell_keys,
    cell_shown,
    count_published,
    count_shown,
    default_bounds,
    dimension_comments,
    filter_respondents,
    measure_weights,
    profiles_generalise,
    published_counts,
    published_means,
    published_point_counts,
    published_sds,
    published_total,
    record_keys,
    selected_answers,
    settings_protection,
    values_offered,
    weights,
)
from reports.vocabulary import EXACT, Protection
from tests.reports.frames import profile_answers

PROTECTED = Protection(secret=20261207, count_bound=2, sum_bound=30.0)


# --- The small-count rule --------------------------------------------------------------------


@pytest.mark.parametrize(("n", "shown"), [(0, False), (1, False), (4, False), (5, True), (9, True)])
def test_count_shown_needs_at_least_k_so_zero_reads_like_a_small_count(n, shown):
    assert bool(count_shown(n, 5)) is shown


def test_k_below_one_is_refused():
    with pytest.raises(ValueError, match="min_group_size"):
        profiles_generalise(pd.DataFrame({"side": [], "function": [], "level": []}), 0)


# --- The cell-key method ---------------------------------------------------------------------


def test_record_keys_are_fixed_by_id_secret_and_kind():
    ids = np.arange(1, 1001)
    keys = record_keys(ids, 7)
    assert keys.dtype == np.uint64
    assert np.array_equal(keys, record_keys(ids, 7))
    assert len(np.unique(keys)) == len(ids)
    # Another secret or another kind of record: unrelated keys.
    assert (keys != record_keys(ids, 8)).all()
    assert (keys != record_keys(ids, 7, "invitation")).all()


def test_weights_are_uniform_32_bit_integers():
    w = weights(record_keys(np.arange(1, 20001), 7))
    assert w.min() >= 0
    assert w.max() < 2**32
    assert np.array_equal(w, np.floor(w))
    # Ten equal bins hold about a tenth each (a 5-sigma band around 2000).
    bins = np.histogram(w / 2**32, bins=10, range=(0, 1))[0]
    assert (np.abs(bins - 2000) < 5 * np.sqrt(2000 * 0.9)).all()


def test_a_measure_has_weights_of_its_own():
    keys = record_keys(np.arange(1, 101), 7)
    a, b = measure_weights(keys, "dimension|a"), measure_weights(keys, "dimension|b")
    assert np.array_equal(a, measure_weights(keys, "dimension|a"))
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, weights(keys))


def test_cell_keys_are_the_sum_of_weights_modulo_2_to_the_32():
    assert cell_keys(np.array([0.0, 2.0**31, 2.0**32 + 2.0**30])).tolist() == [0.0, 0.5, 0.25]


def test_published_counts_stay_within_the_bound_and_never_go_negative():
    rng = np.random.default_rng(1)
    n = rng.integers(0, 40, size=5000)
    sums = rng.uniform(0, 2**40, size=5000)
    published = published_counts(n, sums, PROTECTED)
    assert (np.abs(published - n) <= 2).all()
    assert (published >= 0).all()
    assert (published[n == 0] == 0).all()
    # The geometric table: changes −2..+2 with weights 1, 2, 4, 2, 1 (tenths).
    large = n >= 2
    changes = np.bincount(published[large] - n[large] + 2, minlength=5) / large.sum()
    assert np.allclose(changes, np.array([1, 2, 4, 2, 1]) / 10, atol=0.03)


def test_a_small_count_takes_only_the_changes_that_keep_it_positive():
    n = np.ones(3000, dtype="int64")
    sums = np.random.default_rng(3).uniform(0, 2**40, size=3000)
    published = published_counts(n, sums, PROTECTED)
    # From 1: −1 (weight 2), 0 (4), +1 (2), +2 (1), in ninths.
    shares = np.bincount(published, minlength=4) / len(n)
    assert np.allclose(shares, np.array([2, 4, 2, 1]) / 9, atol=0.03)


def test_default_bounds_grow_with_k():
    assert default_bounds(3) == (6, 30.0)
    assert default_bounds(5) == (10, 60.0)
    assert default_bounds(10) == (20, 135.0)


def test_the_same_records_always_get_the_same_count():
    keys = weights(record_keys(np.arange(1, 31), 3))
    first = published_counts(30, keys.sum(), PROTECTED)
    # The same respondents, reached by another route (another order of summing).
    again = published_counts(30, keys[::-1].sum(), PROTECTED)
    assert first == again
    # One respondent fewer: a new cell key, an unrelated change.
    changes = {
        int(published_counts(29, np.delete(keys, i).sum(), PROTECTED)) - 29 for i in range(30)
    }
    assert len(changes) > 1


def test_exact_protection_publishes_the_true_figures():
    n = np.array([0, 3, 12])
    assert published_counts(n, np.array([5.0, 7.0, 9.0]), EXACT).tolist() == [0, 3, 12]
    means = np.array([np.nan, 40.0, 55.5])
    assert np.array_equal(published_means(means, n, np.zeros(3), EXACT), means, equal_nan=True)


def test_published_means_move_by_at_most_the_sum_bound_over_n():
    rng = np.random.default_rng(2)
    n = rng.integers(1, 60, size=4000)
    means = rng.uniform(0, 100, size=4000)
    published = published_means(means, n, rng.uniform(0, 2**40, size=4000), PROTECTED)
    assert (np.abs(published - means) <= 30.0 / n + 1e-9).all()
    assert ((published >= 0) & (published <= 100)).all()
    # The sum moves across the whole band, both ways.
    moved = (published - means) * n
    inside = (means > 30) & (means < 70)
    assert moved[inside].min() < -25
    assert moved[inside].max() > 25
    assert np.isnan(published_means(np.array([np.nan]), np.array([0]), np.zeros(1), PROTECTED))[0]


def test_a_cell_is_shown_with_k_respondents_and_a_published_count_of_k_or_with_2k():
    n = np.array([4, 5, 5, 6, 0, 9, 10, 12])
    published = np.array([5, 3, 5, 4, 0, 2, 2, 0])
    assert cell_shown(n, published, 5).tolist() == [
        False,
        False,
        True,
        False,
        False,
        False,
        True,
        True,
    ]


def test_groups_of_2k_are_always_shown():
    """A count may move by 2k, but a group of 2k is shown whatever it publishes."""
    for k in (3, 5, 10):
        protection = Protection(secret=1, count_bound=default_bounds(k)[0], sum_bound=1)
        n = np.full(20000, 2 * k)
        sums = np.random.default_rng(k).uniform(0, 2**40, size=20000)
        published = published_counts(n, sums, protection)
        assert cell_shown(n, published, k).all()
        assert published.min() < k  # the bound is reached below k, and still shown


def test_count_published_counts_each_record_once():
    n, published = count_published([4, 5, 5, 6, 7, 8, 9], PROTECTED)
    assert n == 6
    assert abs(published - 6) <= 2
    assert (n, published) == count_published([9, 8, 7, 6, 5, 4], PROTECTED)


def test_published_total_reads_fewer_than_k_as_none():
    assert published_total([1, 2], 5, PROTECTED) is None
    assert published_total([], 5, PROTECTED) is None
    assert abs(published_total(range(1, 21), 5, PROTECTED) - 20) <= 2


def test_settings_protection_reads_the_secret_and_the_bounds():
    settings = SimpleNamespace(
        FRICTION_CELL_KEY_SECRET="s", FRICTION_COUNT_BOUND=3, FRICTION_SUM_BOUND=20
    )
    protection = settings_protection(settings, 5)
    assert (protection.count_bound, protection.sum_bound) == (3, 20.0)
    other = settings_protection(
        SimpleNamespace(**{**vars(settings), "FRICTION_CELL_KEY_SECRET": "t"}), 5
    )
    assert protection.secret != other.secret


# --- Filters and the values they offer ---------------------------------------------------


def test_filter_respondents_keeps_rows_matching_every_filter():
    frame = profile_answers(
        [("it", "manager", "infrastructure", 4, 2), ("it", "individual", "other", 3, 1)]
    )
    kept = filter_respondents(frame, {"level": "manager", "function": "infrastructure"})
    assert set(kept["response_id"]) == {1, 2}
    assert len(filter_respondents(frame, {})) == len(frame)
    with pytest.raises(KeyError, match="region"):
        filter_respondents(frame, {"region": "north"})


def test_selected_answers_apply_one_filter_on_profiles_or_attributes():
    frame = profile_answers(
        [("it", "individual", "infrastructure", 4, 6), ("security", "manager", "other", 2, 6)]
    )
    assert selected_answers(frame, {}) is frame
    managers = selected_answers(frame, {"level": "manager"})
    assert set(managers["side"]) == {"security"}
    attributes = pd.DataFrame(
        {"response_id": range(1, 13), "name": "region", "value": ["north"] * 3 + ["south"] * 9}
    )
    north = selected_answers(frame, {"region": "north"}, attributes)
    assert sorted(north["response_id"].unique()) == [1, 2, 3]
    assert selected_answers(frame, {"site": "x"}, attributes).empty
    with pytest.raises(ValueError, match="one filter"):
        selected_answers(frame, {"level": "manager", "function": "other"})


def test_values_offered_are_the_values_whose_group_may_be_shown():
    attributes = pd.DataFrame(
        {
            "response_id": range(1, 31),
            "name": ["region"] * 27 + ["site"] * 3,
            "value": ["apac"] * 12 + ["emea"] * 14 + ["mars"] + ["x", "y", "z"],
        }
    )
    assert values_offered(attributes, 5, PROTECTED) == {"region": ["apac", "emea"]}
    assert values_offered(attributes, 1, EXACT) == {
        "region": ["apac", "emea", "mars"],
        "site": ["x", "y", "z"],
    }
    assert values_offered(attributes, 20, PROTECTED) == {}
    assert values_offered(attributes.iloc[0:0], 5, PROTECTED) == {}


# --- Comments and exported profiles --------------------------------------------------------


def test_dimension_comments_counts_respondents_and_drops_every_other_column():
    frame = pd.DataFrame(
        {
            "response_id": [1, 1, 2, 3],
            "item_code": ["a_comment"] * 4,
            "text": ["one", " two ", "three", "  "],
            "side": ["it"] * 4,
        }
    )
    assert dimension_comments(frame, 3) == []  # 2 respondents wrote something
    (shown,) = dimension_comments(frame, 2, np.random.default_rng(1))
    assert shown.sides == ()
    assert list(shown.comments.columns) == ["item_code", "text"]
    assert sorted(shown.comments["text"]) == ["one", "three", "two"]  # blanks out, stripped


def test_dimension_comments_come_in_an_order_set_by_the_generator():
    frame = pd.DataFrame(
        {"response_id": [1, 2, 3, 4], "item_code": "a_comment", "text": ["w", "x", "y", "z"]}
    )

    def texts(seed: int) -> tuple[str, ...]:
        (shown,) = dimension_comments(frame, 4, np.random.default_rng(seed))
        return tuple(shown.comments["text"])

    assert len({texts(seed) for seed in range(20)}) > 1
    assert texts(3) == texts(3)


def writers(counts: dict[str, int]) -> pd.DataFrame:
    """``counts[side]`` writers of that side, each with two comments (one blank)."""
    rows, rid = [], 0
    for side, n in counts.items():
        for _ in range(n):
            rid += 1
            rows += [(rid, side, "a_comment", f"{side} {rid}"), (rid, side, "a_more", " ")]
    return pd.DataFrame(rows, columns=["response_id", "side", "item_code", "text"])


def shown_sides(counts: dict[str, int], threshold: int = 5) -> list[tuple[str, ...]]:
    return [shown.sides for shown in dimension_comments(writers(counts), threshold, by_side=True)]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Every side with writers meets the threshold: one list each.
        ({"it": 6, "security": 5}, [("it",), ("security",)]),
        ({"it": 9}, [("it",)]),
        # The small sides together meet it: a pooled list of them beside the big sides.
        ({"it": 6, "security": 3, "other": 2}, [("it",), ("other", "security")]),
        # The small sides together fall short: not split at all, one list of everyone.
        ({"it": 6, "security": 4}, [()]),
        ({"it": 6, "security": 5, "other": 1}, [()]),
        # No side meets it alone but all together do: one list.
        ({"it": 3, "security": 3}, [()]),
        # Too few in all: nothing.
        ({"it": 2, "security": 2}, []),
    ],
)
def test_dimension_comments_by_side_shows_only_lists_of_enough_writers(counts, expected):
    assert shown_sides(counts) == expected


def test_dimension_comments_by_side_never_lets_one_list_be_subtracted_from_another():
    """Every combination of 0..7 writers on three sides at threshold 5: the lists shown
    are disjoint, each has at least 5 writers, and together they hold every comment (so
    no difference of lists, nor the whole minus a list, is a group below 5)."""
    for it, security, other in itertools.product(range(8), repeat=3):
        frame = writers({"it": it, "security": security, "other": other})
        lists = dimension_comments(frame, 5, np.random.default_rng(0), by_side=True)
        total = it + security + other
        if total < 5:
            assert lists == []
            continue
        texts = [set(shown.comments["text"]) for shown in lists]
        every = set(frame.loc[frame["text"].str.strip() != "", "text"])
        assert set().union(*texts) == every
        assert sum(len(t) for t in texts) == len(every)  # disjoint
        for shown, part in zip(lists, texts, strict=True):
            sides = shown.sides or ("it", "security", "other")
            assert all(text.split()[0] in sides for text in part)
            assert len(part) >= 5, (it, security, other, shown.sides)


def test_profiles_generalise_blanks_level_then_function_then_side():
    profiles = pd.DataFrame(
        {
            "side": ["it"] * 8 + ["security"],
            "function": ["infra"] * 5 + ["apps"] * 3 + ["gov"],
            "level": ["individual"] * 5 + ["manager", "manager", "executive", "manager"],
        }
    )
    out = profiles_generalise(profiles, 3)
    assert list(map(tuple, out.to_numpy())) == [
        *[("it", "infra", "individual")] * 5,
        *[("it", "apps", "")] * 3,
    ]  # the lone Security row fits no group of 3 and is dropped


def test_profiles_generalise_keeps_a_blank_class_of_at_least_k():
    profiles = pd.DataFrame(
        {
            "side": ["it"] * 3 + ["security", "other", "security"],
            "function": ["infra"] * 3 + ["gov", "apps", "iam"],
            "level": ["individual"] * 3 + ["manager", "executive", "individual"],
        }
    )
    out = profiles_generalise(profiles, 3)
    assert sorted(map(tuple, out.to_numpy())) == [
        ("", "", ""),
        ("", "", ""),
        ("", "", ""),
        *[("it", "infra", "individual")] * 3,
    ]
    assert profiles_generalise(profiles, 1).equals(profiles)


def test_published_sds_move_the_sum_of_squares_by_at_most_its_bound():
    rng = np.random.default_rng(4)
    n = rng.integers(2, 80, size=3000).astype("float64")
    sds = rng.uniform(5, 35, size=3000)
    published = published_sds(sds, n, rng.uniform(0, 2**40, size=3000), PROTECTED)
    moved = published**2 * (n - 1) - sds**2 * (n - 1)
    bound = 50 * PROTECTED.sum_bound
    assert (moved >= -bound - 1e-6).all()
    assert (moved <= bound + 1e-6).all()
    assert moved.min() < -0.9 * bound
    assert moved.max() > 0.9 * bound
    assert np.isnan(published_sds(np.array([3.0]), np.array([1]), np.zeros(1), PROTECTED))[0]
    exact = published_sds(sds, n, np.zeros(3000), EXACT)
    assert np.array_equal(exact, sds)


# --- Homogeneity: a group that answered alike must not give its members away ----------------


def test_a_mean_at_an_end_of_the_scale_leaves_any_k_minus_1_members_30_points_of_doubt():
    """A group of 15 that all answered 0 publishes a mean at least bound/n from 0, so the
    true sum the reader can infer reaches 2 × bound, and four of them may average 0..30."""
    k = 5
    count_bound, sum_bound = default_bounds(k)
    protection = Protection(secret=7, count_bound=count_bound, sum_bound=sum_bound)
    n = np.full(2000, 15)
    for true in (0.0, 100.0):
        published = published_means(
            np.full(2000, true), n, np.random.default_rng(3).uniform(0, 2**40, 2000), protection
        )
        assert (published >= sum_bound / 15 - 1e-9).all()
        assert (published <= 100 - sum_bound / 15 + 1e-9).all()
        # What a reader can infer of the sum, then of any k − 1 of the 15.
        low = np.clip(published * 15 - sum_bound, 0, 1500)
        high = np.clip(published * 15 + sum_bound, 0, 1500)
        sub_low = np.clip(low - 100 * (15 - (k - 1)), 0, None) / (k - 1)
        sub_high = np.clip(high, None, 100 * (k - 1)) / (k - 1)
        assert (sub_high - sub_low >= 30 - 1e-9).all()


def test_a_distribution_point_nobody_chose_is_not_an_exact_zero():
    rng = np.random.default_rng(4)
    counts = np.zeros((3000, 5), dtype="int64")
    counts[:, 2] = 12  # every group: all twelve chose the middle point
    weight_sums = rng.uniform(0, 2**40, size=(3000, 5))
    rows = rng.uniform(0, 2**40, size=3000)
    published = published_point_counts(counts, weight_sums, rows, PROTECTED)
    empty = published[:, [0, 1, 3, 4]]
    assert ((empty >= 0) & (empty <= PROTECTED.count_bound)).all()
    assert 0.3 < (empty > 0).mean() < 0.7  # half of them rise, a geometric table's share
    # A chosen point moves as any count does, by the same key.
    assert (published[:, 2] == published_counts(counts[:, 2], weight_sums[:, 2], PROTECTED)).all()
    # The same group and statement: the same figure, wherever it is asked.
    again = published_point_counts(counts, weight_sums, rows, PROTECTED)
    assert (again == published).all()
    assert (published_point_counts(counts, weight_sums, rows, EXACT) == counts).all()
