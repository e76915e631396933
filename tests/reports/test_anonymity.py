"""Tests of the anonymity promises across pages and downloads: no figure of a group below k,
totals shown and perturbed by the cell-key method (the same respondents give the same figure
in every view, within 2 of the truth; a mean within 30/n points), differencing that yields an
interval only, comments and the anonymised responses export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
from django.test import override_settings
from django.urls import reverse

from reports.disclosure import count_published, settings_protection
from reports.downloads import round_export
from reports.parameters import round_protection
from survey.models import Response
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.factories import InvitationFactory
from tests.reports.pages import export_url, read_csv_records, subtraction_interval

pytestmark = pytest.mark.django_db

NOT_ENOUGH = "not enough responses"
SECURITY_SCORE_A = 25.0  # dimension a of SECURITY_ANSWERS, see tests/conftest.py
IT_SCORE_A = 275 / 3  # dimension a of IT_ANSWERS


# --- Every figure of a group of 2 is suppressed ----------------------------------------------


def test_dashboard_shows_no_number_of_a_group_of_two_while_all_includes_them(
    leader_client, lopsided_round
):
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    context = response.context
    for row in context["scorecard"]:
        assert row["score_b"] is None
        assert row["n_b"] is None
        assert row["gap"] is None
        assert row["status"] == "suppressed"
        assert row["score_a"] is not None  # the group of 30 is shown
    # Heatmap table: Security suppressed, while "all" is shown and counts its 2 respondents
    # (published figures make "all" minus IT an interval, not the 2: see the perturbed tests).
    summary = {(row["dimension_code"], row["group"]): row for row in context["summary"]}
    for (_dimension, group), row in summary.items():
        if group in {"security", "other"}:
            assert row["suppressed"]
            assert row["n"] is None
            assert row["score_mean"] is None
        else:
            assert row["n"] == {"it": 30, "all": 32}[group]
    assert summary[("a", "all")]["score_mean"] == pytest.approx(
        (30 * IT_SCORE_A + 2 * SECURITY_SCORE_A) / 32
    )
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
        else:  # IT's 30, and "all": everyone, the 2 included
            assert row["n"] == {"it": "30", "all": "32"}[row["group"]]
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


def test_a_pooled_group_with_a_small_part_is_shown_whole(
    leader_client, survey_round, make_responses
):
    """executive+manager holds 8: it is shown, the 2 executives in it, while the executives
    alone read "not enough responses" (the pool minus the managers is an interval only)."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 2, level="executive")
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6, level="manager")
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 6, level="individual")
    url = reverse("reports:dashboard", kwargs={"slug": "autumn"})
    pooled = leader_client.get(url, {"attribute": "level", "a": "executive+manager"})
    assert {row["n_a"] for row in pooled.context["scorecard"]} == {8}
    assert all(row["score_a"] is not None for row in pooled.context["scorecard"])
    alone = leader_client.get(url, {"attribute": "level", "a": "executive", "b": "manager"})
    assert {row["n_a"] for row in alone.context["scorecard"]} == {None}
    assert {row["n_b"] for row in alone.context["scorecard"]} == {6}


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


# --- Published figures: one per group in every view, within bounds of the truth -----------


@pytest.mark.perturbed
def test_a_group_reads_the_same_n_on_every_page_and_download(leader_client, lopsided_round):
    """The cell-key method keys each count by the respondents it counts: IT's 30 (and the 32
    of "all") read the same on the dashboard, a filter selecting everyone, the dimension
    page, gaps.csv, summary.csv and the participation table, so comparing views, or asking
    twice, averages no noise away."""
    dashboard = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    everyone = leader_client.get(  # every respondent is an individual contributor
        reverse("reports:dashboard", kwargs={"slug": "autumn"}), {"level": "individual"}
    )
    page = leader_client.get(reverse("reports:dimension", kwargs={"slug": "autumn", "code": "a"}))
    gaps = read_csv_records(leader_client.get(export_url(lopsided_round, "gaps")))
    summary_csv = read_csv_records(leader_client.get(export_url(lopsided_round, "summary")))
    participation = {row["group"]: row for row in dashboard.context["participation"].side_rows}

    it = [row["n_a"] for row in dashboard.context["scorecard"]]
    it += [row["n"] for row in dashboard.context["summary"] if row["group"] == "it"]
    it += [row["n_a"] for row in everyone.context["scorecard"]]
    it += [page.context["summary"]["n_a"]]
    it += [row["n_a"] for row in page.context["item_rows"]]  # all 30 answered every item
    it += [int(row["n_a"]) for row in gaps]
    it += [int(row["n"]) for row in summary_csv if row["group"] == "it"]
    it += [participation["it"]["answered"]]  # answered as IT: the same respondents
    assert len(it) == 15
    assert len(set(it)) == 1, it
    assert abs(it[0] - 30) <= 2

    total = [row["n"] for row in dashboard.context["summary"] if row["group"] == "all"]
    total += [row["n"] for row in everyone.context["summary"] if row["group"] == "all"]
    total += [int(row["n"]) for row in summary_csv if row["group"] == "all"]
    total += [dashboard.context["participation"].total.answered, everyone.context["respondents"]]
    assert len(total) == 8
    assert len(set(total)) == 1, total
    assert abs(total[0] - 32) <= 2


def _figures(context) -> tuple[dict, dict]:
    """(counts, means) of a dashboard's context, keyed by where they are shown: the
    scorecard, the summary (heatmap) and the participation table. None = not shown."""
    counts, means = {}, {}
    for row in context["scorecard"]:
        code = row["dimension_code"]
        counts |= {("card", code, "a"): row["n_a"], ("card", code, "b"): row["n_b"]}
        means |= {("card", code, "a"): row["score_a"], ("card", code, "b"): row["score_b"]}
    for row in context["summary"]:
        key = ("summary", row["dimension_code"], row["group"])
        counts[key] = row["n"]
        means[(*key, "score")] = row["score_mean"]
        means[(*key, "favourable")] = row["favourable_pct"]
    participation = context["participation"]
    for row in [*participation.side_rows, participation.total_row]:
        for count in ("invited", "completed", "answered"):
            counts[(count, row["group"])] = row[count]
    return counts, means


@pytest.mark.perturbed
def test_published_dashboard_figures_are_within_the_bounds_of_the_truth(
    leader_client, lopsided_round, settings
):
    """Every count the dashboard shows is within the count bound (2k = 10) of the true one and
    every mean within the sum bound / n (60/n) points of the true mean, n the group's true
    size; the groups shown are those shown with exact figures."""
    InvitationFactory.create_batch(36, round=lopsided_round, side="it")
    InvitationFactory.create_batch(12, round=lopsided_round, side="security")
    protection = round_protection(lopsided_round)
    count_bound, sum_bound = protection.count_bound, protection.sum_bound
    assert (count_bound, sum_bound) == (10, 60)  # as shipped for k = 5
    url = reverse("reports:dashboard", kwargs={"slug": "autumn"})
    published_counts, published_means = _figures(leader_client.get(url).context)
    settings.FRICTION_COUNT_BOUND = settings.FRICTION_SUM_BOUND = 0  # the truth
    true_counts, true_means = _figures(leader_client.get(url).context)
    # The truth as tests/conftest.py computes it, so the comparison is with the right figures.
    assert true_counts[("card", "a", "a")] == 30
    assert true_counts[("summary", "a", "all")] == 32
    assert true_counts[("invited", "it")] == 36
    assert true_means[("card", "a", "a")] == pytest.approx(IT_SCORE_A)

    assert published_counts.keys() == true_counts.keys()
    assert published_means.keys() == true_means.keys()
    for key, true in true_counts.items():
        published = published_counts[key]
        assert (published is None) == (true is None), key
        if true is not None:
            assert abs(published - true) <= count_bound, key
    sizes = {("card", code, "a"): true_counts[("card", code, "a")] for code in "ab"}
    sizes |= {key[:3]: n for key, n in true_counts.items() if key[0] == "summary"}
    for key, true in true_means.items():
        published = published_means[key]
        assert (published is None) == (true is None), key
        if true is not None:
            n = sizes[key[:3]]
            assert abs(published - true) <= sum_bound / n + 1e-9, (key, published, true)
    moved = [k for k, v in true_means.items() if v is not None and published_means[k] != v]
    assert moved  # the figures were perturbed: this test did not read exact ones


# --- Participation: counts and differencing ------------------------------------------------


def test_participation_shows_the_total_while_a_small_side_reads_fewer_than_k(
    leader_client, lopsided_round
):
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    rows = {row["label"]: row for row in response.context["participation"].side_rows}
    assert rows["Security"]["answered"] is None  # reads "fewer than k"
    assert rows["Other"]["answered"] is None  # empty looks like small
    assert rows["IT"]["answered"] == 30
    assert response.context["participation"].total.answered == 32  # exact here
    content = response.content.decode()
    assert ">32<" in content
    assert ">2<" not in content


@pytest.mark.perturbed
def test_participation_total_minus_the_shown_side_is_only_an_interval(
    leader_client, lopsided_round, settings
):
    """As shipped, 32 − 30 does not give the 2 Security respondents: the published total and
    IT's published count are each within 2 of the truth, so their difference leaves every
    size from nobody (or a full group of k) to several."""
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    rows = {row["label"]: row for row in response.context["participation"].side_rows}
    assert rows["Security"]["answered"] is None
    total, it = response.context["participation"].total.answered, rows["IT"]["answered"]
    bound = round_protection(lopsided_round).count_bound
    assert abs(total - 32) <= bound
    assert abs(it - 30) <= bound
    hidden = subtraction_interval(total, [it], bound)
    assert 2 in hidden
    assert 0 in hidden or lopsided_round.min_group_size in hidden


def test_participation_total_is_shown_when_no_small_group_can_be_derived(
    leader_client, survey_round, make_responses
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 6 + [("security", SECURITY_ANSWERS)] * 5)
    response = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    assert response.context["participation"].total.answered == 11
    assert ">11<" in response.content.decode()


def test_round_list_shows_the_total_of_a_round_with_a_small_side(leader_client, lopsided_round):
    response = leader_client.get(reverse("reports:round_list"))
    (listed,) = response.context["rounds"]
    assert not listed.response_count_hidden
    assert ">32<" in response.content.decode()


def test_round_list_reads_fewer_than_k_for_a_round_below_k(
    leader_client, survey_round, make_responses
):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 4)
    response = leader_client.get(reverse("reports:round_list"))
    (listed,) = response.context["rounds"]
    assert listed.response_count_hidden
    content = response.content.decode()
    assert "fewer than 5" in content
    assert ">4<" not in content


def _moving_secret(survey_round, settings) -> str:
    """A cell-key secret under which the published count of ``survey_round``'s responses
    differs from the true one (about four secrets in five do)."""
    ids = list(Response.objects.filter(round=survey_round).values_list("pk", flat=True))
    for n in range(100):
        settings.FRICTION_CELL_KEY_SECRET = f"moving-{n}"
        protection = settings_protection(settings, survey_round.min_group_size)
        true, published = count_published(ids, protection)
        if published != true:
            return settings.FRICTION_CELL_KEY_SECRET
    raise AssertionError("no secret moves the count")  # pragma: no cover


@pytest.mark.perturbed
def test_round_list_prints_the_published_count_of_the_dashboard(
    leader_client, lopsided_round, settings
):
    """The round list once printed the true count beside the dashboard's published total:
    the same respondents must read the same figure on both pages (under a secret that moves
    it, so the test tells the two apart)."""
    _moving_secret(lopsided_round, settings)
    dashboard = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    published = dashboard.context["participation"].total.answered
    assert published != 32
    content = leader_client.get(reverse("reports:round_list")).content.decode()
    assert f">{published}<" in content
    assert ">32<" not in content


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
