"""Tests of reports.views.dashboard: the round list, a round's dashboard (comparisons and
respondent filters), its dimension pages and the methodology page, and who may open them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from survey.models import Answer
from survey.services.rounds import round_settings_save
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.factories import InvitationFactory
from tests.reports.pages import export_url, page_text, read_csv

pytestmark = pytest.mark.django_db


def dashboard_url(survey_round) -> str:
    return reverse("reports:dashboard", kwargs={"slug": survey_round.slug})


@pytest.mark.parametrize("name", ["round_list", "dashboard", "export"])
def test_anonymous_user_is_sent_to_log_in(client, survey_round, name):
    kwargs = {"round_list": {}, "dashboard": {"slug": "autumn"}}.get(
        name, {"slug": "autumn", "kind": "summary"}
    )
    response = client.get(reverse(f"reports:{name}", kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["round_list", "dashboard", "export"])
def test_user_outside_leaders_gets_a_friendly_403(plain_client, survey_round, name):
    kwargs = {"round_list": {}, "dashboard": {"slug": "autumn"}}.get(
        name, {"slug": "autumn", "kind": "summary"}
    )
    response = plain_client.get(reverse(f"reports:{name}", kwargs=kwargs))
    assert response.status_code == 403
    assert "reports/403.html" in [t.name for t in response.templates]
    assert b"Leaders group" in response.content


def test_superuser_sees_the_round_list(client, django_user_model, survey_round):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-long-1")
    client.force_login(admin)
    response = client.get(reverse("reports:round_list"))
    assert response.status_code == 200
    assert survey_round.name.encode() in response.content


def test_round_list_links_to_each_dashboard(leader_client, populated_round):
    response = leader_client.get(reverse("reports:round_list"))
    assert response.status_code == 200
    assert dashboard_url(populated_round).encode() in response.content


def test_unknown_round_is_404(leader_client, db):
    assert leader_client.get("/reports/nope/").status_code == 404


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


# --- Comparisons, dimension pages and methodology ------------------------------------------


def dimension_url(survey_round, code: str, query: str = "") -> str:
    url = reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": code})
    return f"{url}?{query}" if query else url


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


def test_scorecard_links_each_dimension_to_its_page(leader_client, populated_round):
    content = leader_client.get(dashboard_url(populated_round)).content.decode()
    assert 'href="/reports/autumn/dimension/a/?attribute=side&amp;a=it&amp;b=security"' in content
    assert 'href="/reports/autumn/dimension/b/?attribute=side&amp;a=it&amp;b=security"' in content
    assert reverse("reports:methodology") in content


def test_dimension_page_shows_guidance_items_likert_bars_and_mirrors(
    leader_client, populated_round
):
    instrument = populated_round.instrument
    instrument.dimensions.filter(code="a").update(guidance="Agree a fast path for changes.")
    a1 = instrument.dimensions.get(code="a").items.get(code="a1")
    b1 = instrument.dimensions.get(code="b").items.get(code="b1")
    a1.mirror_of = b1
    a1.save()
    response = leader_client.get(dimension_url(populated_round, "a"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Agree a fast path for changes." in content
    rows = {row["item_code"]: row for row in response.context["item_rows"]}
    assert list(rows) == ["a1", "a2", "a3"]  # only this dimension's Likert items
    assert rows["a1"]["score_a"] == pytest.approx(100.0)  # IT answered 5
    assert rows["a1"]["score_b"] == pytest.approx(25.0)  # Security answered 2
    assert rows["a1"]["gap"] == pytest.approx(75.0)
    assert rows["a1"]["q_value"] is not None
    assert rows["a3"]["reverse_scored"]
    figure = response.context["figures"]["likert"]
    assert '<script id="figure-likert" type="application/json">' in content
    ticks = figure["layout"]["yaxis"]["ticktext"]
    assert ticks == ["IT", "Security"] * 3  # three statements, two groups each
    mirrors = response.context["mirror_rows"]
    assert [(row["pair"], row["item_code"]) for row in mirrors] == [(1, "a1"), (1, "b1")]
    assert mirrors[0]["score_a"] == pytest.approx(100.0)
    assert response.context["summary"]["status"] == "breakdown"


def test_dimension_page_hides_a_small_group(leader_client, survey_round, make_responses):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5 + [("security", SECURITY_ANSWERS)] * 4)
    response = leader_client.get(dimension_url(survey_round, "a"))
    assert response.status_code == 200
    for row in response.context["item_rows"]:
        assert row["score_b"] is None
        assert row["n_b"] is None
        assert row["p_value"] is None
    assert all(
        row["suppressed"] for row in response.context["likert_rows"] if row["group"] == "Security"
    )
    assert "25.0" not in response.content.decode()


def test_a_negative_alpha_shows_why_instead_of_its_value(leader_client, negative_alpha_round):
    """Issue 18: IT's alpha on dimension a (−8.1) was printed bare on the dashboard's table and
    the dimension page. Both print "—" and the reason, as text; Security's alpha stays."""
    reason = "— (the statements do not measure one thing)"
    dashboard = leader_client.get(dashboard_url(negative_alpha_round))
    rows = {(row["dimension_code"], row["group"]): row for row in dashboard.context["summary"]}
    assert rows[("a", "it")]["alpha"] is None
    assert rows[("a", "it")]["alpha_reason"] == "the statements do not measure one thing"
    assert rows[("a", "security")]["alpha"] == pytest.approx(1.0)
    assert rows[("a", "security")]["alpha_reason"] is None
    table = page_text(dashboard)
    assert "Dimension A IT 5 " in table
    assert reason in table
    assert "8.1" not in table

    page = leader_client.get(dimension_url(negative_alpha_round, "a"))
    assert f"Reliability (Cronbach's alpha) IT: {reason} · Security: 1.00" in page_text(page)


def test_dimension_page_of_an_unknown_dimension_is_404(leader_client, populated_round):
    assert leader_client.get(dimension_url(populated_round, "zz")).status_code == 404


def test_dimension_page_of_a_round_without_responses_is_empty(leader_client, survey_round):
    response = leader_client.get(dimension_url(survey_round, "a"))
    assert response.status_code == 200
    assert "No responses yet" in response.content.decode()


NEW_PAGES = [("dimension", {"slug": "autumn", "code": "a"}), ("methodology", {})]


@pytest.mark.parametrize(("name", "kwargs"), NEW_PAGES)
def test_new_pages_send_anonymous_users_to_log_in(client, survey_round, name, kwargs):
    response = client.get(reverse(f"reports:{name}", kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), NEW_PAGES)
def test_new_pages_refuse_users_outside_leaders(plain_client, survey_round, name, kwargs):
    assert plain_client.get(reverse(f"reports:{name}", kwargs=kwargs)).status_code == 403


def test_dimension_page_is_served_from_the_cache_until_a_response_arrives(
    leader_client, survey_round, make_responses, django_assert_max_num_queries
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5 + [("security", SECURITY_ANSWERS)] * 5)
    first = leader_client.get(dimension_url(survey_round, "a"))
    # A hit reads no answer and no comment: session, user, groups, round, dimension and the
    # two results versions; the audit trail's entry.
    with django_assert_max_num_queries(8):
        again = leader_client.get(dimension_url(survey_round, "a"))
    assert again.context["item_rows"] == first.context["item_rows"]
    assert again.context["summary"]["n_a"] == 5
    make_responses(survey_round, [("it", IT_ANSWERS)])
    assert leader_client.get(dimension_url(survey_round, "a")).context["summary"]["n_a"] == 6


def test_dimension_page_queries_are_bounded(
    leader_client, survey_round, make_responses, django_assert_max_num_queries
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5 + [("security", SECURITY_ANSWERS)] * 5)
    # As the dashboard (15) with the dimension instead of participation, plus the comments.
    with django_assert_max_num_queries(14):
        small = leader_client.get(dimension_url(survey_round, "a"))
    make_responses(survey_round, [("it", IT_ANSWERS)] * 60 + [("security", SECURITY_ANSWERS)] * 60)
    with django_assert_max_num_queries(14):
        large = leader_client.get(
            dimension_url(survey_round, "b", "attribute=level&a=manager&b=individual")
        )
    assert small.status_code == large.status_code == 200


def test_methodology_page_renders_docs_methodology(leader_client, settings):
    response = leader_client.get(reverse("reports:methodology"))
    assert response.status_code == 200
    content = response.content.decode()
    source = (Path(settings.BASE_DIR) / "docs" / "methodology.md").read_text(encoding="utf-8")
    headings = [line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#")]
    assert len(headings) >= 8
    for heading in headings:
        assert f">{heading}</h" in content.replace("&#x27;", "'"), heading
    for formula in ("rwg(j)", "(A² − 1) / 12", "2·U_A / (n_A · n_B) − 1", "100 − mean |gap|"):
        assert formula in content
    assert "FRICTION_BREAKDOWN_GAP_POINTS" in content
    assert "<table>" in content  # the thresholds table is rendered, not shown as text


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


# --- Respondent filters on the dashboard ----------------------------------------------------


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


def test_a_story_with_a_side_hidden_says_the_groups_cannot_be_compared(
    leader_client, survey_round, make_responses
):
    """With Security below k, "0 of 0 dimensions break down … see it alike" would be false."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 2)
    content = leader_client.get(dashboard_url(survey_round)).content.decode()
    assert "IT and Security cannot be compared here" in content
    assert "0 of 0 dimensions" not in content
    assert "see the collaboration alike" not in content


def test_a_dimension_with_no_likert_statement_has_no_page(leader_client, populated_round):
    """v2's ``overall`` holds only the outcome statement: no score, no statement table, so
    no page (it would open empty)."""
    from assessment.models import Dimension, Item
    from tests.factories import ItemFactory

    overall = Dimension.objects.create(
        instrument=populated_round.instrument, code="overall", name="Overall", order=0
    )
    ItemFactory(dimension=overall, code="ov1", kind=Item.Kind.OUTCOME, order=1)
    assert leader_client.get(dimension_url(populated_round, "overall")).status_code == 404
    assert leader_client.get(dimension_url(populated_round, "a")).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_report_pages_answer_other_methods_405_with_allow(leader_client, survey_round, method):
    """Found by fresh-user trials: other methods answered 200 (or 403 "page expired")."""
    for url in (
        dashboard_url(survey_round),
        reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": "summary"}),
        reverse("reports:round_list"),
    ):
        response = getattr(leader_client, method)(url)
        assert response.status_code == 405, url
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_a_405_is_a_page_of_ours_with_its_allow_header(leader_client, survey_round, caplog):
    """Found by a fresh-user trial: a PUT to a report page answered 405 with an empty body.
    The page says what happened, in the reader's language, and keeps the Allow header;
    Django's log line for it is written once."""
    url = dimension_url(survey_round, "a")
    with caplog.at_level("WARNING", logger="django.request"):
        response = leader_client.put(url)
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        f"Method Not Allowed (PUT): {url}"
    ]
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "<h1" in content
    assert "This page cannot do that" in content
    french = leader_client.delete(dashboard_url(survey_round), HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 405
    assert "Cette page ne peut pas faire cela" in french.content.decode()
    # HEAD gets the headers only, as for any page.
    assert leader_client.head(dashboard_url(survey_round)).status_code == 200


def test_a_stray_post_from_a_browser_is_405_not_page_expired(survey_round, leader):
    """With CSRF checks on, as in a browser: the safe-only report views answer 405."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    response = client.post(dashboard_url(survey_round))
    assert response.status_code == 405
