"""Tests of reports.views.dashboard: the round list and a round's dashboard (scores, gaps,
small groups hidden, charts, the story first, the cache and bounded queries)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from survey.models import Answer
from survey.services.rounds import round_settings_save
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.factories import InvitationFactory
from tests.reports.pages import dashboard_url

pytestmark = pytest.mark.django_db


def test_round_list_links_to_each_dashboard(leader_client, populated_round):
    response = leader_client.get(reverse("reports:round_list"))
    assert response.status_code == 200
    assert dashboard_url(populated_round).encode() in response.content


def test_round_without_responses_shows_an_empty_state(leader_client, survey_round):
    InvitationFactory.create_batch(7, round=survey_round, side="it")
    response = leader_client.get(dashboard_url(survey_round))
    assert response.status_code == 200
    content = response.content.decode()
    assert "No responses yet" in content
    assert "plotly.min.js" not in content
    assert '<td class="text-end">7</td>' in content


def test_dashboard_shows_scores_gaps_and_suppresses_small_groups(leader_client, populated_round):
    response = leader_client.get(dashboard_url(populated_round))
    assert response.status_code == 200
    content = response.content.decode()
    card = {row["dimension_code"]: row for row in response.context["scorecard"]}
    assert card["a"]["score_a"] == pytest.approx(275 / 3)
    assert card["a"]["score_b"] == pytest.approx(25.0)
    assert card["a"]["gap"] == pytest.approx(275 / 3 - 25)
    assert card["a"]["worst"]
    assert card["a"]["n_a"] == 6
    # 6 identical IT against 5 identical Security answers: every pair favours IT
    assert card["a"]["rank_biserial"] == pytest.approx(1.0)
    assert card["a"]["effect_label"] == "large"
    assert card["a"]["q_value"] < 0.05
    assert card["a"]["status"] == "breakdown"
    assert card["a"]["rwg_j_a"] == pytest.approx(1.0)
    assert card["a"]["url"] == "/reports/autumn/dimension/a/?attribute=side&a=it&b=security"
    assert "91.7" in content
    assert "66.7" in content  # the gap of a, and Security's b score
    # 'other' has only 2 respondents: the heatmap table says so, never a number
    other_rows = [r for r in response.context["summary"] if r["group"] == "other"]
    assert all(r["suppressed"] and r["n"] is None for r in other_rows)
    assert "not enough responses" in content
    assert "fewer than 5" in content  # 2 'other' completed


def test_dashboard_draws_three_charts_from_json_script(leader_client, populated_round):
    response = leader_client.get(dashboard_url(populated_round))
    content = response.content.decode()
    assert "figure-likert" not in content  # on the dimension pages now
    for key in ("gap", "heatmap", "radar"):
        assert f'<script id="figure-{key}" type="application/json">' in content
        assert f'data-figure="figure-{key}"' in content
    assert "plotly/plotly.min.js" in content
    assert "reports/dashboard.js" in content
    assert "<script>" not in content  # no inline code
    figure = response.context["figures"]["gap"]
    json.dumps(figure)  # JSON-able
    assert figure["data"][0]["type"] == "bar"


def test_dashboard_hides_a_side_smaller_than_k(leader_client, survey_round, make_responses):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5 + [("security", SECURITY_ANSWERS)] * 4)
    response = leader_client.get(dashboard_url(survey_round))
    card = {row["dimension_code"]: row for row in response.context["scorecard"]}
    assert card["a"]["score_b"] is None
    assert card["a"]["gap"] is None
    assert card["a"]["n_b"] is None
    assert card["a"]["q_value"] is None
    assert card["a"]["rank_biserial"] is None
    assert card["a"]["rwg_j_b"] is None
    assert card["a"]["status"] == "suppressed"
    content = response.content.decode()
    assert "25.0" not in content  # the Security score of a
    assert content.count("not enough responses") >= 6


def test_dashboard_queries_are_bounded(
    leader_client, survey_round, make_responses, django_assert_max_num_queries
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5 + [("security", SECURITY_ANSWERS)] * 5)
    # Session, user, groups, round; the choices (version, attributes); the results version;
    # the figures (items, profiles, answers, attributes, items); participation (invitations,
    # responses: each count is published from the ids it counts); the dimensions' guidance;
    # the audit trail's entry (one INSERT).
    with django_assert_max_num_queries(15):
        small = leader_client.get(dashboard_url(survey_round))
    make_responses(survey_round, [("it", IT_ANSWERS)] * 60 + [("security", SECURITY_ANSWERS)] * 60)
    with django_assert_max_num_queries(15):
        large = leader_client.get(dashboard_url(survey_round))
    assert small.status_code == large.status_code == 200


def test_dashboard_is_served_from_the_cache_until_a_response_arrives(
    leader_client, survey_round, make_responses, django_assert_num_queries
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5 + [("security", SECURITY_ANSWERS)] * 5)
    first = leader_client.get(dashboard_url(survey_round))
    assert first.context["scorecard"][0]["n_a"] == 5
    # A hit reads neither the answers nor the imported attributes: session, user, groups,
    # round, two results versions (the choices for the forms, then the results) and the
    # participation's invitations and responses (never cached: it counts the round as is),
    # and the audit trail's entry.
    with django_assert_num_queries(9):
        again = leader_client.get(dashboard_url(survey_round))
    assert again.context["scorecard"] == first.context["scorecard"]
    assert again.context["figures"] == first.context["figures"]
    make_responses(survey_round, [("it", IT_ANSWERS)])
    fresh = leader_client.get(dashboard_url(survey_round))
    assert next(r for r in fresh.context["scorecard"] if r["dimension_code"] == "a")["n_a"] == 6
    # The comparison and the filters are part of the key.
    by_level = leader_client.get(dashboard_url(survey_round) + "?attribute=level")
    assert by_level.context["comparison"].attribute == "level"


def test_plotly_static_file_is_served(client, db):
    from django.templatetags.static import static

    response = client.get(static("plotly/plotly.min.js"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"plotly" in body[:2000].lower()


def test_dashboard_escapes_names_in_tables_and_charts(leader_client, populated_round):
    populated_round.instrument.dimensions.filter(code="a").update(name="<b>Bold</b> & co")
    response = leader_client.get(dashboard_url(populated_round))
    content = response.content.decode()
    assert "<b>Bold</b>" not in content
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in content  # the tables
    figure = response.context["figures"]["gap"]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in json.dumps(figure)


def test_building_the_dashboard_twice_gives_the_same_numbers(leader_client, populated_round):
    stored = sorted(Answer.objects.values_list("pk", "value"))
    first = leader_client.get(dashboard_url(populated_round))
    second = leader_client.get(dashboard_url(populated_round))
    assert first.context["scorecard"] == second.context["scorecard"]
    assert first.context["summary"] == second.context["summary"]
    # reverse coding happens in the analysis only: the stored answers never change
    assert sorted(Answer.objects.values_list("pk", "value")) == stored


def test_dashboard_lists_mirror_pairs_with_both_groups_on_both_statements(
    leader_client, populated_round
):
    instrument = populated_round.instrument
    a1 = instrument.dimensions.get(code="a").items.get(code="a1")
    a1.mirror_of = instrument.dimensions.get(code="b").items.get(code="b1")
    a1.save()
    response = leader_client.get(dashboard_url(populated_round))
    rows = response.context["mirror_rows"]
    assert [(row["pair"], row["item_code"]) for row in rows] == [(1, "a1"), (1, "b1")]
    a1_row, b1_row = rows
    assert (a1_row["score_a"], a1_row["score_b"]) == (100.0, 25.0)  # IT 5, Security 2
    assert (b1_row["score_a"], b1_row["score_b"]) == (75.0, 75.0)  # both answered 4
    assert "Mirror pairs" in response.content.decode()


def test_raising_k_hides_at_once_what_the_old_k_showed(leader_client, survey_round, make_responses):
    """Found by a fresh-user trial: after k was raised in the admin, the cached figures of
    the old k were served until the next response arrived."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 8)
    url = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    first = leader_client.get(url)
    assert first.context["scorecard"][0]["n_a"] == 6
    survey_round.min_group_size = 7
    round_settings_save(round=survey_round)
    again = leader_client.get(url)
    assert again.context["empty"] or again.context["scorecard"][0]["n_a"] is None


def test_dashboard_opens_on_the_story_before_controls_and_statistics(
    leader_client, survey_round, make_responses
):
    """The answer first: the count of breakdowns and the top findings with certainty and
    guidance come before the comparison form, participation and downloads; the statistics
    table sits in a <details> of the story."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 6)
    response = leader_client.get(dashboard_url(survey_round))
    content = response.content.decode()
    story = response.context["story"]
    assert story["breakdown_count"] >= 1
    assert story["top"]
    assert all(row["certainty"] for row in story["top"])
    first = story["top"][0]
    low, high = round(first["gap_ci_low"]), round(first["gap_ci_high"])
    assert f"the true gap is most likely between {low} and {high}" in content
    order = [
        content.index('id="story-heading"'),
        content.index("Act on these first"),
        content.index('class="table table-sm align-middle scorecard"'),
        content.index('id="comparison-heading"'),
        content.index('id="participation-heading"'),
        content.index('id="downloads-heading"'),
    ]
    assert order == sorted(order)
    details = content[content.index("<details") : content.index("</details>")]
    assert "scorecard" in details


def test_a_story_with_a_side_hidden_says_the_groups_cannot_be_compared(
    leader_client, survey_round, make_responses
):
    """With Security below k, "0 of 0 dimensions break down … see it alike" would be false."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 2)
    content = leader_client.get(dashboard_url(survey_round)).content.decode()
    assert "IT and Security cannot be compared here" in content
    assert "0 of 0 dimensions" not in content
    assert "see the collaboration alike" not in content
