"""Tests of the anonymity promises across pages and downloads: suppression of every figure
below k, differencing, comments and the anonymised responses export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
from django.test import override_settings
from django.urls import reverse

from reports.results import round_export
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.reports.pages import export_url, read_csv_records

pytestmark = pytest.mark.django_db

NOT_ENOUGH = "not enough responses"
SECURITY_SCORE_A = 25.0  # dimension a of SECURITY_ANSWERS, see tests/conftest.py


# --- Every figure of a group of 2 is suppressed ----------------------------------------------


def test_dashboard_shows_no_number_of_a_group_of_two(leader_client, lopsided_round):
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    context = response.context
    for row in context["scorecard"]:
        assert row["score_b"] is None
        assert row["n_b"] is None
        assert row["gap"] is None
        assert row["status"] == "suppressed"
        assert row["score_a"] is not None  # the group of 30 is shown
    # Heatmap table: Security suppressed; its 2 respondents are left out of every figure,
    # so "all" is the 30 of IT alone and nothing can be subtracted to find them.
    for row in context["summary"]:
        if row["group"] in {"security", "other"}:
            assert row["suppressed"]
            assert row["n"] is None
            assert row["score_mean"] is None
        else:
            assert row["n"] == 30
    assert context["alignment_index"] is None


def test_charts_carry_no_point_of_a_group_of_two(leader_client, lopsided_round):
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    figures = response.context["figures"]
    heatmap = figures["heatmap"]["data"][0]
    columns = heatmap["x"]
    for name in ("Security", "Other"):
        column = columns.index(name)
        assert all(row[column] is None for row in heatmap["z"])
    radar = {trace["name"]: trace for trace in figures["radar"]["data"]}
    assert all(value is None for value in radar["Security"]["r"])
    assert all(value is not None for value in radar["IT"]["r"])
    gap_bars = [x for trace in figures["gap"]["data"] for x in trace.get("x") or []]
    assert gap_bars == []  # every gap needs both groups
    assert str(SECURITY_SCORE_A) not in json.dumps(figures)


def test_item_distributions_of_a_group_of_two_are_suppressed(leader_client, lopsided_round):
    url = reverse("reports:dimension", kwargs={"slug": "autumn", "code": "a"})
    response = leader_client.get(url)
    rows = response.context["likert_rows"]
    security = [row for row in rows if row["group"] == "Security"]
    assert security
    assert all(row["suppressed"] and row["pcts"] == [None] * 5 for row in security)
    likert = response.context["figures"]["likert"]
    # Bars alternate IT, Security per statement: every Security bar is empty.
    assert likert["layout"]["yaxis"]["ticktext"][:2] == ["IT", "Security"]
    for trace in likert["data"]:
        assert all(x is None for x in trace["x"][1::2])
        assert all(x is not None for x in trace["x"][0::2])
    assert all(
        row["n_b"] is None and row["score_b"] is None for row in response.context["item_rows"]
    )


def test_summary_and_gaps_csv_rows_of_a_group_of_two_are_blank(leader_client, lopsided_round):
    summary = read_csv_records(leader_client.get(export_url(lopsided_round, "summary")))
    for row in summary:
        if row["group"] in {"security", "other"}:
            assert [row[c] for c in ("n", "score_mean", "favourable_pct", "rwg_j")] == [""] * 4
        else:  # IT, and "all": the same 30 (the 2 are left out of every figure)
            assert row["n"] == "30"
    gaps = read_csv_records(leader_client.get(export_url(lopsided_round, "gaps")))
    assert {row["status"] for row in gaps} == {"suppressed"}
    assert all(row["n_b"] == row["score_b"] == row["gap"] == row["p_value"] == "" for row in gaps)


def test_a_comparison_by_function_hides_a_small_function(
    leader_client, survey_round, make_responses
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 8, function="infrastructure")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 2, function="identity")
    query = "attribute=function&a=infrastructure&b=identity"
    response = leader_client.get(
        reverse("reports:dashboard", kwargs={"slug": "autumn"}) + "?" + query
    )
    assert response.context["comparison_problems"] == []
    assert all(row["score_b"] is None for row in response.context["scorecard"])
    gaps = read_csv_records(leader_client.get(export_url(survey_round, "gaps", query)))
    assert all(row["score_b"] == "" and row["n_b"] == "" for row in gaps)


def test_a_pooled_group_with_a_small_part_is_hidden(leader_client, survey_round, make_responses):
    """executive+manager would give the 2 executives away once managers alone are shown."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6, level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 6, level="individual")
    query = "attribute=level&a=executive%2Bmanager&b=individual"
    response = leader_client.get(
        reverse("reports:dashboard", kwargs={"slug": "autumn"}) + "?" + query
    )
    assert all(row["score_a"] is None for row in response.context["scorecard"])


def test_an_empty_group_looks_the_same_as_a_small_one(leader_client, survey_round, make_responses):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("other", IT_ANSWERS)] * 2)
    content = leader_client.get(
        reverse("reports:dashboard", kwargs={"slug": "autumn"})
    ).content.decode()
    summary = {
        (row["dimension_code"], row["group"]): row
        for row in leader_client.get(
            reverse("reports:dashboard", kwargs={"slug": "autumn"})
        ).context["summary"]
    }
    empty, small = summary[("a", "security")], summary[("a", "other")]
    assert {k: v for k, v in empty.items() if k not in {"group", "group_label"}} == {
        k: v for k, v in small.items() if k not in {"group", "group_label"}
    }
    # Participation: Security (0) and Other (2) both read "fewer than 5".
    assert content.count("fewer than 5") >= 2


# --- Participation: counts and differencing ------------------------------------------------


def test_participation_hides_a_small_side_and_the_total_that_would_reveal_it(
    leader_client, lopsided_round
):
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    rows = {row["label"]: row for row in response.context["participation"]}
    assert rows["Security"]["completed_small"]
    assert rows["Other"]["completed_small"]  # empty looks like small
    assert not rows["IT"]["completed_small"]
    assert response.context["total_completed_hidden"]  # 32 − 30 would give the 2 away
    content = response.content.decode()
    assert ">32<" not in content
    assert ">2<" not in content


def test_participation_total_is_shown_when_no_small_group_can_be_derived(
    leader_client, survey_round, make_responses
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 5)
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    assert not response.context["total_completed_hidden"]
    assert ">11<" in response.content.decode()


def test_round_list_hides_the_total_that_would_reveal_a_small_side(leader_client, lopsided_round):
    response = leader_client.get(reverse("reports:round_list"))
    (listed,) = response.context["rounds"]
    assert listed.response_count_hidden
    assert ">32<" not in response.content.decode()


# --- Comments ------------------------------------------------------------------------------


def _commenters(make_responses, survey_round, count: int, side: str = "it") -> None:
    make_responses(
        survey_round,
        [
            (side, {**IT_ANSWERS, "a_comment": f"Comment number {n} from {side}"})
            for n in range(count)
        ],
        function="identity",
        level="executive",
    )


def test_comments_need_ten_respondents(leader_client, survey_round, make_responses):
    _commenters(make_responses, survey_round, 9)
    url = reverse("reports:dimension", kwargs={"slug": "autumn", "code": "a"})
    response = leader_client.get(url)
    assert response.context["comments"] == []
    assert response.context["comment_threshold"] == 10
    assert "Comment number" not in response.content.decode()


def test_comments_are_shown_without_profile_in_random_order(
    leader_client, survey_round, make_responses
):
    _commenters(make_responses, survey_round, 6, side="it")
    _commenters(make_responses, survey_round, 6, side="security")
    url = reverse("reports:dimension", kwargs={"slug": "autumn", "code": "a"})
    orders = set()
    for _ in range(6):
        response = leader_client.get(url)
        comments = response.context["comments"]
        assert len(comments) == 12
        orders.add(tuple(comments))
    assert len(orders) > 1  # shuffled per request (12! orders: a repeat is negligible)
    content = response.content.decode()
    section = content[content.index('id="comments-heading"') :]
    section = section[: section.index("</section>")]
    for profile_word in ("Executive", "executive", "Identity", "identity"):
        assert profile_word not in section
    comments_page = reverse("reports:comments", kwargs={"slug": "autumn", "code": "a"})
    assert f'href="{comments_page}"' in section


@override_settings(FRICTION_COMMENT_MIN_GROUP_SIZE=3)
def test_the_comment_threshold_is_never_below_k(leader_client, survey_round, make_responses):
    _commenters(make_responses, survey_round, 4)
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2)  # a side of 6: figures shown
    url = reverse("reports:dimension", kwargs={"slug": "autumn", "code": "a"})
    response = leader_client.get(url)
    assert response.context["comment_threshold"] == 5
    assert response.context["comments"] == []


def test_comments_are_never_in_the_responses_export(analyst_client, survey_round, make_responses):
    _commenters(make_responses, survey_round, 12)
    body = b"".join(
        analyst_client.get(export_url(survey_round, "responses")).streaming_content
    ).decode("utf-8-sig")
    assert "Comment number" not in body
    assert "a_comment" not in body


# --- The responses export: k-anonymous, no identifier --------------------------------------


def test_responses_export_generalises_rare_profiles(survey_round, make_responses):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6, function="identity", level="manager")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, function="identity", level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 3, function="governance", level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 1, function="governance")
    body = b"".join(round_export(round=survey_round, kind="responses")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    profiles = pd.Series([(r["side"], r["function"], r["level"]) for r in rows]).value_counts()
    assert profiles[("it", "identity", "manager")] == 6
    # 2 executives + 3 governance managers: level, then function blanked -> (it, "", "") of 5.
    assert profiles[("it", "", "")] == 5
    # A lone Security respondent cannot join any group of 5: their row is left out, since a
    # lone blank row beside the IT rows would be the Security group.
    assert ("", "", "") not in profiles.index
    assert len(rows) == 11
    assert (profiles >= 5).all()
    assert {r["submitted_month"] for r in rows} <= {"2026-11", ""}
    assert "2026-11-02" not in body


def test_responses_export_keeps_months_only_when_k_rows_share_them(survey_round, make_responses):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5, submitted_on=dt.date(2026, 10, 3))
    make_responses(survey_round, [("it", IT_ANSWERS)] * 1, submitted_on=dt.date(2026, 11, 20))
    body = b"".join(round_export(round=survey_round, kind="responses")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    months = sorted(r["submitted_month"] for r in rows)
    # The one November response would be "the late one" with any profile: it is left out.
    assert months == ["2026-10"] * 5


def test_responses_export_has_no_stable_identifier(survey_round, make_responses):
    make_responses(
        survey_round,
        [("it", {**IT_ANSWERS, "a1": value}) for value in (1, 2, 3, 4, 5)] * 4,
    )
    orders = set()
    for _ in range(5):
        body = b"".join(round_export(round=survey_round, kind="responses")).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(body, newline="")))
        assert [r["row"] for r in rows] == [str(n) for n in range(1, 21)]
        orders.add(tuple(r["a1"] for r in rows))
    assert len(orders) > 1  # row n is a different respondent from one export to the next
    header = body.splitlines()[0].lstrip("\ufeff").split(",")
    assert not {"id", "response_id", "token", "invitation", "email"} & set(header)
