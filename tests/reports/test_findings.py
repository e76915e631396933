"""Tests of reports.findings: leaders versus staff within each side, the top findings and the
words that recur across comments, on small hand-built frames (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.findings import leaders_versus_staff, recurring_words, top_findings
from tests.reports.frames import ONE_DIMENSION_ITEMS, profile_answers


def test_leaders_versus_staff_compares_within_each_side():
    frame = profile_answers(
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
    out = leaders_versus_staff(frame, ONE_DIMENSION_ITEMS, 5, 5)
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
    frame = profile_answers(
        [
            ("it", "executive", "leadership", 5, 5),
            ("it", "manager", "infrastructure", 5, 5),
            ("it", "individual", "infrastructure", 2, 10),
            ("security", "manager", "governance", 3, 3),
            ("security", "individual", "security_operations", 3, 8),
        ]
    )
    out = leaders_versus_staff(frame, ONE_DIMENSION_ITEMS, 5, 5)
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
