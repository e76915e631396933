"""Tests of reports.views.comments: a dimension's comments page, shown only from the comment
threshold on, with the words that recur and no profile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from survey.models import SurveyRound
from survey.services.responses import responses_create_bulk
from tests.factories import SurveyRoundFactory
from tests.reports.pages import page_url

pytestmark = pytest.mark.django_db


def comment_round(small_instrument, writers: int):
    survey_round = SurveyRoundFactory(instrument=small_instrument, slug="talk")
    texts = [
        "Security reviews arrive too late",
        "Late reviews again",
        "Reviews block the release",
    ]
    responses_create_bulk(
        round=survey_round,
        responses=[
            {
                "side": "security" if i % 2 else "it",
                "function": "identity",
                "level": "executive",
                "answers": {"a1": 3, "a_comment": texts[i % 3]},
            }
            for i in range(writers)
        ],
    )
    return survey_round


def test_comments_stay_hidden_below_the_comment_threshold(leader_client, small_instrument):
    survey_round = comment_round(small_instrument, 9)
    response = leader_client.get(page_url("comments", survey_round, code="a"))
    content = response.content.decode()
    assert response.context["threshold"] == 10
    assert response.context["comments"] == []
    assert "Security reviews arrive" not in content
    assert "Fewer than 10 people commented" in content


def test_comments_and_recurring_words_appear_at_the_threshold(
    leader_client, small_instrument, django_assert_max_num_queries
):
    survey_round = comment_round(small_instrument, 10)
    with django_assert_max_num_queries(8):
        response = leader_client.get(page_url("comments", survey_round, code="a"))
    content = response.content.decode()
    assert len(response.context["comments"]) == 10
    assert "Security reviews arrive too late" in content
    words = {row["word"]: row["comments"] for row in response.context["words"]}
    assert words["reviews"] == 10
    assert words["late"] == 7
    assert "the" not in words
    # No profile beside the comments.
    assert "Executive" not in content
    assert "identity" not in content.lower()


@override_settings(FRICTION_COMMENT_MIN_GROUP_SIZE=3)
def test_comment_threshold_is_never_below_the_rounds_k(leader_client, small_instrument):
    survey_round = comment_round(small_instrument, 4)
    response = leader_client.get(page_url("comments", survey_round, code="a"))
    assert response.context["threshold"] == 5
    assert response.context["comments"] == []


def test_a_closed_rounds_comments_are_split_by_side_an_open_rounds_are_not(
    leader_client, small_instrument
):
    """20 writers, 10 IT and 10 Security, threshold 10: once the round has closed each side
    has a list of its own; while it is open, one list (two days' lists could be subtracted)."""
    survey_round = comment_round(small_instrument, 20)
    url = page_url("comments", survey_round, code="a")
    response = leader_client.get(url)
    assert [part["label"] for part in response.context["comment_lists"]] == [None]
    assert "Written by" not in response.content.decode()
    now = timezone.now()
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=1)
    )
    response = leader_client.get(url)
    lists = response.context["comment_lists"]
    assert [part["label"] for part in lists] == ["IT", "Security"]
    assert [len(part["texts"]) for part in lists] == [10, 10]
    assert "Written by Security" in response.content.decode()
