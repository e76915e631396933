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
            ("other", "manager", "governance", 3, 4),  # in no side's comparison
            ("other", "individual", "governance", 3, 6),
        ]
    )
    out = leaders_versus_staff(frame, ONE_DIMENSION_ITEMS, 5, 5)
    assert set(out) == {"it", "security"}
    it = out["it"].dimensions.iloc[0]
    assert it["score_a"] == pytest.approx(100.0)
    assert it["score_b"] == pytest.approx(25.0)
    assert it["gap"] == pytest.approx(75.0)
    assert (it["n_a"], it["n_b"]) == (10, 10)
    security = out["security"].dimensions.iloc[0]
    assert security["suppressed_a"]
    assert pd.isna(security["score_a"])
    assert pd.isna(security["n_a"])
    # Security's staff (8) are shown: the side minus its 3 managers is, as published, an
    # interval, so the staff need not be hidden with them.
    assert not security["suppressed_b"]
    assert security["n_b"] == 8
    assert security["score_b"] == pytest.approx(50.0)


def test_leaders_versus_staff_hides_only_the_small_cell_of_the_side_by_level_table():
    """IT managers (5) beside the managers' total of the level view (8) would, with exact
    figures, give the 3 Security managers away; with published ones it gives an interval.
    So only the cell of fewer than k, Security's leaders, is hidden."""
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
    it = out["it"].dimensions.iloc[0]
    assert not it["suppressed_a"]
    assert not it["suppressed_b"]
    security = out["security"].dimensions.iloc[0]
    assert security["suppressed_a"]
    assert not security["suppressed_b"]


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
