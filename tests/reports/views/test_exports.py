"""Tests of reports.views.exports: the CSV downloads of a round (responses, summary, gaps)."""

from __future__ import annotations

import pytest

from tests.conftest import IT_ANSWERS
from tests.factories import SurveyRoundFactory
from tests.reports.pages import export_url, read_csv, read_csv_records

pytestmark = pytest.mark.django_db


def test_responses_download_has_headers_and_one_row_per_response(analyst_client, populated_round):
    response = analyst_client.get(export_url(populated_round, "responses"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="autumn-responses.csv"'
    rows = read_csv(response)
    # Likert items only: comments are never exported (every round is anonymous).
    assert rows[0] == [
        "row",
        "side",
        "function",
        "level",
        "submitted_month",
        "a1",
        "a2",
        "a3",
        "b1",
        "b2",
        "b3",
    ]
    # 6 IT and 5 Security rows; the 2 'other' rows fit no group of k = 5 and are left out.
    assert len(rows) == 1 + 11
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 12)]
    assert {r[1] for r in rows[1:]} == {"it", "security"}
    it_row = next(r for r in rows[1:] if r[1] == "it")
    assert it_row[1:5] == ["it", "infrastructure", "individual", "2026-11"]
    assert it_row[5:8] == ["5", "4", "1"]
    assert not any("HYPERLINK" in cell for row in rows for cell in row)


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
        "rwg_j",
        "ad",
        "alpha",
        "alpha_note",
        "polarised",
        "disclosure",
    ]
    by_key = {(r[0], r[2]): r for r in rows[1:]}
    assert set(by_key) == {(d, g) for d in "ab" for g in ("it", "security", "other", "all")}
    assert by_key[("a", "it")][3:5] == ["6", "91.67"]
    assert by_key[("a", "it")][7:9] == ["1.0", "0.0"]  # identical answers: rwg 1, AD 0
    # ... and no alpha: nothing varies, said as for items that do not vary together.
    assert by_key[("a", "it")][9:11] == ["", "items_disagree"]
    assert by_key[("a", "other")][:-1] == ["a", "side", "other", *[""] * 9]
    # "all" is everyone, the 2 'other' respondents included: as published, "all" minus IT
    # and Security is an interval, not their number.
    assert by_key[("a", "all")][3] == "13"


def test_summary_download_leaves_a_negative_alpha_blank_with_its_reason(
    leader_client, negative_alpha_round
):
    """Issue 18: summary.csv printed a dimension's alpha of −8.1 bare. IT's answers to
    dimension a give −8.1: the cell is blank and alpha_note says why."""
    rows = read_csv_records(leader_client.get(export_url(negative_alpha_round, "summary")))
    records = {(r["dimension_code"], r["group"]): r for r in rows}
    it_a, it_b = records[("a", "it")], records[("b", "it")]
    assert (it_a["alpha"], it_a["alpha_note"]) == ("", "items_disagree")
    assert it_a["n"] == "5"  # shown: the group is not small
    assert (it_b["alpha"], it_b["alpha_note"]) == ("1.0", "")
    assert records[("a", "security")]["alpha_note"] == ""


def test_export_of_another_round_does_not_mix(analyst_client, populated_round, make_responses):
    other = SurveyRoundFactory(instrument=populated_round.instrument, slug="other")
    make_responses(other, [("it", IT_ANSWERS)] * 5)
    rows = read_csv(analyst_client.get(export_url(other, "responses")))
    assert len(rows) == 1 + 5


def test_gaps_download_has_the_documented_columns(leader_client, populated_round):
    response = leader_client.get(export_url(populated_round, "gaps"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="autumn-gaps.csv"'
    rows = read_csv(response)
    assert rows[0] == [
        "dimension_code",
        "attribute",
        "group_a",
        "group_b",
        "n_a",
        "n_b",
        "score_a",
        "score_b",
        "gap",
        "gap_ci_low",
        "gap_ci_high",
        "rank_biserial",
        "p_value",
        "q_value",
        "status",
        "disclosure",
    ]
    a = rows[1]
    assert a[:8] == ["a", "side", "it", "security", "6", "5", "91.67", "25.0"]
    assert a[8] == "66.67"
    # every answer alike within each group: no spread, so the interval is the gap itself
    assert a[9:11] == ["66.7", "66.7"]
    assert a[11] == "1.0"
    assert 0 < float(a[13]) < 0.05
    assert a[14] == "breakdown"


def test_gaps_download_follows_the_comparison_in_the_query(leader_client, levels_round):
    rows = read_csv(
        leader_client.get(
            export_url(levels_round, "gaps"),
            {"attribute": "level", "a": "executive+manager", "b": "individual"},
        )
    )
    assert rows[1][1:6] == ["level", "executive+manager", "individual", "10", "11"]


@pytest.mark.parametrize(
    ("kind", "query", "message"),
    [
        ("summary", "attribute=level", "summary.csv does not take a comparison"),
        ("gaps", "bom=2", "bom must be 1"),
        ("summary", "bom=abc", "bom must be 1"),
        ("gaps", "level=manager", "Downloads always cover the whole round"),
        ("dont_know", "level=manager", "Downloads always cover the whole round"),
    ],
)
def test_a_download_refuses_what_it_cannot_honour_in_words(
    leader_client, survey_round, kind, query, message
):
    response = leader_client.get(export_url(survey_round, kind, query))
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "query", "name"),
    [
        ("summary", "bom=1&bom=0", "bom"),
        ("gaps", "bom=0&bom=0", "bom"),
        ("gaps", "attribute=side&a=it&a=security&b=security", "a"),
        ("dont_know", "attribute=side&attribute=level", "attribute"),
    ],
)
def test_a_download_refuses_a_parameter_given_twice_naming_it(
    leader_client, populated_round, kind, query, name
):
    """Found by a fresh-user trial: ?bom=1&bom=0 downloaded with the last value in silence.
    A download is refused rather than guessed: the page names the repeated parameter (and
    does not claim that the last value was used)."""
    response = leader_client.get(export_url(populated_round, kind, query))
    assert response.status_code == 400
    content = response.content.decode()
    assert f"The address gives “{name}” 2 times: give it once." in content
    assert "is used" not in content
    assert "Content-Disposition" not in response
