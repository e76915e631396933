"""Tests of reports.filters: the respondent filter form's options and applying the query's
filters to one round's answers with suppression."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.filters import attribute_options, filter_round_answers
from survey.models import Response
from survey.selectors import round_answers_frame
from tests.reports.conftest import IT_ANSWERS, SECURITY_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_round(survey_round, make_responses):
    """IT: 10 individual contributors, 2 managers; Security: 8 and 6 (k = 5)."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 10, level="individual")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 8, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 6, level="manager")
    return survey_round


def test_filter_round_answers_hides_the_side_a_filter_would_reveal(
    rf, split_round, django_assert_num_queries
):
    answers = round_answers_frame(round=split_round)
    with django_assert_num_queries(1):
        kept, context = filter_round_answers(
            rf.get("/", {"level": "individual", "attribute": "side"}), split_round, answers
        )
    # A 2 × 2 table (level × side) with one small cell (2 IT managers): its margins are
    # published, so any one more cell would determine the rest. Nothing is shown.
    assert kept.empty
    assert context["hidden_sides"] == ["IT", "Security"]
    assert context["active_filters"] == [("Level", "Individual contributor")]
    assert context["filter_query"] == "level=individual"  # the comparison's fields left out
    assert context["too_few"]
    everyone, context = filter_round_answers(rf.get("/"), split_round, answers)
    assert everyone is answers
    assert not context["filtered"]
    assert context["filter_query"] == ""


def test_filter_round_answers_hides_groups_of_the_attribute_shown(rf, split_round):
    answers = round_answers_frame(round=split_round)
    _kept, context = filter_round_answers(
        rf.get("/", {"level": "manager"}), split_round, answers, attribute="level"
    )
    assert context["hidden_sides"] == ["Individual contributor"]  # nobody left there
    assert not context["too_few"]  # 8 managers


def test_filter_round_answers_with_too_few_left_says_so(rf, split_round):
    Response.objects.filter(round=split_round, level="manager", side="security").delete()
    answers = round_answers_frame(round=split_round)
    kept, context = filter_round_answers(rf.get("/", {"level": "manager"}), split_round, answers)
    assert kept.empty  # the 2 IT managers are below k
    assert context["too_few"]


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
