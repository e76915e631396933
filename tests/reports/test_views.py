"""Tests of the leader pages: access, the dashboard and the CSV downloads."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from tests.factories import InvitationFactory, SurveyRoundFactory
from tests.reports.conftest import IT_ANSWERS, SECURITY_ANSWERS

pytestmark = pytest.mark.django_db


def dashboard_url(survey_round) -> str:
    return reverse("reports:dashboard", kwargs={"slug": survey_round.slug})


def export_url(survey_round, kind: str) -> str:
    return reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": kind})


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


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
    assert card["a"]["it_score"] == pytest.approx(275 / 3)
    assert card["a"]["security_score"] == pytest.approx(25.0)
    assert card["a"]["gap"] == pytest.approx(275 / 3 - 25)
    assert card["a"]["worst"]
    assert card["a"]["it_n"] == 6
    assert "91.7" in content
    assert "66.7" in content  # the gap of a, and Security's b score
    # 'other' has only 2 respondents: the heatmap table says so, never a number
    other_rows = [r for r in response.context["summary"] if r["group"] == "other"]
    assert all(r["suppressed"] and r["n"] is None for r in other_rows)
    assert "not enough responses" in content
    assert "fewer than 5" in content  # 2 'other' completed


def test_dashboard_draws_four_charts_from_json_script(leader_client, populated_round):
    response = leader_client.get(dashboard_url(populated_round))
    content = response.content.decode()
    for key in ("gap", "heatmap", "radar", "likert"):
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
    assert card["a"]["security_score"] is None
    assert card["a"]["gap"] is None
    assert card["a"]["security_n"] is None
    content = response.content.decode()
    assert "25.0" not in content  # the Security score of a
    assert content.count("not enough responses") >= 6


def test_dashboard_queries_are_bounded(
    leader_client, survey_round, make_responses, django_assert_max_num_queries
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5 + [("security", SECURITY_ANSWERS)] * 5)
    with django_assert_max_num_queries(8):
        small = leader_client.get(dashboard_url(survey_round))
    make_responses(survey_round, [("it", IT_ANSWERS)] * 60 + [("security", SECURITY_ANSWERS)] * 60)
    with django_assert_max_num_queries(8):
        large = leader_client.get(dashboard_url(survey_round))
    assert small.status_code == large.status_code == 200


def test_plotly_static_file_is_served(client, db):
    from django.templatetags.static import static

    response = client.get(static("plotly/plotly.min.js"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"plotly" in body[:2000].lower()


def test_responses_download_has_headers_and_one_row_per_response(leader_client, populated_round):
    response = leader_client.get(export_url(populated_round, "responses"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="autumn-responses.csv"'
    rows = read_csv(response)
    assert rows[0] == [
        "row",
        "side",
        "function",
        "level",
        "submitted_on",
        "a1",
        "a2",
        "a3",
        "a_comment",
        "b1",
        "b2",
        "b3",
        "b_comment",
    ]
    assert len(rows) == 1 + 13
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 14)]
    it_row = next(r for r in rows[1:] if r[1] == "it")
    assert it_row[5:8] == ["5", "4", "1"]
    assert it_row[8] == '\'=HYPERLINK("x")'


def test_summary_download_suppresses_small_groups(leader_client, populated_round):
    response = leader_client.get(export_url(populated_round, "summary"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="autumn-summary.csv"'
    rows = read_csv(response)
    assert rows[0] == [
        "dimension_code",
        "attribute",
        "group",
        "n",
        "score_mean",
        "score_sd",
        "favourable_pct",
    ]
    by_key = {(r[0], r[2]): r for r in rows[1:]}
    assert set(by_key) == {(d, g) for d in "ab" for g in ("it", "security", "other", "all")}
    assert by_key[("a", "it")][3:5] == ["6", "91.67"]
    assert by_key[("a", "other")] == ["a", "side", "other", "", "", "", ""]
    # "all" minus IT and Security would give the 2 'other' respondents away: hidden too
    assert by_key[("a", "all")] == ["a", "side", "all", "", "", "", ""]


def test_export_of_another_round_does_not_mix(leader_client, populated_round, make_responses):
    other = SurveyRoundFactory(instrument=populated_round.instrument, slug="other")
    make_responses(other, [("it", IT_ANSWERS)])
    rows = read_csv(leader_client.get(export_url(other, "responses")))
    assert len(rows) == 2


def test_dashboard_escapes_names_in_tables_and_charts(leader_client, populated_round):
    populated_round.instrument.dimensions.filter(code="a").update(name="<b>Bold</b> & co")
    response = leader_client.get(dashboard_url(populated_round))
    content = response.content.decode()
    assert "<b>Bold</b>" not in content
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in content  # the tables
    figure = response.context["figures"]["gap"]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in json.dumps(figure)
