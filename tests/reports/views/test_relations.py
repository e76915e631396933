"""Tests of instrument v2's leader views and downloads on a small v2 round: the perceptions
and drivers pages, the blame pattern in the story and the executive summary, the don't-know
share on the dimension page and the dont_know, perceptions and mirror_pairs files; and a v1
round, which renders every page with these sections absent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from survey.models import Answer, SurveyRound
from tests.factories import DimensionFactory, InstrumentFactory, ItemFactory, SurveyRoundFactory
from tests.reports.pages import export_url, page_url, read_csv, read_csv_records

pytestmark = pytest.mark.django_db

# 6 IT and 6 Security respondents (k = 5). Each side rates its own behaviour 5 and the
# other's 2 (blame); IT guesses Security answers ei1 with 2, Security answers it 2 or 1.
IT_ROWS = [{"ei1": 5, "ei2": 2, "b1": b, "b2": b, "overall": b} for b in (1, 2, 3, 4, 5, 5)]
SECURITY_ROWS = [{"ei1": 2, "ei2": 5, "b1": 3, "b2": 3, "overall": o} for o in (2, 3, 3, 4, 2, 4)]


@pytest.fixture
def v2_round(make_responses) -> SurveyRound:
    instrument = InstrumentFactory(
        slug="v2-small", version="2", dont_know_label="Don't know", title="Small v2"
    )
    ei = DimensionFactory(instrument=instrument, code="ei", name="Early involvement", order=0)
    b = DimensionFactory(instrument=instrument, code="b", name="Budgets", order=1)
    outcome = DimensionFactory(instrument=instrument, code="outcome", name="Overall", order=2)
    ei1 = ItemFactory(
        dimension=ei,
        code="ei1",
        text="IT involves security early.",
        order=1,
        about="it",
        meta_perception=True,
    )
    ei2 = ItemFactory(
        dimension=ei,
        code="ei2",
        text="Security involves IT early.",
        order=2,
        about="security",
        mirror_of=ei1,
    )
    ei1.mirror_of = ei2
    ei1.save()
    ItemFactory(dimension=b, code="b1", text="Budgets are planned together.", order=1)
    ItemFactory(dimension=b, code="b2", text="Roadmaps are shared.", order=2)
    ItemFactory(
        dimension=outcome,
        code="overall",
        kind="outcome",
        order=1,
        text="Overall, IT and security work well together here.",
    )
    survey_round = SurveyRoundFactory(instrument=instrument, slug="v2", min_group_size=5)
    responses = make_responses(
        survey_round, [("it", row) for row in IT_ROWS] + [("security", r) for r in SECURITY_ROWS]
    )
    it, security = responses[:6], responses[6:]
    Answer.objects.filter(response__in=it, item__code="ei1").update(predicted_other=2)
    Answer.objects.filter(response__in=security, item__code="ei1").update(predicted_other=1)
    # Two IT respondents and one Security respondent don't know about roadmaps.
    for response in [*it[:2], security[0]]:
        Answer.objects.filter(response=response, item__code="b2").update(value=None, dont_know=True)
    return survey_round


def test_perceptions_page_shows_meta_perceptions_and_the_blame_pattern(leader_client, v2_round):
    response = leader_client.get(page_url("perceptions", v2_round))
    assert response.status_code == 200
    text = response.content.decode()
    assert "How each side thinks the other sees it" in text
    assert 'data-pattern="blame"' in text
    # IT answers ei1 with 5 (100), guesses Security at 2 (25); Security answers 2 (25).
    statements = response.context["statements"]
    it = next(row for row in statements if row["side"] == "it")
    assert (it["own_score"], it["predicted_other_score"], it["other_actual_score"]) == (
        pytest.approx(100.0),
        pytest.approx(25.0),
        pytest.approx(25.0),
    )
    security = next(row for row in statements if row["side"] == "security")
    assert security["misperception"] == pytest.approx(0.0 - 100.0)  # guesses 1 (0), IT says 100


def test_drivers_page_names_the_top_driver(leader_client, v2_round):
    response = leader_client.get(page_url("drivers", v2_round))
    assert response.status_code == 200
    it = next(side for side in response.context["sides"] if side["side"] == "it")
    # IT's budgets score equals its outcome answer, where it answered both: r = 1.
    assert it["top"]["dimension_code"] == "b"
    assert it["top"]["r"] == 1.0
    assert "For IT, the overall rating goes most closely with Budgets" in response.content.decode()


def test_blame_appears_in_the_story_and_the_executive_summary(leader_client, v2_round):
    dashboard = leader_client.get(page_url("dashboard", v2_round))
    assert dashboard.status_code == 200
    blame = dashboard.context["story"]["blame"]
    assert [pair["texts"] for pair in blame] == [
        ["IT involves security early.", "Security involves IT early."]
    ]
    summary = leader_client.get(page_url("executive_summary", v2_round))
    assert summary.status_code == 200
    assert "Blame between the two sides" in summary.content.decode()


def test_dimension_page_shows_the_dont_know_share(leader_client, v2_round):
    response = leader_client.get(page_url("dimension", v2_round, code="b"))
    assert response.status_code == 200
    shares = {
        row["group"]: row["dont_know_pct"]
        for row in response.context["likert_rows"]
        if row["item_code"] == "b2"
    }
    assert shares["IT"] == pytest.approx(100 * 2 / 6)
    assert shares["Security"] == pytest.approx(100 / 6)
    assert "Don&#x27;t know" in response.content.decode()


def test_dont_know_download(leader_client, v2_round):
    response = leader_client.get(export_url(v2_round, "dont_know"))
    assert response.status_code == 200
    records = read_csv_records(response)
    assert list(records[0]) == [
        "item_code",
        "dimension_code",
        "attribute",
        "group",
        "n",
        "dont_know_n",
        "dont_know_pct",
        "disclosure",
    ]
    b2_it = next(r for r in records if r["item_code"] == "b2" and r["group"] == "it")
    assert (b2_it["n"], b2_it["dont_know_n"], b2_it["dont_know_pct"]) == ("6", "2", "33.33")
    b1_it = next(r for r in records if r["item_code"] == "b1" and r["group"] == "it")
    assert b1_it["dont_know_pct"] == "0.0"


def test_perceptions_download_has_the_documented_columns(leader_client, v2_round):
    response = leader_client.get(export_url(v2_round, "perceptions"))
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0] == [
        "item_code",
        "side",
        "own_score",
        "predicted_other_score",
        "other_actual_score",
        "misperception",
        "n_side",
        "n_other",
        "disclosure",
    ]
    assert rows[1][:8] == ["ei1", "it", "100.0", "25.0", "25.0", "0.0", "6", "6"]
    assert rows[2][:8] == ["ei1", "security", "25.0", "0.0", "100.0", "-100.0", "6", "6"]


def test_mirror_pairs_download_and_command_agree(leader_client, v2_round, tmp_path):
    response = leader_client.get(export_url(v2_round, "mirror_pairs"))
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0] == [
        "pair",
        "item_about_it",
        "item_about_security",
        "it_rates_it",
        "it_rates_security",
        "security_rates_it",
        "security_rates_security",
        "pattern",
        "disclosure",
    ]
    assert rows[1][:8] == ["1", "ei1", "ei2", "100.0", "25.0", "25.0", "100.0", "blame"]
    path = tmp_path / "mirror_pairs.csv"
    call_command("export_csv", "v2", "--kind", "mirror_pairs", "--output", str(path))
    assert path.read_bytes().decode("utf-8-sig").splitlines()[1].startswith("1,ei1,ei2,")
    call_command("export_csv", "v2", "--kind", "perceptions", "--output", str(path))
    assert path.read_bytes().decode("utf-8-sig").startswith("item_code,side,own_score")


@pytest.mark.parametrize("name", ["perceptions", "drivers", "dashboard", "executive_summary"])
def test_a_v1_round_renders_without_the_v2_sections(leader_client, populated_round, name):
    response = leader_client.get(page_url(name, populated_round))
    assert response.status_code == 200
    if name == "dashboard":
        assert response.context["story"]["blame"] is None
        assert not response.context["has_perceptions"]
    if name == "perceptions":
        assert response.context["statements"] == []
        assert response.context["mirror_patterns"] == []
    if name == "drivers":
        assert response.context["outcome_text"] == ""


@pytest.mark.parametrize("kind", ["perceptions", "mirror_pairs", "dont_know"])
def test_v1_round_downloads_have_a_header(leader_client, populated_round, kind):
    response = leader_client.get(export_url(populated_round, kind))
    assert response.status_code == 200
    assert len(read_csv(response)) >= 1


@pytest.mark.perturbed
def test_perturbed_relations_are_the_same_in_every_download(leader_client, v2_round):
    """Under the cell-key method the figures move, but the same respondents give the same
    published figures on every request, and groups stay shown or hidden by cell_shown."""
    first = read_csv(leader_client.get(export_url(v2_round, "perceptions")))
    again = read_csv(leader_client.get(export_url(v2_round, "perceptions")))
    assert first == again
    assert leader_client.get(page_url("perceptions", v2_round)).status_code == 200
    assert leader_client.get(page_url("drivers", v2_round)).status_code == 200
    patterns = read_csv(leader_client.get(export_url(v2_round, "mirror_pairs")))
    assert patterns[1][7] in {"blame", "mixed", "suppressed"}


@pytest.mark.parametrize("page", ["perceptions", "drivers"])
def test_a_filter_in_the_address_is_named_as_not_used(leader_client, v2_round, page):
    url = reverse(f"reports:{page}", kwargs={"slug": v2_round.slug})
    assert "is not used here" not in leader_client.get(url).content.decode()
    assert "is not used here" in leader_client.get(url + "?level=manager").content.decode()
