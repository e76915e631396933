"""Tests of reports.results: the one path from the database to a figure (filters, sections,
choices, exports), and of reading a page's query once (reports.forms.report_query)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import QueryDict

from reports import results
from reports.choices import round_choices
from reports.forms import report_query
from reports.results import LEADERS, TREND, round_results
from reports.vocabulary import LEADERS_VS_STAFF
from survey.models import Response
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def split_round(survey_round, make_responses):
    """IT: 10 individual contributors, 2 managers; Security: 8 and 6 (k = 5)."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 10, level="individual")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 8, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 6, level="manager")
    return survey_round


def test_a_filter_selects_its_respondents_and_shows_every_side_of_k(split_round):
    query = report_query(
        QueryDict("level=individual&attribute=side"), choices=round_choices(round=split_round)
    )
    assert query.filters == {"level": "individual"}
    assert query.filter_query == "level=individual"  # the comparison's fields left out
    assert query.filter_form.description() == [("Level", "Individual contributor")]
    figures = round_results(round=split_round, filters=query.filters).figures
    # IT 10 and Security 8 individual contributors: both shown, though IT's 2 managers are
    # a small cell of the level × side table (published counts leave them an interval).
    assert figures.respondents == 18
    assert not figures.hidden_groups
    assert not figures.too_few
    assert not figures.empty
    gaps = figures.gaps.set_index("dimension_code")
    assert list(gaps["n_a"]) == [10, 10]
    assert list(gaps["n_b"]) == [8, 8]
    everyone = round_results(round=split_round).figures
    assert everyone.respondents == 26
    assert not everyone.hidden_groups
    assert not everyone.empty


def test_a_filter_hides_a_side_of_fewer_than_k_and_shows_the_others(split_round):
    figures = round_results(round=split_round, filters={"level": "manager"}).figures
    assert figures.respondents == 8  # the managers' total: IT's 2 in it
    assert figures.hidden_groups == {"it"}
    assert not figures.too_few
    gaps = figures.gaps.set_index("dimension_code")
    assert gaps["n_a"].isna().all()
    assert list(gaps["n_b"]) == [6, 6]


def test_a_filter_hides_groups_of_the_compared_attribute(split_round):
    figures = round_results(
        round=split_round, comparison=LEADERS_VS_STAFF, filters={"level": "manager"}
    ).figures
    assert figures.hidden_groups == {"individual"}  # nobody left there
    assert not figures.too_few  # 8 managers


def test_too_few_left_after_a_filter_says_so(split_round):
    Response.objects.filter(round=split_round, level="manager", side="security").delete()
    figures = round_results(round=split_round, filters={"level": "manager"}).figures
    assert figures.respondents == 0  # the 2 IT managers are below k
    assert figures.too_few


def test_sections_are_computed_only_when_asked(split_round):
    plain = round_results(round=split_round)
    assert plain.leaders is None
    assert plain.trend is None
    full = round_results(round=split_round, include=[LEADERS, TREND])
    assert set(full.leaders) == {"it", "security"}
    assert [key for key, _label in full.trend.rounds] == [split_round.slug]
    # Leaders versus staff would publish a three-way table under a filter.
    assert (
        round_results(round=split_round, filters={"level": "manager"}, include=[LEADERS]).leaders
        is None
    )


def test_bad_calls_are_refused(split_round):
    with pytest.raises(ValueError, match="Unknown sections"):
        round_results(round=split_round, include=["everything"])
    with pytest.raises(ValueError, match="one filter at a time"):
        round_results(round=split_round, filters={"level": "manager", "function": "architecture"})


def test_pages_share_the_figures_of_one_comparison(split_round, monkeypatch):
    round_results(round=split_round)
    calls = []
    monkeypatch.setattr(results, "_figures", lambda *args: calls.append(args))
    again = round_results(round=split_round, include=[LEADERS])
    assert calls == []
    assert again.figures.respondents == 26
