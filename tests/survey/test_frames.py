"""Tests of survey.frames: the items frame, shaped once for the selectors and the bench."""

from __future__ import annotations

import pandas as pd

from survey.frames import ITEM_COLUMNS, items_frame

ROWS = [
    ("a1", "a", "Dimension A", "First", "likert", False, None),
    ("a2", "a", "Dimension A", "Second", "likert", 1, "a1"),
    ("a_comment", "a", "Dimension A", "Anything?", "text", 0, ""),
]


def test_items_frame_has_the_documented_columns_in_row_order():
    frame = items_frame(ROWS)
    assert list(frame.columns) == ITEM_COLUMNS
    assert list(frame["item_code"]) == ["a1", "a2", "a_comment"]
    assert list(frame["order"]) == [0, 1, 2]
    assert frame["order"].dtype == "int64"
    assert isinstance(frame.index, pd.RangeIndex)


def test_items_frame_makes_reverse_scored_bool_and_no_mirror_none():
    frame = items_frame(iter(ROWS))  # any iterable, read once
    assert frame["reverse_scored"].dtype == bool
    assert list(frame["reverse_scored"]) == [False, True, False]
    # None from the database and "" from an instrument file both mean "no mirror".
    assert list(frame["mirror_of"]) == [None, "a1", None]


def test_items_frame_of_no_rows_keeps_the_columns():
    frame = items_frame([])
    assert list(frame.columns) == ITEM_COLUMNS
    assert frame.empty
