"""Anonymity against subtraction across views: a group hidden in one view must not be
recoverable as (a total shown in another view) minus (the groups shown in this one)."""

from __future__ import annotations

import pandas as pd
import pytest
from django.urls import reverse

from reports.disclosure import partition_protected, small_sides_removed, table_hidden
from tests.reports.conftest import IT_ANSWERS, SECURITY_ANSWERS


def _answers(profiles: list[dict]) -> pd.DataFrame:
    rows = [
        {"response_id": number, **profile, "item_code": "a1", "value": 3}
        for number, profile in enumerate(profiles, start=1)
    ]
    return pd.DataFrame(rows)


def test_partition_protected_hides_the_smallest_shown_group_with_a_small_one():
    answers = _answers(
        [{"side": "it", "region": r} for r in ["EMEA"] * 10 + ["Americas"] * 8 + ["APAC"] * 3]
    )
    kept, hidden = partition_protected(answers, "region", 5)
    assert hidden == {"APAC", "Americas"}  # 3 alone could be subtracted; 3 + 8 cannot
    assert set(kept["region"]) == {"EMEA"}


def test_partition_protected_counts_respondents_without_a_value_as_a_cell():
    answers = _answers(
        [{"side": "it", "region": r} for r in ["EMEA"] * 10 + ["APAC"] * 9 + [""] * 2]
    )
    _kept, hidden = partition_protected(answers, "region", 5)
    assert hidden == {"", "APAC"}


def test_partition_protected_leaves_a_safe_partition_alone():
    answers = _answers([{"side": "it", "region": r} for r in ["EMEA"] * 6 + ["APAC"] * 5])
    kept, hidden = partition_protected(answers, "region", 5)
    assert hidden == set()
    assert kept is answers


def test_small_sides_are_left_out_of_every_figure():
    answers = _answers([{"side": s} for s in ["it"] * 6 + ["security"] * 5 + ["other"] * 2])
    kept, left_out = small_sides_removed(answers, 5)
    assert left_out == {"other"}
    assert set(kept["side"]) == {"it", "security"}


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


def test_a_pool_is_hidden_whole_when_one_of_its_values_is():
    levels = ["executive"] * 3 + [""] * 4 + ["manager"] * 19 + ["individual"] * 38
    answers = _answers([{"side": "it", "level": v} for v in levels])
    # Alone, executive (3) and "not given" (4) hide each other: 7 >= k.
    assert partition_protected(answers, "level", 5)[1] == {"executive", ""}
    # Pooled with executives, the managers would be shown as "leaders": hidden too.
    _kept, hidden = partition_protected(answers, "level", 5, pools=[("executive", "manager")])
    assert hidden == {"executive", "", "manager"}


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


def test_table_hidden_merges_until_every_visible_or_derivable_cell_holds_k():
    """Rows: region; columns: level. (APAC, executive) = 3 is small. Hiding that cell and
    one complement would leave each derivable from a line total (the third trial did), so
    whole rows or columns are merged into a hidden bucket, the smaller line first."""
    rows = (
        [("EMEA", "executive")] * 10
        + [("EMEA", "individual")] * 20
        + [("APAC", "executive")] * 3
        + [("APAC", "individual")] * 9
        + [("Americas", "executive")] * 6
        + [("Americas", "individual")] * 12
    )
    profiles = pd.DataFrame(rows, columns=["region", "level"])
    hidden_rows, hidden_columns = table_hidden(profiles, "region", "level", 5)
    assert "APAC" in hidden_rows
    # Every cell still visible or derivable (buckets merged) holds 0 or at least k.
    merged = profiles.assign(
        region=profiles["region"].where(~profiles["region"].isin(hidden_rows), "hidden"),
        level=profiles["level"].where(~profiles["level"].isin(hidden_columns), "hidden"),
    )
    counts = merged.value_counts()
    assert ((counts == 0) | (counts >= 5)).all()
    # and the same values are hidden whichever way the table is read
    assert table_hidden(profiles, "level", "region", 5) == (hidden_columns, hidden_rows)


def test_table_hidden_starts_from_the_values_hidden_in_their_own_view():
    rows = [("EMEA", "a")] * 10 + [("APAC", "a")] * 3 + [("Americas", "a")] * 6
    profiles = pd.DataFrame(rows, columns=["region", "level"])
    hidden_rows, _columns = table_hidden(profiles, "region", "level", 5)
    assert hidden_rows == {"APAC", "Americas"}  # as in the unfiltered region view


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
