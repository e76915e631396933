"""Anonymity against subtraction across views: a group hidden in one view must not be
recoverable as (a total shown in another view) minus (the groups shown in this one)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS


@pytest.mark.django_db
def test_a_filtered_region_comparison_cannot_be_subtracted_from_the_level_view(
    leader_client, survey_round, make_responses
):
    """The trial's attack: executives by region (EMEA 10, Americas 8, APAC 3) under the
    filter level=executive, minus the executives' figure of the level comparison, gave the
    3 APAC executives away. Now Americas is hidden with APAC (3 + 8 >= k)."""
    regions = ["EMEA"] * 10 + ["Americas"] * 8 + ["APAC"] * 3
    make_responses(
        survey_round,
        [("it", IT_ANSWERS)] * 21,
        level="executive",
        attributes=[{"region": r} for r in regions],
    )
    make_responses(
        survey_round,
        [("security", SECURITY_ANSWERS)] * 30,
        level="individual",
        attributes=[{"region": r} for r in ["EMEA", "Americas", "APAC"] * 10],
    )
    url = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    response = leader_client.get(
        url, {"level": "executive", "attribute": "region", "a": "EMEA", "b": "Americas"}
    )
    assert response.status_code == 200
    context = response.context
    assert {row["n_a"] for row in context["scorecard"]} == {10}
    assert {row["n_b"] for row in context["scorecard"]} == {None}  # hidden with APAC
    shown = {row["group"]: row["n"] for row in context["summary"] if row["n"] is not None}
    assert shown == {"EMEA": 10, "all": 10}
    # The executives' total of the level view minus what is shown leaves 11 >= k.
    levels = leader_client.get(url, {"attribute": "level", "a": "executive", "b": "individual"})
    executives = {row["n_a"] for row in levels.context["scorecard"]}
    assert executives == {21}
    assert survey_round.min_group_size <= 21 - 10


@pytest.mark.django_db
def test_two_groups_one_small_hides_both_and_says_why(leader_client, survey_round, make_responses):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 3, level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 8, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 5, level="individual")
    url = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    response = leader_client.get(url, {"attribute": "level", "a": "executive", "b": "individual"})
    assert response.status_code == 200
    assert response.context["empty"] is True
    assert b"Not enough responses for this comparison" in response.content
    page = leader_client.get(
        reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"}),
        {"attribute": "level", "a": "executive", "b": "individual"},
    )
    assert b"Not enough responses for this comparison" in page.content


@pytest.mark.django_db
def test_a_filtered_pool_missing_a_hidden_value_is_not_shown_under_its_name(
    leader_client, survey_round, make_responses
):
    """The trial saw "Leaders (executives and managers)" holding the managers alone."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 3, level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 19, level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 38, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 6, level="")
    url = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    response = leader_client.get(
        url, {"attribute": "level", "a": "executive+manager", "b": "individual"}
    )
    assert {row["n_a"] for row in response.context["scorecard"]} == {None}
    assert {row["n_b"] for row in response.context["scorecard"]} == {38}


@pytest.mark.django_db
def test_one_filter_at_a_time(leader_client, survey_round, make_responses):
    """The second trial's attacks combined two filters with a comparison (three-way
    tables); only the first filter applies, and the page says the other was ignored."""
    regions = [{"region": "EMEA"}] * 6 + [{"region": "APAC"}] * 6
    make_responses(survey_round, [("it", IT_ANSWERS)] * 12, level="individual", attributes=regions)
    make_responses(
        survey_round, [("security", SECURITY_ANSWERS)] * 12, level="individual", attributes=regions
    )
    url = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    for second in ({"function": "infrastructure"}, {"attr.region": "EMEA"}):
        response = leader_client.get(url, {"level": "individual", **second})
        assert response.context["active_filters"] == [("Level", "Individual contributor")]
        assert any("one filter at a time" in p for p in response.context["filter_problems"])
        assert "one filter at a time, so this one was ignored" in response.content.decode()


@pytest.mark.django_db
def test_a_filter_value_hidden_in_its_own_view_shows_nothing(
    leader_client, survey_round, make_responses
):
    """Managers (8) are hidden with executives (3) in the level view: filtering to the
    managers would show their total and give the executives away."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 3, level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 8, level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 20, level="individual")
    url = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    response = leader_client.get(url, {"level": "manager"})
    assert response.context["too_few"]
    assert "scorecard" not in response.context
