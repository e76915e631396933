"""Tests of reports.vocabulary: comparisons of two groups and the dimension names of an items
frame (no database)."""

from __future__ import annotations

import pytest

from reports.vocabulary import Comparison


def test_comparison_groups_must_differ():
    with pytest.raises(ValueError, match="share"):
        Comparison("side", ("it",), ("it", "security"))
    with pytest.raises(ValueError, match="at least one"):
        Comparison("side", (), ("it",))
