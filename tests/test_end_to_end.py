"""The main job end to end: invitation -> profile -> pages -> submit -> dashboard -> both CSVs."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import Prefetch
from django.urls import reverse

from assessment.models import Item
from assessment.services import instrument_load
from survey.models import Response
from survey.scale import SCALE_KINDS
from survey.services.invitations import invitations_issue
from survey.services.responses import responses_create_bulk
from survey.services.rounds import round_create
from survey.views import survey_pages

pytestmark = pytest.mark.django_db

COMMENT = 'Reviews are slow, "but" fair; =SUM(A1) stays text.'


def csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_a_browser_response_reaches_the_dashboard_and_both_csvs(client):
    instrument = instrument_load().instrument
    survey_round = round_create(
        instrument=instrument, name="End to end", slug="e2e", min_group_size=3
    )
    likert = list(
        Item.objects.filter(dimension__instrument=instrument, kind=Item.Kind.LIKERT).values_list(
            "code", flat=True
        )
    )
    # Two IT and three Security colleagues answered already: IT is one short of k = 3.
    neutral = dict.fromkeys(likert, 3)
    responses_create_bulk(
        round=survey_round,
        responses=[{"side": "it", "function": "", "level": "", "answers": neutral}] * 2
        + [{"side": "security", "function": "", "level": "", "answers": neutral}] * 3,
    )
    leader = User.objects.create_user("boss", password="a-long-pass-phrase-42")
    leader.groups.add(Group.objects.get(name="Leaders"))
    client.force_login(leader)
    dashboard = reverse("reports:dashboard", kwargs={"slug": "e2e"})
    assert "not enough responses" in client.get(dashboard).content.decode().lower()
    client.logout()

    token = invitations_issue(round=survey_round, count=1, side="it")[0]
    assert client.get(reverse("survey:welcome", kwargs={"token": token})).status_code == 200
    step = client.post(
        reverse("survey:profile", kwargs={"token": token}),
        {"side": "it", "function": "infrastructure", "level": "manager", "action": "next"},
    )
    dimensions = list(
        instrument.dimensions.order_by("order", "pk").prefetch_related(
            Prefetch("items", queryset=Item.objects.order_by("order", "pk"))
        )
    )
    # The pages as the respondent meets them: the outcome statement first, then a page per
    # dimension. Every statement on the scale is answered "Agree", one comment is written.
    pages = survey_pages(dimensions)
    assert pages[0].items[0].kind == Item.Kind.OUTCOME
    commented = False
    for n, survey_page in enumerate(pages, start=1):
        assert step["Location"] == reverse("survey:page", kwargs={"token": token, "n": n})
        data = {"action": "next"}
        for item in survey_page.items:
            if item.kind in SCALE_KINDS:
                data[item.code] = "4"
            elif not commented:
                data[item.code] = COMMENT
                commented = True
        step = client.post(step["Location"], data)
    assert step["Location"] == reverse("survey:review", kwargs={"token": token})
    assert client.get(step["Location"]).status_code == 200
    done = client.post(reverse("survey:submit", kwargs={"token": token}), follow=True)
    assert done.status_code == 200
    assert Response.objects.filter(round=survey_round).count() == 6
    mine_stored = Response.objects.get(round=survey_round, function="infrastructure")
    assert mine_stored.answers.get(item__kind=Item.Kind.OUTCOME).value == 4

    client.force_login(leader)
    page = client.get(dashboard)
    assert page.status_code == 200

    summary = csv_rows(client.get(reverse("reports:export", args=["e2e", "summary"])))
    # The first dimension with a score (v2's first, ``overall``, holds only the outcome
    # statement, which no dimension score includes).
    first = next(d for d in dimensions if any(i.kind == Item.Kind.LIKERT for i in d.items.all()))
    assert not any(row["dimension_code"] == dimensions[0].code for row in summary)
    it_row = next(
        row
        for row in summary
        if row["dimension_code"] == first.code
        and row["attribute"] == "side"
        and row["group"] == "it"
    )
    assert it_row["n"] == "3"
    # Two neutral respondents (50 points) and one who agreed with everything on its page:
    # agreeing scores 75 on a plain item and 25 on a reverse-scored one.
    first_items = [i for i in first.items.all() if i.kind == Item.Kind.LIKERT]
    reversed_share = sum(i.reverse_scored for i in first_items) / len(first_items)
    browser_score = 75 * (1 - reversed_share) + 25 * reversed_share
    assert float(it_row["score_mean"]) == pytest.approx((50 + 50 + browser_score) / 3, abs=0.01)
    assert f"{float(it_row['score_mean']):.1f}" in page.content.decode()

    # Leaders get the aggregated files only; the responses file is for Analysts.
    responses_url = reverse("reports:export", args=["e2e", "responses"])
    assert client.get(responses_url).status_code == 403
    leader.groups.add(Group.objects.get(name="Analysts"))
    rows = csv_rows(client.get(responses_url))
    assert len(rows) == 6
    mine = [row for row in rows if all(row[code] == "4" for code in likert[:3])]
    assert len(mine) == 1
    # Anonymised: the only IT infrastructure manager is shown as IT, without function or
    # level (3 IT rows = k), and comments are never exported.
    assert (mine[0]["side"], mine[0]["function"], mine[0]["level"]) == ("it", "", "")
    assert all(mine[0][code] == "4" for code in likert)
    comment_codes = [i.code for d in dimensions for i in d.items.all() if i.kind == Item.Kind.TEXT]
    assert commented
    assert not set(comment_codes) & set(mine[0])
    assert COMMENT not in "".join(str(value) for row in rows for value in row.values())
