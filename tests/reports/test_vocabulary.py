"""Tests of reports.vocabulary: comparisons of two groups and the dimension names of an items
frame (no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.vocabulary import (
    DEFAULT_COMPARISON,
    LEADERS_VS_STAFF,
    Comparison,
    dimension_names,
)
from tests.reports.frames import make_items


def test_comparison_groups_must_differ():
    with pytest.raises(ValueError, match="share"):
        Comparison("side", ("it",), ("it", "security"))
    with pytest.raises(ValueError, match="at least one"):
        Comparison("side", (), ("it",))


def test_comparison_groups_must_not_be_empty_on_either_side():
    with pytest.raises(ValueError, match="at least one"):
        Comparison("side", ("it",), ())
    with pytest.raises(ValueError, match="share"):
        Comparison("level", ("executive", "manager"), ("manager",))


def test_comparison_labels_join_the_values_of_each_group():
    leaders = Comparison("level", ("executive", "manager"), ("individual",))
    assert leaders.label_a == "executive+manager"
    assert leaders.label_b == "individual"
    assert (DEFAULT_COMPARISON.label_a, DEFAULT_COMPARISON.label_b) == ("it", "security")


def test_comparison_pools_are_the_groups_of_several_values():
    assert LEADERS_VS_STAFF.pools == (("executive", "manager"),)
    assert DEFAULT_COMPARISON.pools == ()
    both = Comparison("region", ("EMEA", "APAC"), ("AMER", "LATAM"))
    assert both.pools == (("EMEA", "APAC"), ("AMER", "LATAM"))


def test_comparisons_are_values():
    assert Comparison() == DEFAULT_COMPARISON
    assert Comparison("level", ("executive", "manager"), ("individual",)) == LEADERS_VS_STAFF
    assert len({Comparison(), DEFAULT_COMPARISON, LEADERS_VS_STAFF}) == 2


def test_dimension_names_follow_the_instrument_order_of_likert_items():
    items = make_items({"b": [("b1", False)], "a": [("a1", False), ("a2", True)]})
    assert dimension_names(items) == {"b": "Dimension b", "a": "Dimension a"}
    assert list(dimension_names(items)) == ["b", "a"]


def test_dimension_names_fall_back_to_the_code_and_skip_text_only_dimensions():
    items = pd.DataFrame(
        {
            "item_code": ["a1", "a2", "c_comment", "b1"],
            "dimension_code": ["a", "a", "c", "b"],
            "kind": ["likert", "likert", "text", "likert"],
        }
    )
    assert dimension_names(items) == {"a": "a", "b": "b"}
