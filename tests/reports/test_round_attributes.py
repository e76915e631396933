"""Issue 5: the dashboard, its dimension pages and gaps.csv compare two values of a round's
own profile attribute (imported with the responses or declared by the round), with the
same suppression as side, level and function."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from reports.choices import RoundAttribute, round_choices
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS

pytestmark = pytest.mark.django_db

REGION_QUERY = {"attribute": "region", "a": "EMEA", "b": "APAC"}


@pytest.fixture
def regions_round(survey_round, make_responses):
    """k = 5: 6 EMEA (IT-like answers), 6 APAC (Security-like), 2 Mars, 3 with no region."""
    specs = (
        [("it", IT_ANSWERS)] * 6
        + [("security", SECURITY_ANSWERS)] * 6
        + [("it", IT_ANSWERS)] * 2
        + [("security", SECURITY_ANSWERS)] * 3
    )
    regions = [{"region": "EMEA"}] * 6 + [{"region": "APAC"}] * 6 + [{"region": "Mars"}] * 2
    make_responses(survey_round, specs, attributes=[*regions, {}, {}, {}])
    return survey_round


def test_round_attributes_offer_only_values_held_by_k_respondents(regions_round):
    assert round_choices(round=regions_round).attributes == (
        RoundAttribute(name="region", label="Region", groups=("APAC", "EMEA")),
    )


def test_declared_attributes_keep_their_label_and_order(regions_round):
    regions_round.profile_attributes = [
        {"name": "region", "label": "Sales region", "choices": ["EMEA", "Mars", "APAC"]}
    ]
    regions_round.save()
    assert round_choices(round=regions_round).attributes == (
        RoundAttribute(name="region", label="Sales region", groups=("EMEA", "APAC")),
    )


def test_dashboard_compares_two_regions(leader_client, regions_round):
    url = reverse("reports:dashboard", kwargs={"slug": regions_round.slug})
    response = leader_client.get(url, REGION_QUERY)
    assert response.status_code == 200
    context = response.context
    assert context["comparison_problems"] == []
    assert (context["label_a"], context["label_b"]) == ("EMEA", "APAC")
    assert {row["n_a"] for row in context["scorecard"]} == {6}
    assert {row["n_b"] for row in context["scorecard"]} == {6}
    # Every IT respondent answered alike, every Security one too, and EMEA holds only IT,
    # APAC only Security answers: the region gaps equal the side gaps, none is zero.
    by_side = {
        row["dimension_code"]: row["gap"] for row in leader_client.get(url).context["scorecard"]
    }
    by_region = {row["dimension_code"]: row["gap"] for row in context["scorecard"]}
    assert by_region == pytest.approx(by_side)
    assert all(gap != 0 for gap in by_region.values())
    body = response.content.decode()
    assert "Region: APAC versus EMEA" in body  # the quick link
    assert "Mars" not in body  # a value held by fewer than k is never named


def test_dashboard_refuses_a_small_region_with_a_message(leader_client, regions_round):
    url = reverse("reports:dashboard", kwargs={"slug": regions_round.slug})
    response = leader_client.get(url, {"attribute": "region", "a": "Mars", "b": "APAC"})
    assert response.status_code == 200
    assert response.context["comparison"].group_a == ("APAC",)  # the attribute's default
    assert any("cannot be compared" in p for p in response.context["comparison_problems"])
    assert "Mars" not in "".join(
        str(row) for row in response.context["scorecard"] + response.context["summary"]
    )


def test_dimension_page_and_gaps_export_follow_the_region_comparison(leader_client, regions_round):
    page = leader_client.get(
        reverse("reports:dimension", kwargs={"slug": regions_round.slug, "code": "a"}),
        REGION_QUERY,
    )
    assert page.status_code == 200
    assert page.context["summary"]["n_a"] == 6
    download = leader_client.get(
        reverse("reports:export", kwargs={"slug": regions_round.slug, "kind": "gaps"}),
        REGION_QUERY,
    )
    rows = list(
        csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
    )
    assert {(row["attribute"], row["group_a"], row["group_b"]) for row in rows} == {
        ("region", "EMEA", "APAC")
    }
    assert {row["n_a"] for row in rows} == {"6"}


# --- the round's own question in the reader's language (issue 17) ---------------------------

REGION_FR = {
    "name": "region",
    "label": "Sales region",
    "choices": ["EMEA", "Mars", "APAC"],
    "translations": {"fr": {"label": "Région", "choices": ["EMEA", "Mars", "Asie-Pacifique"]}},
}


@pytest.fixture
def french_regions_round(regions_round):
    regions_round.profile_attributes = [REGION_FR]
    regions_round.save()
    return regions_round


def test_round_choices_name_the_question_and_its_values_in_the_active_language(
    french_regions_round,
):
    with translation.override("fr"):
        french = round_choices(round=french_regions_round).attributes
    english = round_choices(round=french_regions_round).attributes
    assert french == (
        RoundAttribute(
            name="region",
            label="Région",
            groups=("EMEA", "APAC"),  # the stored values, in every language
            value_labels={"APAC": "Asie-Pacifique"},
        ),
    )
    assert english == (
        RoundAttribute(name="region", label="Sales region", groups=("EMEA", "APAC")),
    )


def test_french_dashboard_filters_and_compares_with_translated_labels(
    leader_client, french_regions_round
):
    url = reverse("reports:dashboard", kwargs={"slug": french_regions_round.slug})
    page = leader_client.get(
        url, {**REGION_QUERY, "attr.region": "APAC"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert page.status_code == 200
    context = page.context
    assert context["filter_problems"] == []
    field = context["filter_form"].fields["attr.region"]
    assert field.label == "Région"
    assert ("APAC", "Asie-Pacifique") in field.choices  # the value sent stays the stored one
    assert context["active_filters"] == [("Région", "Asie-Pacifique")]
    assert (context["label_a"], context["label_b"]) == ("EMEA", "Asie-Pacifique")
    assert context["attribute_label"] == "Région"
    form = context["comparison_form"]
    assert ("region", "Région") in form.fields["attribute"].choices
    assert ("APAC", "Asie-Pacifique") in form.fields["b"].widget.choices
    assert context["attribute_links"][0]["b"] == "Asie-Pacifique"
    page = leader_client.get(url, REGION_QUERY, HTTP_ACCEPT_LANGUAGE="fr")  # unfiltered
    assert "Asie-Pacifique" in {row["group_label"] for row in page.context["summary"]}
    body = page.content.decode()
    assert "Asie-Pacifique" in body
    assert "Sales region" not in body
    # The same page in English, cached apart: the labels as typed.
    english = leader_client.get(url, {**REGION_QUERY, "attr.region": "APAC"})
    assert english.context["active_filters"] == [("Sales region", "APAC")]
    assert "Asie-Pacifique" not in english.content.decode()


def test_a_translated_value_in_the_query_is_not_a_group(leader_client, french_regions_round):
    url = reverse("reports:dashboard", kwargs={"slug": french_regions_round.slug})
    page = leader_client.get(
        url,
        {
            "attribute": "region",
            "a": "EMEA",
            "b": "Asie-Pacifique",
            "attr.region": "Asie-Pacifique",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert page.status_code == 200
    assert page.context["comparison_problems"]
    assert page.context["filter_problems"]
    assert page.context["active_filters"] == []
