"""Tests of reports.summary: safe filters, leaders versus staff, top findings and recurring
words, on small hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.disclosure import filter_respondents, filtered_answers, partition_hidden
from reports.findings import leaders_versus_staff, recurring_words, top_findings

ITEMS = pd.DataFrame(
    {
        "item_code": ["a1", "a2"],
        "dimension_code": ["a", "a"],
        "dimension_name": ["A", "A"],
        "kind": "likert",
        "reverse_scored": [False, False],
    }
)


def answers(spec: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    """Rows from (side, level, function, value of both items, how many respondents)."""
    rows, respondent = [], 0
    for side, level, function, value, count in spec:
        for _ in range(count):
            respondent += 1
            rows.extend((respondent, side, function, level, code, value) for code in ("a1", "a2"))
    return pd.DataFrame(
        rows, columns=["response_id", "side", "function", "level", "item_code", "value"]
    )


def test_filter_respondents_keeps_rows_matching_every_filter():
    frame = answers(
        [("it", "manager", "infrastructure", 4, 2), ("it", "individual", "other", 3, 1)]
    )
    kept = filter_respondents(frame, {"level": "manager", "function": "infrastructure"})
    assert set(kept["response_id"]) == {1, 2}
    assert len(filter_respondents(frame, {})) == len(frame)
    with pytest.raises(KeyError, match="region"):
        filter_respondents(frame, {"region": "north"})


def test_partition_hidden_hides_small_cells_and_enough_others_to_stop_subtraction():
    assert partition_hidden(pd.Series({"manager": 8, "individual": 6}), 5) == set()
    # 1 blank cannot be shown alone; hiding it alone would let total − 8 − 6 − 5 give it
    # back, so the smallest shown cell (individual, 5) is hidden with it.
    counts = pd.Series({"manager": 8, "executive": 6, "individual": 5, "": 1})
    assert partition_hidden(counts, 5) == {"", "individual"}
    # Two small cells that together reach k need nothing more.
    assert partition_hidden(pd.Series({"a": 9, "b": 3, "c": 2}), 5) == {"b", "c"}


def test_filtered_answers_leaves_hidden_sides_out_and_unknown_attributes_select_nobody():
    frame = answers(
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
    frame = answers(
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


def test_leaders_versus_staff_compares_within_each_side():
    frame = answers(
        [
            ("it", "executive", "leadership", 5, 5),
            ("it", "manager", "infrastructure", 5, 5),
            ("it", "individual", "infrastructure", 2, 10),
            ("security", "manager", "governance", 3, 3),  # pooled leaders: 3 < k
            ("security", "individual", "security_operations", 3, 8),
            # Other managers (4) hide with Security's, so the managers' column of the
            # side × level table hides 7 >= k and IT's managers can be shown.
            ("other", "manager", "governance", 3, 4),
            ("other", "individual", "governance", 3, 6),
        ]
    )
    out = leaders_versus_staff(frame, ITEMS, 5, 5)
    it = out["it"].dimensions.iloc[0]
    assert it["score_a"] == pytest.approx(100.0)
    assert it["score_b"] == pytest.approx(25.0)
    assert it["gap"] == pytest.approx(75.0)
    security = out["security"].dimensions.iloc[0]
    assert security["suppressed_a"]
    assert pd.isna(security["score_a"])
    # Security's staff (8) would be the side minus 3 managers: hidden too.
    assert security["suppressed_b"]


def test_leaders_versus_staff_hides_a_cell_its_level_column_would_reveal():
    """IT managers (5) beside the managers' total of the level view (8) would give the 3
    Security managers away: the side × level table is suppressed by columns too."""
    frame = answers(
        [
            ("it", "executive", "leadership", 5, 5),
            ("it", "manager", "infrastructure", 5, 5),
            ("it", "individual", "infrastructure", 2, 10),
            ("security", "manager", "governance", 3, 3),
            ("security", "individual", "security_operations", 3, 8),
        ]
    )
    out = leaders_versus_staff(frame, ITEMS, 5, 5)
    # Any IT figure with the side and level totals would determine Security's 3 managers
    # (Security has only two levels): the whole table is hidden.
    for side in ("it", "security"):
        row = out[side].dimensions.iloc[0]
        assert row["suppressed_a"]
        assert row["suppressed_b"]


def test_top_findings_lists_breakdowns_by_size_then_watch():
    gaps = pd.DataFrame(
        {
            "dimension_code": ["a", "b", "c", "d", "e"],
            "gap": [12.0, -30.0, 20.0, 50.0, np.nan],
            "status": ["breakdown", "breakdown", "watch", "aligned", "suppressed"],
        }
    )
    assert list(top_findings(gaps)["dimension_code"]) == ["b", "a", "c"]
    assert list(top_findings(gaps, limit=1)["dimension_code"]) == ["b"]


def test_recurring_words_counts_comments_not_occurrences_and_drops_stop_words():
    words = recurring_words(
        [
            "Security reviews come too late, and the reviews block releases.",
            "Late security review again; releases slip.",
            "The change board is slow.",
            "SECURITY is helpful but late",
        ]
    )
    counts = dict(zip(words["word"], words["comments"], strict=True))
    assert counts == {"late": 3, "security": 3, "releases": 2}
    assert list(words["word"]) == ["late", "security", "releases"]
    assert "the" not in counts  # stop-word
    assert "reviews" not in counts  # twice, but in one comment
    assert recurring_words([]).empty
