"""The respondent filters of the dashboard: what a filter selects, what it leaves whole
(participation, the downloads) and how filters that cannot apply are named."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.reports.pages import dashboard_url, export_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def levels_split_round(survey_round, make_responses):
    """IT: 10 individual contributors and 2 managers; Security: 8 and 6; Other: 5 managers
    (k = 5). Among managers, IT (2) is below k."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 10, level="individual")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 8, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 6, level="manager")
    make_responses(survey_round, [("other", SECURITY_ANSWERS)] * 5, level="manager")
    return survey_round


def test_dashboard_filters_by_level_and_keeps_participation_whole(
    leader_client, levels_split_round, django_assert_max_num_queries
):
    # As unfiltered (15), plus the attributes a filter reads.
    with django_assert_max_num_queries(16):
        response = leader_client.get(dashboard_url(levels_split_round) + "?level=manager")
    context = response.context
    assert context["active_filters"] == [("Level", "Manager")]
    assert not context["too_few"]
    a = next(row for row in context["scorecard"] if row["dimension_code"] == "a")
    assert a["n_b"] == 6  # the Security managers only
    assert a["score_a"] is None  # 2 IT managers
    assert context["participation"].total.answered == 31  # it counts the whole round
    content = response.content.decode()
    assert 'id="filters-heading"' in content
    assert "whatever the filters" in content
    # CSV downloads are never filtered.
    assert f'href="{export_url(levels_split_round, "summary")}"' in content


def test_dashboard_filter_leaving_fewer_than_k_shows_not_enough_responses(
    leader_client, survey_round, make_responses
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 8, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 8, level="individual")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, level="executive")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 2, level="executive")
    response = leader_client.get(dashboard_url(survey_round) + "?level=executive")
    assert response.context["too_few"]
    assert "scorecard" not in response.context
    assert "figures" not in response.context
    content = response.content.decode()
    assert "not enough responses" in content
    assert 'id="figure-gap"' not in content
    assert "No responses yet" not in content


def test_dashboard_filter_shows_each_side_it_selects_beside_the_whole_side(
    leader_client, levels_split_round
):
    """Filtered IT (10) is shown beside unfiltered IT (12): as published (each within 2 of
    the truth) the difference gives the 2 IT managers only as an interval
    (tests/reports/test_differencing.py)."""
    response = leader_client.get(dashboard_url(levels_split_round) + "?level=individual")
    context = response.context
    assert context["hidden_sides"] == []
    for row in context["scorecard"]:
        assert row["n_a"] == 10
        assert row["score_a"] is not None
        assert row["n_b"] == 8
    summary = {(row["dimension_code"], row["group"]): row for row in context["summary"]}
    assert summary[("a", "it")]["n"] == 10
    assert summary[("a", "other")]["n"] is None  # no Other is an individual contributor
    assert summary[("a", "all")]["n"] == 18
    assert "With these filters, these groups are shown as" not in response.content.decode()


def test_dashboard_filter_selects_within_each_group_of_the_comparison(
    leader_client, survey_round, make_responses
):
    """Compared by level, a function filter keeps, in each level, the respondents of that
    function; the others (2 identity managers, 5 governance individuals) are in no figure."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 9, level="manager")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, level="manager", function="identity")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 7, level="individual")
    make_responses(
        survey_round, [("it", IT_ANSWERS)] * 5, level="individual", function="governance"
    )
    query = "attribute=level&a=manager&b=individual&function=infrastructure"
    response = leader_client.get(dashboard_url(survey_round) + "?" + query)
    assert response.context["hidden_sides"] == []
    assert not response.context["too_few"]
    assert response.context["respondents"] == 16
    for row in response.context["scorecard"]:
        assert (row["n_a"], row["n_b"]) == (9, 7)
    card = {row["dimension_code"]: row for row in response.context["scorecard"]}
    assert card["a"]["score_a"] == pytest.approx(275 / 3)  # IT's answers only
    assert card["a"]["score_b"] == pytest.approx(25.0)  # Security's only


def test_dashboard_filters_by_an_imported_attribute(leader_client, levels_split_round):
    from survey.models import Response

    north = Response.objects.filter(round=levels_split_round, level="individual")
    north.update(attributes={"region": "north"})
    Response.objects.filter(round=levels_split_round, level="manager").update(
        attributes={"region": "south"}
    )
    response = leader_client.get(dashboard_url(levels_split_round) + "?attr.region=north")
    assert response.context["active_filters"] == [("Region", "north")]
    assert response.context["hidden_sides"] == []
    assert all((row["n_a"], row["n_b"]) == (10, 8) for row in response.context["scorecard"])
    # region=north is level=individual here: the same respondents, the same figures.
    by_level = leader_client.get(dashboard_url(levels_split_round) + "?level=individual")
    assert response.context["scorecard"] == by_level.context["scorecard"]
    assert response.context["summary"] == by_level.context["summary"]


def test_dashboard_forms_keep_each_others_choices(leader_client, levels_split_round):
    query = "attribute=level&a=manager&b=individual&function=infrastructure"
    content = leader_client.get(dashboard_url(levels_split_round) + "?" + query).content.decode()
    comparison = content[content.index('id="comparison-heading"') :]
    comparison = comparison[: comparison.index("</section>")]
    assert '<input type="hidden" name="function" value="infrastructure">' in comparison
    filters = content[content.index('id="filters-heading"') :]
    filters = filters[: filters.index("</section>")]
    assert '<input type="hidden" name="attribute" value="level">' in filters
    assert '<input type="hidden" name="a" value="manager">' in filters
    assert "?attribute=level&amp;a=manager&amp;b=individual" in filters  # clear filters link


def test_an_unknown_filter_value_is_ignored_with_a_message(leader_client, levels_split_round):
    response = leader_client.get(dashboard_url(levels_split_round) + "?level=wizard")
    assert response.status_code == 200
    assert response.context["filter_problems"]
    assert not response.context["filtered"]
    assert response.context["scorecard"]


def test_ignored_filters_are_named_on_the_dashboard_and_the_dimension_page(
    leader_client, survey_round, make_responses
):
    """Found by fresh-user checks: a filter by an unknown profile question, and any filter on
    a statement page, were dropped without a word."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 6)
    dashboard = leader_client.get(
        reverse("reports:dashboard", kwargs={"slug": survey_round.slug}), {"attr.nope": "1"}
    )
    assert any("“nope” cannot be filtered on" in p for p in dashboard.context["filter_problems"])
    dimension = leader_client.get(
        reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"}),
        {"level": "manager"},
    )
    assert "filters apply on the dashboard" in dimension.content.decode()


def test_a_filter_on_the_dimension_page_is_not_called_a_failed_comparison(
    leader_client, survey_round, make_responses
):
    """Found by a fresh-user trial: ?level=manager alone on a statement page said "That
    comparison could not be shown", though no comparison was asked for. The statement pages
    show the whole round (their per-statement tables and comments are not filtered), so the
    page says so plainly and links to the dashboard with the filter and the comparison."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 6)
    response = leader_client.get(
        reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"}),
        {"level": "manager"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["comparison_problems"] == []
    assert "That comparison could not be shown" not in content
    assert "This page shows the whole round: filters apply on the dashboard." in content
    dashboard = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    link = f"{dashboard}?attribute=side&amp;a=it&amp;b=security&amp;level=manager"
    assert f'<a href="{link}">' in content
    # Asked together, a comparison still applies and the filter is still carried.
    both = leader_client.get(
        reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"}),
        {"attribute": "level", "a": "executive+manager", "b": "individual", "level": "manager"},
    )
    assert both.context["comparison_problems"] == []
    assert "level=manager" in both.context["filter_dashboard_url"]
    assert both.context["label_a"] == "Leaders (executives and managers)"


def test_a_statement_page_without_a_filter_says_nothing_of_filters(
    leader_client, survey_round, make_responses
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 6)
    response = leader_client.get(
        reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"})
    )
    assert "filters apply on the dashboard" not in response.content.decode()
    assert response.context["filter_dashboard_url"] == ""
