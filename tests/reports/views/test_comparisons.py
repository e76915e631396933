"""The dashboard's comparison of two groups: any respondent attribute, and a comparison that
cannot be made falling back to the default with a message."""

from __future__ import annotations

import pytest

from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.reports.pages import dashboard_url, export_url, read_csv

pytestmark = pytest.mark.django_db


def test_dashboard_compares_leaders_with_staff(leader_client, levels_round):
    response = leader_client.get(
        dashboard_url(levels_round),
        {"attribute": "level", "a": "executive+manager", "b": "individual"},
    )
    assert response.status_code == 200
    assert response.context["comparison_problems"] == []
    card = {row["dimension_code"]: row for row in response.context["scorecard"]}
    assert card["a"]["group_a"] == "executive+manager"
    assert card["a"]["n_a"] == 10  # 5 executives + 5 managers
    assert card["a"]["n_b"] == 11
    content = response.content.decode()
    assert "Leaders (executives and managers)" in content
    assert "?attribute=level&amp;a=executive%2Bmanager&amp;b=individual" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"attribute": "level", "a": "boss", "b": "individual"}, ("level", "executive+manager")),
        ({"attribute": "colour", "a": "it", "b": "security"}, ("side", "it")),
        ({"attribute": "side", "a": "it", "b": "it"}, ("side", "it")),
        ({"attribute": "side", "a": "it+security", "b": "security"}, ("side", "it")),
        ({"attribute": "side", "a": "x" * 500, "b": ""}, ("side", "it")),
    ],
)
def test_a_bad_comparison_falls_back_to_a_default_with_a_message(
    leader_client, populated_round, query, expected
):
    response = leader_client.get(dashboard_url(populated_round), query)
    assert response.status_code == 200
    assert response.context["comparison_problems"]
    comparison = response.context["comparison"]
    assert (comparison.attribute, comparison.label_a) == expected
    assert "could not be shown" in response.content.decode()


def test_the_default_comparison_has_no_message(leader_client, populated_round):
    response = leader_client.get(dashboard_url(populated_round))
    assert response.context["comparison_problems"] == []
    assert response.context["comparison"].label_a == "it"
    assert "could not be shown" not in response.content.decode()


def test_a_comparison_with_a_small_group_shows_not_enough_responses(
    leader_client, survey_round, make_responses
):
    # 3 executives against 6 + 5 individuals, k = 5: the executives are too few (the 5
    # managers, in neither group, change nothing).
    make_responses(survey_round, [("it", IT_ANSWERS)] * 3, level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5, level="manager")
    make_responses(survey_round, [("it", SECURITY_ANSWERS)] * 6, level="individual")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 5, level="individual")
    response = leader_client.get(
        dashboard_url(survey_round), {"attribute": "level", "a": "executive", "b": "individual"}
    )
    card = {row["dimension_code"]: row for row in response.context["scorecard"]}
    for row in card.values():
        assert row["n_a"] is None
        assert row["score_a"] is None
        assert row["gap"] is None
        assert row["q_value"] is None
        assert row["status"] == "suppressed"
    assert response.context["alignment_index"] is None
    gaps = read_csv(
        leader_client.get(
            export_url(survey_round, "gaps"),
            {"attribute": "level", "a": "executive", "b": "individual"},
        )
    )
    assert gaps[0][-1] == "disclosure"  # how the figures are protected, on every row
    assert gaps[1][:-1] == [
        "a",
        "level",
        "executive",
        "individual",
        "",
        "11",
        "",
        "25.0",
        *[""] * 6,
        "suppressed",
    ]


def test_a_parameter_given_twice_is_named_with_the_value_used(leader_client, survey_round):
    """Django reads the last of repeated parameters: the page says so instead of choosing
    silently, for the comparison and for a filter."""
    response = leader_client.get(
        dashboard_url(survey_round)
        + "?attribute=side&a=it&a=security&b=it&level=manager&level=individual"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The address gives “a” 2 times; only the last value, “security”, is used." in content
    assert (
        "The address gives “level” 2 times; only the last value, “individual”, is used." in content
    )
