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


# Issue 18: item scores (a3 reverse-scored) 1 3 5, 5 5 1, 5 2 1, 4 1 3, 3 1 5 on dimension a
# give a Cronbach's alpha of −8.1; dimension b's three statements move together (alpha 1).
NEGATIVE_ALPHA_ANSWERS = [
    {"a1": a1, "a2": a2, "a3": 6 - a3, "b1": b, "b2": b, "b3": 6 - b}
    for (a1, a2, a3), b in zip(
        [(1, 3, 5), (5, 5, 1), (5, 2, 1), (4, 1, 3), (3, 1, 5)], range(1, 6), strict=True
    )
]
# Security: every statement moves with the others (alpha 1 on both dimensions).
AGREEING_ANSWERS = [
    {"a1": v, "a2": v, "a3": 6 - v, "b1": v, "b2": v, "b3": 6 - v} for v in range(1, 6)
]


@pytest.fixture
def negative_alpha_round(survey_round, make_responses):
    """5 IT respondents whose dimension a has an alpha of −8.1, beside 5 Security ones
    whose statements agree (k = 5)."""
    make_responses(survey_round, [("it", answers) for answers in NEGATIVE_ALPHA_ANSWERS])
    make_responses(survey_round, [("security", answers) for answers in AGREEING_ANSWERS])
    return survey_round
