"""Tests of reports.disclosure, every rule deciding what may be shown: the small-count rule,
counts of a breakdown, partitions and pools, two-way tables, filters and the values they
offer, comments and the profiles of the responses export. Small hand-built frames, no
database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.disclosure import (
    attribute_options,
    count_shown,
    count_suppression,
    dimension_comments,
    filter_respondents,
    filtered_answers,
    is_small,
    participation_cells,
    partition_hidden,
    partition_protected,
    pool_hidden,
    profiles_generalise,
    small_sides_removed,
    table_hidden,
    values_offered,
)
from tests.reports.frames import profile_answers


def _answers(profiles: list[dict]) -> pd.DataFrame:
    rows = [
        {"response_id": number, **profile, "item_code": "a1", "value": 3}
        for number, profile in enumerate(profiles, start=1)
    ]
    return pd.DataFrame(rows)


# --- The small-count rule --------------------------------------------------------------------


@pytest.mark.parametrize(("n", "small"), [(0, False), (1, True), (4, True), (5, False), (9, False)])
def test_is_small_holds_for_one_to_k_minus_one_respondents(n, small):
    assert is_small(n, 5) is small


def test_is_small_works_elementwise_on_arrays():
    counts = np.array([0, 1, 4, 5, 9])
    assert is_small(counts, 5).tolist() == [False, True, True, False, False]


@pytest.mark.parametrize(("n", "shown"), [(0, False), (1, False), (4, False), (5, True), (9, True)])
def test_count_shown_needs_at_least_k_so_zero_reads_like_a_small_count(n, shown):
    assert bool(count_shown(n, 5)) is shown


def test_count_shown_works_elementwise_on_arrays_and_series():
    assert count_shown(np.array([0, 4, 5, 9]), 5).tolist() == [False, False, True, True]
    shown = count_shown(pd.Series({"it": 6, "security": 0, "other": 2}), 5)
    assert shown.to_dict() == {"it": True, "security": False, "other": False}


def test_k_below_one_is_refused():
    with pytest.raises(ValueError, match="min_group_size"):
        count_suppression(pd.Series({"it": 3}), 3, 0)
    with pytest.raises(ValueError, match="min_group_size"):
        profiles_generalise(pd.DataFrame({"side": [], "function": [], "level": []}), 0)


# --- Counts of a breakdown -------------------------------------------------------------------


def test_count_suppression_hides_small_and_empty_counts_and_a_revealing_total():
    hidden, total_hidden = count_suppression(
        pd.Series({"it": 30, "security": 2, "other": 0}), 32, 5
    )
    assert hidden.to_dict() == {"it": False, "security": True, "other": True}
    assert total_hidden
    hidden, total_hidden = count_suppression(
        pd.Series({"it": 30, "security": 20, "other": 0}), 50, 5
    )
    assert hidden.to_dict() == {"it": False, "security": False, "other": True}
    assert not total_hidden  # the residue is 0: nobody to identify
    hidden, total_hidden = count_suppression(pd.Series({"it": 0, "security": 0}), 0, 5)
    assert hidden.all()
    assert not total_hidden  # an empty round: "0" reveals nobody
    hidden, total_hidden = count_suppression(pd.Series({"it": 3, "security": 1}), 4, 5)
    assert hidden.all()
    assert total_hidden
    # Two sides above k: a third of 2 hides the total (23 − 12 − 9), a third of 0 does not.
    _hidden, total_hidden = count_suppression(
        pd.Series({"it": 12, "security": 9, "other": 2}), 23, 5
    )
    assert total_hidden
    _hidden, total_hidden = count_suppression(
        pd.Series({"it": 12, "security": 9, "other": 0}), 21, 5
    )
    assert not total_hidden


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        # The case: showing 10 beside a printed total of 12 told a reader that the
        # two hidden sides hold 2 between them.
        ([10, 1, 1], [None, None, None]),
        ([10, 7, 6], [10, 7, 6]),
        # 3 alone would be the total minus 16: the smallest shown count (6) hides with it.
        ([10, 3, 6], [10, None, None]),
        # 3 + 2 hidden together hold k: nothing more to hide.
        ([10, 3, 2, 6], [10, None, None, 6]),
        # An empty cell identifies nobody, but reads "fewer than k" like a small one.
        ([0, 8, 9], [None, 8, 9]),
        ([0, 0], [None, None]),
    ],
)
def test_participation_cells_hide_small_counts_and_what_the_total_would_reveal(values, shown):
    assert participation_cells(values, 5) == shown


def test_participation_cells_leave_no_small_group_to_work_out_from_the_total():
    for values in ([10, 1, 1], [10, 3, 6], [10, 3, 2, 6], [12, 4, 0, 7], [5, 5, 4]):
        cells = participation_cells(values, 5)
        hidden = sum(v for v, c in zip(values, cells, strict=True) if c is None)
        assert not is_small(hidden, 5), (values, cells)
        assert all(c is None or c >= 5 for c in cells)


# --- Partitions and pools --------------------------------------------------------------------


def test_partition_hidden_hides_small_cells_and_enough_others_to_stop_subtraction():
    assert partition_hidden(pd.Series({"manager": 8, "individual": 6}), 5) == set()
    # 1 blank cannot be shown alone; hiding it alone would let total − 8 − 6 − 5 give it
    # back, so the smallest shown cell (individual, 5) is hidden with it.
    counts = pd.Series({"manager": 8, "executive": 6, "individual": 5, "": 1})
    assert partition_hidden(counts, 5) == {"", "individual"}
    # Two small cells that together reach k need nothing more.
    assert partition_hidden(pd.Series({"a": 9, "b": 3, "c": 2}), 5) == {"b", "c"}


def test_partition_protected_hides_the_smallest_shown_group_with_a_small_one():
    answers = _answers(
        [{"side": "it", "region": r} for r in ["EMEA"] * 10 + ["Americas"] * 8 + ["APAC"] * 3]
    )
    kept, hidden = partition_protected(answers, "region", 5)
    assert hidden == {"APAC", "Americas"}  # 3 alone could be subtracted; 3 + 8 cannot
    assert set(kept["region"]) == {"EMEA"}


def test_partition_protected_counts_respondents_without_a_value_as_a_cell():
    answers = _answers(
        [{"side": "it", "region": r} for r in ["EMEA"] * 10 + ["APAC"] * 9 + [""] * 2]
    )
    _kept, hidden = partition_protected(answers, "region", 5)
    assert hidden == {"", "APAC"}


def test_partition_protected_leaves_a_safe_partition_alone():
    answers = _answers([{"side": "it", "region": r} for r in ["EMEA"] * 6 + ["APAC"] * 5])
    kept, hidden = partition_protected(answers, "region", 5)
    assert hidden == set()
    assert kept is answers


def test_small_sides_are_left_out_of_every_figure():
    answers = _answers([{"side": s} for s in ["it"] * 6 + ["security"] * 5 + ["other"] * 2])
    kept, left_out = small_sides_removed(answers, 5)
    assert left_out == {"other"}
    assert set(kept["side"]) == {"it", "security"}


def test_a_pool_is_hidden_whole_when_one_of_its_values_is():
    levels = ["executive"] * 3 + [""] * 4 + ["manager"] * 19 + ["individual"] * 38
    answers = _answers([{"side": "it", "level": v} for v in levels])
    # Alone, executive (3) and "not given" (4) hide each other: 7 >= k.
    assert partition_protected(answers, "level", 5)[1] == {"executive", ""}
    # Pooled with executives, the managers would be shown as "leaders": hidden too.
    _kept, hidden = partition_protected(answers, "level", 5, pools=[("executive", "manager")])
    assert hidden == {"executive", "", "manager"}


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [([6, 5], False), ([6, 2], True), ([1, 9], True), ([6, 0], False), ([], False)],
)
def test_pool_hidden_when_one_of_its_values_is_small(counts, hidden):
    assert pool_hidden(counts, 5) is hidden


# --- Two-way tables ------------------------------------------------------------------------


def test_table_hidden_merges_until_every_visible_or_derivable_cell_holds_k():
    """Rows: region; columns: level. (APAC, executive) = 3 is small. Hiding that cell and
    one complement would leave each derivable from a line total (the third trial did), so
    whole rows or columns are merged into a hidden bucket, the smaller line first."""
    rows = (
        [("EMEA", "executive")] * 10
        + [("EMEA", "individual")] * 20
        + [("APAC", "executive")] * 3
        + [("APAC", "individual")] * 9
        + [("Americas", "executive")] * 6
        + [("Americas", "individual")] * 12
    )
    profiles = pd.DataFrame(rows, columns=["region", "level"])
    hidden_rows, hidden_columns = table_hidden(profiles, "region", "level", 5)
    assert "APAC" in hidden_rows
    # Every cell still visible or derivable (buckets merged) holds 0 or at least k.
    merged = profiles.assign(
        region=profiles["region"].where(~profiles["region"].isin(hidden_rows), "hidden"),
        level=profiles["level"].where(~profiles["level"].isin(hidden_columns), "hidden"),
    )
    counts = merged.value_counts()
    assert ((counts == 0) | (counts >= 5)).all()
    # and the same values are hidden whichever way the table is read
    assert table_hidden(profiles, "level", "region", 5) == (hidden_columns, hidden_rows)


def test_table_hidden_starts_from_the_values_hidden_in_their_own_view():
    rows = [("EMEA", "a")] * 10 + [("APAC", "a")] * 3 + [("Americas", "a")] * 6
    profiles = pd.DataFrame(rows, columns=["region", "level"])
    hidden_rows, _columns = table_hidden(profiles, "region", "level", 5)
    assert hidden_rows == {"APAC", "Americas"}  # as in the unfiltered region view


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


def test_filtered_answers_leaves_hidden_sides_out_and_unknown_attributes_select_nobody():
    frame = profile_answers(
        [
            ("it", "individual", "infrastructure", 4, 10),
            ("it", "manager", "infrastructure", 2, 2),
            ("security", "individual", "infrastructure", 3, 8),
            ("security", "manager", "infrastructure", 3, 6),
        ]
    )
    # 2 × 2 with one small cell and published margins: showing any cell would give it away.
    kept, hidden = filtered_answers(frame, {"level": "individual"}, 5)
    assert hidden == {"it", "security"}
    assert kept.empty
    unchanged, nothing = filtered_answers(frame, {}, 5)
    assert unchanged is frame
    assert nothing == set()
    none, _ = filtered_answers(frame, {"region": "north"}, 5)
    assert none.empty


def test_filtered_answers_filters_on_imported_attributes():
    frame = profile_answers(
        [("it", "individual", "infrastructure", 4, 6), ("security", "individual", "other", 2, 6)]
    )
    attributes = pd.DataFrame(
        {
            "response_id": list(range(1, 13)),
            "name": "region",
            "value": ["north"] * 3 + ["south"] * 3 + ["north"] * 6,
        }
    )
    kept, hidden = filtered_answers(frame, {"region": "north"}, 3, attributes)
    assert hidden == set()
    assert kept.drop_duplicates("response_id")["side"].value_counts().to_dict() == {
        "security": 6,
        "it": 3,
    }


def test_attribute_options_offer_values_held_by_at_least_k():
    attributes = pd.DataFrame(
        {
            "response_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
            "name": ["region"] * 9,
            "value": ["north", "north", "north", "south", "south", "north", *["east"] * 3],
        }
    )
    # south (2) is hidden, and east (3) with it: the total minus north would be south alone.
    assert attribute_options(attributes, pd.Series(range(1, 10)), 3) == {"region": ["north"]}
    # Without east, north would give south away: nothing is offered.
    assert attribute_options(attributes, pd.Series(range(1, 7)), 3) == {}
    assert attribute_options(attributes, pd.Series([1, 2]), 3) == {}


def test_attribute_options_count_respondents_without_a_value_as_a_group():
    attributes = pd.DataFrame(
        {"response_id": range(1, 10), "name": "site", "value": ["x"] * 5 + ["y"] * 4}
    )
    # Among 11 respondents, 2 gave no site: hidden, and y (4) with them; x (5) is offered.
    assert attribute_options(attributes, pd.Series(range(1, 12)), 3) == {"site": ["x"]}
    assert attribute_options(attributes, pd.Series(range(1, 10)), 3) == {"site": ["x", "y"]}


def test_values_offered_are_the_values_held_by_at_least_k():
    attributes = pd.DataFrame(
        {
            "response_id": range(1, 13),
            "name": ["region"] * 9 + ["site"] * 3,
            "value": ["apac"] * 3 + ["emea"] * 5 + ["mars"] + ["x", "y", "z"],
        }
    )
    assert values_offered(attributes, 3) == {"region": ["apac", "emea"]}
    assert values_offered(attributes, 1) == {
        "region": ["apac", "emea", "mars"],
        "site": ["x", "y", "z"],
    }
    assert values_offered(attributes, 6) == {}


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
    assert dimension_comments(frame, 3).empty  # 2 respondents wrote something
    shown = dimension_comments(frame, 2, np.random.default_rng(1))
    assert list(shown.columns) == ["item_code", "text"]
    assert sorted(shown["text"]) == ["one", "three", "two"]  # blanks out, the rest stripped


def test_dimension_comments_come_in_an_order_set_by_the_generator():
    frame = pd.DataFrame(
        {"response_id": [1, 2, 3, 4], "item_code": "a_comment", "text": ["w", "x", "y", "z"]}
    )
    orders = {
        tuple(dimension_comments(frame, 4, np.random.default_rng(seed))["text"])
        for seed in range(20)
    }
    assert len(orders) > 1
    again = dimension_comments(frame, 4, np.random.default_rng(3))
    assert list(again["text"]) == list(
        dimension_comments(frame, 4, np.random.default_rng(3))["text"]
    )


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


def test_participation_cells_hide_a_column_that_would_add_up_to_a_hidden_total():
    assert participation_cells([40], 5, total_shown=False) == [None]
    assert participation_cells([40, 30], 5, total_shown=False) == [None, None]
    # Hidden cells holding at least k already keep the total unknown.
    assert participation_cells([40, 3, 3], 5, total_shown=False) == [40, None, None]
    assert participation_cells([40], 5) == [40]
