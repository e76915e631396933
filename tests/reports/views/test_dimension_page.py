"""A dimension's page: its guidance, statements, Likert bars and mirror pairs, small groups
hidden, the cache and bounded queries, and which dimensions have a page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.reports.pages import dashboard_url, dimension_url, page_text

pytestmark = pytest.mark.django_db


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
