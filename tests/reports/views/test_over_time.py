"""Tests of reports.views.over_time: the trend and executive summary pages (with filters and
leaders versus staff): access, content, suppression and query counts."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from assessment.models import Dimension
from reports.chart_locale import plotly_separators
from survey.models import Response
from survey.services.responses import responses_create_bulk
from tests.factories import (
    DimensionFactory,
    InstrumentFactory,
    InvitationFactory,
    ItemFactory,
    SurveyRoundFactory,
)
from tests.reports.over_time_data import two_rounds
from tests.reports.pages import COMMA_DECIMAL, ENGLISH_DECIMAL, figure_texts, page_url

pytestmark = pytest.mark.django_db

GUIDANCE_A = "Bring security into planning from the first sprint."


@pytest.fixture
def rounds(small_instrument):
    Dimension.objects.filter(instrument=small_instrument, code="a").update(guidance=GUIDANCE_A)
    spring, autumn = two_rounds(small_instrument)
    InvitationFactory.create_batch(10, round=autumn, side="it", used=True)
    InvitationFactory.create_batch(2, round=autumn, side="it")
    InvitationFactory.create_batch(10, round=autumn, side="security", used=True)
    InvitationFactory.create_batch(2, round=autumn, side="security")
    return spring, autumn


def figures(content: str) -> dict[str, dict]:
    """The json_script figures of a page, by element id."""
    found = re.findall(r'<script id="([^"]+)" type="application/json">(.*?)</script>', content)
    return {key: json.loads(body) for key, body in found}


def assert_no_inline_script(content: str) -> None:
    for tag, body in re.findall(r"(<script[^>]*>)(.*?)</script>", content, flags=re.S):
        assert "src=" in tag or 'type="application/json"' in tag, tag
        if "src=" in tag:
            assert not body.strip()


@pytest.mark.parametrize(
    ("name", "extra"), [("trend", {}), ("executive_summary", {}), ("comments", {"code": "a"})]
)
def test_anonymous_user_is_sent_to_log_in(client, rounds, name, extra):
    response = client.get(page_url(name, rounds[1], **extra))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "extra"), [("trend", {}), ("executive_summary", {}), ("comments", {"code": "a"})]
)
def test_user_outside_leaders_gets_a_403(plain_client, rounds, name, extra):
    response = plain_client.get(page_url(name, rounds[1], **extra))
    assert response.status_code == 403


def test_unknown_round_or_dimension_is_404(leader_client, rounds):
    assert leader_client.get("/reports/nope/trend/").status_code == 404
    assert leader_client.get("/reports/nope/summary/").status_code == 404
    assert leader_client.get(page_url("comments", rounds[1], code="zz")).status_code == 404


# --- Trend -----------------------------------------------------------------------------------


def test_trend_page_orders_rounds_by_opening_and_shows_the_known_change(
    leader_client, rounds, django_assert_max_num_queries
):
    _spring, autumn = rounds
    # Session, user, groups, round; the choices (version, attributes); the results version;
    # the round's figures (items, profiles, answers, attributes, items); the trend (rounds,
    # items, answers, attributes); the audit trail's entry. None grows with the responses.
    with django_assert_max_num_queries(16):
        response = leader_client.get(page_url("trend", autumn))
    assert response.status_code == 200
    content = response.content.decode()
    assert [r["label"] for r in response.context["rounds"]] == ["Spring 2026", "Autumn 2026"]
    listed = content[content.index("Rounds, oldest first") :]
    assert listed.index("Spring 2026") < listed.index("Autumn 2026")
    change = {row["dimension_code"]: row for row in response.context["change"]}
    assert change["a"]["change_b"] == pytest.approx(50.0)
    assert change["a"]["verdict_b"] == "rose"
    assert change["a"]["verdict_a"] == "no clear change"
    assert change["a"]["gap_verdict"] == "narrowed"
    assert change["b"]["verdict_b"] == "no clear change"
    charts = figures(content)
    gap_lines = {trace["name"]: trace["y"] for trace in charts["figure-trend-gap"]["data"]}
    assert gap_lines["Dimension A"] == [45.8, -4.2]
    assert gap_lines["Dimension B"] == [0.0, 0.0]
    assert len(charts["figure-trend-scores"]["data"]) == 4  # 2 dimensions x 2 sides
    assert_no_inline_script(content)


def test_trend_of_a_single_round_says_there_is_nothing_to_compare(leader_client, rounds):
    response = leader_client.get(page_url("trend", rounds[0]))
    assert response.status_code == 200
    assert "first round of this questionnaire" in response.content.decode()
    assert "change" not in response.context


def test_trend_honours_each_rounds_threshold(leader_client, small_instrument):
    spring, autumn = two_rounds(small_instrument)
    spring.min_group_size = 11  # 10 per side: hidden in spring only
    spring.save()
    response = leader_client.get(page_url("trend", autumn))
    rows = [r for r in response.context["table"] if r["round"] == spring.slug]
    assert all(r["score_a"] is None and r["gap"] is None for r in rows)
    change = {row["dimension_code"]: row for row in response.context["change"]}
    assert change["a"]["verdict_b"] == "suppressed"
    assert "45.8" not in response.content.decode()


# --- Executive summary -----------------------------------------------------------------------


def test_summary_shows_index_top_breakdowns_with_guidance_and_participation(
    leader_client, rounds, django_assert_max_num_queries
):
    autumn = rounds[1]
    # Make dimension a a breakdown in the autumn round: Security falls back to 25-ish.
    Response.objects.filter(round=autumn).delete()
    responses_create_bulk(
        round=autumn,
        responses=[
            {
                "side": side,
                "function": "infrastructure",
                "level": "individual",
                "answers": (
                    {"a1": 4, "a2": 4, "a3": 2, "b1": 3, "b2": 3, "b3": 3}
                    if side == "it"
                    else {"a1": 2 + i % 2, "a2": 2, "a3": 4, "b1": 3, "b2": 3, "b3": 3}
                ),
            }
            for side in ("it", "security")
            for i in range(10)
        ],
    )
    # As the trend page (16), plus participation (invitations, responses) and the
    # dimensions' guidance.
    with django_assert_max_num_queries(19):
        response = leader_client.get(page_url("executive_summary", autumn))
    assert response.status_code == 200
    content = response.content.decode()
    # a: a breakdown (gap 45.8), b: aligned (gap 0) -> 1 of 2 dimensions not flagged: 50.
    assert response.context["alignment_index"] == pytest.approx(50.0)
    assert "<strong>50</strong>" in content
    assert "1 of 2 dimensions break down" in content
    findings = response.context["findings"]
    assert [f["dimension_code"] for f in findings] == ["a"]
    assert findings[0]["status"] == "breakdown"
    assert GUIDANCE_A in content
    assert '<td class="text-end">83%</td>' in content  # 20 of 24 invitations used
    assert response.context["participation"].total.answered == 20
    assert "Since the last round" in content
    assert_no_inline_script(content)
    assert "figure-gap" in figures(content)


def test_summary_reports_the_trend_since_the_last_round(leader_client, rounds):
    response = leader_client.get(page_url("executive_summary", rounds[1]))
    change = {row["dimension_code"]: row for row in response.context["change"]}
    assert change["a"]["verdict_b"] == "rose"
    assert response.context["previous_label"] == "Spring 2026"
    headline = response.context["change_headline"]
    assert headline["security_rose"] == ["Dimension A"]
    assert headline["narrowed"] == ["Dimension A"]
    assert headline["it_rose"] == headline["it_fell"] == headline["widened"] == []
    content = response.content.decode()
    assert "Security more favourable:</strong> Dimension A" in content


def test_summary_shows_the_participation_total_and_small_sides_read_fewer_than_k(
    leader_client, small_instrument
):
    survey_round = SurveyRoundFactory(instrument=small_instrument, slug="solo")
    responses_create_bulk(
        round=survey_round,
        responses=[{"side": "it", "function": "", "level": "", "answers": {"a1": 4}}] * 6
        + [{"side": "other", "function": "", "level": "", "answers": {"a1": 4}}] * 2,
    )
    response = leader_client.get(page_url("executive_summary", survey_round))
    content = response.content.decode()
    participation = response.context["participation"]
    rows = {row["label"]: row for row in participation.side_rows}
    assert rows["Other"]["answered"] is None  # reads "fewer than k"
    assert rows["Security"]["answered"] is None  # empty looks like small
    assert rows["IT"]["answered"] == 6
    # The total is shown: as published, 8 minus IT's 6 is an interval, not Other's 2.
    assert participation.total.answered == 8
    assert "fewer than 5" in content
    assert ">8<" in content
    assert ">2<" not in content


def test_summary_of_leaders_versus_staff_within_each_side(leader_client, small_instrument):
    survey_round = SurveyRoundFactory(instrument=small_instrument, slug="levels")
    high = {"a1": 5, "a2": 5, "a3": 1, "b1": 5, "b2": 5, "b3": 1}
    low = {"a1": 2, "a2": 2, "a3": 4, "b1": 2, "b2": 2, "b3": 4}
    specs = [("it", "executive", high, 5), ("it", "manager", high, 5), ("it", "individual", low, 6)]
    specs += [("security", "individual", low, 6), ("security", "manager", high, 2)]
    specs += [("other", "manager", low, 3), ("other", "individual", low, 5)]  # in no side
    responses_create_bulk(
        round=survey_round,
        responses=[
            {"side": side, "function": "", "level": level, "answers": answers}
            for side, level, answers, count in specs
            for _ in range(count)
        ],
    )
    response = leader_client.get(page_url("executive_summary", survey_round))
    leaders = {side["side"]: side for side in response.context["leaders"]}
    it = leaders["it"]["rows"][0]
    assert it["score_a"] == pytest.approx(100.0)
    assert it["score_b"] == pytest.approx(25.0)
    assert it["gap"] == pytest.approx(75.0)
    security = leaders["security"]["rows"][0]
    assert security["score_a"] is None  # 2 managers
    assert security["n_a"] is None
    # The 6 staff are shown: the side's published count minus theirs is an interval only.
    assert security["score_b"] == pytest.approx(25.0)
    assert security["n_b"] == 6
    assert "Leaders versus staff within each side" in response.content.decode()
    filtered = leader_client.get(
        page_url("executive_summary", survey_round), {"level": "individual"}
    )
    assert filtered.context["leaders"] == []
    assert "Not shown while a filter is on" in filtered.content.decode()


def test_a_filter_that_stays_above_the_threshold_shows_filtered_figures(
    leader_client, rounds, django_assert_max_num_queries
):
    autumn = rounds[1]
    responses_create_bulk(
        round=autumn,
        responses=[
            {"side": side, "function": "", "level": "manager", "answers": {"a1": 1, "a2": 1}}
            for side in ("it", "security")
            for _ in range(6)
        ],
    )
    # As unfiltered (19), plus the attributes a filter reads.
    with django_assert_max_num_queries(20):
        response = leader_client.get(page_url("executive_summary", autumn), {"level": "individual"})
    assert response.status_code == 200
    assert response.context["active_filters"] == [("Level", "Individual contributor")]
    assert response.context["respondents"] == 20
    # Only the individual contributors: IT 75 on a, as in the known data.
    scorecard = {row["dimension_code"]: row for row in response.context["scorecard"]}
    assert scorecard["a"]["score_a"] == pytest.approx(75.0)
    assert not response.context["too_few"]


def test_a_filter_leaving_fewer_than_k_shows_not_enough_responses(leader_client, rounds):
    autumn = rounds[1]
    responses_create_bulk(
        round=autumn,
        responses=[{"side": "it", "function": "", "level": "manager", "answers": {"a1": 1}}] * 3,
    )
    response = leader_client.get(page_url("executive_summary", autumn), {"level": "manager"})
    content = response.content.decode()
    assert response.context["too_few"]
    assert "it leaves fewer than 5 respondents" in content
    assert "findings" not in response.context
    assert "figure-gap" not in content
    trend = leader_client.get(page_url("trend", autumn), {"level": "manager"})
    assert trend.context["too_few"]
    assert "figures" not in trend.context


def test_a_filtered_side_is_shown_beside_the_whole_side(leader_client, rounds):
    autumn = rounds[1]
    responses_create_bulk(
        round=autumn,
        responses=[{"side": "it", "function": "", "level": "manager", "answers": {"a1": 1}}] * 2
        + [{"side": "security", "function": "", "level": "manager", "answers": {"a1": 5}}] * 5,
    )
    response = leader_client.get(page_url("executive_summary", autumn), {"level": "individual"})
    scorecard = {row["dimension_code"]: row for row in response.context["scorecard"]}
    # IT's 10 individual contributors = IT (12) minus its 2 managers, shown all the same:
    # as published, that difference is an interval, not the 2.
    assert scorecard["a"]["n_a"] == 10
    assert scorecard["a"]["score_a"] == pytest.approx(75.0)
    assert scorecard["a"]["n_b"] == 10
    assert response.context["hidden_sides"] == []
    assert "With these filters" not in response.content.decode()


def test_attribute_filters_offer_only_values_held_by_k_respondents(leader_client, rounds):
    autumn = rounds[1]
    responses_create_bulk(
        round=autumn,
        responses=[{"side": "security", "function": "", "level": "", "answers": {"a1": 5}}] * 10,
    )
    security = list(
        Response.objects.filter(round=autumn, side="security")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Response.objects.filter(round=autumn).update(attributes={"region": "north"})
    Response.objects.filter(pk__in=security[-6:-1]).update(attributes={"region": "south"})
    Response.objects.filter(pk=security[-1]).update(attributes={"region": "antarctica"})
    response = leader_client.get(page_url("executive_summary", autumn))
    field = response.context["filter_form"].fields["attr.region"]
    # antarctica (1) is below k; south (5) is offered, though the round minus north and
    # south would be the 1 (as published, an interval).
    assert [value for value, _ in field.choices] == ["", "north", "south"]
    filtered = leader_client.get(page_url("executive_summary", autumn), {"attr.region": "north"})
    assert filtered.context["active_filters"] == [("Region", "north")]
    north = Response.objects.filter(round=autumn, attributes__region="north").count()
    assert filtered.context["respondents"] == north
    assert filtered.context["hidden_sides"] == []
    refused = leader_client.get(
        page_url("executive_summary", autumn), {"attr.region": "antarctica"}
    )
    assert refused.status_code == 200
    assert refused.context["filter_problems"]
    assert not refused.context["filtered"]


def test_an_invalid_filter_value_is_ignored_with_a_message(leader_client, rounds):
    response = leader_client.get(page_url("executive_summary", rounds[1]), {"level": "pharaoh"})
    assert response.status_code == 200
    assert response.context["filter_problems"]
    assert "not available" in response.content.decode()
    assert response.context["respondents"] == 20


def test_summary_page_links_print_stylesheet_and_hides_controls_on_paper(leader_client, rounds):
    content = leader_client.get(page_url("executive_summary", rounds[1])).content.decode()
    assert "reports/print.css" in content
    assert "reports/over_time.js" in content
    assert "data-print hidden" in content  # shown by the script only


def test_pages_of_a_round_without_responses_show_an_empty_state(leader_client, rounds):
    spring, _autumn = rounds
    later = SurveyRoundFactory(instrument=spring.instrument, slug="winter", name="Winter")
    summary = leader_client.get(page_url("executive_summary", later))
    assert summary.status_code == 200
    assert "No responses yet" in summary.content.decode()
    trend = leader_client.get(page_url("trend", later))
    assert trend.status_code == 200
    change = {row["dimension_code"]: row for row in trend.context["change"]}
    assert change["a"]["verdict_b"] == "suppressed"
    rows = [r for r in trend.context["table"] if r["round"] == "winter"]
    assert all(r["gap"] is None for r in rows)


def test_round_names_are_escaped_in_the_trend_chart(leader_client, rounds):
    spring, autumn = rounds
    spring.name = "<b>Spring</b> & co"
    spring.save()
    content = leader_client.get(page_url("trend", autumn)).content.decode()
    charts = figures(content)
    ticks = charts["figure-trend-gap"]["layout"]["xaxis"]["categoryarray"]
    assert ticks[0] == "&lt;b&gt;Spring&lt;/b&gt; &amp; co"
    assert "<b>Spring</b>" not in content


def test_the_trend_charts_write_numbers_with_the_spanish_decimal_comma(leader_client, rounds):
    """Issue 17: the axes and hovers of the trend charts follow the reader's language."""
    _spring, autumn = rounds
    content = leader_client.get(page_url("trend", autumn), HTTP_ACCEPT_LANGUAGE="es").content
    charts = figures(content.decode())

    for key in ("figure-trend-gap", "figure-trend-scores"):
        assert charts[key]["layout"]["separators"] == plotly_separators("es"), key
        texts = figure_texts(charts[key])
        assert not [t for t in texts if ENGLISH_DECIMAL.search(t)], key
        assert any(COMMA_DECIMAL.search(t) for t in texts), key
    hovers = [h for trace in charts["figure-trend-gap"]["data"] for h in trace["hovertext"]]
    assert any(h.endswith("+45,8 puntos") for h in hovers), hovers


def test_a_lone_round_without_responses_renders_both_pages(leader_client, small_instrument):
    survey_round = SurveyRoundFactory(instrument=small_instrument, slug="lone")
    assert leader_client.get(page_url("executive_summary", survey_round)).status_code == 200
    trend = leader_client.get(page_url("trend", survey_round))
    assert trend.status_code == 200
    assert "first round of this questionnaire" in trend.content.decode()


def test_trend_across_versions_says_how_many_statements_are_shared(leader_client, rounds):
    spring = rounds[0]
    newer = InstrumentFactory(slug=spring.instrument.slug, version="2")
    dimension = DimensionFactory(instrument=newer, code="a", name="Dimension A", order=0)
    for n in (1, 2):
        ItemFactory(dimension=dimension, code=f"a{n}", order=n)
    winter = SurveyRoundFactory(instrument=newer, slug="winter", name="Winter")
    response = leader_client.get(page_url("trend", winter))
    assert response.status_code == 200
    assert "statements they share (statements: 2; dimensions: 1)" in response.content.decode()
    assert {row["dimension_code"] for row in response.context["table"]} == {"a"}


def test_a_round_nobody_answered_is_not_the_previous_round(leader_client, rounds):
    """Found by a fresh-user trial: an empty round created before this one became "the
    previous round" of the executive summary and a column of the trend."""
    spring, autumn = rounds
    SurveyRoundFactory(
        instrument=autumn.instrument,
        name="Empty summer",
        slug="empty-summer",
        opens_at=spring.opens_at + (autumn.opens_at - spring.opens_at) / 2,
    )
    trend = leader_client.get(page_url("trend", autumn))
    assert [r["label"] for r in trend.context["rounds"]] == ["Spring 2026", "Autumn 2026"]
    summary = leader_client.get(page_url("executive_summary", autumn))
    assert summary.context["previous_label"] == "Spring 2026"


@pytest.mark.parametrize("page", ["executive_summary", "trend"])
def test_a_comparison_in_the_address_is_named_as_not_used(leader_client, rounds, page):
    """Both pages always compare IT with Security: a comparison asked for is not dropped
    silently."""
    plain = leader_client.get(page_url(page, rounds[1])).content.decode()
    asked = leader_client.get(page_url(page, rounds[1]) + "?attribute=level&a=manager&b=individual")
    assert asked.status_code == 200
    message = "This page always compares IT with Security"
    assert message in asked.content.decode()
    assert message not in plain
