"""Fixtures shared by the tests of the leader pages and downloads."""

from __future__ import annotations

import pytest

from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS


@pytest.fixture
def levels_round(survey_round, make_responses):
    """IT: 5 executives, 5 managers and 6 individuals; Security: 5 individuals (k = 5)."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5, level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5, level="manager")
    make_responses(survey_round, [("it", SECURITY_ANSWERS)] * 6, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 5, level="individual")
    return survey_round
